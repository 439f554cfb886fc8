"""Semi-analytic Heston and Bates prices, vectorised over parameter sets, maturities, strikes.

Characteristic function of ``X_T = ln(S_T / F_T)`` in the "little Heston trap" form of
Albrecher, Mayer, Schoutens & Tistaert (Wilmott 2007), which keeps the complex logarithm on its
principal branch for every maturity:

    b = kappa - rho sigma i u,   d = sqrt(b^2 + sigma^2 (i u + u^2)),   g = (b - d) / (b + d)
    C = kappa theta / sigma^2 [(b - d) T - 2 ln((1 - g e^{-dT}) / (1 - g))]
    D = (b - d) / sigma^2 (1 - e^{-dT}) / (1 - g e^{-dT}),      phi(u) = exp(C + D v0).

Bates (1996) multiplies by the compensated log-normal jump factor
``exp(lam T [(exp(i u mu_J - u^2 delta_J^2 / 2) - 1) - i u (exp(mu_J + delta_J^2 / 2) - 1)])``.

Prices come from Lewis's (2001) single-integral formula for the undiscounted call per unit
forward, with ``x = ln(F/K)``:

    c = 1 - sqrt(K/F) / pi * int_0^inf Re[e^{i u x} phi(u - i/2)] / (u^2 + 1/4) du,

integrated by composite Gauss-Legendre on panels ``[0, 1/4], [1/4, 1/2], ..., [2^17, 2^18]`` that
double in width: the narrow first panels resolve the ``1/(u^2 + 1/4)`` peak, the wide later ones
the Gaussian-like decay of long maturities and the slow exponential decay of short maturities
with a high vol of variance. Nodes past the point where the integrand bound falls below 1e-16
are dropped per maturity.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

PANEL_EDGES = 0.25 * 2.0 ** np.arange(0, 21)  # 0.25 ... 262144
NODES_PER_PANEL = 24


@dataclass(frozen=True)
class HestonParams:
    """Heston parameters; arrays broadcast to one value per surface.

    ``v0`` initial variance, ``kappa`` mean reversion, ``theta`` long-run variance, ``sigma``
    vol of variance, ``rho`` spot/variance correlation. Jumps (Bates): intensity ``lam`` per year,
    log-jump mean ``mu_j`` and standard deviation ``delta_j``; ``lam = 0`` is plain Heston."""

    v0: np.ndarray
    kappa: np.ndarray
    theta: np.ndarray
    sigma: np.ndarray
    rho: np.ndarray
    lam: np.ndarray | float = 0.0
    mu_j: np.ndarray | float = 0.0
    delta_j: np.ndarray | float = 0.0

    def column(self, name: str) -> np.ndarray:
        """The parameter as a ``[n, 1, 1]`` array for broadcasting against nodes."""
        return np.asarray(getattr(self, name), float).reshape(-1, 1, 1)


def characteristic_function(u, tau, p: HestonParams):
    """``E[exp(i u X_T)]`` for complex ``u`` of shape ``[n, m, q]`` and ``tau`` ``[n|1, m, 1]``."""
    v0, kappa, theta, sigma, rho = (p.column(n) for n in ("v0", "kappa", "theta", "sigma", "rho"))
    iu = 1j * u
    b = kappa - rho * sigma * iu
    d = np.sqrt(b * b + sigma * sigma * (iu + u * u))
    g = (b - d) / (b + d)
    e = np.exp(-d * tau)
    big_c = kappa * theta / sigma**2 * ((b - d) * tau - 2.0 * np.log((1.0 - g * e) / (1.0 - g)))
    big_d = (b - d) / sigma**2 * (1.0 - e) / (1.0 - g * e)
    log_phi = big_c + big_d * v0
    lam, mu_j, delta_j = (p.column(n) for n in ("lam", "mu_j", "delta_j"))
    jump = np.exp(iu * mu_j - 0.5 * u * u * delta_j**2) - 1.0
    log_phi = log_phi + lam * tau * (jump - iu * np.expm1(mu_j + 0.5 * delta_j**2))
    return np.exp(log_phi)


def _nodes():
    """Composite Gauss-Legendre nodes and weights on ``[0, 2^18]``, in increasing order."""
    x, w = np.polynomial.legendre.leggauss(NODES_PER_PANEL)
    edges = np.concatenate([[0.0], PANEL_EDGES])
    lo, hi = edges[:-1, None], edges[1:, None]
    return (0.5 * (hi - lo) * x + 0.5 * (hi + lo)).ravel(), (0.5 * (hi - lo) * w).ravel()


def otm_prices(k, tau, p: HestonParams):
    """Normalised out-of-the-money prices (undiscounted, per unit forward) at log-moneyness
    ``k`` of shape ``[n, m, j]`` (n parameter sets, m maturities, j strikes); ``tau`` is
    ``[m]`` or ``[n, m]``. Maturities are integrated one at a time so that each uses only the
    nodes it needs (long maturities decay fast and need few)."""
    k = np.asarray(k, float)
    n, m = k.shape[0], k.shape[1]
    tau = np.broadcast_to(np.asarray(tau, float), (n, m))
    u_all, w_all = _nodes()
    out = np.empty_like(k)
    for col in range(m):
        t = tau[:, col, None, None]
        phi = characteristic_function(u_all - 0.5j, t, p)[:, 0]  # [n, q]
        # drop the tail beyond the first node where the integrand bound |phi| / (u^2 + 1/4) is
        # negligible, and the nodes past the last one any parameter set still needs
        keep = np.cumsum(np.abs(phi) / (u_all * u_all + 0.25) < 1e-16, axis=-1) == 0
        used = int(np.flatnonzero(keep.any(axis=0))[-1]) + 1 if keep.any() else 1
        u, phi = u_all[:used], phi[:, :used]
        weight = np.where(keep[:, :used], w_all[:used] / (u * u + 0.25), 0.0)
        phase = -u * k[:, col, :, None]  # e^{i u x} with x = -k, [n, j, q]
        re = np.cos(phase) * phi.real[:, None, :] - np.sin(phase) * phi.imag[:, None, :]
        out[:, col] = 1.0 - np.exp(0.5 * k[:, col]) / np.pi * np.einsum("njq,nq->nj", re, weight)
    return np.where(k >= 0, out, out - (1.0 - np.exp(k)))


def implied_vols(k, tau, p: HestonParams, min_price=1e-12):
    """Black implied vols at log-moneyness ``k`` ``[n, m, j]``. NaN where the inversion fails or
    the OTM price is below ``min_price``: Lewis's formula computes it as ``1 - integral``, so its
    absolute accuracy is ~1e-15 and smaller prices carry too few significant digits."""
    from sigvae_volsurf.implied_vol import implied_vol

    tau_b = np.broadcast_to(np.asarray(tau, float), k.shape[:2])[..., None]
    prices = otm_prices(k, tau, p)
    return implied_vol(k, tau_b, np.where(prices >= min_price, prices, np.nan))
