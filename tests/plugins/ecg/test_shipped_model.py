"""The shipped default denoiser: it loads the kernel way and actually removes noise."""

from __future__ import annotations

import numpy as np
import pytest
from ecg_helpers import synthetic_ecg
from sigvae_ecg import ecg_denoise, metrics
from sigvae_ecg.runtime import DEFAULT_WEIGHTS, file_sha256

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
