"""beta-VAE: the beta weight and Burgess et al.'s capacity schedule."""

from __future__ import annotations

import pytest
import torch

from sigvae.nn.divergences import kl_diag_gaussian_standard


def _parts(model, x, seed=0):
    torch.manual_seed(seed)
    q = model.encode(x)
    log_px = model.decode(q.rsample()).log_prob(x)
    return log_px.mean(), kl_diag_gaussian_standard(q).mean()


def test_beta_weights_the_kl(build):
    model = build("beta-vae", {"latent_dim": 2, "beta": 4.0}, (6,))
    x = torch.randn(5, 6)
    log_px, kl = _parts(model, x)
    torch.manual_seed(0)
    assert torch.allclose(model.loss({"x": x}).total, -log_px + 4.0 * kl)


def test_capacity_grows_linearly_then_holds(build):
    model = build("beta-vae", {"capacity_max": 10.0, "capacity_epochs": 4}, (6,))
    seen = []
    for epoch in range(7):
        model.on_epoch_start(epoch, 7)
        seen.append(model.capacity)
    assert seen == pytest.approx([0.0, 2.5, 5.0, 7.5, 10.0, 10.0, 10.0])


def test_capacity_loss_is_gamma_times_kl_gap(build):
    model = build("beta-vae", {"latent_dim": 2, "capacity_max": 8.0, "gamma": 30.0}, (6,))
    model.on_epoch_start(50, 100)  # C = 4
    x = torch.randn(5, 6)
    log_px, kl = _parts(model, x)
    torch.manual_seed(0)
    out = model.loss({"x": x})
    assert torch.allclose(out.total, -log_px + 30.0 * (kl - 4.0).abs())
    assert out.terms["capacity"] == pytest.approx(4.0)


@pytest.mark.data
def test_capacity_pins_the_rate_on_real_ecg(build, train, ludb_windows):
    """With a large gamma the training KL settles near the capacity C (Burgess et al. fig. 2);
    the rate is a property of the fit, so it is read on the training windows."""
    x_train, _ = ludb_windows
    params = {
        "latent_dim": 8,
        "encoder": {"hidden": [64]},
        "capacity_max": 6.0,
        "capacity_epochs": 5,
        "gamma": 50.0,
    }
    model = build("beta-vae", params, x_train.shape[1:])
    model.on_epoch_start(10, 10)
    train(model, x_train, steps=300, lr=3e-3)
    with torch.no_grad():
        kl = kl_diag_gaussian_standard(model.encode(x_train)).mean().item()
    assert abs(kl - 6.0) < 1.0, kl
