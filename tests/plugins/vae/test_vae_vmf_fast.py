"""The vectorised vMF sampler and the fused KL equal the computations they replace: the KL and
its closed-form derivative against ``log |S| - entropy`` differentiated by autograd, the
sampler's ``w`` and its gradient against Wood's formula with the same accepted proposals, and
the accepted proposals' distribution (one round or many) against the exact marginal of ``w``."""

from __future__ import annotations

import math

import numpy as np
import pytest
import sigvae_vae.vmf as vmf
import torch
from sigvae_vae.vmf import VonMisesFisher, accepted_beta_proposals, log_sphere_area


@pytest.mark.parametrize("m", [3, 16, 64])
def test_fused_kl_equals_area_minus_entropy_with_its_gradient(m):
    gen = torch.Generator().manual_seed(m)
    loc = torch.nn.functional.normalize(
        torch.randn(6, m, dtype=torch.float64, generator=gen), dim=-1
    )
    kappa = torch.tensor([0.05, 0.7, 3.0, 25.0, 400.0, 5e3], dtype=torch.float64)
    fast_k = kappa.clone().requires_grad_()
    slow_k = kappa.clone().requires_grad_()
    fast = VonMisesFisher(loc, fast_k).kl_to_uniform()
    slow = log_sphere_area(m) - VonMisesFisher(loc, slow_k).entropy()
    # two float64 formulas for the same quantity: agree far beyond float32, with headroom for
    # summation order (a 1e-9 tolerance once failed in a full run)
    torch.testing.assert_close(fast, slow, rtol=1e-7, atol=1e-8)
    fast.sum().backward()
    slow.sum().backward()
    torch.testing.assert_close(fast_k.grad, slow_k.grad, rtol=1e-5, atol=1e-7)


def _wood_w(kappa, eps, m):
    m1 = m - 1
    b = m1 / (2 * kappa + torch.sqrt(4 * kappa**2 + m1**2))
    return (1 - (1 + b) * eps) / (1 - (1 - b) * eps)


def test_sampled_w_and_its_gradient_follow_woods_formula():
    m = 16
    kappa = torch.tensor([0.5, 4.0, 30.0, 800.0], dtype=torch.float64, requires_grad=True)
    torch.manual_seed(3)
    w = VonMisesFisher(torch.eye(4, m, dtype=torch.float64), kappa)._sample_w(kappa)
    torch.manual_seed(3)
    with torch.no_grad():
        b = (m - 1) / (2 * kappa + torch.sqrt(4 * kappa**2 + (m - 1) ** 2))
        eps = accepted_beta_proposals(b, m - 1)
    ref_k = kappa.detach().clone().requires_grad_()
    ref = _wood_w(ref_k, eps, m)
    torch.testing.assert_close(w, ref)
    (grad,) = torch.autograd.grad(w.sum(), kappa)
    (ref_grad,) = torch.autograd.grad(ref.sum(), ref_k)
    torch.testing.assert_close(grad, ref_grad)


def _exact_w_moments(kappa: float, m: int) -> tuple[float, float]:
    """E[w], E[w^2] under the vMF marginal density of w: exp(kappa w) (1 - w^2)^((m-3)/2)."""
    w = np.linspace(-1, 1, 400_001)[1:-1]
    log_density = kappa * w + 0.5 * (m - 3) * np.log1p(-(w**2))
    density = np.exp(log_density - log_density.max())
    total = np.trapezoid(density, w)
    return np.trapezoid(w * density, w) / total, np.trapezoid(w**2 * density, w) / total


@pytest.mark.parametrize("per_round", [1, 6])
@pytest.mark.parametrize("kappa", [2.0, 50.0])
def test_accepted_proposals_give_the_exact_marginal_of_w(monkeypatch, per_round, kappa):
    """One proposal per round forces many rounds (the rows still waiting are re-drawn);
    six per round mostly finishes in one: both give vMF's w."""
    monkeypatch.setattr(vmf, "_PROPOSALS_PER_ROUND", per_round)
    m, n = 16, 40_000
    torch.manual_seed(per_round)
    k = torch.full((n,), kappa, dtype=torch.float64)
    w = VonMisesFisher(torch.eye(1, m, dtype=torch.float64).expand(n, m), k)._sample_w(k)
    mean, second = _exact_w_moments(kappa, m)
    sd = math.sqrt(second - mean**2)
    assert abs(float(w.mean()) - mean) < 5 * sd / math.sqrt(n)
    assert abs(float(w.var()) - sd**2) < 0.05 * sd**2


def test_rows_never_accepted_keep_eps_zero(monkeypatch):
    """With no acceptance within ``max_tries`` a row keeps ``eps = 0``, i.e. ``w = 1``."""
    monkeypatch.setattr(torch, "log", lambda t: torch.full_like(t, -math.inf))
    eps = accepted_beta_proposals(torch.full((5,), 0.3), 15, max_tries=7)
    assert torch.equal(eps, torch.zeros(5))


def test_fused_kl_gradient_passes_gradcheck():
    loc = torch.nn.functional.normalize(torch.randn(4, 16, dtype=torch.float64), dim=-1)
    kappa = torch.tensor([0.3, 2.0, 40.0, 900.0], dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(lambda k: VonMisesFisher(loc, k).kl_to_uniform(), (kappa,))
