"""A soft static-arbitrage penalty for models that can be evaluated at any ``(tau, delta)``.

At random collocation points ``(tau, delta)`` (log-uniform in tau, uniform in delta inside the
training grid's box), the decoded vol ``sigma`` gives total variance ``w = sigma^2 tau`` and
log-moneyness ``k = sigma^2 tau / 2 - sigma sqrt(tau) x`` with ``x = N^-1(delta)``. The
derivatives come from central differences in ``x`` and a forward difference in ``log tau`` at
fixed delta (four decoder evaluations per point, no higher-order autograd, so the penalty costs
a few forward passes): ``w_k = w_x / k_x``, ``w_kk = (w_xx - w_k k_xx) / k_x^2`` and, at fixed
``k``, ``w_tau|k = w_tau - w_k k_tau``. The penalty per surface is the sum over points of
``relu(-g)`` (Durrleman's condition, see :mod:`sigvae_volsurf.arbitrage`) plus
``relu(-tau w_tau|k / w)`` (calendar), both dimensionless; it is zero on arbitrage-free
surfaces. Soft constraints of this kind follow Ackerer, Tagasovska & Vatter (2020).
"""

from __future__ import annotations

import math

import torch

X_STEP = 0.05  # central-difference step in N^-1(delta)
LOG_TAU_STEP = 0.05  # forward-difference step in log tau


def arbitrage_terms(model, z: torch.Tensor, tau: torch.Tensor, delta: torch.Tensor):
    """Durrleman's ``g`` and the calendar slope ``tau w_tau|k / w`` ``[B, P]`` of the surfaces
    with latents ``z`` ``[B, L]`` at points ``tau, delta`` ``[B, P]``."""
    b, p = tau.shape
    x = torch.special.ndtri(delta)
    h = X_STEP
    xs = torch.stack([x - h, x, x + h, x], dim=1)  # [B, 4, P]
    taus = torch.stack([tau, tau, tau, tau * math.exp(LOG_TAU_STEP)], dim=1)
    coords = torch.stack([taus, torch.special.ndtr(xs)], dim=-1).reshape(b, 4 * p, 2)
    sigma = model.decode_at(z, coords).reshape(b, 4, p)
    w = sigma**2 * taus
    k = 0.5 * w - sigma * torch.sqrt(taus) * xs
    w_x, k_x = (w[:, 2] - w[:, 0]) / (2 * h), (k[:, 2] - k[:, 0]) / (2 * h)
    w_xx = (w[:, 2] - 2 * w[:, 1] + w[:, 0]) / h**2
    k_xx = (k[:, 2] - 2 * k[:, 1] + k[:, 0]) / h**2
    w_k = w_x / k_x
    w_kk = (w_xx - w_k * k_xx) / k_x**2
    w0, k0 = w[:, 1], k[:, 1]
    g = (1 - k0 * w_k / (2 * w0)) ** 2 - w_k**2 / 4 * (1 / w0 + 0.25) + w_kk / 2
    d_tau = taus[:, 3] - taus[:, 1]
    w_t, k_t = (w[:, 3] - w0) / d_tau, (k[:, 3] - k0) / d_tau
    calendar = tau * (w_t - w_k * k_t) / w0
    return g, calendar


def arbitrage_penalty(model, z: torch.Tensor, points: int, box) -> torch.Tensor:
    """Penalty per surface ``[B]`` for latents ``z`` ``[B, L]``."""
    (t_lo, t_hi), (d_lo, d_hi) = box
    u = torch.rand(z.shape[0], points, 2, device=z.device, dtype=z.dtype)
    tau = torch.exp(math.log(t_lo) + u[..., 0] * (math.log(t_hi) - math.log(t_lo)))
    delta = d_lo + u[..., 1] * (d_hi - d_lo)
    g, calendar = arbitrage_terms(model, z, tau, delta)
    return (torch.relu(-g) + torch.relu(-calendar)).sum(-1)
