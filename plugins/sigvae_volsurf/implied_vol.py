"""Vectorised, safeguarded implied-volatility inversion.

The inversion works on the normalised out-of-the-money price ``p = OTM / F`` (see
:func:`sigvae_volsurf.black.normalised_otm_price`) as a function of the total standard deviation
``s = sigma sqrt(tau)``. It solves ``log p(s) = log p*`` by Newton's method (``d log p / ds =
phi(d1) / p``, the normalised vega over the price), which is nearly linear in the deep wings where
a plain price residual underflows, and falls back to bisection in ``log s`` whenever a Newton step
leaves the bracket that is kept around the root. Every element converges on its own; the loop
stops when all have. Prices outside the no-arbitrage bounds ``0 < p < min(1, e^k)`` give NaN.
"""

from __future__ import annotations

import numpy as np
from scipy.special import log_ndtr

from sigvae_volsurf.black import d1_d2

S_MIN, S_MAX = 1e-6, 20.0


def _log_otm_price(k, s):
    """``log p(s)`` computed in the log domain where the difference of two tails is tiny."""
    d1, d2 = d1_d2(k, s)
    z1, z2 = np.where(k >= 0, d1, -d2), np.where(k >= 0, d2, -d1)
    # OTM call: N(d1) - e^k N(d2) = N(d1) (1 - exp(k + log N(d2) - log N(d1)));
    # OTM put: e^k N(-d2) - N(-d1) = e^k N(-d2) (1 - exp(log N(-d1) - k - log N(-d2))).
    la, lb = log_ndtr(z1), log_ndtr(z2)
    lead = np.where(k >= 0, la, k + la)
    ratio = np.where(k >= 0, k + lb - la, lb - k - la)
    return lead + np.log(-np.expm1(np.minimum(ratio, -1e-300)))


def implied_total_std(k, otm_price, tol=1e-13, max_iter=100):
    """Total std ``s`` such that the normalised OTM price at log-moneyness ``k`` is
    ``otm_price``; NaN where no such ``s`` exists."""
    k, p = np.broadcast_arrays(np.asarray(k, float), np.asarray(otm_price, float))
    upper = np.minimum(1.0, np.exp(k))
    valid = (p > 0) & (p < upper) & np.isfinite(p) & np.isfinite(k)
    target = np.log(np.where(valid, p, 0.5 * upper))
    lo, hi = np.full(k.shape, S_MIN), np.full(k.shape, S_MAX)
    s = np.full(k.shape, 0.2)
    # a first guess from the ATM approximation p ~ s / sqrt(2 pi), clipped into the bracket
    s = np.clip(np.where(np.abs(k) < 1e-3, np.sqrt(2 * np.pi) * np.exp(target), s), lo, hi)
    active = valid.copy()
    for _ in range(max_iter):
        if not active.any():
            break
        f = _log_otm_price(k, s) - target
        lo = np.where(f < 0, s, lo)
        hi = np.where(f > 0, s, hi)
        d1, _ = d1_d2(k, s)
        slope = np.exp(-0.5 * d1 * d1 - 0.5 * np.log(2 * np.pi) - _log_otm_price(k, s))
        with np.errstate(invalid="ignore", divide="ignore"):
            step = s - f / slope
        bad = ~np.isfinite(step) | (step <= lo) | (step >= hi)
        new = np.where(bad, np.sqrt(lo * hi), step)
        done = np.abs(new - s) <= tol * np.maximum(s, 1e-3)
        s = np.where(active, new, s)
        active &= ~done
    return np.where(valid, s, np.nan)


def implied_vol(k, tau, otm_price):
    """Black implied volatility from the normalised OTM price (undiscounted, per unit forward)."""
    return implied_total_std(k, otm_price) / np.sqrt(np.asarray(tau, float))


def implied_vol_from_price(price, forward_, strike, tau, call=True, discount=1.0):
    """Black implied volatility of a call or put price. By put-call parity an in-the-money
    price minus its intrinsic value is the out-of-the-money price on the other side."""
    f, strike = np.asarray(forward_, float), np.asarray(strike, float)
    intrinsic = np.where(call, np.maximum(f - strike, 0.0), np.maximum(strike - f, 0.0))
    otm = np.asarray(price, float) / discount - intrinsic
    return implied_vol(np.log(strike / f), tau, otm / f)
