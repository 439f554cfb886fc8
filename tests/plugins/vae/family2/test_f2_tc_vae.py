"""beta-tcvae: the KL decomposition, the minibatch estimators of log q(z), and N counting."""

from __future__ import annotations

import itertools
import math

import pytest
import torch
from sigvae_vae.family2.tc_vae import decomposed_kl, log_weight_matrix
from torch.distributions import Normal


def _posteriors(m, d, seed=0):
    g = torch.Generator().manual_seed(seed)
    mu = torch.randn(m, d, generator=g, dtype=torch.float64)
    std = 0.3 + torch.rand(m, d, generator=g, dtype=torch.float64)
    z = mu + std * torch.randn(m, d, generator=g, dtype=torch.float64)
    return z, mu, std


@pytest.mark.parametrize("estimator", ["mss", "mws"])
def test_terms_sum_to_the_monte_carlo_kl(estimator):
    z, mu, std = _posteriors(8, 3)
    parts = decomposed_kl(z, mu, std, n=100, estimator=estimator)
    kl = Normal(mu, std).log_prob(z).sum(-1) - Normal(0.0, 1.0).log_prob(z).sum(-1)
    assert torch.allclose(parts["mi"] + parts["tc"] + parts["dim_kl"], kl)


def test_mws_weights_are_chen_et_al_eq_5():
    assert torch.allclose(log_weight_matrix(4, 50, "mws"), torch.full((4, 4), -math.log(200)))


def test_stratified_estimate_of_q_z_is_unbiased():
    """Over every batch that holds example i and M-1 of the other N-1 examples, the mean of the
    stratified estimate equals q(z_i) = 1/N sum_n q(z_i | x_n) exactly."""
    n, m, d = 6, 3, 2
    z, mu, std = _posteriors(n, d, seed=1)
    log_w = log_weight_matrix(m, n, "mss", dtype=torch.float64)
    assert torch.allclose(log_w.exp().sum(dim=1), torch.ones(m, dtype=torch.float64))
    for i in range(n):
        exact = Normal(mu, std).log_prob(z[i]).sum(-1).exp().mean()
        others = [j for j in range(n) if j != i]
        estimates = []
        for rest in itertools.combinations(others, m - 1):
            batch = [i, *rest]
            log_q = Normal(mu[batch], std[batch]).log_prob(z[i]).sum(-1)  # q(z_i | x_k)
            estimates.append(torch.logsumexp(log_w[0] + log_q, dim=0).exp())
        assert float(torch.stack(estimates).mean()) == pytest.approx(float(exact), rel=1e-10)


def test_tc_is_positive_for_correlated_codes_and_small_for_independent():
    g = torch.Generator().manual_seed(2)
    m, std = 512, torch.full((512, 2), 0.05, dtype=torch.float64)
    u = torch.randn(m, 1, generator=g, dtype=torch.float64)
    correlated = torch.cat([u, u + 0.1 * torch.randn(m, 1, generator=g, dtype=torch.float64)], 1)
    independent = torch.randn(m, 2, generator=g, dtype=torch.float64)
    tc_corr = decomposed_kl(correlated, correlated, std, n=m)["tc"].mean()
    tc_ind = decomposed_kl(independent, independent, std, n=m)["tc"].mean()
    assert float(tc_corr) > 1.0 and abs(float(tc_ind)) < 0.5 * float(tc_corr)


def test_loss_weights_and_dataset_size_counting(build2):
    model = build2("beta-tcvae", {"latent_dim": 3, "alpha": 1.0, "beta": 1.0, "gamma": 1.0})
    x = torch.randn(10, 32)
    out = model.loss({"x": x})
    t = out.terms
    assert float(out.total.detach()) == pytest.approx(
        float(t["recon"] + t["mi"] + t["tc"] + t["dim_kl"]), rel=1e-5
    )
    model.on_epoch_start(0, 2)
    for _ in range(3):
        model.loss({"x": x})
    model.on_epoch_end(0, 2)
    assert float(model.dataset_size) == 30.0
    fixed = build2("beta-tcvae", {"latent_dim": 3, "dataset_size": 500})
    assert float(fixed.dataset_size) == 500.0


@pytest.mark.parametrize("estimator", ["mss", "mws"])
def test_fused_estimator_matches_autograd_of_the_written_out_densities(estimator):
    """The hand-written backward of the [M, M, D] estimator: gradcheck in float64, and values
    equal to the log-sum-exps of the explicit pairwise Gaussian log-densities."""
    from sigvae_vae.family2.tc_estimator import batch_log_q
    from sigvae_vae.family2.tc_vae import log_weight_matrix

    torch.manual_seed(0)
    m, d = 6, 3
    z = torch.randn(m, d, dtype=torch.float64, requires_grad=True)
    mu = torch.randn(m, d, dtype=torch.float64, requires_grad=True)
    log_std = (0.4 * torch.randn(m, d, dtype=torch.float64)).requires_grad_()
    log_w = log_weight_matrix(m, 50, estimator, dtype=torch.float64)
    pairwise = torch.distributions.Normal(mu[None], log_std.exp()[None]).log_prob(z[:, None])
    log_qz, log_marginals = batch_log_q(z, mu, log_std, log_w)
    assert torch.allclose(log_qz, torch.logsumexp(log_w + pairwise.sum(-1), dim=1))
    expected = torch.logsumexp(log_w[..., None] + pairwise, dim=1).sum(-1)
    assert torch.allclose(log_marginals, expected)
    assert torch.autograd.gradcheck(lambda a, b, c: batch_log_q(a, b, c, log_w), (z, mu, log_std))
