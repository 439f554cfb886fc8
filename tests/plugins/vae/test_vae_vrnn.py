"""VRNN: causality over time, the sequence bound, and the undefined single-z quantities."""

from __future__ import annotations

import pytest
import torch

from sigvae.nn.model import UndefinedQuantity


def _model(build, **extra):
    return build("vrnn", {"latent_dim": 3, "hidden": 16, **extra}, (2, 20))


def test_step_t_ignores_the_future(build):
    model = _model(build)
    x = torch.randn(3, 2, 20)
    y = x.clone()
    y[..., 12:] += 5.0
    torch.manual_seed(0)
    a = model.step_terms(x)
    torch.manual_seed(0)
    b = model.step_terms(y)
    for before, after in zip(a[:3], b[:3], strict=True):
        assert torch.allclose(before[:, :12], after[:, :12])
        assert not torch.allclose(before[:, 12:], after[:, 12:])


def test_importance_sampled_likelihood_bounds_the_elbo(build):
    torch.manual_seed(0)
    model = _model(build, cell="lstm").eval()
    x = torch.randn(16, 2, 20)
    torch.manual_seed(1)
    with torch.no_grad():
        elbo = torch.stack([model.elbo(x) for _ in range(20)]).mean(0)
    ll = {k: model.log_likelihood(x, samples=k).mean().item() for k in (1, 64)}
    assert elbo.mean().item() < ll[64] and ll[1] < ll[64]


def test_sequence_elbo_is_sum_of_step_terms_and_loss_uses_target(build):
    model = _model(build, beta=1.0)
    x, target = torch.randn(4, 2, 20), torch.randn(4, 2, 20)
    torch.manual_seed(0)
    log_px, kl, *_ = model.step_terms(x, target)
    torch.manual_seed(0)
    total = model.loss({"x": x, "target": target}).total
    assert torch.allclose(total, -(log_px.sum(-1) - kl.sum(-1)).mean())


@pytest.mark.parametrize("scale", ["none", "shared", "feature", "example"])
def test_every_scale_mode_runs(build, scale):
    model = _model(build, learn_sigma=scale)
    model.loss({"x": torch.randn(3, 2, 20)}).total.backward()
    assert model.sample(2).shape == (2, 2, 20) and model.reconstruct(
        torch.randn(2, 2, 20)
    ).shape == (2, 2, 20)


def test_single_latent_quantities_are_undefined(build):
    model = _model(build)
    for call in (
        lambda: model.encode(torch.randn(2, 2, 20)),
        lambda: model.decode(torch.randn(2, 3)),
        model.prior,
    ):
        with pytest.raises(UndefinedQuantity, match="sequential"):
            call()
    assert model.embed(torch.randn(2, 2, 20)).shape == (2, 3, 20)
