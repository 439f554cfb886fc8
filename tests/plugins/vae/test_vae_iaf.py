"""IAF posterior: autoregressive masks, and log q from the change of variables."""

from __future__ import annotations

import math

import pytest
import torch
from sigvae_vae.iaf_vae import MADE

from sigvae.nn.model import UndefinedQuantity


@pytest.mark.parametrize("dim", [1, 2, 5])
def test_made_is_autoregressive(dim):
    torch.manual_seed(0)
    made = MADE(dim, 3, [12, 12], "tanh")
    h = torch.randn(3)
    jac_m, jac_s = torch.autograd.functional.jacobian(lambda z: made(z, h), torch.randn(dim))
    for jac in (jac_m, jac_s):
        assert torch.equal(jac, torch.tril(jac, diagonal=-1))  # output i sees only z_<i
    assert (
        torch.autograd.functional.jacobian(lambda c: made(torch.randn(dim), c)[0], h).abs().sum()
        > 0
    )


@pytest.mark.parametrize("flows", [0, 1, 3])
def test_log_q_equals_change_of_variables(build, flows):
    torch.manual_seed(0)
    model = build("iaf-vae", {"latent_dim": 4, "flows": flows, "context_dim": 3}, (6,))
    model = model.double()
    q = model.encode(torch.randn(1, 6, dtype=torch.float64))
    torch.manual_seed(1)
    z_t, log_q = q.rsample_and_log_prob()
    torch.manual_seed(1)
    eps = torch.randn(1, 4, dtype=torch.float64)
    z0 = q.mu + torch.exp(0.5 * q.logvar) * eps
    jac = torch.autograd.functional.jacobian(lambda z: q.flow(z, q.context)[0], z0)[0, :, 0, :]
    log_q0 = (-0.5 * eps.pow(2) - 0.5 * q.logvar - 0.5 * math.log(2 * math.pi)).sum()
    assert torch.allclose(z_t, q.flow(z0, q.context)[0])
    assert torch.allclose(log_q, log_q0 - torch.linalg.slogdet(jac).logabsdet, atol=1e-8)


def test_density_of_foreign_points_is_undefined_and_training_runs(build):
    model = build("iaf-vae", {"latent_dim": 3}, (6,))
    q = model.encode(torch.randn(2, 6))
    with pytest.raises(UndefinedQuantity, match="own samples"):
        q.log_prob(torch.zeros(2, 3))
    model.loss({"x": torch.randn(2, 6)}).total.backward()
    assert all(p.grad is not None for p in model.steps.parameters())
