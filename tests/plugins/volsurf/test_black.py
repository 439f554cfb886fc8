"""Black delta conventions against QuantLib's BlackDeltaCalculator."""

from __future__ import annotations

import numpy as np
import pytest
from sigvae_volsurf import black

ql = pytest.importorskip("QuantLib")

TYPES = {
    ("forward", False): "Fwd",
    ("spot", False): "Spot",
    ("forward", True): "PaFwd",
    ("spot", True): "PaSpot",
}
CASES = [  # spot, r_d, r_f, tau, sigma, strike
    (1.30, 0.010, 0.005, 0.25, 0.07, 1.35),
    (1.30, 0.010, 0.005, 5.0, 0.12, 1.10),
    (100.0, 0.03, 0.01, 1.0, 0.35, 80.0),
    (100.0, 0.03, 0.01, 1 / 52, 0.2, 101.0),
]


@pytest.mark.parametrize(("delta_type", "pa"), list(TYPES))
@pytest.mark.parametrize("call", [True, False])
@pytest.mark.parametrize("case", CASES)
def test_delta_and_strike_match_quantlib(delta_type, pa, call, case):
    spot, r_d, r_f, tau, sigma, strike = case
    dd, df = np.exp(-r_d * tau), np.exp(-r_f * tau)
    fwd = black.forward(spot, r_d, r_f, tau)
    calc = ql.BlackDeltaCalculator(
        ql.Option.Call if call else ql.Option.Put,
        getattr(ql.DeltaVolQuote, TYPES[(delta_type, pa)]),
        spot,
        dd,
        df,
        sigma * np.sqrt(tau),
    )
    conv = dict(call=call, delta_type=delta_type, premium_adjusted=pa, foreign_df=df)
    k = np.log(strike / fwd)
    delta = black.delta_from_log_moneyness(k, sigma, tau, **conv)
    assert delta == pytest.approx(calc.deltaFromStrike(strike), abs=1e-12)
    back = black.strike_from_delta(delta, fwd, sigma, tau, **conv)
    assert back == pytest.approx(calc.strikeFromDelta(float(delta)), rel=1e-8)
    assert back == pytest.approx(strike, rel=1e-8)


def test_cad_file_strikes_follow_forward_unadjusted_delta():
    # one row of the real CAD file: 1M, call delta 0.10, iv 6.99 % -> K/F 1.0264058...
    k = black.log_moneyness_from_delta(0.1, 0.0699, 0.08333333)
    assert np.exp(k) == pytest.approx(1.0264058491063777, rel=1e-9)


def test_unattainable_premium_adjusted_call_delta_is_nan():
    # e^k N(d2) never exceeds its peak (< 1): a 0.99 premium-adjusted call delta does not exist
    assert np.isnan(black.log_moneyness_from_delta(0.99, 0.5, 2.0, premium_adjusted=True))
    assert np.isnan(black.log_moneyness_from_delta(1.2, 0.1, 1.0))


def test_put_call_parity_of_black_price():
    f, k, t, v = 1.2, np.array([0.9, 1.2, 1.6]), 0.7, 0.15
    c = black.black_price(f, k, t, v, call=True, discount=0.98)
    p = black.black_price(f, k, t, v, call=False, discount=0.98)
    np.testing.assert_allclose(c - p, 0.98 * (f - k), atol=1e-14)
