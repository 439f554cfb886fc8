"""Hyperspherical VAE: log-space Bessel functions, the vMF sampler and the KL (issue 3)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from scipy import special
from sigvae_vae.vmf import (
    HypersphericalUniform,
    VonMisesFisher,
    bessel_ratio,
    log_bessel_iv,
    log_iv_numpy,
)

from sigvae.nn.divergences import kl_monte_carlo


@pytest.mark.parametrize("v", [0.0, 0.5, 4.0, 20.0])
@pytest.mark.parametrize("x", [0.1, 1.0, 10.0, 100.0])
def test_log_bessel_matches_scipy_where_scipy_is_finite(v, x):
    assert log_iv_numpy(v, np.array([x]))[0] == pytest.approx(math.log(special.iv(v, x)), rel=1e-10)


@pytest.mark.parametrize(
    "v, x", [(200.0, 1.0), (500.0, 10.0), (1000.0, 1e-3), (0.5, 1e4), (127.0, 3.0), (63.0, 5e3)]
)
def test_log_bessel_is_stable_where_the_plain_function_under_or_overflows(v, x):
    mpmath = pytest.importorskip("mpmath")
    reference = float(mpmath.log(mpmath.besseli(v, x)))
    assert log_iv_numpy(v, np.array([x]))[0] == pytest.approx(reference, rel=1e-9)


def test_log_bessel_gradient():
    x = torch.tensor([0.3, 2.0, 40.0, 900.0], dtype=torch.float64, requires_grad=True)
    for v in (0.5, 3.0, 150.0):
        assert torch.autograd.gradcheck(lambda t, v=v: log_bessel_iv(v, t), (x,))


@pytest.mark.parametrize("m", [3, 10])
@pytest.mark.parametrize("kappa", [1.0, 10.0, 200.0])
def test_samples_have_the_right_mean_resultant_length(m, kappa):
    torch.manual_seed(0)
    loc = torch.nn.functional.normalize(torch.randn(2, m, dtype=torch.float64), dim=-1)
    q = VonMisesFisher(loc, torch.full((2,), kappa, dtype=torch.float64))
    z = q.rsample((20_000,))
    assert torch.allclose(z.norm(dim=-1), torch.ones((), dtype=z.dtype), atol=1e-9)
    resultant = (z * loc).sum(-1).mean(0)
    expected = special.iv(m / 2, kappa) / special.iv(m / 2 - 1, kappa)
    assert torch.allclose(resultant, torch.tensor(expected, dtype=torch.float64), atol=0.01)
    assert torch.allclose(q.mean_resultant_length(), torch.tensor(expected, dtype=torch.float64))
    # the mean direction is loc: the mean vector is A_m(kappa) * loc
    assert torch.allclose(z.mean(0), q.mean, atol=0.02)


def test_kl_to_uniform_matches_monte_carlo_and_gradients_flow():
    torch.manual_seed(1)
    m = 6
    loc = torch.nn.functional.normalize(torch.randn(3, m, dtype=torch.float64), dim=-1)
    kappa = torch.tensor([0.5, 5.0, 80.0], dtype=torch.float64, requires_grad=True)
    q = VonMisesFisher(loc, kappa)
    p = HypersphericalUniform(m, loc)
    closed = q.kl_to_uniform()
    mc = kl_monte_carlo(q, p, samples=50_000)
    assert torch.allclose(mc, closed.detach(), atol=0.02, rtol=0.01)
    assert (closed > 0).all()
    closed.sum().backward()
    assert (kappa.grad > 0).all()  # more concentration, more KL


def test_reparameterised_gradient_through_kappa():
    loc = torch.nn.functional.normalize(torch.randn(4, 5), dim=-1)
    kappa = torch.full((4,), 3.0, requires_grad=True)
    z = VonMisesFisher(loc, kappa).rsample((64,))
    (z * loc).sum(-1).mean().backward()
    assert torch.isfinite(kappa.grad).all() and (kappa.grad > 0).all()


def test_uniform_prior_samples_the_sphere():
    p = HypersphericalUniform(4, torch.zeros(1))
    z = p.sample((10_000,))
    assert torch.allclose(z.norm(dim=-1), torch.ones(()), atol=1e-5)
    assert z.mean(0).abs().max() < 0.03
    log_area = math.log(2 * math.pi**2)  # |S^3| = 2 pi^2
    assert p.log_prob(z[:3]) == pytest.approx([-log_area] * 3)


def test_model_embeds_on_the_sphere(build):
    model = build("s-vae", {"latent_dim": 4}, (10,)).eval()
    x = torch.randn(5, 10)
    assert torch.allclose(model.embed(x).norm(dim=-1), torch.ones(5), atol=1e-5)
    assert torch.allclose(
        bessel_ratio(1.0, torch.tensor([2.0])),
        torch.tensor([special.iv(2, 2.0) / special.iv(1, 2.0)]).float(),
    )
