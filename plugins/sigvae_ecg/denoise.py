"""Denoise whole records in bounded memory: chunks at the record's own rate, each resampled
to the model's rate, denoised window by window (:mod:`sigvae_ecg.engine`) and resampled back.

Chunks are ``CHUNK`` samples long and read with a margin of a few model windows on each side,
so neither the resampling filter nor the window cross-fade sees a chunk edge in the part that
is kept. NaN samples are bridged for the model and set back to NaN in the output: a gap is
never filled with invented ECG.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence

import numpy as np

from sigvae.errors import SigvaeError
from sigvae_ecg.engine import denoise_1d
from sigvae_ecg.filters import fill_nan, resample
from sigvae_ecg.runtime import Denoiser

MIN_FS = 100.0
CHUNK = 1 << 20
PROGRESS_AFTER_S = 600.0

Reader = Callable[[int, int], Sequence[np.ndarray]]
"""``read(start, stop)`` -> one float array per channel with its samples of those frames."""


def check_fits(n_samples: int, fs: float, denoiser: Denoiser, what: str = "record") -> None:
    """One-line errors for a rate below 100 Hz or a record shorter than one model window."""
    if not fs >= MIN_FS:
        raise SigvaeError(f"{what}: sampling frequency {fs:g} Hz is below {MIN_FS:g} Hz")
    need = denoiser.window / denoiser.fs
    if n_samples / fs < need:
        raise SigvaeError(
            f"{what}: {n_samples / fs:.2f} s long ({n_samples} samples), shorter than one "
            f"model window ({need:.2f} s)"
        )


def denoise_block(block: np.ndarray, fs: float, denoiser: Denoiser) -> np.ndarray:
    """Denoise every row of ``[leads, samples]`` taken at ``fs``; NaN stays NaN."""
    filled, mask = fill_nan(block)
    out = np.full(filled.shape, np.nan)
    n = filled.shape[-1]
    for i, (row, bad) in enumerate(zip(filled, mask)):
        if bad.all():
            continue
        if np.ptp(row) == 0:  # a flat line stays exactly as it is (no resampling ripple)
            out[i] = row
            out[i, bad] = np.nan
            continue
        model_rate = resample(row, fs, denoiser.fs)[0]
        clean = denoise_1d(model_rate, denoiser.predict, denoiser.window, denoiser.hop)
        out[i] = resample(clean, denoiser.fs, fs, n)[0]
        out[i, bad] = np.nan
    return out


def chunk_plan(n_samples: int, fs: float, denoiser: Denoiser, chunk: int = CHUNK):
    """``(start, stop, read_start, read_stop)`` per chunk of frames at ``fs`` frames/s: keep
    ``[start, stop)`` of what is denoised from ``[read_start, read_stop)``."""
    margin = math.ceil(3 * denoiser.window / denoiser.fs * fs)
    chunk = max(chunk, 4 * margin)
    for start in range(0, n_samples, chunk):
        stop = min(n_samples, start + chunk)
        if n_samples - stop < margin:  # fold a short tail into this chunk
            stop = n_samples
        yield start, stop, max(0, start - margin), min(n_samples, stop + margin)
        if stop == n_samples:
            break


def denoise_stream(
    read: Reader,
    n_frames: int,
    frame_fs: float,
    denoiser: Denoiser,
    spf: list[int] | None = None,
    chosen: list[int] | None = None,
    progress: bool | None = None,
    label: str = "denoising",
    chunk: int = CHUNK,
) -> Iterator[tuple[int, int, list[np.ndarray], list[np.ndarray]]]:
    """Yield ``(start, stop, noisy, out)`` for consecutive frame ranges of the whole record.

    ``read(a, b)`` returns one array per channel with the samples of frames ``[a, b)``
    (``spf[c]`` samples per frame, default 1). Channels in ``chosen`` (default: all) are
    denoised at their own rate ``frame_fs * spf[c]``; the others are passed through.
    ``progress``: True shows a bar, None shows one for records over 10 minutes on a terminal,
    False never does."""
    from tqdm.auto import tqdm

    long = n_frames / frame_fs > PROGRESS_AFTER_S
    disable = (not progress) if progress is not None else (None if long else True)
    bar = tqdm(total=round(n_frames / frame_fs), unit="s", desc=label, disable=disable, leave=False)
    per_frame = max(spf) if spf else 1
    try:
        for start, stop, r0, r1 in chunk_plan(n_frames, frame_fs, denoiser, chunk // per_frame):
            block = read(r0, r1)
            noisy, out = [], []
            for c, values in enumerate(block):
                k = spf[c] if spf else 1
                keep = slice((start - r0) * k, (stop - r0) * k)
                values = np.asarray(values, dtype=np.float64)
                noisy.append(values[keep])
                if chosen is None or c in chosen:
                    out.append(denoise_block(values[None], frame_fs * k, denoiser)[0, keep])
                else:
                    out.append(values[keep])
            yield start, stop, noisy, out
            bar.update(round(stop / frame_fs) - bar.n)
    finally:
        bar.close()


def denoise_array(
    data: np.ndarray, fs: float, denoiser: Denoiser, progress: bool | None = None
) -> np.ndarray:
    """Denoise ``[leads, samples]`` held in memory; returns a new array of the same shape."""
    data = np.atleast_2d(data)
    out = np.empty(data.shape, dtype=np.float64)
    for start, stop, _, clean in denoise_stream(
        lambda a, b: data[:, a:b], data.shape[-1], fs, denoiser, progress=progress
    ):
        out[:, start:stop] = np.stack(clean)
    return out
