"""A soft static-arbitrage penalty for models that are differentiable in their coordinates.

At random collocation points ``(tau, delta)`` (log-uniform in tau, uniform in delta inside the
training grid's box), the decoded vol ``sigma`` gives total variance ``w = sigma^2 tau`` and
log-moneyness ``k = sigma^2 tau / 2 - sigma sqrt(tau) N^-1(delta)``. Derivatives in ``k`` follow
from the chain rule through ``delta`` (``w_k = w_delta / k_delta``), those in ``tau`` at fixed
``k`` from ``w_tau|k = w_tau - w_k k_tau``. The penalty per surface is the sum over points of
``relu(-g)`` (Durrleman's condition, see :mod:`sigvae_volsurf.arbitrage`) plus
``relu(-tau w_tau|k / w)`` (calendar), both dimensionless; it is zero on arbitrage-free
surfaces. Soft constraints of this kind follow Ackerer, Tagasovska & Vatter (2020).
"""

from __future__ import annotations

import math

import torch


def arbitrage_penalty(model, z: torch.Tensor, points: int, box) -> torch.Tensor:
    """Penalty per surface ``[B]`` for latents ``z`` ``[B, L]``."""
    (t_lo, t_hi), (d_lo, d_hi) = box
    b = z.shape[0]
    u = torch.rand(b, points, 2, device=z.device, dtype=z.dtype)
    tau = torch.exp(math.log(t_lo) + u[..., 0] * (math.log(t_hi) - math.log(t_lo)))
    delta = d_lo + u[..., 1] * (d_hi - d_lo)
    tau.requires_grad_(True)
    delta.requires_grad_(True)
    with torch.enable_grad():
        sigma = model.decode_at(z, torch.stack([tau, delta], dim=-1))
        root = torch.sqrt(tau)
        w = sigma**2 * tau
        k = 0.5 * w - sigma * root * torch.special.ndtri(delta)
        w_d, w_t = _grad(w, (delta, tau))
        k_d, k_t = _grad(k, (delta, tau))
        w_k = w_d / k_d
        (w_k_d,) = _grad(w_k, (delta,))
        w_kk = w_k_d / k_d
        g = (1 - k * w_k / (2 * w)) ** 2 - w_k**2 / 4 * (1 / w + 0.25) + w_kk / 2
        calendar = tau * (w_t - w_k * k_t) / w
    return (torch.relu(-g) + torch.relu(-calendar)).sum(-1)


def _grad(y: torch.Tensor, xs) -> tuple[torch.Tensor, ...]:
    return torch.autograd.grad(y.sum(), xs, create_graph=True)
