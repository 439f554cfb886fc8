"""Renyi bounds: the alpha limits (IWAE at 0, ELBO at 1), monotonicity, VR-max."""

from __future__ import annotations

import torch
from sigvae_vae.bounds import importance_log_weights, renyi_bound

from sigvae.nn.model import log_mean_exp


def _models(build, alphas, k=6):
    torch.manual_seed(0)
    ref = build("vr-alpha", {"latent_dim": 2, "samples": k}, (5,))
    out = {}
    for a in alphas:
        m = build("vr-alpha", {"latent_dim": 2, "samples": k, "alpha": a}, (5,))
        m.load_state_dict(ref.state_dict())
        out[a] = m
    return out


def _loss(model, x, seed=3):
    torch.manual_seed(seed)
    return model.loss({"x": x}).total


def test_alpha_zero_is_the_iwae_bound_and_alpha_one_the_elbo(build):
    x = torch.randn(4, 5)
    models = _models(build, [0.0, 1.0, 1.0 - 1e-4])
    torch.manual_seed(3)
    log_w, _ = importance_log_weights(models[0.0], {"x": x}, 6)
    assert torch.allclose(_loss(models[0.0], x), -log_mean_exp(log_w, 0).mean())
    assert torch.allclose(_loss(models[1.0], x), -log_w.mean())
    assert torch.allclose(_loss(models[1.0 - 1e-4], x), -log_w.mean(), atol=1e-3)


def test_bound_is_non_increasing_in_alpha():
    torch.manual_seed(0)
    log_w = torch.randn(8, 50) * 3
    alphas = [-5.0, -1.0, 0.0, 0.3, 0.9, 1.0, 2.0]
    values = torch.stack([renyi_bound(log_w, a) for a in alphas])
    assert (values[:-1] >= values[1:] - 1e-5).all()
    assert torch.allclose(renyi_bound(log_w, -400.0), log_w.max(0).values, atol=0.01)


def test_vr_max_uses_the_best_sample(build):
    torch.manual_seed(0)
    model = build("vr-max", {"latent_dim": 2, "samples": 6}, (5,))
    x = torch.randn(4, 5)
    torch.manual_seed(3)
    log_w, _ = importance_log_weights(model, {"x": x}, 6)
    assert torch.allclose(_loss(model, x), -log_w.max(0).values.mean())
