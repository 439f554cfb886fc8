"""The per-step shortcuts in the models' losses leave their values and gradients unchanged:
closed-form densities equal torch's distributions, frozen critics give the same gradients to the
phase's own parameters, and encoders run without a graph only where their output is an input."""

from __future__ import annotations

import contextlib

import pytest
import sigvae_vae.family2.aae as aae_module
import sigvae_vae.family2.factor_vae as factor_module
import torch
from sigvae_vae.family2.tc_vae import decomposed_kl, log_weight_matrix
from torch.distributions import Normal


def test_vamp_prior_log_prob_equals_the_mixture(build):
    model = build("vamp-vae", {"latent_dim": 4, "components": 7}).double()
    z = torch.randn(3, 5, 4, dtype=torch.float64)
    expected = model.prior().log_prob(z)
    torch.testing.assert_close(model.prior_log_prob(z), expected)


def test_decomposed_kl_equals_the_normal_densities():
    g = torch.Generator().manual_seed(0)
    m, d, n = 6, 3, 50
    mu = torch.randn(m, d, generator=g, dtype=torch.float64)
    std = torch.rand(m, d, generator=g, dtype=torch.float64) + 0.2
    z = mu + std * torch.randn(m, d, generator=g, dtype=torch.float64)
    pairwise = Normal(mu[None], std[None]).log_prob(z[:, None])
    log_w = log_weight_matrix(m, n, "mss", dtype=torch.float64)
    log_qz = torch.logsumexp(log_w + pairwise.sum(-1), dim=1)
    marginals = torch.logsumexp(log_w[..., None] + pairwise, dim=1).sum(-1)
    log_qz_x = Normal(mu, std).log_prob(z).sum(-1)
    log_pz = Normal(0.0, 1.0).log_prob(z).sum(-1)
    parts = decomposed_kl(z, mu, std, n, "mss")
    torch.testing.assert_close(parts["mi"], log_qz_x - log_qz)
    torch.testing.assert_close(parts["tc"], log_qz - marginals)
    torch.testing.assert_close(parts["dim_kl"], marginals - log_pz)
    with_log = decomposed_kl(z, mu, std, n, "mss", log_std=std.log())
    torch.testing.assert_close(with_log["tc"], parts["tc"])


def _main_grads(model, x, seed):
    torch.manual_seed(seed)
    model.zero_grad(set_to_none=True)
    model.loss({"x": x}, phase="main").total.backward()
    return {n: p.grad.clone() for n, p in model.named_parameters() if p.grad is not None}


@pytest.mark.parametrize(
    ("name", "module", "params"),
    [
        ("factor-vae", factor_module, {"latent_dim": 3, "disc_hidden": [32, 32]}),
        ("aae", aae_module, {"latent_dim": 3, "posterior": "gaussian", "disc_hidden": [32]}),
    ],
)
def test_frozen_critic_gives_the_same_main_gradients(build, monkeypatch, name, module, params):
    model = build(name, params, x_shape=(16,))
    x = torch.randn(12, 16)
    fast = _main_grads(model, x, seed=3)
    critic = set(map(id, model.optimizer_groups()["disc"]))
    assert all(p.requires_grad for p in model.parameters())  # restored after the phase
    names = {n for n, p in model.named_parameters() if id(p) in critic}
    assert not names & set(fast)  # the critic's weight gradients were not computed
    monkeypatch.setattr(module, "frozen", lambda _: contextlib.nullcontext())
    slow = _main_grads(model, x, seed=3)
    assert set(slow) - set(fast) == names
    for key, grad in fast.items():
        torch.testing.assert_close(grad, slow[key])


def test_nearest_code_is_the_first_argmin_among_ties():
    from sigvae_vae.family2.codebook import Codebook

    book = Codebook(6, 2)
    book.embedding.copy_(torch.tensor([[0.0, 0], [1, 0], [0, 0], [1, 0], [5, 5], [0, 1]]))
    z = torch.cat([torch.randn(200, 2), torch.tensor([[0.0, 0], [1, 0], [0.5, 0]])])
    dist = ((z[:, None] - book.embedding[None]) ** 2).sum(-1)
    got = book.nearest(z)
    assert torch.equal(got, dist.argmin(dim=1))
    assert got[-3:].tolist() == [0, 1, 0]  # exact ties resolve to the lower index


def test_vq_terms_from_counts_equal_the_direct_ones(build):
    from sigvae_vae.family2.codebook import perplexity

    model = build("vq-vae", {"latent_dim": 2, "tokens": 3, "codebook_size": 8}, x_shape=(16,))
    model.eval()
    x = torch.randn(10, 16)
    terms = model.loss({"x": x}).terms
    indices = model.code_indices(x)
    torch.testing.assert_close(terms["perplexity"], perplexity(indices, 8))
    assert float(terms["codes_used"]) == torch.unique(indices).numel()


@pytest.mark.parametrize("logvar_shift", [0.0, 15.0])  # 15: some log-variances clamped
def test_direct_vae_head_gives_the_generic_loss_and_gradients(build, logvar_shift):
    """``vae``'s direct sample + analytic KL equals the generic path (diagonal-Gaussian
    distribution, rsample, kl_diag_gaussian_standard): same draw, values and gradients, also
    where the log-variance clamp cuts the gradient."""
    model = build("vae", {"latent_dim": 4, "beta": 2.0}, x_shape=(16,)).double()
    with torch.no_grad():
        model.encoder.head.bias[4:] += logvar_shift
    assert model._direct_head
    x = torch.randn(9, 16, dtype=torch.float64)

    def run(direct: bool):
        model._direct_head = direct
        torch.manual_seed(4)
        model.zero_grad(set_to_none=True)
        out = model.loss({"x": x})
        out.total.backward()
        grads = {n: p.grad.clone() for n, p in model.named_parameters()}
        return out, grads

    fast, fast_grads = run(True)
    slow, slow_grads = run(False)
    torch.testing.assert_close(fast.total, slow.total)
    for key in slow.terms:
        torch.testing.assert_close(fast.terms[key], slow.terms[key])
    for key, grad in slow_grads.items():
        torch.testing.assert_close(fast_grads[key], grad)


def test_direct_vae_head_only_where_the_model_is_the_plain_one(build):
    assert not build("vae", {"latent_dim": 4, "estimator": "stl"}, x_shape=(16,))._direct_head
    assert not build("ar1-vae", {"latent_dim": 4}, x_shape=(16,))._direct_head
    assert not build("vamp-vae", {"latent_dim": 4, "components": 3}, x_shape=(16,))._direct_head
