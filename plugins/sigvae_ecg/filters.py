"""Signal-level ECG steps: polyphase resampling and zero-phase band-pass/notch filtering.

Both are ``signals -> signals`` preprocessors (stateless: ``fit`` does nothing) and plain
functions on ``[channels, samples]`` arrays used by inference and the baselines. NaN samples
are bridged by linear interpolation for the filter and set back to NaN afterwards (resampling
maps the NaN mask to the new rate), so gaps are never invented over.
"""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

import numpy as np

from sigvae.data import Signal
from sigvae_ecg.params import BandpassParams, ResampleParams

MAX_DENOMINATOR = 1000


def rational_ratio(fs_from: float, fs_to: float) -> tuple[int, int]:
    """``(up, down)`` with ``up / down`` ~ ``fs_to / fs_from`` (denominator <= 1000)."""
    ratio = Fraction(float(fs_to) / float(fs_from)).limit_denominator(MAX_DENOMINATOR)
    return ratio.numerator, ratio.denominator


def fill_nan(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Linear interpolation across NaN runs of each row (edges: nearest valid value; an
    all-NaN row becomes zeros). Returns the filled copy and the NaN mask."""
    x = np.array(x, dtype=np.float64, ndmin=2)
    mask = np.isnan(x)
    if not mask.any():
        return x, mask
    t = np.arange(x.shape[-1])
    for row, bad in zip(x, mask):
        if bad.all():
            row[:] = 0.0
        elif bad.any():
            row[bad] = np.interp(t[bad], t[~bad], row[~bad])
    return x, mask


def resample(x: np.ndarray, fs_from: float, fs_to: float, length: int | None = None) -> np.ndarray:
    """Polyphase resampling of ``[channels, samples]`` (scipy ``resample_poly`` with a linear
    pad, so the ends do not droop); output has ``length`` samples (default: rounded ratio)."""
    x = np.atleast_2d(np.asarray(x, dtype=np.float64))
    if length is None:
        length = int(round(x.shape[-1] * float(fs_to) / float(fs_from)))
    up, down = rational_ratio(fs_from, fs_to)
    if up == down:
        y = x
    else:
        from scipy.signal import resample_poly

        y = resample_poly(x, up, down, axis=-1, padtype="line")
    if y.shape[-1] < length:
        y = np.pad(y, [(0, 0), (0, length - y.shape[-1])], mode="edge")
    return y[..., :length]


def resample_mask(mask: np.ndarray, length: int) -> np.ndarray:
    """Nearest-sample map of a boolean ``[channels, n]`` mask to ``length`` samples."""
    idx = np.minimum((np.arange(length) * mask.shape[-1]) // max(length, 1), mask.shape[-1] - 1)
    return mask[..., idx]


def bandpass(x: np.ndarray, fs: float, params: BandpassParams | None = None) -> np.ndarray:
    """Zero-phase Butterworth band-pass (and powerline notches) of ``[channels, samples]``."""
    from scipy import signal as sps

    params = params or BandpassParams()
    x, mask = fill_nan(x)
    nyq = fs / 2
    low = params.low if params.low is not None and params.low < nyq else None
    high = params.high if params.high is not None and params.high < nyq else None
    if low and high:
        sos = sps.butter(params.order, [low, high], btype="bandpass", fs=fs, output="sos")
    elif low:
        sos = sps.butter(params.order, low, btype="highpass", fs=fs, output="sos")
    elif high:
        sos = sps.butter(params.order, high, btype="lowpass", fs=fs, output="sos")
    else:
        sos = None
    y = x if sos is None else sps.sosfiltfilt(sos, x, axis=-1)
    for f0 in params.notch:
        if f0 < nyq and (high is None or f0 < high):
            b, a = sps.iirnotch(f0, 30.0, fs=fs)
            y = sps.filtfilt(b, a, y, axis=-1)
    y[mask] = np.nan
    return y


class ResampleStep:
    """``ecg-resample``: every signal to ``fs`` Hz; annotation samples are rescaled too."""

    def __init__(self, params: ResampleParams) -> None:
        self.params = params

    def fit(self, data: list[Signal]) -> ResampleStep:
        return self

    def transform(self, data: list[Signal]) -> list[Signal]:
        return [self.one(s) for s in data]

    def one(self, s: Signal) -> Signal:
        fs = self.params.fs
        if abs(s.fs - fs) < 1e-9:
            return s
        filled, mask = fill_nan(s.data)
        length = int(round(s.n_samples * fs / s.fs))
        y = resample(filled, s.fs, fs, length)
        y[resample_mask(mask, length)] = np.nan
        notes = {
            name: {**ann, "sample": np.round(np.asarray(ann["sample"]) * fs / s.fs).astype(int)}
            for name, ann in s.annotations.items()
        }
        return replace(s, data=y, fs=fs, annotations=notes)


class BandpassStep:
    """``ecg-bandpass``: zero-phase band-pass and notches on every channel of every signal."""

    def __init__(self, params: BandpassParams) -> None:
        self.params = params

    def fit(self, data: list[Signal]) -> BandpassStep:
        return self

    def transform(self, data: list[Signal]) -> list[Signal]:
        return [replace(s, data=bandpass(s.data, s.fs, self.params)) for s in data]
