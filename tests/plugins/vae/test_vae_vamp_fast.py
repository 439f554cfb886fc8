"""The VampPrior's per-step shortcuts leave the loss unchanged: the expanded mixture density
equals the mixture distribution's (also for narrow components), and one joint encoder pass over
batch and pseudo-inputs gives the values and gradients of two separate passes."""

from __future__ import annotations

import math

import torch
from sigvae_vae.vamp_vae import mixture_log_prob
from torch.distributions import Categorical, Independent, MixtureSameFamily, Normal


def _reference(z, loc, scale):
    mix = MixtureSameFamily(
        Categorical(logits=torch.zeros(loc.shape[0], dtype=loc.dtype)),
        Independent(Normal(loc, scale), 1),
    )
    return mix.log_prob(z)


def test_expanded_mixture_density_equals_the_distribution():
    g = torch.Generator().manual_seed(0)
    loc = torch.randn(7, 4, generator=g, dtype=torch.float64)
    log_scale = torch.randn(7, 4, generator=g, dtype=torch.float64) * 0.5
    z = torch.randn(3, 5, 4, generator=g, dtype=torch.float64) * 2
    expected = _reference(z, loc, log_scale.exp())
    torch.testing.assert_close(mixture_log_prob(z, loc, log_scale), expected)


def test_narrow_components_stay_accurate_in_float32():
    """z within a few widths of a narrow (s = 1e-3) component far from the origin: the
    expanded terms are ~1e7 and cancel; float64 keeps the density exact to float32 rounding."""
    g = torch.Generator().manual_seed(1)
    loc = torch.randn(5, 6, generator=g) * 3
    log_scale = torch.full((5, 6), math.log(1e-3))
    z = loc[:3] + 1e-3 * torch.randn(3, 6, generator=g)
    ours = mixture_log_prob(z, loc, log_scale)
    expected = _reference(z.double(), loc.double(), log_scale.double().exp()).float()
    torch.testing.assert_close(ours, expected, atol=1e-4, rtol=1e-6)


def test_gradients_match_the_direct_density():
    g = torch.Generator().manual_seed(2)
    args = [
        torch.randn(6, 3, generator=g, dtype=torch.float64, requires_grad=True),
        torch.randn(4, 3, generator=g, dtype=torch.float64, requires_grad=True),
        (0.3 * torch.randn(4, 3, generator=g, dtype=torch.float64)).requires_grad_(),
    ]
    ours = torch.autograd.grad(mixture_log_prob(*args).sum(), args)
    direct = _reference(args[0], args[1], args[2].exp()).sum()
    for a, b in zip(ours, torch.autograd.grad(direct, args), strict=True):
        torch.testing.assert_close(a, b)


def _loss_and_grads(model, x, seed):
    torch.manual_seed(seed)
    model.zero_grad(set_to_none=True)
    out = model.loss({"x": x})
    out.total.backward()
    return out, {n: p.grad.clone() for n, p in model.named_parameters()}


def test_joint_encoder_pass_equals_separate_passes(build):
    for estimator in ("standard", "stl"):
        torch.manual_seed(0)
        model = build(
            "vamp-vae", {"latent_dim": 3, "components": 5, "estimator": estimator}, (9,)
        ).double()
        assert model._rows_independent
        x = torch.randn(8, 9, dtype=torch.float64)
        joint, joint_grads = _loss_and_grads(model, x, seed=4)
        model._rows_independent = False
        apart, apart_grads = _loss_and_grads(model, x, seed=4)
        torch.testing.assert_close(joint.total, apart.total)
        for key in joint.terms:
            torch.testing.assert_close(joint.terms[key], apart.terms[key])
        for name, grad in joint_grads.items():
            torch.testing.assert_close(grad, apart_grads[name])


def test_loss_is_the_single_sample_negative_elbo(build):
    torch.manual_seed(1)
    model = build("vamp-vae", {"latent_dim": 2, "components": 3}, (5,)).double()
    x = torch.randn(4, 5, dtype=torch.float64)
    torch.manual_seed(9)
    out = model.loss({"x": x})
    torch.manual_seed(9)
    q = model.encode(x)
    z = q.rsample()
    elbo = model.decode(z).log_prob(x) - (q.log_prob(z) - model.prior().log_prob(z))
    torch.testing.assert_close(out.total, -elbo.mean())


def test_batch_norm_encoder_encodes_pseudo_inputs_apart(build):
    model = build("vamp-vae", {"latent_dim": 2, "components": 3, "encoder": {"norm": "batch"}})
    assert not model._rows_independent
    model.loss({"x": torch.randn(6, 64)}).total.backward()
    assert model.pseudo_inputs.grad.abs().sum() > 0
