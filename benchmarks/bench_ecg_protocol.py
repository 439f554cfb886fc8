"""The ECG benchmark protocol: test segments, noise at set SNRs, methods and metrics.

Clean test data: the test records of ``pipelines/ecg_denoise.yaml`` (MIT-BIH 100, 103, 116,
121, 201: the first 5 minutes of lead 0; LUDB 81-99: leads i, ii, v2, v5, 10 s each), at 360 Hz,
band-passed as the training targets (0.5-100 Hz, 50/60 Hz notches). Test noise: NSTDB samples
[325000, 650000) only (never seen in training). Noise is scaled to the input power SNR over the
whole segment (means removed).
"""

from __future__ import annotations

import numpy as np
from bench_ecg_data import SHARED
from sigvae_ecg import metrics
from sigvae_ecg import noise as nz
from sigvae_ecg.rpeaks import beat_samples, detect_rpeaks, match_peaks

FS = 360.0
SHARED_NSTDB = SHARED / "ecg" / "nstdb"
WINDOW = 512
MITDB_SECONDS = 300
LUDB_LEADS = ("i", "ii", "v2", "v5")
KINDS = ("bw", "em", "ma", "mixed")
SNRS = (-6, 0, 6, 12, 18, 24)


def test_segments(signals) -> list[dict]:
    """Clean segments with their reference beats (MIT-BIH .atr) where available."""
    out = []
    for s in signals:
        if "atr" in s.annotations:
            n = int(MITDB_SECONDS * FS)
            beats = beat_samples(s.annotations["atr"])
            out.append(
                {
                    "name": s.name,
                    "lead": s.channels[0],
                    "clean": s.data[0, :n],
                    "beats": beats[beats < n],
                }
            )
        else:
            for lead in LUDB_LEADS:
                out.append(
                    {
                        "name": s.name,
                        "lead": lead,
                        "clean": s.data[s.channels.index(lead)],
                        "beats": None,
                    }
                )
    return out


def noise_piece(bank: dict, kind: str, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` samples of test-half NSTDB noise; ``mixed`` is bw + em + ma at equal power."""
    if kind == "mixed":
        parts = [nz.nstdb_piece(bank, k, n, rng) for k in nz.NSTDB_KINDS]
        return sum((p - p.mean()) / p.std() for p in parts)
    return nz.nstdb_piece(bank, kind, n, rng)


def windows_of(x: np.ndarray) -> np.ndarray:
    n = len(x) // WINDOW
    return x[: n * WINDOW].reshape(n, WINDOW)


def window_scores(clean: np.ndarray, noisy: np.ndarray, est: np.ndarray) -> dict[str, np.ndarray]:
    """Per-window metrics of one segment (non-overlapping 512-sample windows)."""
    c, x, y = windows_of(clean), windows_of(noisy), windows_of(est)
    return {
        "ssd": metrics.ssd(c, y),
        "mad": metrics.mad(c, y),
        "prd_textbook": metrics.prd_textbook(c, y),
        "prd_deepfilter": metrics.prd_deepfilter(c, y),
        "cosine": metrics.cosine(c, y),
        "snr_out": metrics.snr_db(c, y),
        "snr_imp": metrics.snr_db(c, y) - metrics.snr_db(c, x),
    }


def peak_counts(est: np.ndarray, beats: np.ndarray) -> np.ndarray:
    """(hits, detected, reference) for F1 pooled over segments (150 ms tolerance)."""
    found = detect_rpeaks(est, FS)
    return np.array([match_peaks(found, beats, int(round(0.150 * FS))), len(found), len(beats)])


def deepfilter_beats(signals, rng: np.random.Generator, per_record: int = 300) -> np.ndarray:
    """Test beats of the DeepFilter protocol, cut as ``sigvae_ecg.beats`` cuts the training
    beats of ``pipelines/ecg_deepfilter.yaml`` (250 ms before an R peak to 250 ms before the
    next, end-point mean removed, at sample 16 of a 512-sample zero window): MIT-BIH lead 0 at
    its ``.atr`` normal (N) beats, each ended by the next annotated beat of any kind, LUDB lead
    ii at NeuroKit2's R peaks; at most ``per_record`` random beats per record."""
    from sigvae_ecg.beats import padded_beats, record_peaks

    beats = []
    for s in signals:
        lead = s.channels[0] if "atr" in s.annotations else "ii"
        peaks, keep = record_peaks(s, "atr", ["N"], "ii")
        mine = padded_beats(s.data[s.channels.index(lead)], peaks, FS, WINDOW, keep=keep)
        if len(mine) > per_record:
            mine = mine[rng.choice(len(mine), per_record, replace=False)]
        beats.append(mine)
    return np.concatenate(beats)


def deepfilter_noisy(beats: np.ndarray, bank: dict, rng: np.random.Generator) -> np.ndarray:
    """bw noise (test half, both channels, consecutive 512-sample pieces) scaled so its
    peak-to-peak is 0.2-2.0 times the beat's, as DeepFilter does: the raw noise is scaled and
    added as it is, offset included (DeepFilter removes no mean either), so a piece whose
    peak-to-peak is small next to its offset adds a large constant."""
    noise = np.concatenate([bank["bw"][0], bank["bw"][1]])
    ratios = rng.integers(20, 200, len(beats)) / 100
    out = np.empty_like(beats)
    for i, (beat, ratio) in enumerate(zip(beats, ratios)):
        start = (i * WINDOW) % (len(noise) - WINDOW)
        out[i] = beat + nz.scale_deepfilter(beat, noise[start : start + WINDOW], ratio)
    return out
