"""Batched L-BFGS: many independent small minimisations at once.

Every problem keeps its own curvature pairs, step length and convergence flag; one call of the
objective evaluates all problems together (one decoder pass on the whole batch). The direction
is the standard two-loop recursion (Nocedal & Wright, Numerical Optimization, Algorithm 7.4)
with the initial scaling ``s'y / y'y``; the step satisfies Armijo's condition by backtracking,
per problem. Pairs with non-positive curvature are skipped, which keeps each implicit Hessian
positive definite.
"""

from __future__ import annotations

from collections.abc import Callable

import torch


def _value_and_grad(fun, z):
    z = z.detach().requires_grad_(True)
    with torch.enable_grad():
        f = fun(z)
        (g,) = torch.autograd.grad(f.sum(), z)
    return f.detach(), g.detach()


def batched_lbfgs(
    fun: Callable[[torch.Tensor], torch.Tensor],
    z0: torch.Tensor,
    iterations: int = 60,
    history: int = 8,
    tol: float = 1e-6,
    armijo: float = 1e-4,
    backtracks: int = 12,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Minimise ``fun(z) -> [B]`` (one value per problem) over ``z`` ``[B, D]`` from ``z0``.
    Returns the final ``z`` and objective values. A problem stops when its gradient's max-norm
    falls below ``tol`` or its step stalls."""
    z = z0.detach().clone()
    f, g = _value_and_grad(fun, z)
    b, d = z.shape
    s_hist = z.new_zeros(history, b, d)
    y_hist = z.new_zeros(history, b, d)
    rho = z.new_zeros(history, b)
    count = 0
    active = g.abs().amax(-1) > tol
    for _ in range(iterations):
        if not active.any():
            break
        direction = -_two_loop(g, s_hist, y_hist, rho, min(count, history), count % history)
        slope = (direction * g).sum(-1)
        uphill = slope >= 0
        direction = torch.where(uphill[:, None], -g, direction)
        slope = torch.where(uphill, -(g * g).sum(-1), slope)
        step = torch.ones(b, dtype=z.dtype, device=z.device)
        if count == 0:
            step = torch.clamp(1.0 / g.abs().sum(-1).clamp_min(1e-12), max=1.0)
        accepted = torch.zeros(b, dtype=torch.bool, device=z.device)
        z_new, f_new = z, f
        for _ in range(backtracks):
            trial = z + step[:, None] * direction
            f_trial = fun(trial).detach()
            ok = (f_trial <= f + armijo * step * slope) & ~accepted & active
            z_new = torch.where(ok[:, None], trial, z_new)
            f_new = torch.where(ok, f_trial, f_new)
            accepted |= ok
            if bool((accepted | ~active).all()):
                break
            step = torch.where(accepted, step, 0.5 * step)
        _, g_new = _value_and_grad(fun, z_new)
        s, y = z_new - z, g_new - g
        sy = (s * y).sum(-1)
        good = accepted & (sy > 1e-12)
        slot = count % history
        s_hist[slot] = torch.where(good[:, None], s, s_hist[slot])
        y_hist[slot] = torch.where(good[:, None], y, y_hist[slot])
        rho[slot] = torch.where(good, 1.0 / sy.clamp_min(1e-12), rho[slot])
        count += 1
        z, f, g = z_new, f_new, torch.where(accepted[:, None], g_new, g)
        active &= accepted & (g.abs().amax(-1) > tol)
    return z.detach(), f


def _two_loop(g, s_hist, y_hist, rho, stored, newest_next):
    """``H g`` by the two-loop recursion over the ``stored`` most recent pairs (a ring buffer
    whose next free slot is ``newest_next``). Problems whose pair in a slot was skipped have
    ``rho = 0`` there, which makes that pair a no-op."""
    q = g.clone()
    order = [(newest_next - 1 - i) % s_hist.shape[0] for i in range(stored)]
    alphas = []
    for i in order:
        a = rho[i] * (s_hist[i] * q).sum(-1)
        q = q - a[:, None] * y_hist[i]
        alphas.append(a)
    if stored:
        i = order[0]
        yy = (y_hist[i] * y_hist[i]).sum(-1)
        gamma = torch.where(rho[i] > 0, 1.0 / (rho[i] * yy.clamp_min(1e-30)), torch.ones_like(yy))
        q = q * gamma[:, None]
    for i, a in zip(reversed(order), reversed(alphas)):
        beta = rho[i] * (y_hist[i] * q).sum(-1)
        q = q + (a - beta)[:, None] * s_hist[i]
    return q
