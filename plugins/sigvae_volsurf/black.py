"""Black (1976) pricing on the forward and FX delta conventions.

Everything works on the forward: ``F = S * exp((r_d - r_f) * tau)``, log-moneyness
``k = ln(K / F)`` and total standard deviation ``s = sigma * sqrt(tau)``, so one set of formulas
serves FX and equity. The four FX delta conventions follow Reiswich & Wystup, "FX volatility
smile construction", Wilmott 2012 (eqs. 4-7): spot or forward delta, each with or without the
premium adjustment. All functions are vectorised numpy and broadcast their arguments.
"""

from __future__ import annotations

import numpy as np
from scipy.special import ndtr, ndtri

DELTA_TYPES = ("forward", "spot")


def forward(spot, r_d, r_f, tau):
    """The outright forward ``S exp((r_d - r_f) tau)`` with continuously compounded rates."""
    return np.asarray(spot) * np.exp((np.asarray(r_d) - np.asarray(r_f)) * np.asarray(tau))


def d1_d2(k, s):
    """Black's ``d1 = -k/s + s/2`` and ``d2 = d1 - s`` for log-moneyness k, total std s."""
    k, s = np.asarray(k, float), np.asarray(s, float)
    d1 = -k / s + 0.5 * s
    return d1, d1 - s


def black_price(forward_, strike, tau, sigma, call=True, discount=1.0):
    """Black's price ``DF * (F N(d1) - K N(d2))`` for calls, the put by parity."""
    f, strike = np.asarray(forward_, float), np.asarray(strike, float)
    d1, d2 = d1_d2(np.log(strike / f), np.asarray(sigma) * np.sqrt(tau))
    sign = np.where(call, 1.0, -1.0)
    return discount * sign * (f * ndtr(sign * d1) - strike * ndtr(sign * d2))


def normalised_otm_price(k, s):
    """Undiscounted out-of-the-money price divided by the forward: the call for ``k >= 0``,
    the put for ``k < 0``. Always below ``min(1, e^k)`` and free of the intrinsic value, which
    keeps implied-vol inversion well conditioned in both wings."""
    k = np.asarray(k, float)
    d1, d2 = d1_d2(k, s)
    call = ndtr(d1) - np.exp(k) * ndtr(d2)
    put = np.exp(k) * ndtr(-d2) - ndtr(-d1)
    return np.where(k >= 0, call, put)


def _foreign_df(delta_type: str, foreign_df):
    if delta_type not in DELTA_TYPES:
        raise ValueError(f"delta_type must be one of {DELTA_TYPES}, got {delta_type!r}")
    return np.asarray(foreign_df, float) if delta_type == "spot" else 1.0


def delta_from_log_moneyness(
    k, sigma, tau, call=True, delta_type="forward", premium_adjusted=False, foreign_df=1.0
):
    """Black delta of a call (positive) or put (negative) at log-moneyness ``k``.

    ``delta_type="spot"`` multiplies by the foreign discount factor ``foreign_df``;
    ``premium_adjusted`` replaces ``N(d1)`` by ``(K/F) N(d2)`` (premium paid in foreign units)."""
    k = np.asarray(k, float)
    scale = _foreign_df(delta_type, foreign_df)
    d1, d2 = d1_d2(k, np.asarray(sigma) * np.sqrt(tau))
    sign = np.where(call, 1.0, -1.0)
    if premium_adjusted:
        return scale * sign * np.exp(k) * ndtr(sign * d2)
    return scale * sign * ndtr(sign * d1)


def log_moneyness_from_delta(
    delta, sigma, tau, call=True, delta_type="forward", premium_adjusted=False, foreign_df=1.0
):
    """Inverse of :func:`delta_from_log_moneyness` at a fixed volatility.

    Unadjusted deltas invert in closed form. Premium-adjusted put deltas are monotone in the
    strike and are found by bisection; premium-adjusted call deltas rise then fall, and the
    strike is taken on the right-hand branch (Reiswich & Wystup, section 3.1.2). A delta that
    no strike attains gives NaN."""
    scale = _foreign_df(delta_type, foreign_df)
    sign = np.where(call, 1.0, -1.0)
    d = np.asarray(delta, float) * sign / scale  # in (0, 1) when attainable
    s = np.asarray(sigma, float) * np.sqrt(tau)
    d, s, sign = np.broadcast_arrays(d, s, sign)
    if not premium_adjusted:
        with np.errstate(invalid="ignore"):
            k = 0.5 * s * s - sign * s * ndtri(d)
        return np.where((d > 0) & (d < 1), k, np.nan)
    lo, hi = _pa_bracket(s, sign)

    def pa_delta(kk):
        return np.exp(kk) * ndtr(sign * (-kk / s - 0.5 * s))

    # pa_delta decreases in k on [lo, hi] for calls and increases for puts
    target = d
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        above = (pa_delta(mid) > target) == (sign > 0)
        lo, hi = np.where(above, mid, lo), np.where(above, hi, mid)
    k = 0.5 * (lo + hi)
    ok = np.abs(pa_delta(k) - target) < 1e-9 * np.maximum(target, 1e-300) + 1e-12
    return np.where(ok & (d > 0), k, np.nan)


def _pa_bracket(s, sign):
    """Bracket in k for premium-adjusted deltas: calls on [k_peak, k_unadjusted(0+)], puts on a
    wide interval. ``k_peak`` solves ``s N(d2) = phi(d2)`` (the maximum of ``e^k N(d2)``)."""
    width = 12.0 * s + 1.0
    lo = np.where(sign > 0, 0.0, -width)
    hi = np.where(sign > 0, width, width)
    # peak of the call's premium-adjusted delta: bisection on the decreasing inverse Mills ratio
    a, b = np.full_like(s, -40.0), np.full_like(s, 40.0)
    for _ in range(120):
        m = 0.5 * (a + b)
        mills = np.exp(-0.5 * m * m) / np.sqrt(2 * np.pi) / np.maximum(ndtr(m), 1e-300)
        a, b = np.where(mills > s, m, a), np.where(mills > s, b, m)
    k_peak = -s * (0.5 * (a + b) + 0.5 * s)
    lo = np.where(sign > 0, k_peak, lo)
    return lo, hi


def strike_from_delta(delta, forward_, sigma, tau, **convention):
    """Strike for a delta (see :func:`log_moneyness_from_delta` for the conventions)."""
    return np.asarray(forward_) * np.exp(log_moneyness_from_delta(delta, sigma, tau, **convention))
