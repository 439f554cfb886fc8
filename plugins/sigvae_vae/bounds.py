"""Multi-sample bounds on log p(x) shared by ``iwae``, ``vr-alpha`` and ``vr-max``.

With ``z_k ~ q(z|x)`` and log-weights ``log w_k = log p(x|z_k) + log p(z_k) - log q(z_k|x)``:

* IWAE (Burda et al. 2016): ``log (1/K) sum_k w_k``
* Renyi VR-alpha (Li & Turner 2016, eq. 11): ``1/(1-alpha) log (1/K) sum_k w_k^(1-alpha)``;
  alpha = 0 is IWAE, alpha -> 1 the (K-sample averaged) ELBO ``(1/K) sum_k log w_k``,
  alpha -> -inf ``max_k log w_k`` (VR-max).
"""

from __future__ import annotations

import torch

from sigvae.nn.model import Model, log_mean_exp
from sigvae.nn.posteriors import detached


def repeat_rows(t: torch.Tensor | None, k: int) -> torch.Tensor | None:
    """``[B, ...] -> [k * B, ...]`` in the order of ``z.reshape(k * B, ...)``."""
    return None if t is None else t.repeat(k, *([1] * (t.dim() - 1)))


def importance_log_weights(
    model: Model, batch: dict[str, torch.Tensor], samples: int, stop_q: bool = False
) -> tuple[torch.Tensor, torch.Tensor]:
    """``(log_w [K, B], z [K, B, ...])`` with reparameterised ``z``. ``stop_q`` scores ``z``
    under ``q`` with its parameters detached (STL / DReG)."""
    x, cond = batch["x"], batch.get("cond")
    target = batch.get("target")
    target = x if target is None else target
    q = model.encode(x, cond)
    z = q.rsample((samples,))
    flat = z.reshape(samples * x.shape[0], *z.shape[2:])
    log_px = model.decode(flat, repeat_rows(cond, samples)).log_prob(repeat_rows(target, samples))
    q_score = detached(q) if stop_q else q
    log_w = (
        log_px.reshape(samples, x.shape[0]) + model.prior(cond).log_prob(z) - q_score.log_prob(z)
    )
    return log_w, z


def renyi_bound(log_w: torch.Tensor, alpha: float) -> torch.Tensor:
    """Per-example VR bound over the sample axis 0 (the ELBO average at alpha = 1)."""
    if alpha == 1.0:
        return log_w.mean(0)
    return log_mean_exp((1.0 - alpha) * log_w, dim=0) / (1.0 - alpha)


def with_gradient_of(value: torch.Tensor, surrogate: torch.Tensor) -> torch.Tensor:
    """A tensor equal to ``value`` whose gradient is that of ``surrogate``: the loss logged
    is the bound itself, whatever estimator shapes the gradient."""
    return value.detach() + surrogate - surrogate.detach()
