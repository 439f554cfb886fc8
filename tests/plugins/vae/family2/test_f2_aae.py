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


def _log_variance_grad(model, total: torch.Tensor) -> torch.Tensor:
    """Gradient of ``total`` on the head rows that produce the posterior's log-variance."""
    model.zero_grad()
    total.backward()
    latent = model.latent_dim
    return model.encoder.head.weight.grad[latent:]


def test_gaussian_posterior_variance_is_trained_by_both_encoder_losses(build2):
    """The log-variance half of the head gets gradients from the encoder phase, and from its
    fool-the-discriminator term alone (z is reparameterised); the discriminator phase treats
    the codes as inputs and leaves the encoder without gradient."""
    torch.manual_seed(0)
    model = build2("aae", {"latent_dim": 3, "posterior": "gaussian", "disc_hidden": [16]})
    x = torch.randn(64, 32)
    for main in (model.joint_loss({"x": x})["main"], model.loss({"x": x}, "main")):
        assert _log_variance_grad(model, main.total).abs().sum() > 0
    z = model.encode(x).rsample()
    fool = torch.nn.functional.softplus(-model.critic(z)).mean()
    assert _log_variance_grad(model, fool).abs().sum() > 0
    model.zero_grad()
    model.loss({"x": x}, "disc").total.backward()
    assert model.encoder.head.weight.grad is None
    assert any(p.grad is not None and p.grad.any() for p in model.critic.parameters())


def test_discriminator_is_a_relu_mlp_of_disc_hidden(build2):
    """Pythae's default AAE discriminator (and the paper's networks) use ReLU, not leaky ReLU:
    negative pre-activations give exactly zero hidden units."""
    model = build2("aae", {"latent_dim": 4, "disc_hidden": [24]})
    linears = [m for m in model.critic.modules() if isinstance(m, torch.nn.Linear)]
    assert [(m.in_features, m.out_features) for m in linears] == [(4, 24), (24, 1)]
    hidden = model.critic.trunk(torch.randn(256, 4))
    assert hidden.min() == 0 and (hidden == 0).float().mean() > 0.2


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("prior", ["gaussian", "laplace"])
def test_prior_samples_are_the_prior_distributions_draws(build2, prior, dtype):
    """The direct standard-normal draw gives the numbers the prior object's sample gives."""
    from sigvae_vae.family2.priors import latent_prior

    model = build2("aae", {"latent_dim": 3, "prior": prior})
    like = torch.zeros(7, 3, dtype=dtype)
    torch.manual_seed(5)
    fast = model.prior_samples(like)
    torch.manual_seed(5)
    expected = latent_prior(prior, 3, like).sample((7,))
    assert fast.shape == (7, 3) and fast.dtype == dtype
    assert torch.equal(fast, expected)
