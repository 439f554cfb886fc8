"""The broadcast log-weights of the multi-sample bounds equal the tiled reference computation
(values and gradients), for every likelihood layout the decoder can have."""

from __future__ import annotations

import pytest
import torch
from sigvae_vae.bounds import importance_log_weights

from sigvae.nn.model import reconstruction_target, repeat_rows
from sigvae.nn.posteriors import detached


def tiled_log_weights(
    model, batch: dict[str, torch.Tensor], samples: int, stop_q: bool = False
) -> tuple[torch.Tensor, torch.Tensor]:
    """The direct computation :func:`importance_log_weights` must equal: the batch tiled ``K``
    times, every density from its distribution object (same random draws)."""
    x, cond = batch["x"], batch.get("cond")
    q = model.encode(x, cond)
    z = q.rsample((samples,))
    flat = z.reshape(samples * x.shape[0], *z.shape[2:])
    log_px = model.decode(flat, repeat_rows(cond, samples)).log_prob(
        repeat_rows(reconstruction_target(batch), samples)
    )
    q_score = detached(q) if stop_q else q
    log_w = (
        log_px.reshape(samples, x.shape[0]) + model.prior(cond).log_prob(z) - q_score.log_prob(z)
    )
    return log_w, z


def _both(model, batch, k, stop_q):
    torch.manual_seed(5)
    fast, z_fast = importance_log_weights(model, batch, k, stop_q)
    torch.manual_seed(5)
    slow, z_slow = tiled_log_weights(model, batch, k, stop_q)
    return fast, slow, z_fast, z_slow


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"likelihood": "gaussian", "sigma": 0.3},
        {"likelihood": "gaussian", "learn_sigma": "example"},
        {"likelihood": "gaussian", "learn_sigma": "feature"},
        {"likelihood": "laplace"},
        {"likelihood": "bernoulli"},
    ],
)
@pytest.mark.parametrize("stop_q", [False, True])
def test_broadcast_log_weights_equal_the_tiled_ones(build, params, stop_q):
    torch.manual_seed(0)
    model = build("iwae", {"latent_dim": 3, "samples": 4, **params}, (2, 6)).double()
    x = torch.rand(5, 2, 6, dtype=torch.float64)
    fast, slow, z_fast, z_slow = _both(model, {"x": x}, 4, stop_q)
    assert fast.shape == (4, 5)
    torch.testing.assert_close(z_fast, z_slow)
    torch.testing.assert_close(fast, slow, atol=1e-5, rtol=1e-6)
    grads = [
        torch.autograd.grad(w.logsumexp(0).sum(), list(model.parameters()), allow_unused=True)
        for w in (fast, slow)
    ]
    for a, b in zip(*grads, strict=True):
        if a is None or b is None:
            assert a is None and b is None
        else:
            torch.testing.assert_close(a, b, atol=1e-6, rtol=1e-5)


def test_denoising_target_is_scored_with_broadcasting(build):
    torch.manual_seed(1)
    model = build("vr-alpha", {"latent_dim": 2, "samples": 3}, (8,)).double()
    batch = {"x": torch.randn(6, 8, dtype=torch.float64)}
    batch["target"] = batch["x"] + 0.5
    fast, slow, _, _ = _both(model, batch, 3, False)
    torch.testing.assert_close(fast, slow)


def test_conditional_decode_samples_equals_tiled_decode(build):
    torch.manual_seed(2)
    model = build("cvae", {"latent_dim": 3}, (8,), cond_dim=2).double()
    z = torch.randn(4, 5, 3, dtype=torch.float64)
    cond = torch.randn(5, 2, dtype=torch.float64)
    x = torch.randn(5, 8, dtype=torch.float64)
    fast = model.decode_samples(z, cond).log_prob(x)
    slow = model.decode(z.reshape(20, 3), cond.repeat(4, 1)).log_prob(x.repeat(4, 1))
    torch.testing.assert_close(fast, slow.reshape(4, 5))


def test_iwae_loss_and_ess_match_their_definitions(build):
    torch.manual_seed(3)
    model = build("iwae", {"latent_dim": 2, "samples": 6}, (5,))
    x = torch.randn(7, 5)
    torch.manual_seed(4)
    out = model.loss({"x": x})
    torch.manual_seed(4)
    log_w, _ = tiled_log_weights(model, {"x": x}, 6)
    w = torch.softmax(log_w, 0)
    torch.testing.assert_close(out.terms["ess"], (1 / w.pow(2).sum(0)).mean())
    bound = (torch.logsumexp(log_w, 0) - torch.log(torch.tensor(6.0))).mean()
    torch.testing.assert_close(out.total, -bound)


def test_log_mean_exp_bound_equals_log_mean_exp_with_flushed_negligible_weights():
    from sigvae_vae.bounds import log_mean_exp_bound, normalized_weights

    from sigvae.nn.model import log_mean_exp

    g = torch.Generator().manual_seed(6)
    values = torch.randn(5, 9, generator=g, dtype=torch.float64) * 3
    values[0, :3] -= 200.0  # weights ~e^-200: subnormal or zero in the plain softmax
    for dtype in (torch.float64, torch.float32):
        v = values.to(dtype)
        fast_v, slow_v = v.clone().requires_grad_(), v.clone().requires_grad_()
        fast, slow = log_mean_exp_bound(fast_v, 0), log_mean_exp(slow_v, 0)
        torch.testing.assert_close(fast, slow)
        fast.sum().backward()
        slow.sum().backward()
        torch.testing.assert_close(fast_v.grad, slow_v.grad, atol=1e-30, rtol=0)
        assert (fast_v.grad[0, :3] == 0).all()  # flushed: no subnormal floats downstream
        tiny = torch.finfo(dtype).tiny
        assert not ((fast_v.grad.abs() < tiny) & (fast_v.grad != 0)).any()
        weights = normalized_weights(v, 0)
        torch.testing.assert_close(weights.sum(0), torch.ones(9, dtype=dtype))
        assert (weights[0, :3] == 0).all()
