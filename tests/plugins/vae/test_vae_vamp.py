"""VampPrior: the prior is the mixture of posteriors at the pseudo-inputs, and it is learned."""

from __future__ import annotations

import math

import torch


def test_prior_is_the_mixture_of_pseudo_input_posteriors(build):
    torch.manual_seed(0)
    model = build("vamp-vae", {"latent_dim": 3, "components": 4}, (7,))
    z = torch.randn(6, 3)
    q_u = model.encode(model.pseudo_inputs)
    per_component = q_u.log_prob(z.unsqueeze(1))  # [6, 4]
    expected = torch.logsumexp(per_component, dim=1) - math.log(4)
    assert torch.allclose(model.prior().log_prob(z), expected, atol=1e-5)
    assert model.prior().sample((5,)).shape == (5, 3)


def test_pseudo_inputs_are_trained(build):
    model = build("vamp-vae", {"latent_dim": 3, "components": 4}, (7,))
    model.loss({"x": torch.randn(8, 7)}).total.backward()
    assert model.pseudo_inputs.grad.abs().sum() > 0


def test_monte_carlo_kl_is_unbiased(build):
    """The loss's single-sample KL averages to E_q[log q - log p] computed with many samples."""
    torch.manual_seed(0)
    model = build("vamp-vae", {"latent_dim": 2, "components": 3}, (5,))
    x = torch.randn(4, 5)
    with torch.no_grad():
        q, p = model.encode(x), model.prior()
        z = q.sample((50_000,))
        reference = (q.log_prob(z) - p.log_prob(z)).mean(0)
        single = torch.stack([model.kl(q, zi, q.log_prob(zi)) for zi in z[:2000]]).mean(0)
    assert torch.allclose(single, reference, atol=0.1)
