"""aae: phases, posteriors, and codes matching a 2-D toy prior."""

from __future__ import annotations

import pytest
import torch
from _f2_helpers import assert_codes_match_prior

from sigvae.nn.model import UndefinedQuantity


def test_codes_match_a_2d_toy_prior(build2, toy):
    assert_codes_match_prior(
        build2, toy, "aae", {"adversarial_weight": 1.0}, {"adversarial_weight": 0.0}
    )


def test_discriminator_phase_learns_to_tell_prior_from_codes(build2):
    """Only the discriminator is trained: its accuracy on codes vs prior draws rises."""
    torch.manual_seed(0)
    model = build2("aae", {"latent_dim": 2, "prior": "mixture"})
    x = torch.randn(256, 32)
    critic = model.optimizer_groups()["disc"]
    opt = torch.optim.Adam(critic, lr=5e-3)
    first = float(model.loss({"x": x}, "disc").terms["accuracy"])
    for _ in range(150):
        opt.zero_grad()
        model.loss({"x": x}, "disc").total.backward()
        opt.step()
    assert float(model.loss({"x": x}, "disc").terms["accuracy"]) > max(0.85, first)


def test_posteriors(build2):
    x = torch.randn(5, 32)
    torch.manual_seed(0)
    gaussian = build2("aae", {"latent_dim": 3, "posterior": "gaussian"})
    assert torch.isfinite(gaussian.elbo(x)).all()
    universal = build2("aae", {"latent_dim": 3, "posterior": "universal", "noise_dim": 4})
    a, b = universal.codes(x), universal.codes(x)
    assert not torch.allclose(a, b)  # the input noise changes the code
    spread = (a - b).pow(2).mean()
    assert (universal.embed(x) - universal.embed(x)).pow(2).mean() < spread  # averaged draws
    with pytest.raises(UndefinedQuantity):
        universal.log_likelihood(x)
    deterministic = build2("aae", {"latent_dim": 3})
    assert torch.equal(deterministic.codes(x), deterministic.embed(x))


def test_two_d_prior_needs_two_latent_dims(build2):
    from sigvae.errors import ConfigError

    with pytest.raises(ConfigError, match="latent_dim: 2"):
        build2("aae", {"latent_dim": 3, "prior": "swiss-roll"})
