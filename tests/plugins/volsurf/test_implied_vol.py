"""Implied-vol inversion: round trips from the ATM point to the deep wings."""

from __future__ import annotations

import numpy as np
import pytest
from sigvae_volsurf import black
from sigvae_volsurf.implied_vol import implied_total_std, implied_vol, implied_vol_from_price


def test_round_trip_over_a_wide_grid_including_deep_wings():
    k = np.linspace(-3.0, 3.0, 121)[:, None]
    s = np.geomspace(0.005, 3.0, 80)[None, :]
    price = black.normalised_otm_price(k, s)
    ok = price > 1e-280  # below that the price itself underflows to zero
    got = implied_total_std(k, price)
    rel = np.abs(got / s - 1.0)
    assert ok[np.abs(k / s) < 30].all()  # everything within 30 standard deviations is tested
    assert rel[ok].max() < 1e-9
    assert np.isfinite(got[ok]).all()


def test_tiny_wing_price_is_inverted_precisely():
    # 8 standard deviations out: the price is ~1e-16 of the forward and still inverts
    k, s = 0.8, 0.1
    price = black.normalised_otm_price(k, s)
    assert price < 1e-14
    assert implied_total_std(k, price) == pytest.approx(s, rel=1e-9)


def test_prices_outside_arbitrage_bounds_give_nan():
    k = np.array([0.1, 0.1, -0.1, 0.0])
    p = np.array([0.0, 1.0, np.exp(-0.1), -1e-3])
    assert np.isnan(implied_total_std(k, p)).all()


def test_itm_call_and_put_prices_via_parity():
    f, t, v = 100.0, 0.5, 0.27
    strikes = np.array([60.0, 95.0, 100.0, 130.0])
    for call in (True, False):
        price = black.black_price(f, strikes, t, v, call=call, discount=0.97)
        got = implied_vol_from_price(price, f, strikes, t, call=call, discount=0.97)
        np.testing.assert_allclose(got, v, rtol=1e-9)


def test_implied_vol_scales_with_maturity():
    assert implied_vol(0.0, 4.0, black.normalised_otm_price(0.0, 0.4)) == pytest.approx(0.2)
