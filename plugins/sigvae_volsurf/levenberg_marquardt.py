"""Batched Levenberg-Marquardt: many small nonlinear least-squares problems at once.

Each problem minimises ``f(z) = |r(z)|^2 / 2`` over a few variables. One iteration solves

    (J'J + lam diag(J'J)) step = -J'r

per problem (Marquardt's scaling; Nocedal & Wright, Numerical Optimization, section 10.3),
evaluates residuals and Jacobian at ``z + step`` and keeps the step only where ``f`` decreased:
then ``lam`` shrinks (towards Gauss-Newton, whose convergence is fast near a small-residual
minimum), else it grows (towards a short gradient step). Only the problems still running are
evaluated, so problems that converge early stop costing anything. With a handful of unknowns the
normal equations are tiny and one batched solve handles all problems.
"""

from __future__ import annotations

from collections.abc import Callable

import torch

# (z [n, D], rows [n]) -> (residuals [n, R], Jacobian [n, R, D])
Residuals = Callable[[torch.Tensor, torch.Tensor], tuple[torch.Tensor, torch.Tensor]]


def _half_squared(r: torch.Tensor) -> torch.Tensor:
    return torch.nan_to_num(0.5 * (r * r).sum(-1), nan=float("inf"))


def batched_levenberg_marquardt(
    fun: Residuals,
    z0: torch.Tensor,
    iterations: int = 12,
    lam0: float = 1e-2,
    rtol: float = 1e-5,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Minimise ``|r(z)|^2 / 2`` for every row of ``z0`` ``[B, D]``. Returns the final ``z``
    and objective values. A problem stops when an accepted step lowers its objective by less
    than ``rtol`` relative, or when ``lam`` has grown so large that no step helps."""
    z = z0.detach().clone()
    b, d = z.shape
    all_rows = torch.arange(b, device=z.device)
    r, jac = fun(z, all_rows)
    f = _half_squared(r)
    lam = torch.full((b,), lam0, dtype=z.dtype, device=z.device)
    active = torch.isfinite(f)
    eye = torch.eye(d, dtype=z.dtype, device=z.device)
    for _ in range(iterations):
        rows = active.nonzero().squeeze(1)
        if len(rows) == 0:
            break
        jr, rr = jac[rows], r[rows]
        jtj = jr.transpose(1, 2) @ jr
        grad = (jr.transpose(1, 2) @ rr[..., None]).squeeze(-1)
        damping = torch.diagonal(jtj, dim1=1, dim2=2).clamp_min(1e-9)
        a = jtj + (lam[rows, None] * damping)[..., None] * eye + 1e-9 * eye
        step = -torch.linalg.solve(a, grad)
        trial = z[rows] + step
        r_new, jac_new = fun(trial, rows)
        f_new = _half_squared(r_new)
        better = f_new < f[rows]
        gain = f[rows] - f_new
        keep = rows[better]
        z[keep], r[keep], jac[keep], f[keep] = (
            trial[better],
            r_new[better],
            jac_new[better],
            f_new[better],
        )
        lam[rows] = torch.where(better, (lam[rows] / 3).clamp_min(1e-7), lam[rows] * 4)
        done = (better & (gain <= rtol * (1 + f[rows]))) | (lam[rows] > 1e6)
        active[rows] = ~done
    return z, f
