"""R-peak F1 and the classical baselines."""

from __future__ import annotations

import numpy as np
import pytest
from ecg_helpers import synthetic_ecg
from sigvae_ecg.baselines import BASELINES
from sigvae_ecg.rpeaks import beat_samples, detect_rpeaks, f1_from_counts, match_peaks, rpeak_f1


def test_matching_is_one_to_one_within_tolerance():
    ref = np.array([100, 400, 700, 1000])
    det = np.array([95, 99, 460, 705, 1300])
    assert match_peaks(det, ref, tolerance=10) == 2  # 95 (or 99) -> 100, 705 -> 700
    assert f1_from_counts(2, 5, 4) == {"f1": 4 / 9, "precision": 0.4, "recall": 0.5}


def test_f1_on_a_synthetic_ecg_is_perfect_with_its_own_peaks():
    fs = 360.0
    ecg = synthetic_ecg(20, fs)
    peaks = detect_rpeaks(ecg, fs)
    assert len(peaks) > 15
    assert rpeak_f1(ecg, fs, peaks)["f1"] == pytest.approx(1.0)
    shifted = rpeak_f1(ecg, fs, peaks + int(0.2 * fs))  # 200 ms off: no matches
    assert shifted["f1"] == pytest.approx(0.0)


def test_beat_symbols_filter_non_beats():
    ann = {"sample": np.array([1, 2, 3, 4]), "symbol": np.array(["N", "+", "V", "~"])}
    assert list(beat_samples(ann)) == [1, 3]


@pytest.mark.parametrize("name", sorted(BASELINES))
def test_baselines_reduce_baseline_wander(name):
    fs = 360.0
    clean = synthetic_ecg(20, fs)
    t = np.arange(len(clean)) / fs
    noisy = clean + 1.5 * np.sin(2 * np.pi * 0.2 * t)
    out = BASELINES[name](noisy, fs)
    assert out.shape == clean.shape
    inner = slice(int(2 * fs), -int(2 * fs))
    before = np.var(noisy[inner] - clean[inner])
    after = np.var(out[inner] - clean[inner] - np.mean(out[inner] - clean[inner]))
    assert after < 0.5 * before
