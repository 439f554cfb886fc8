"""Cubic splines for many smiles at once.

Each row of ``x`` (strictly increasing) and ``y`` is its own spline; the tridiagonal system for
the second derivatives is solved row-wise by the Thomas algorithm, vectorised over all leading
axes. Used to interpolate total variance in log-moneyness for the arbitrage checks and to place
the delta grid on a model's smile.

End conditions are "parabolic runout" (the second derivative of each end interval equals that of
its neighbour), so a parabola is reproduced exactly. The natural condition (``y'' = 0`` at the
ends) would flatten a convex smile's curvature at its edges, exactly where Durrleman's
condition is most sensitive, and flag false butterfly arbitrage.
"""

from __future__ import annotations

import numpy as np


class BatchedSpline:
    """Cubic splines (parabolic runout ends) through ``(x[..., i], y[..., i])``; evaluate with :meth:`__call__`."""

    def __init__(self, x: np.ndarray, y: np.ndarray) -> None:
        self.x = np.asarray(x, float)
        self.y = np.asarray(y, float)
        if self.x.shape != self.y.shape or self.x.shape[-1] < 2:
            raise ValueError(f"need matching x, y with >= 2 points, got {x.shape} and {y.shape}")
        self.m = self._second_derivatives()

    def _second_derivatives(self) -> np.ndarray:
        x, y = self.x, self.y
        n = x.shape[-1]
        m = np.zeros_like(y)
        if n < 3:
            return m
        h = np.diff(x, axis=-1)
        rhs = 6.0 * np.diff(np.diff(y, axis=-1) / h, axis=-1)  # interior rows 1 .. n-2
        diag = 2.0 * (h[..., :-1] + h[..., 1:])
        # parabolic runout: m_0 = m_1 and m_{n-1} = m_{n-2} fold into the first/last rows
        diag[..., 0] += h[..., 0]
        diag[..., -1] += h[..., -1]
        off = h[..., 1:-1]  # symmetric coupling of consecutive interior unknowns
        # Thomas algorithm: forward elimination, then back substitution
        upper = np.zeros_like(diag)
        sol = np.zeros_like(rhs)
        denom = diag[..., 0]
        sol[..., 0] = rhs[..., 0] / denom
        for i in range(1, n - 2):
            upper[..., i - 1] = off[..., i - 1] / denom
            denom = diag[..., i] - off[..., i - 1] * upper[..., i - 1]
            sol[..., i] = (rhs[..., i] - off[..., i - 1] * sol[..., i - 1]) / denom
        for i in range(n - 4, -1, -1):
            sol[..., i] -= upper[..., i] * sol[..., i + 1]
        m[..., 1:-1] = sol
        m[..., 0], m[..., -1] = sol[..., 0], sol[..., -1]
        return m

    def __call__(self, xq: np.ndarray, nu: int = 0) -> np.ndarray:
        """Value (``nu=0``), first or second derivative at ``xq`` (same leading axes as ``x``).
        Points outside a row's range are extrapolated from the end cubic."""
        xq = np.asarray(xq, float)
        idx = (xq[..., :, None] >= self.x[..., None, 1:-1]).sum(-1)  # interval index 0..n-2

        def take(a, offset=0):
            return np.take_along_axis(a, idx + offset, axis=-1)

        x0, x1, y0, y1 = take(self.x), take(self.x, 1), take(self.y), take(self.y, 1)
        m0, m1 = take(self.m), take(self.m, 1)
        h = x1 - x0
        a, b = x1 - xq, xq - x0
        if nu == 0:
            return (
                (m0 * a**3 + m1 * b**3) / (6 * h)
                + (y0 / h - m0 * h / 6) * a
                + (y1 / h - m1 * h / 6) * b
            )
        if nu == 1:
            return (m1 * b**2 - m0 * a**2) / (2 * h) + (y1 - y0) / h - (m1 - m0) * h / 6
        if nu == 2:
            return (m0 * a + m1 * b) / h
        raise ValueError(f"derivative order must be 0, 1 or 2, got {nu}")
