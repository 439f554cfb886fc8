"""The fused Gaussian densities equal torch's ``Independent(Normal(...)).log_prob``."""

from __future__ import annotations

import torch
from torch.distributions import Independent, Normal, kl_divergence

from sigvae.nn.divergences import kl_diag_gaussian_standard
from sigvae.nn.gaussians import DiagonalNormal, SharedScaleNormal, StandardNormal
from sigvae.nn.likelihoods import build_likelihood
from sigvae.nn.model import standard_normal
from sigvae.nn.posteriors import detached, diagonal_gaussian


def reference(loc, scale, dims):
    return Independent(Normal(loc, scale), dims)


def test_diagonal_normal_log_prob_matches_torch():
    g = torch.Generator().manual_seed(0)
    loc = torch.randn(7, 3, 5, generator=g, dtype=torch.float64)
    scale = torch.rand(7, 3, 5, generator=g, dtype=torch.float64) * 3 + 0.05
    value = torch.randn(4, 7, 3, 5, generator=g, dtype=torch.float64) * 2
    for dims in (1, 2):
        ours = DiagonalNormal(loc, scale, dims).log_prob(value)
        torch.testing.assert_close(ours, reference(loc, scale, dims).log_prob(value))


def test_posterior_from_logvar_matches_torch_including_clamp():
    g = torch.Generator().manual_seed(1)
    mu = torch.randn(9, 6, generator=g, dtype=torch.float64)
    logvar = torch.randn(9, 6, generator=g, dtype=torch.float64) * 4
    logvar[0, 0], logvar[1, 1] = 40.0, -40.0  # outside the clamp range
    q = diagonal_gaussian(mu, logvar)
    std = torch.exp(0.5 * logvar.clamp(-18.0, 12.0))
    z = torch.randn(3, 9, 6, generator=g, dtype=torch.float64)
    torch.testing.assert_close(q.log_prob(z), reference(mu, std, 1).log_prob(z))
    torch.testing.assert_close(detached(q).log_prob(z), reference(mu, std, 1).log_prob(z))
    torch.testing.assert_close(
        kl_diag_gaussian_standard(q),
        kl_divergence(reference(mu, std, 1), reference(torch.zeros(6), torch.ones(6), 1)).to(
            torch.float64
        ),
    )
    assert isinstance(q, Independent) and isinstance(q.base_dist, Normal)


def test_posterior_gradients_match_torch():
    g = torch.Generator().manual_seed(2)
    mu = torch.randn(5, 4, generator=g, dtype=torch.float64, requires_grad=True)
    logvar = torch.randn(5, 4, generator=g, dtype=torch.float64, requires_grad=True)
    z = torch.randn(5, 4, generator=g, dtype=torch.float64)
    ours = torch.autograd.grad(diagonal_gaussian(mu, logvar).log_prob(z).sum(), (mu, logvar))
    std = torch.exp(0.5 * logvar.clamp(-18.0, 12.0))
    theirs = torch.autograd.grad(reference(mu, std, 1).log_prob(z).sum(), (mu, logvar))
    for a, b in zip(ours, theirs, strict=True):
        torch.testing.assert_close(a, b)


def test_fixed_sigma_likelihood_matches_torch():
    g = torch.Generator().manual_seed(3)
    for sigma in (1.0, 0.3):
        lik = build_likelihood("gaussian", (2, 8), sigma=sigma).double()
        out = torch.randn(6, 2, 8, generator=g, dtype=torch.float64)
        x = torch.randn(6, 2, 8, generator=g, dtype=torch.float64)
        p = lik(out)
        assert isinstance(p, SharedScaleNormal)
        expected = reference(out, torch.full_like(out, sigma), 2).log_prob(x)
        torch.testing.assert_close(p.log_prob(x), expected)
        torch.testing.assert_close(p.mean, out)


def test_learned_scale_likelihoods_match_torch():
    g = torch.Generator().manual_seed(4)
    for mode in ("shared", "feature", "example"):
        lik = build_likelihood("gaussian", (8,), sigma=0.7, learn_sigma=mode).double()
        out = torch.randn(6, 8 * lik.out_channels_factor, generator=g, dtype=torch.float64)
        x = torch.randn(6, 8, generator=g, dtype=torch.float64)
        p = lik(out)
        base = p.base_dist
        torch.testing.assert_close(p.log_prob(x), reference(base.loc, base.scale, 1).log_prob(x))


def test_standard_normal_matches_torch():
    like = torch.zeros((), dtype=torch.float64)
    prior = standard_normal(5, like)
    assert isinstance(prior, StandardNormal)
    z = torch.randn(3, 4, 5, dtype=torch.float64)
    expected = reference(torch.zeros(5, dtype=torch.float64), torch.ones(5).double(), 1)
    torch.testing.assert_close(prior.log_prob(z), expected.log_prob(z))
    assert prior.sample((2,)).shape == (2, 5)
