"""Batched L-BFGS: many independent small minimisations at once.

Every problem keeps its own curvature pairs, step length and convergence flag; each objective
call evaluates only the problems still running (one decoder pass on that sub-batch), so
problems that converge early stop costing anything. The direction is the standard two-loop
recursion (Nocedal & Wright, Numerical Optimization, Algorithm 7.4) with the initial scaling
``s'y / y'y``; the step satisfies Armijo's condition by backtracking, per problem. Pairs with
non-positive curvature are skipped, which keeps each implicit Hessian positive definite, and a
problem whose line search fails forgets its pairs and restarts from the gradient.
"""

from __future__ import annotations

from collections.abc import Callable

import torch

Objective = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


def _value_and_grad(fun: Objective, z: torch.Tensor, rows: torch.Tensor):
    z = z.detach().requires_grad_(True)
    with torch.enable_grad():
        f = fun(z, rows)
        (g,) = torch.autograd.grad(f.sum(), z)
    return f.detach(), g.detach()


def batched_lbfgs(
    fun: Objective,
    z0: torch.Tensor,
    iterations: int = 60,
    history: int = 8,
    tol: float = 1e-6,
    armijo: float = 1e-4,
    backtracks: int = 12,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Minimise ``fun(z, rows) -> [len(rows)]`` over ``z`` ``[B, D]`` from ``z0``, where
    ``rows`` indexes the problems that ``z``'s rows belong to. Returns the final ``z`` and
    objective values. A problem stops when its gradient's max-norm falls below ``tol`` or not
    even a backtracked gradient step decreases it."""
    z = z0.detach().clone()
    b, d = z.shape
    all_rows = torch.arange(b, device=z.device)
    f, g = _value_and_grad(fun, z, all_rows)
    s_hist = z.new_zeros(history, b, d)
    y_hist = z.new_zeros(history, b, d)
    rho = z.new_zeros(history, b)
    active = g.abs().amax(-1) > tol
    for it in range(iterations):
        rows = active.nonzero().squeeze(1)
        if len(rows) == 0:
            break
        zr, fr, gr = z[rows], f[rows], g[rows]
        stored = min(it, history)
        direction = -_two_loop(gr, s_hist[:, rows], y_hist[:, rows], rho[:, rows], stored, it)
        slope = (direction * gr).sum(-1)
        uphill = slope >= 0
        direction = torch.where(uphill[:, None], -gr, direction)
        slope = torch.where(uphill, -(gr * gr).sum(-1), slope)
        # without curvature pairs the direction is the raw gradient: start with a short step
        has_pairs = (rho[:, rows] > 0).any(0)
        first = torch.clamp(1.0 / gr.abs().sum(-1).clamp_min(1e-12), max=1.0)
        step = torch.where(has_pairs, torch.ones_like(first), first)
        z_new, f_new, accepted = _backtrack(
            fun, rows, zr, fr, direction, slope, step, armijo, backtracks
        )
        _, g_new = _value_and_grad(fun, z_new, rows)
        s, y = z_new - zr, g_new - gr
        sy = (s * y).sum(-1)
        good = accepted & (sy > 1e-12)
        slot = it % history
        s_hist[slot, rows] = torch.where(good[:, None], s, 0.0)
        y_hist[slot, rows] = torch.where(good[:, None], y, 0.0)
        rho[slot, rows] = torch.where(good, 1.0 / sy.clamp_min(1e-12), 0.0)
        z[rows], f[rows] = z_new, f_new
        g[rows] = torch.where(accepted[:, None], g_new, gr)
        # a failed line search with stale curvature resets that problem's memory and retries
        # from the gradient; a failed gradient step means no further progress is possible
        reset = rows[~accepted & has_pairs]
        s_hist[:, reset], y_hist[:, reset], rho[:, reset] = 0.0, 0.0, 0.0
        active[rows] = (accepted | has_pairs) & (g[rows].abs().amax(-1) > tol)
    return z.detach(), f


def _backtrack(fun, rows, z, f, direction, slope, step, armijo, backtracks):
    """Armijo backtracking; each trial evaluates only the problems not yet accepted."""
    z_new, f_new = z.clone(), f.clone()
    accepted = torch.zeros(len(rows), dtype=torch.bool, device=z.device)
    for _ in range(backtracks):
        todo = (~accepted).nonzero().squeeze(1)
        if len(todo) == 0:
            break
        trial = z[todo] + step[todo, None] * direction[todo]
        with torch.no_grad():
            f_trial = fun(trial, rows[todo])
        ok = f_trial <= f[todo] + armijo * step[todo] * slope[todo]
        z_new[todo[ok]] = trial[ok]
        f_new[todo[ok]] = f_trial[ok]
        accepted[todo[ok]] = True
        step[todo[~ok]] *= 0.5
    return z_new, f_new, accepted


def _two_loop(g, s_hist, y_hist, rho, stored, it):
    """``H g`` by the two-loop recursion over the ``stored`` most recent pairs (a ring buffer
    written at slot ``it % history`` on iteration ``it``). A pair skipped for a problem has
    ``rho = 0`` and zero vectors there, which makes it a no-op."""
    q = g.clone()
    size = s_hist.shape[0]
    order = [(it - 1 - i) % size for i in range(stored)]
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
