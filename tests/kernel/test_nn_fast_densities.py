"""The hot-path density shortcuts equal the plain computations they replace: the fused squared
distance (value and gradient), ``log q`` read off the reparameterisation noise, the cached fixed
sigma, and in-place activations in the MLP blocks."""

from __future__ import annotations

import torch
from torch import nn

from sigvae.nn.gaussians import SharedScaleNormal, squared_distance, standard_normal_log_prob
from sigvae.nn.likelihoods import build_likelihood
from sigvae.nn.mlp import mlp_stack
from sigvae.nn.posteriors import diagonal_gaussian


def test_squared_distance_value_and_gradient():
    g = torch.Generator().manual_seed(0)
    for loc_shape, value_shape, dims in [
        ((4, 3, 5), (3, 5), 1),  # samples broadcast over a batch
        ((3, 5), (4, 3, 5), 1),
        ((3, 2, 5), (3, 2, 5), 2),
        ((4, 3, 2, 5), (3, 2, 5), 2),
    ]:
        loc = torch.randn(loc_shape, generator=g, dtype=torch.float64, requires_grad=True)
        value = torch.randn(value_shape, generator=g, dtype=torch.float64, requires_grad=True)
        expected = (value - loc).square().sum(tuple(range(-dims, 0)))
        torch.testing.assert_close(squared_distance(loc, value, dims), expected)
        assert torch.autograd.gradcheck(
            lambda a, b, d=dims: squared_distance(a, b, d), (loc, value)
        )
        fixed = value.detach()  # the data: only the decoder output needs a gradient
        assert torch.autograd.gradcheck(
            lambda a, d=dims, v=fixed: squared_distance(a, v, d), (loc,)
        )


def test_squared_distance_promotes_mixed_precision_like_subtraction():
    loc = torch.randn(3, 4)
    value = torch.randn(3, 4, dtype=torch.float64)
    assert squared_distance(loc, value, 1).dtype == torch.float64


def test_rsample_with_log_prob_equals_log_prob_of_the_sample():
    g = torch.Generator().manual_seed(1)
    mu = torch.randn(6, 4, generator=g, dtype=torch.float64, requires_grad=True)
    logvar = torch.randn(6, 4, generator=g, dtype=torch.float64, requires_grad=True)
    q = diagonal_gaussian(mu, logvar)
    torch.manual_seed(7)
    z, log_q = q.rsample_with_log_prob((3,))
    torch.manual_seed(7)
    z_ref = q.rsample((3,))
    torch.testing.assert_close(z, z_ref)
    ref = q.log_prob(z_ref)
    torch.testing.assert_close(log_q, ref)
    ours = torch.autograd.grad((log_q + z.sum(-1)).sum(), (mu, logvar), retain_graph=True)
    theirs = torch.autograd.grad((ref + z_ref.sum(-1)).sum(), (mu, logvar))
    for a, b in zip(ours, theirs, strict=True):
        torch.testing.assert_close(a, b)


def test_standard_normal_log_prob_closed_form():
    z = torch.randn(3, 4, 5, dtype=torch.float64)
    expected = torch.distributions.Normal(0.0, 1.0).log_prob(z).sum((-2, -1))
    torch.testing.assert_close(standard_normal_log_prob(z, 2), expected)


def test_fixed_sigma_follows_the_buffer():
    lik = build_likelihood("gaussian", (5,), sigma=0.5)
    out, x = torch.randn(2, 5), torch.randn(2, 5)
    first = lik(out)
    assert isinstance(first, SharedScaleNormal)
    state = {"sigma": torch.tensor(2.0)}
    lik.load_state_dict(state)
    second = lik(out).log_prob(x)
    expected = torch.distributions.Normal(out, 2.0).log_prob(x).sum(-1)
    torch.testing.assert_close(second, expected)
    assert lik.fixed_sigma() == 2.0


def test_fixed_sigma_works_for_a_likelihood_built_under_inference_mode():
    """Tensors made under torch.inference_mode have no version counter to cache on."""
    with torch.inference_mode():
        lik = build_likelihood("gaussian", (5,), sigma=0.5)
        out, x = torch.randn(2, 5), torch.randn(2, 5)
        got = lik(out).log_prob(x)
    expected = torch.distributions.Normal(out, 0.5).log_prob(x).sum(-1)
    torch.testing.assert_close(got, expected)


def test_diagonal_normal_expands_like_independent_normal():
    loc, logvar = torch.randn(2, 4), torch.randn(2, 4)
    q = diagonal_gaussian(loc, logvar)
    wide = q.expand((5, 2))
    reference = torch.distributions.Independent(
        torch.distributions.Normal(loc, (0.5 * logvar).exp()), 1
    ).expand((5, 2))
    z = torch.randn(5, 2, 4)
    assert wide.batch_shape == (5, 2) and wide.event_shape == (4,)
    torch.testing.assert_close(wide.log_prob(z), reference.log_prob(z))


def test_in_place_mlp_activations_give_the_same_outputs_and_gradients():
    for act in ("relu", "leaky_relu", "silu", "elu", "gelu", "tanh"):
        torch.manual_seed(0)
        fast = mlp_stack(6, [8, 8], act, norm="layer")
        slow = mlp_stack(6, [8, 8], act, norm="layer")
        slow.load_state_dict(fast.state_dict())
        for module in slow:
            if hasattr(module, "inplace"):
                module.inplace = False
        x = torch.randn(5, 6)
        outs = [net(x) for net in (fast, slow)]
        torch.testing.assert_close(outs[0], outs[1])
        grads = [
            torch.autograd.grad(o.square().sum(), list(n.parameters()))
            for o, n in zip(outs, (fast, slow), strict=True)
        ]
        for a, b in zip(*grads, strict=True):
            torch.testing.assert_close(a, b)
    assert any(getattr(m, "inplace", False) for m in mlp_stack(3, [4], "relu"))
    assert isinstance(mlp_stack(3, [4], "relu")[0], nn.Linear)


def test_prior_log_prob_is_the_priors_density_closed_form_or_not():
    from _tiny_models import TinyVAE

    class WidePrior(TinyVAE):
        def prior(self, cond=None):
            shape = self.latent_shape
            return diagonal_gaussian(torch.zeros(shape), torch.ones(shape))  # variance e

    plain, wide = TinyVAE({"x_shape": [8]}), WidePrior({"x_shape": [8]})
    z = torch.randn(3, 5, *plain.latent_shape)
    torch.testing.assert_close(plain.prior_log_prob(z), plain.prior().log_prob(z))
    torch.testing.assert_close(wide.prior_log_prob(z), wide.prior().log_prob(z))
    assert not torch.allclose(wide.prior_log_prob(z), plain.prior_log_prob(z))
