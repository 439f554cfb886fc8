"""AR(1)-posterior VAE: covariance, closed-form KL and sampling (issue 3)."""

from __future__ import annotations

import pytest
import torch
from sigvae_vae.ar1_vae import ar1_kl_standard, ar1_scale_tril

from sigvae.nn.divergences import kl_monte_carlo
from sigvae.nn.model import standard_normal


def _target_cov(rho, s, d):
    i = torch.arange(d)
    lag = (i[:, None] - i[None, :]).abs()
    return s.view(-1, 1, 1) ** 2 * rho.view(-1, 1, 1) ** lag


@pytest.mark.parametrize("d", [1, 2, 7])
def test_cholesky_factor_gives_ar1_covariance(d):
    rho = torch.tensor([0.9, -0.6, 0.0], dtype=torch.float64)
    s = torch.tensor([1.3, 0.2, 2.0], dtype=torch.float64)
    tril = ar1_scale_tril(rho, s, d)
    assert torch.allclose(tril @ tril.transpose(-1, -2), _target_cov(rho, s, d))
    assert torch.equal(tril, torch.tril(tril))


def test_closed_form_kl_matches_torch_and_monte_carlo():
    torch.manual_seed(0)
    d = 6
    mu = torch.randn(3, d, dtype=torch.float64)
    rho = torch.tensor([0.8, -0.3, 0.5], dtype=torch.float64)
    s = torch.tensor([0.5, 1.0, 1.7], dtype=torch.float64)
    q = torch.distributions.MultivariateNormal(mu, scale_tril=ar1_scale_tril(rho, s, d))
    p = standard_normal(d, mu)
    closed = ar1_kl_standard(mu, rho, s)
    full = torch.distributions.MultivariateNormal(
        torch.zeros(d, dtype=torch.float64), torch.eye(d, dtype=torch.float64)
    )
    assert torch.allclose(closed, torch.distributions.kl_divergence(q, full))
    assert torch.allclose(kl_monte_carlo(q, p, samples=200_000), closed, atol=0.03)


def test_model_samples_have_the_ar1_covariance(build):
    torch.manual_seed(0)
    model = build("ar1-vae", {"latent_dim": 5}, (8,))
    q = model.encode(torch.randn(2, 8))
    tril = q.scale_tril
    s, rho = tril[:, 0, 0], tril[:, 1, 0] / tril[:, 0, 0]
    z = q.rsample((100_000,)).detach() - q.loc.detach()
    empirical = torch.einsum("nbi,nbj->bij", z, z) / z.shape[0]
    assert torch.allclose(
        empirical, _target_cov(rho, s, 5).detach(), atol=0.05 * s.max().item() ** 2
    )
    assert (rho.abs() < 0.99).all()


def test_gradients_are_finite_at_rho_zero_and_stl_runs(build):
    for estimator in ("standard", "stl"):
        model = build("ar1-vae", {"latent_dim": 4, "estimator": estimator}, (8,))
        with torch.no_grad():
            model.encoder.head.weight[-2].zero_()
            model.encoder.head.bias[-2] = 0.0  # rho exactly 0
        out = model.loss({"x": torch.randn(5, 8)})
        out.total.backward()
        assert all(torch.isfinite(p.grad).all() for p in model.parameters() if p.grad is not None)
