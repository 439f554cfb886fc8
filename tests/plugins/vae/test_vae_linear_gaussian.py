"""Exact log p(x) check (issue 3): on data from a linear-Gaussian model the trained models'
importance-sampled log-likelihood rises with K and ends within 0.5 nat of the exact value at
K = 512 on held-out data, with ELBO <= IWAE estimate <= exact up to Monte-Carlo error."""

from __future__ import annotations

import pytest
import torch

MODELS = {
    "vae": {},
    "iwae": {"samples": 5, "estimator": "dreg"},
    "vr-alpha": {"alpha": 0.5, "samples": 5},
}


@pytest.mark.parametrize("name", MODELS)
def test_log_likelihood_reaches_exact_value(build, train, linear_gaussian, name):
    x_train, x_test = linear_gaussian.sample(2000, seed=1), linear_gaussian.sample(500, seed=2)
    exact = linear_gaussian.log_px(x_test).mean().item()
    params = {"latent_dim": 2, "encoder": {"hidden": [64], "activation": "tanh"}}
    model = build(name, {**params, "learn_sigma": "shared", **MODELS[name]}, (8,))
    train(model, x_train, steps=600, lr=3e-3, batch_size=128)
    torch.manual_seed(0)
    with torch.no_grad():
        elbo = model.elbo(x_test).mean().item()
    ll = {k: model.log_likelihood(x_test, samples=k).mean().item() for k in (1, 8, 64, 512)}
    mc = 0.01  # Monte-Carlo slack for the K-sample means over 500 examples
    assert ll[1] < ll[8] < ll[512] + mc and ll[64] < ll[512] + mc, ll
    assert abs(ll[512] - exact) < 0.5, (ll[512], exact)
    assert elbo <= ll[512] + mc and ll[512] <= exact + 0.05, (elbo, ll[512], exact)
