"""Likelihoods against hand-computed log densities, and their learned-scale modes."""

from __future__ import annotations

import math

import pytest
import torch

from sigvae.errors import ConfigError
from sigvae.nn import build_likelihood


def test_gaussian_fixed_sigma_hand_computed():
    lik = build_likelihood("gaussian", (2,), sigma=0.5)
    d = lik(torch.tensor([[0.0, 2.5]]))
    # sum_i -1/2 log(2 pi s^2) - (x_i - m_i)^2 / (2 s^2), s = 0.5: residuals 1.0 and -0.5
    expected = 2 * (-0.5 * math.log(2 * math.pi * 0.25)) - 1.0 / 0.5 - 0.25 / 0.5
    assert d.log_prob(torch.tensor([[1.0, 2.0]])).item() == pytest.approx(expected, rel=1e-6)


def test_bernoulli_logits_hand_computed():
    lik = build_likelihood("bernoulli", (2,))
    d = lik(torch.tensor([[0.0, 2.0]]))
    # log sigmoid(0) + log(1 - sigmoid(2))
    expected = math.log(0.5) + math.log(1 / (1 + math.exp(2.0)))
    assert d.log_prob(torch.tensor([[1.0, 0.0]])).item() == pytest.approx(expected, rel=1e-6)
    assert torch.allclose(d.mean, torch.sigmoid(torch.tensor([[0.0, 2.0]])))


def test_laplace_hand_computed():
    lik = build_likelihood("laplace", (3,), sigma=2.0)
    d = lik(torch.tensor([[0.0, 1.0, -1.0]]))
    x = torch.tensor([[1.0, 1.0, 2.0]])
    expected = 3 * -math.log(2 * 2.0) - (1.0 + 0.0 + 3.0) / 2.0
    assert d.log_prob(x).item() == pytest.approx(expected, rel=1e-6)


@pytest.mark.parametrize("name", ["gaussian", "laplace", "bernoulli"])
def test_one_log_prob_per_example(name):
    lik = build_likelihood(name, (3, 11))
    out = torch.randn(4, 3 * lik.out_channels_factor, 11)
    x = torch.rand(4, 3, 11).round() if name == "bernoulli" else torch.randn(4, 3, 11)
    assert lik(out).log_prob(x).shape == (4,)


@pytest.mark.parametrize("mode", ["shared", "feature", "example"])
def test_learned_scale_starts_at_sigma_and_gets_gradients(mode):
    lik = build_likelihood("gaussian", (2, 5), sigma=0.3, learn_sigma=mode)
    factor = lik.out_channels_factor
    assert factor == (2 if mode == "example" else 1)
    out = torch.zeros(3, 2 * factor, 5, requires_grad=True)
    d = lik(out)
    assert torch.allclose(d.base_dist.scale, torch.full((3, 2, 5), 0.3), atol=1e-5)
    d.log_prob(torch.randn(3, 2, 5)).sum().backward()
    if mode == "example":
        assert out.grad[:, 2:].abs().sum() > 0  # the scale channels are trained
    else:
        assert lik.raw_sigma.grad is not None and lik.raw_sigma.grad.abs().sum() > 0
        assert lik.raw_sigma.shape == (() if mode == "shared" else (2, 5))


def test_fixed_scale_has_no_parameters():
    assert list(build_likelihood("laplace", (4,), sigma=0.1).parameters()) == []


def test_bad_likelihood_inputs():
    with pytest.raises(ConfigError, match="unknown likelihood"):
        build_likelihood("poisson", (3,))
    with pytest.raises(ConfigError, match="learn_sigma"):
        build_likelihood("gaussian", (3,), learn_sigma="sometimes")
