"""IWAE: the bound, and the STL/DReG estimators' bias and variance (Tucker et al. 2019)."""

from __future__ import annotations

import torch
from sigvae_vae.bounds import importance_log_weights

from sigvae.nn.model import log_mean_exp


def _grads(model, x, seeds, params):
    out = []
    for s in seeds:
        torch.manual_seed(s)
        model.zero_grad()
        model.loss({"x": x}).total.backward()
        out.append(torch.cat([p.grad.flatten() for p in params(model)]))
    return torch.stack(out)


def _pair(build, estimator, k=4):
    torch.manual_seed(0)
    base = build("iwae", {"latent_dim": 2, "samples": k, "encoder": {"hidden": [16]}}, (5,))
    other = build(
        "iwae",
        {"latent_dim": 2, "samples": k, "encoder": {"hidden": [16]}, "estimator": estimator},
        (5,),
    )
    other.load_state_dict(base.state_dict())
    return base, other


def test_loss_is_the_negative_iwae_bound(build):
    for estimator in ("standard", "stl", "dreg"):
        model = build("iwae", {"latent_dim": 2, "samples": 7, "estimator": estimator}, (5,))
        x = torch.randn(3, 5)
        torch.manual_seed(2)
        total = model.loss({"x": x}).total
        torch.manual_seed(2)
        log_w, _ = importance_log_weights(model, {"x": x}, 7)
        assert torch.allclose(total, -log_mean_exp(log_w, 0).mean())


def test_bound_tightens_with_k(build):
    torch.manual_seed(0)
    model = build("iwae", {"latent_dim": 2}, (5,))
    x = torch.randn(32, 5)
    means = []
    with torch.no_grad():
        for k in (1, 4, 16):
            torch.manual_seed(1)
            log_w, _ = importance_log_weights(model, {"x": x.repeat(20, 1)}, k)
            means.append(log_mean_exp(log_w, 0).mean().item())
    assert means[0] < means[1] < means[2]


def test_dreg_is_unbiased_for_the_encoder_and_keeps_the_decoder_gradient(build):
    torch.manual_seed(0)
    x = torch.randn(8, 5)
    base, dreg = _pair(build, "dreg")
    seeds = range(300)
    enc = lambda m: m.encoder.parameters()  # noqa: E731
    g_std, g_dreg = _grads(base, x, seeds, enc), _grads(dreg, x, seeds, enc)
    stderr = ((g_std.var(0) + g_dreg.var(0)) / len(seeds)).sqrt()
    assert ((g_std.mean(0) - g_dreg.mean(0)).abs() < 5 * stderr + 1e-4).all()
    # the lower variance of DReG holds in aggregate even away from the optimum (Tucker fig. 2)
    assert g_dreg.var(0).sum() < g_std.var(0).sum()
    dec = lambda m: m.decoder.parameters()  # noqa: E731
    assert torch.allclose(_grads(base, x, range(3), dec), _grads(dreg, x, range(3), dec), atol=1e-5)


def test_stl_and_dreg_have_zero_variance_at_the_exact_posterior(build, linear_gaussian):
    """With q = p(z|x) every log w_k equals log p(x): the path gradients vanish sample by
    sample, while the standard estimator keeps a score-function noise."""
    x = linear_gaussian.sample(16, seed=1)
    grads = {}
    for est in ("standard", "stl", "dreg"):
        m = build("iwae", {"latent_dim": 2, "sigma": 0.5, "samples": 5, "estimator": est}, (8,))
        linear_gaussian.install_exact(m)
        grads[est] = _grads(m, x, range(100), lambda m: m.encoder.parameters())
    assert grads["standard"].std(0).max() > 1e-2
    assert grads["stl"].abs().max() < 1e-3 and grads["dreg"].abs().max() < 1e-3
