"""SABR implied volatility by Hagan, Kumar, Lesniewski & Woodward ("Managing smile risk",
Wilmott 2002, eq. 2.17a), on a forward normalised to 1 so that ``K = e^k``.

    sigma_B = alpha / [(fK)^((1-b)/2) (1 + (1-b)^2/24 L^2 + (1-b)^4/1920 L^4)] * z / x(z)
              * [1 + ((1-b)^2/24 alpha^2/(fK)^(1-b) + rho b nu alpha/(4 (fK)^((1-b)/2))
                     + (2 - 3 rho^2) nu^2 / 24) T],
    L = ln(f/K),  z = nu/alpha (fK)^((1-b)/2) L,  x(z) = ln[(sqrt(1 - 2 rho z + z^2) + z - rho)
                                                        / (1 - rho)].

The expansion is known to misprice deep low strikes at long maturities (negative densities);
simulated surfaces are therefore passed through the arbitrage checks before use.
"""

from __future__ import annotations

import numpy as np


def _z_over_x(z, rho):
    """``z / x(z)``, with its Taylor series near ``z = 0`` where the ratio is 0/0."""
    small = np.abs(z) < 1e-7
    zs = np.where(small, 1.0, z)
    x = np.log((np.sqrt(1.0 - 2.0 * rho * zs + zs * zs) + zs - rho) / (1.0 - rho))
    series = 1.0 - 0.5 * rho * z + (2.0 - 3.0 * rho * rho) * z * z / 12.0
    return np.where(small, series, zs / x)


def sabr_implied_vol(k, tau, alpha, beta, rho, nu):
    """Hagan's lognormal implied vol at log-moneyness ``k`` (arrays broadcast)."""
    k, tau = np.asarray(k, float), np.asarray(tau, float)
    one_b = 1.0 - np.asarray(beta, float)
    log_fk = -k  # ln(f/K) with f = 1
    fk_half = np.exp(0.5 * one_b * k)  # (fK)^((1-b)/2)
    denom = fk_half * (1.0 + one_b**2 / 24.0 * log_fk**2 + one_b**4 / 1920.0 * log_fk**4)
    z = nu / alpha * fk_half * log_fk
    correction = 1.0 + tau * (
        one_b**2 / 24.0 * alpha**2 / fk_half**2
        + rho * beta * nu * alpha / (4.0 * fk_half)
        + (2.0 - 3.0 * rho**2) * nu**2 / 24.0
    )
    return alpha / denom * _z_over_x(z, rho) * correction
