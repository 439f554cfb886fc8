"""Multi-sample bounds on log p(x) shared by ``iwae``, ``vr-alpha`` and ``vr-max``.

With ``z_k ~ q(z|x)`` and log-weights ``log w_k = log p(x|z_k) + log p(z_k) - log q(z_k|x)``:

* IWAE (Burda et al. 2016): ``log (1/K) sum_k w_k``
* Renyi VR-alpha (Li & Turner 2016, eq. 11): ``1/(1-alpha) log (1/K) sum_k w_k^(1-alpha)``;
  alpha = 0 is IWAE, alpha -> 1 the (K-sample averaged) ELBO ``(1/K) sum_k log w_k``,
  alpha -> -inf ``max_k log w_k`` (VR-max).

The log-weights are computed without tiling anything ``K`` times: one decoder pass over the
``K * B`` samples whose likelihood broadcasts the batch over the sample axis
(``decode_samples``), ``log q`` read off the reparameterisation noise, and the standard-normal
prior in closed form.
The tests check them against the direct computation (the batch tiled ``K`` times).
"""

from __future__ import annotations

import math

import torch
from torch.distributions import Distribution

from sigvae.nn.model import Model, reconstruction_target, repeat_rows
from sigvae.nn.posteriors import detached


def _draw(q: Distribution, samples: int, stop_q: bool) -> tuple[torch.Tensor, torch.Tensor]:
    """``z [K, B, ...]`` (reparameterised) and ``log q(z)`` (under stopped parameters when
    ``stop_q``)."""
    if not stop_q and hasattr(q, "rsample_with_log_prob"):
        return q.rsample_with_log_prob((samples,))
    z = q.rsample((samples,))
    return z, (detached(q) if stop_q else q).log_prob(z)


def _sample_log_likelihood(model: Model, z, cond, target) -> torch.Tensor:
    """``log p(target | z_k)`` as ``[K, B]``."""
    if hasattr(model, "decode_samples"):
        return model.decode_samples(z, cond).log_prob(target)
    k, b = z.shape[:2]
    flat = z.reshape(k * b, *z.shape[2:])
    log_px = model.decode(flat, repeat_rows(cond, k)).log_prob(repeat_rows(target, k))
    return log_px.reshape(k, b)


def importance_log_weights(
    model: Model, batch: dict[str, torch.Tensor], samples: int, stop_q: bool = False
) -> tuple[torch.Tensor, torch.Tensor]:
    """``(log_w [K, B], z [K, B, ...])`` with reparameterised ``z``. ``stop_q`` scores ``z``
    under ``q`` with its parameters detached (STL / DReG)."""
    x, cond = batch["x"], batch.get("cond")
    q = model.encode(x, cond)
    z, log_q = _draw(q, samples, stop_q)
    log_px = _sample_log_likelihood(model, z, cond, reconstruction_target(batch))
    return log_px + model.prior_log_prob(z, cond) - log_q, z


# Normalised weights below e^-46 (about 1e-20) of the largest are flushed to zero in gradients:
# their share of any sum that also holds the largest weight (>= 1/K) is below the rounding of
# float32 and float64 alike, so the gradient is unchanged, but left in they become subnormal
# floats in the decoder's backward pass, which CPUs process many times slower (early in
# training some of IWAE's weights are that small).
NEGLIGIBLE_LOG_WEIGHT = -46.0


def normalized_weights(log_w: torch.Tensor, dim: int = 0) -> torch.Tensor:
    """``softmax(log_w)`` along ``dim`` with negligible weights set to exactly zero."""
    relative = log_w - torch.logsumexp(log_w, dim=dim, keepdim=True)
    return torch.where(relative < NEGLIGIBLE_LOG_WEIGHT, 0.0, relative.exp())


class _LogMeanExp(torch.autograd.Function):
    """``log mean_k exp(v_k)`` whose gradient, the normalised weights, has negligible weights
    flushed to zero (see :data:`NEGLIGIBLE_LOG_WEIGHT`)."""

    @staticmethod
    def forward(ctx, values: torch.Tensor, dim: int) -> torch.Tensor:
        lse = torch.logsumexp(values, dim=dim, keepdim=True)
        ctx.save_for_backward(values, lse)
        ctx.dim = dim
        return (lse - math.log(values.shape[dim])).squeeze(dim)

    @staticmethod
    def backward(ctx, grad: torch.Tensor):
        values, lse = ctx.saved_tensors
        relative = values - lse
        weights = torch.where(relative < NEGLIGIBLE_LOG_WEIGHT, 0.0, relative.exp())
        return grad.unsqueeze(ctx.dim) * weights, None


def log_mean_exp_bound(values: torch.Tensor, dim: int = 0) -> torch.Tensor:
    """:func:`~sigvae.nn.model.log_mean_exp` for a training loss: same value, gradient with
    negligible weights flushed (no subnormal floats in the backward pass)."""
    return _LogMeanExp.apply(values, dim)


def renyi_bound(log_w: torch.Tensor, alpha: float) -> torch.Tensor:
    """Per-example VR bound over the sample axis 0 (the ELBO average at alpha = 1)."""
    if alpha == 1.0:
        return log_w.mean(0)
    return log_mean_exp_bound((1.0 - alpha) * log_w, dim=0) / (1.0 - alpha)


def with_gradient_of(value: torch.Tensor, surrogate: torch.Tensor) -> torch.Tensor:
    """A tensor equal to ``value`` whose gradient is that of ``surrogate``: the loss logged
    is the bound itself, whatever estimator shapes the gradient."""
    return value.detach() + surrogate - surrogate.detach()
