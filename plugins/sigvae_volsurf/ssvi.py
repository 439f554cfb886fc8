"""Surface SVI (Gatheral & Jacquier, "Arbitrage-free SVI volatility surfaces", Quantitative
Finance 2014, eq. 4.1) with the power-law curvature of their Remark 4.4:

    w(k, theta) = theta / 2 [1 + rho phi k + sqrt((phi k + rho)^2 + 1 - rho^2)],
    phi(theta) = eta / (theta^gamma (1 + theta)^(1 - gamma)),

where ``theta_t`` is the at-the-money total variance. The surface is free of static arbitrage
when ``theta_t`` is non-decreasing, ``gamma`` is in (0, 1/2] and ``eta (1 + |rho|) <= 2``
(their Corollary 4.1 and Remark 4.4).
"""

from __future__ import annotations

import numpy as np


def ssvi_total_variance(k, theta, rho, eta, gamma):
    """SSVI total implied variance at log-moneyness ``k`` and ATM total variance ``theta``."""
    phi = eta / (theta**gamma * (1.0 + theta) ** (1.0 - gamma))
    pk = phi * k
    return 0.5 * theta * (1.0 + rho * pk + np.sqrt((pk + rho) ** 2 + 1.0 - rho**2))


def ssvi_implied_vol(k, tau, theta, rho, eta, gamma):
    """SSVI implied volatility ``sqrt(w / tau)``."""
    return np.sqrt(ssvi_total_variance(k, theta, rho, eta, gamma) / tau)
