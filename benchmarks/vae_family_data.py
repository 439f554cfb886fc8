"""MIT-BIH beats for the VAE-family benchmark, split by record before any windowing.

A beat is a fixed-length window of lead MLII centred on an ``.atr`` R-peak annotation whose
symbol marks a normal-like beat (N, L, R, e, j). Records without MLII (102 and 104 in MIT-BIH
carry V5/V2) are skipped and listed, as are records with no such beats (107 is paced). Each record contributes at most a fixed number of beats,
taken evenly over the whole record, so the benchmark stays short and no record dominates.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "ecg" / "mitdb"
TRAIN_RECORDS = [
    "100", "101", "102", "103", "104", "105", "106", "107", "108", "109",
    "111", "112", "113", "114", "115", "116", "117", "124",
]  # fmt: skip
VAL_RECORDS = ["121", "122"]
TEST_RECORDS = ["123", "200", "201", "202"]
BEAT_SYMBOLS = ("N", "L", "R", "e", "j")
WINDOW = 128  # samples at 360 Hz: 0.36 s centred on the R peak


@dataclass
class Beats:
    """``x`` [n, WINDOW] beats; ``label`` index into BEAT_SYMBOLS; ``male`` 0/1 per beat (the
    subject's sex from the header comment, a nuisance variable known for every record)."""

    x: np.ndarray
    label: np.ndarray
    male: np.ndarray
    record: np.ndarray
    skipped: list[str] = field(default_factory=list)

    def one_hot(self) -> np.ndarray:
        return np.eye(len(BEAT_SYMBOLS), dtype=np.float32)[self.label]


def record_beats(name: str, cap: int) -> Beats | str:
    """Up to ``cap`` beats of one record, evenly spaced over it; else why there are none."""
    from sigvae.errors import SigvaeError
    from sigvae.io import read_wfdb

    try:
        signal = read_wfdb(DATA / name, channels=["MLII"])
    except SigvaeError:
        return "no MLII lead"
    lead = signal.data[0]
    ann = signal.annotations["atr"]
    keep = np.isin(ann["symbol"], BEAT_SYMBOLS)
    peaks, symbols = ann["sample"][keep], ann["symbol"][keep]
    half = WINDOW // 2
    inside = (peaks >= half) & (peaks + half <= len(lead))
    peaks, symbols = peaks[inside], symbols[inside]
    if not len(peaks):
        return f"no {'/'.join(BEAT_SYMBOLS)} beats"
    pick = np.unique(np.linspace(0, len(peaks) - 1, min(cap, len(peaks))).round().astype(int))
    x = np.stack([lead[p - half : p + half] for p in peaks[pick]]).astype(np.float32)
    label = np.array([BEAT_SYMBOLS.index(s) for s in symbols[pick]])
    male = float(signal.meta["comments"][0].split()[1] == "M")
    n = len(x)
    return Beats(x, label, np.full(n, male, np.float32), np.full(n, name))


def load_beats(records: list[str], cap: int) -> Beats:
    parts, skipped = [], []
    for name in records:
        beats = record_beats(name, cap)
        if isinstance(beats, str):
            skipped.append(f"{name} ({beats})")
        else:
            parts.append(beats)
    return Beats(
        *(np.concatenate([getattr(b, k) for b in parts]) for k in ("x", "label", "male", "record")),
        skipped=skipped,
    )


def standardise(train: Beats, *others: Beats) -> tuple[np.ndarray, np.ndarray]:
    """z-score every window position with the training beats' mean and std, in place."""
    mean, std = train.x.mean(axis=0), train.x.std(axis=0)
    for beats in (train, *others):
        beats.x = ((beats.x - mean) / std).astype(np.float32)
    return mean, std
