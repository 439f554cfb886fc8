"""The shipped default denoiser: it loads the kernel way and actually removes noise."""

from __future__ import annotations

import numpy as np
import pytest
from ecg_helpers import synthetic_ecg
from sigvae_ecg import ecg_denoise, metrics
from sigvae_ecg.runtime import DEEPFILTER_WEIGHTS, DEFAULT_WEIGHTS, file_sha256

import sigvae

pytestmark = pytest.mark.skipif(not DEFAULT_WEIGHTS.is_file(), reason="no shipped weights")


def test_weights_load_with_the_kernel_loader_and_match_the_model_card():
    model = sigvae.load_model(DEFAULT_WEIGHTS)
    assert model.model_config["type"] == "ecg-conv-vae"
    assert model.data_info["x_shape"] == [1, 512]
    card = (DEFAULT_WEIGHTS.parent / "MODEL_CARD.md").read_text()
    assert file_sha256(DEFAULT_WEIGHTS) in card
    assert DEFAULT_WEIGHTS.stat().st_size < 3 * 2**20


@pytest.mark.parametrize("fs", [250.0, 360.0, 500.0])
def test_default_model_improves_snr_of_wander_plus_white_noise(fs):
    clean = synthetic_ecg(30, fs, seed=3)
    rng = np.random.default_rng(0)
    t = np.arange(len(clean)) / fs
    noise = 0.6 * np.sin(2 * np.pi * 0.3 * t) + 0.15 * rng.standard_normal(len(clean))
    noisy = clean + noise
    out = ecg_denoise(noisy, fs=fs)
    snr_in = metrics.record_snr_db(clean, noisy)
    snr_out = metrics.record_snr_db(clean - clean.mean(), out - out.mean())
    assert snr_out > snr_in + 5, (snr_in, snr_out)


@pytest.mark.skipif(not DEEPFILTER_WEIGHTS.is_file(), reason="no DeepFilter-protocol weights")
def test_deepfilter_weights_match_their_card_and_restore_padded_beats():
    from sigvae_ecg.beats import padded_beats
    from sigvae_ecg.engine import denoise_windows
    from sigvae_ecg.rpeaks import detect_rpeaks
    from sigvae_ecg.runtime import load_denoiser

    card = (DEEPFILTER_WEIGHTS.parent / "MODEL_CARD_deepfilter.md").read_text()
    assert file_sha256(DEEPFILTER_WEIGHTS) in card
    assert DEEPFILTER_WEIGHTS.stat().st_size < 3 * 2**20
    ecg = synthetic_ecg(12, 360.0, seed=5)
    beats = padded_beats(ecg, detect_rpeaks(ecg, 360.0), 360.0)
    t = np.arange(512) / 360.0
    rng = np.random.default_rng(0)
    wander = np.stack(
        [np.sin(2 * np.pi * rng.uniform(0.1, 0.5) * t + rng.uniform(0, 6)) for _ in beats]
    )
    # DeepFilter-style: wander at 1.5x the beat's peak-to-peak, plus a raw offset
    span = np.ptp(beats, axis=1, keepdims=True)
    noisy = beats + 1.5 * span * wander / np.ptp(wander, axis=1, keepdims=True) + 2.0
    out = denoise_windows(noisy, load_denoiser(str(DEEPFILTER_WEIGHTS)).predict)
    assert metrics.ssd(beats, out).mean() < 0.01 * metrics.ssd(beats, noisy).mean()
    # the continuous-window default model reaches about 0.6 here; the protocol model about 0.93
    assert metrics.cosine(beats, out).mean() > 0.85
