"""Heston and Bates semi-analytic prices against QuantLib and against the Black limit."""

from __future__ import annotations

import numpy as np
import pytest
from sigvae_volsurf import black
from sigvae_volsurf.heston import HestonParams, implied_vols, otm_prices
from sigvae_volsurf.implied_vol import implied_vol

ql = pytest.importorskip("QuantLib")

TODAY = ql.Date(2, 1, 2024)
DAYS = [7, 91, 365, 1826]  # 1W, 3M, 1Y, 5Y
CASES = [  # v0, kappa, theta, sigma, rho, lam, mu_j, delta_j
    (0.006, 1.5, 0.009, 0.35, 0.15, 0.0, 0.0, 0.0),  # FX-like
    (0.04, 2.0, 0.06, 0.9, -0.75, 0.0, 0.0, 0.0),  # equity-like, steep skew
    (0.02, 0.8, 0.03, 0.5, -0.4, 0.6, -0.12, 0.15),  # Bates
    (0.01, 3.0, 0.015, 0.25, 0.3, 1.5, 0.03, 0.05),  # Bates, FX-like
]


def _quantlib_otm(case, days, strike):
    v0, kappa, theta, sigma, rho, lam, mu_j, delta_j = case
    ql.Settings.instance().evaluationDate = TODAY
    flat = ql.YieldTermStructureHandle(ql.FlatForward(TODAY, 0.0, ql.Actual365Fixed()))
    spot = ql.QuoteHandle(ql.SimpleQuote(1.0))
    if lam > 0:
        process = ql.BatesProcess(
            flat, flat, spot, v0, kappa, theta, sigma, rho, lam, mu_j, delta_j
        )
        engine = ql.BatesEngine(ql.BatesModel(process), 1e-10, 1_000_000)
    else:
        process = ql.HestonProcess(flat, flat, spot, v0, kappa, theta, sigma, rho)
        engine = ql.AnalyticHestonEngine(ql.HestonModel(process), 1e-10, 1_000_000)
    kind = ql.Option.Call if strike >= 1.0 else ql.Option.Put
    option = ql.VanillaOption(
        ql.PlainVanillaPayoff(kind, strike), ql.EuropeanExercise(TODAY + days)
    )
    option.setPricingEngine(engine)
    return option.NPV()


@pytest.mark.parametrize("case", CASES)
def test_implied_vols_match_quantlib(case):
    taus = np.array(DAYS) / 365.0
    # strikes at forward deltas 0.10 ... 0.90 of a flat smile at sqrt(v0)
    deltas = np.array([0.1, 0.25, 0.5, 0.75, 0.9])
    k = black.log_moneyness_from_delta(deltas[None, :], np.sqrt(case[0]), taus[:, None])
    params = HestonParams(*(np.array([v]) for v in case))
    ours = implied_vols(k[None], taus, params)[0]
    for i, days in enumerate(DAYS):
        ref_prices = np.array([_quantlib_otm(case, days, np.exp(kk)) for kk in k[i]])
        ref = implied_vol(k[i], taus[i], ref_prices)
        assert np.isfinite(ref).all()
        np.testing.assert_allclose(ours[i], ref, atol=2e-7)


def test_no_vol_of_vol_is_black():
    # sigma -> 0 with v0 = theta: the variance stays put and prices are Black's at sqrt(theta)
    params = HestonParams(*(np.array([v]) for v in (0.04, 1.0, 0.04, 1e-4, 0.0)))
    k = np.linspace(-0.5, 0.5, 11)[None, None, :]
    prices = otm_prices(k, np.array([2.0]), params)
    np.testing.assert_allclose(
        prices[0, 0], black.normalised_otm_price(k[0, 0], 0.2 * np.sqrt(2)), atol=1e-9
    )


def test_batched_equals_one_by_one():
    rng = np.random.default_rng(1)
    n = 3
    params = HestonParams(
        rng.uniform(0.01, 0.05, n),
        rng.uniform(0.5, 3, n),
        rng.uniform(0.01, 0.05, n),
        rng.uniform(0.2, 0.8, n),
        rng.uniform(-0.7, 0.3, n),
    )
    k = rng.normal(0, 0.1, (n, 2, 4))
    taus = np.array([0.25, 2.0])
    together = otm_prices(k, taus, params)
    for i in range(n):
        single = HestonParams(
            *(
                np.atleast_1d(getattr(params, f)[i])
                for f in ("v0", "kappa", "theta", "sigma", "rho")
            )
        )
        np.testing.assert_allclose(
            together[i], otm_prices(k[i : i + 1], taus, single)[0], rtol=1e-12
        )
