"""Static-arbitrage checks on implied total variance ``w(k, tau) = sigma^2 tau``.

* Butterfly: Durrleman's condition (Gatheral & Jacquier, "Arbitrage-free SVI volatility
  surfaces", Quantitative Finance 2014, Lemma 2.2): the density is non-negative iff

      g(k) = (1 - k w'/(2w))^2 - (w'^2 / 4) (1/w + 1/4) + w''/2 >= 0.

  Note ``w'`` is squared in the middle term; the unsquared form is a known bug elsewhere.
* Calendar: total variance is non-decreasing in ``tau`` at every fixed ``k`` (ibid., Lemma 2.1).

Smiles arrive as samples ``(k, w)`` per tenor, shape ``[n, m, j]`` (surfaces, tenors, points).
Each smile is interpolated by a natural cubic spline in ``k`` and tested on a fine grid inside
its sampled range; nothing is extrapolated.
"""

from __future__ import annotations

import numpy as np

from sigvae_volsurf.spline import BatchedSpline

FINE_POINTS = 64


def durrleman_g(k, w, dw, d2w):
    """Durrleman's ``g(k)`` from total variance and its first two derivatives in ``k``."""
    return (1.0 - k * dw / (2.0 * w)) ** 2 - dw**2 / 4.0 * (1.0 / w + 0.25) + d2w / 2.0


def _sorted(k, w):
    order = np.argsort(k, axis=-1)
    return np.take_along_axis(k, order, -1), np.take_along_axis(w, order, -1)


def _fine(lo, hi, points=FINE_POINTS):
    t = np.linspace(0.0, 1.0, points)
    return lo[..., None] + (hi - lo)[..., None] * t


def butterfly_min_g(k, w, points=FINE_POINTS):
    """Smallest Durrleman ``g`` over each smile's sampled range, shape ``k.shape[:-1]``."""
    k, w = _sorted(np.asarray(k, float), np.asarray(w, float))
    spline = BatchedSpline(k, w)
    kf = _fine(k[..., 0], k[..., -1], points)
    g = durrleman_g(kf, spline(kf), spline(kf, 1), spline(kf, 2))
    return np.min(np.where(np.isfinite(g), g, -np.inf), axis=-1)


def calendar_max_drop(k, w, points=FINE_POINTS):
    """Largest relative fall of total variance from each tenor to the next, measured at common
    log-moneyness inside both tenors' sampled ranges; shape ``[n, m - 1]`` (0 where none)."""
    k, w = _sorted(np.asarray(k, float), np.asarray(w, float))
    near = BatchedSpline(k[..., :-1, :], w[..., :-1, :])  # row i: tenor i
    far = BatchedSpline(k[..., 1:, :], w[..., 1:, :])  # row i: tenor i + 1
    lo = np.maximum(k[..., :-1, 0], k[..., 1:, 0])
    hi = np.minimum(k[..., :-1, -1], k[..., 1:, -1])
    overlap = hi > lo
    kf = _fine(lo, np.where(overlap, hi, lo), points)
    w_near = near(kf)
    drop = np.max((w_near - far(kf)) / np.abs(w_near), axis=-1)
    return np.where(overlap, np.maximum(drop, 0.0), 0.0)


def check_surfaces(k, w, butterfly_tol=1e-6, calendar_tol=1e-6):
    """Per-surface arbitrage flags for ``k, w`` of shape ``[n, m, j]`` (tenors in increasing
    order). Returns a dict of arrays: ``butterfly`` and ``calendar`` (True = violated),
    ``min_g`` and ``max_calendar_drop``."""
    min_g = butterfly_min_g(k, w).min(axis=-1)
    drop = calendar_max_drop(k, w).max(axis=-1) if np.shape(k)[-2] > 1 else np.zeros(len(k))
    return {
        "butterfly": ~(min_g >= -butterfly_tol),
        "calendar": ~(drop <= calendar_tol),
        "min_g": min_g,
        "max_calendar_drop": drop,
    }
