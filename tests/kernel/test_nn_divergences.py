"""Analytic KLs against Monte Carlo and torch, and the posterior head."""

from __future__ import annotations

import torch
from torch.distributions import Independent, Normal

from sigvae.nn import (
    detached,
    diagonal_gaussian,
    diagonal_gaussian_head,
    kl_diag_gaussian_standard,
    kl_diag_gaussians,
    kl_divergence,
    kl_monte_carlo,
    standard_normal,
)


def _q(seed: int, batch: int = 3, dim: int = 4):
    g = torch.Generator().manual_seed(seed)
    mu = torch.randn(batch, dim, generator=g, dtype=torch.float64)
    logvar = torch.randn(batch, dim, generator=g, dtype=torch.float64) * 0.5
    return diagonal_gaussian(mu, logvar)


def test_kl_standard_matches_torch_and_monte_carlo():
    q = _q(0)
    p = standard_normal(4, q.mean)
    analytic = kl_diag_gaussian_standard(q)
    assert analytic.shape == (3,)
    assert torch.allclose(analytic, torch.distributions.kl_divergence(q, p))
    torch.manual_seed(0)
    mc = kl_monte_carlo(q, p, samples=200_000)
    assert torch.allclose(mc, analytic, atol=0.03)


def test_kl_between_diag_gaussians_matches_monte_carlo():
    q, p = _q(1), _q(2)
    analytic = kl_diag_gaussians(q, p)
    torch.manual_seed(1)
    mc = kl_monte_carlo(q, p, samples=200_000)
    assert torch.allclose(mc, analytic, rtol=0.02, atol=0.03)
    assert torch.allclose(kl_diag_gaussians(q, q), torch.zeros(3, dtype=torch.float64))


def test_kl_divergence_falls_back_to_monte_carlo():
    q = _q(3)
    p = Independent(torch.distributions.StudentT(5.0, torch.zeros(4), torch.ones(4)), 1)
    q32 = diagonal_gaussian(q.mean.float(), q.variance.log().float())
    torch.manual_seed(0)
    assert kl_divergence(q32, p, samples=4).shape == (3,)


def test_head_splits_mean_and_logvar_and_clamps():
    params = torch.tensor([[1.0, -2.0, 0.0, 1000.0]])
    q = diagonal_gaussian_head(params)
    assert torch.equal(q.mean, torch.tensor([[1.0, -2.0]]))
    assert q.base_dist.scale[0, 0] == 1.0
    assert torch.isfinite(q.base_dist.scale).all() and torch.isfinite(q.log_prob(q.mean)).all()
    assert q.log_prob(torch.zeros(1, 2)).shape == (1,)


def test_detached_keeps_only_the_path_derivative():
    mu = torch.zeros(2, 3, requires_grad=True)
    logvar = torch.zeros(2, 3, requires_grad=True)
    q = diagonal_gaussian(mu, logvar)
    z = q.rsample()
    detached(q).log_prob(z).sum().backward()
    # d/dmu log q_stop(mu + s * eps) = -eps / s: nonzero, and it flows through z only
    assert torch.allclose(mu.grad, -(z - mu).detach())
    assert not detached(q).log_prob(torch.ones(2, 3)).requires_grad


def test_independent_normal_type():
    assert isinstance(_q(0).base_dist, Normal)
