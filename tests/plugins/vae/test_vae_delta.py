"""delta-VAE: the committed rate holds for any encoder output, and the rate is reported."""

from __future__ import annotations

import pytest
import torch
from sigvae_vae.delta_vae import gaussian_rate_floor, sigma_for_rate

from sigvae.errors import ConfigError
from sigvae.nn.divergences import kl_diag_gaussian_standard


@pytest.mark.parametrize("rate", [1e-4, 0.1, 1.0, 20.0])
def test_sigma_for_rate_inverts_the_floor(rate):
    sigma = sigma_for_rate(rate)
    assert 0 < sigma < 1 and gaussian_rate_floor(sigma) == pytest.approx(rate, rel=1e-9)


def test_kl_never_drops_below_delta(build):
    model = build("delta-vae", {"latent_dim": 4, "delta": 2.5}, (6,))
    with torch.no_grad():
        for scale in (0.0, 1.0, 100.0):
            for p in model.encoder.parameters():
                p.copy_(torch.randn_like(p) * scale)
            kl = kl_diag_gaussian_standard(model.encode(torch.randn(256, 6) * 10))
            assert (kl >= 2.5 - 1e-4).all(), kl.min()


def test_rate_terms_and_impossible_settings(build):
    model = build("delta-vae", {"latent_dim": 4, "delta": 2.5}, (6,))
    terms = model.loss({"x": torch.randn(8, 6)}).terms
    assert terms["rate"] >= 2.5 - 1e-4 and terms["committed_rate"] == pytest.approx(2.5)
    with pytest.raises(ConfigError, match="sigma_min"):
        build("delta-vae", {"latent_dim": 1, "delta": 50.0, "sigma_min": 0.5}, (6,))


@pytest.mark.data
def test_no_collapse_with_a_powerful_decoder_on_real_ecg(build, train, ludb_windows):
    """Under a heavy KL weight (beta = 4) the plain VAE's rate is pushed down, while the
    delta-VAE keeps at least delta nats on held-out records."""
    x_train, x_test = ludb_windows
    common = {"latent_dim": 4, "encoder": {"hidden": [32]}, "beta": 4.0}
    vae = build("vae", common, x_train.shape[1:])
    delta = build("delta-vae", {**common, "delta": 3.0}, x_train.shape[1:])
    for model in (vae, delta):
        train(model, x_train[:600], steps=150, lr=3e-3)
    with torch.no_grad():
        rates = [kl_diag_gaussian_standard(m.encode(x_test)).mean().item() for m in (vae, delta)]
    assert rates[1] >= 3.0 - 1e-3 and rates[1] > rates[0], rates
