"""Metrics against hand-computed values."""

from __future__ import annotations

import math

import numpy as np
import pytest
from sigvae_ecg import metrics
from sigvae_ecg.evaluators import build

from sigvae.errors import SigvaeError

REF = np.array([1.0, 2.0, 3.0, 4.0])
EST = np.array([1.0, 2.0, 3.0, 6.0])


def test_window_metrics_by_hand():
    assert metrics.ssd(REF, EST) == pytest.approx([4.0])
    assert metrics.mad(REF, EST) == pytest.approx([2.0])
    # textbook: 100 sqrt(4 / (1 + 4 + 9 + 16))
    assert metrics.prd_textbook(REF, EST) == pytest.approx([100 * math.sqrt(4 / 30)])
    # DeepFilter: denominator sum (est - mean(ref))^2 = 2.25 + .25 + .25 + 12.25 = 15
    assert metrics.prd_deepfilter(REF, EST) == pytest.approx([100 * math.sqrt(4 / 15)])
    assert metrics.cosine(REF, EST) == pytest.approx([38 / math.sqrt(30 * 50)])


def test_metrics_are_per_window_over_leading_axes():
    ref = np.stack([REF, 2 * REF])[:, None, :]  # [2, 1, 4]
    est = np.stack([EST, 2 * REF])[:, None, :]
    assert metrics.ssd(ref, est) == pytest.approx([4.0, 0.0])
    out = build("ssd").evaluate(ref, est)
    assert out == {"ssd": pytest.approx(2.0)}


def test_snr_is_power_snr_with_means_removed():
    clean = np.array([1.0, -1.0, 1.0, -1.0])
    err = np.array([0.5, 0.5, -0.5, -0.5])
    assert metrics.snr_db(clean, clean + err) == pytest.approx([10 * math.log10(4.0)])
    # an offset in the error (or the signal) does not count
    assert metrics.snr_db(clean + 3, clean + err + 1) == pytest.approx([10 * math.log10(4.0)])
    assert metrics.record_snr_db(clean, clean + 2 * err) == pytest.approx(0.0)


def test_snr_improvement_needs_and_uses_noisy_input():
    clean = np.array([[1.0, -1.0, 1.0, -1.0]])
    est = clean + np.array([0.5, 0.5, -0.5, -0.5])
    noisy = clean + np.array([1.0, 1.0, -1.0, -1.0])
    out = build("snr-improvement").evaluate(clean, est, x=noisy)
    assert out["snr_improvement_db"] == pytest.approx(10 * math.log10(4.0))
    with pytest.raises(SigvaeError, match="noisy input"):
        build("snr-improvement").evaluate(clean, est)


def test_prd_reports_both_definitions_and_skips_undefined_windows():
    ref = np.array([[0.0, 0.0, 0.0, 0.0], REF])
    est = np.array([[1.0, 0.0, 0.0, 0.0], EST])
    out = build("prd").evaluate(ref, est)
    assert out["prd_textbook"] == pytest.approx(100 * math.sqrt(4 / 30))
    assert set(out) == {"prd_textbook", "prd_deepfilter"}


def test_shape_mismatch_is_a_user_error():
    with pytest.raises(SigvaeError, match="differ in shape"):
        metrics.ssd(np.zeros((2, 4)), np.zeros((2, 5)))
