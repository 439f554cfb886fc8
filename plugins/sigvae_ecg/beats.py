"""Single heartbeats zero-padded to a fixed window: the data of the DeepFilter protocol.

DeepFilter (Romero et al., "DeepFilter: an ECG baseline wander removal filter using deep
learning techniques", BSPC 2021) and the methods compared on its benchmark (MECG-E and others)
train and test on *single beats*: each beat runs from 40 ms before its P-wave onset to the
same point of the next beat (QT-database annotations), the mean of its two end samples is
subtracted, it is placed at sample 16 of a 512-sample zero window at 360 Hz, and beats longer
than 496 samples are dropped. Our databases have no P-onset marks, so a beat here runs from
``lead_in`` seconds (250 ms: about 40 ms before a typical P onset) before its R peak to the
same point before the next R peak. R peaks come from the record's beat annotations (MIT-BIH
``.atr``) where present, otherwise from NeuroKit2's detector on one reference lead; every lead
of the record is cut at the same instants.

The ``ecg-beats`` preprocessor (signals -> arrays) makes these windows for ``sigvae run``; the
benchmark uses :func:`padded_beats` too, so training and evaluation cut beats identically.
"""

from __future__ import annotations

import numpy as np

from sigvae.data import Arrays, Signal
from sigvae.errors import DataError
from sigvae_ecg.params import BeatParams


def padded_beats(
    x: np.ndarray,
    peaks: np.ndarray,
    fs: float,
    length: int = 512,
    offset: int = 16,
    lead_in: float = 0.25,
    keep: np.ndarray | None = None,
) -> np.ndarray:
    """``[n, length]`` beats of the 1-D signal ``x``: from ``lead_in`` s before each R peak in
    ``peaks`` (sorted) to the same point before the next, minus the mean of the beat's two end
    samples, starting at sample ``offset`` of a zero window. ``keep`` (a mask over ``peaks``)
    picks the beats wanted; the others still end the beat before them, so no window holds two
    QRS complexes (DeepFilter drops such windows too). Beats that do not fit or hold NaN are
    dropped."""
    starts = np.asarray(peaks, dtype=int) - int(lead_in * fs)
    wanted = np.ones(len(starts), dtype=bool) if keep is None else np.asarray(keep, dtype=bool)
    out = []
    for a, b, ok in zip(starts[:-1], starts[1:], wanted[:-1]):
        if not ok or a < 0 or b > len(x) or b - a < 2 or b - a > length - offset:
            continue
        beat = x[a:b]
        if not np.isfinite(beat).all():
            continue
        padded = np.zeros(length)
        padded[offset : offset + len(beat)] = beat - (beat[0] + beat[-1]) / 2
        out.append(padded)
    return np.stack(out) if out else np.empty((0, length))


def record_peaks(
    signal: Signal, annotation: str, symbols: list[str] | None, lead: str
) -> tuple[np.ndarray, np.ndarray]:
    """``(peaks, keep)``: the R peaks of ``signal`` in time order and which of them start a
    wanted beat. Peaks are the ``annotation``'s beat marks (MIT-BIH symbols; ``keep`` those in
    ``symbols``, or all when it is None), else NeuroKit2's detections on ``lead`` (the first
    channel when the record has no such lead), all kept."""
    from sigvae_ecg.rpeaks import BEAT_SYMBOLS, detect_rpeaks

    ann = signal.annotations.get(annotation)
    if ann is not None:
        samples = np.asarray(ann["sample"], dtype=int)
        marks = np.asarray(ann.get("symbol", ["N"] * len(samples)))
        beat = np.isin(marks, sorted(BEAT_SYMBOLS))
        order = np.argsort(samples[beat], kind="stable")
        peaks, marks = samples[beat][order], marks[beat][order]
        return peaks, np.ones(len(peaks), bool) if symbols is None else np.isin(marks, symbols)
    channel = signal.channels.index(lead) if lead in signal.channels else 0
    peaks = np.sort(detect_rpeaks(signal.data[channel], signal.fs))
    return peaks, np.ones(len(peaks), dtype=bool)


class BeatStep:
    """signals -> arrays: every beat of every chosen lead as a ``[1, length]`` example;
    ``groups`` keeps the record name so splits stay by record. Stateless."""

    def __init__(self, params: BeatParams) -> None:
        self.params = params

    def transform(self, signals: list[Signal]) -> Arrays:
        p = self.params
        rng = np.random.default_rng(p.seed)
        xs, groups = [], []
        for sig in signals:
            if abs(sig.fs - p.fs) > 1e-6:
                raise DataError(
                    f"ecg-beats: record {sig.name} is at {sig.fs} Hz, not {p.fs}; resample it first"
                )
            peaks, keep = record_peaks(sig, p.annotation, p.symbols, p.peak_lead)
            leads = [c for c in sig.channels if p.leads is None or c in p.leads]
            beats = np.concatenate(
                [
                    padded_beats(
                        sig.data[sig.channels.index(c)],
                        peaks,
                        p.fs,
                        p.length,
                        p.offset,
                        p.lead_in,
                        keep,
                    )
                    for c in leads
                ]
                or [np.empty((0, p.length))]
            )
            if p.per_record is not None and len(beats) > p.per_record:
                beats = beats[np.sort(rng.choice(len(beats), p.per_record, replace=False))]
            xs.append(beats)
            groups += [sig.name] * len(beats)
        if not groups:
            raise DataError("ecg-beats: no beat fits the window in any record")
        x = np.concatenate(xs)[:, None, :].astype(np.float32)
        return Arrays(x=x, groups=np.asarray(groups), info={"fs": p.fs, "window": p.length})
