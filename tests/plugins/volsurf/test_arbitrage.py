"""Arbitrage checks on hand-built surfaces with known answers."""

from __future__ import annotations

import numpy as np
import pytest
from sigvae_volsurf.arbitrage import (
    butterfly_min_g,
    calendar_max_drop,
    check_surfaces,
    durrleman_g,
)

# Gatheral & Jacquier (2014), Example 3.1 (Axel Vogt's raw SVI at T = 1): g < 0 near k ~ 0.9
VOGT = dict(a=-0.0410, b=0.1331, m=0.3586, rho=0.3060, sigma=0.4153)


def raw_svi(k, a, b, m, rho, sigma):
    r = np.sqrt((k - m) ** 2 + sigma**2)
    return a + b * (rho * (k - m) + r), b * (rho + (k - m) / r), b * sigma**2 / r**3


def test_durrleman_g_hand_value_uses_the_squared_slope():
    # w = 0.04, w' = 0.3, w'' = 0 at k = 0: g = 1 - 0.09/4 * (25 + 0.25) = 0.431875
    assert durrleman_g(0.0, 0.04, 0.3, 0.0) == pytest.approx(0.431875)
    # with the slope unsquared this smile would be flagged: 1 - 0.3/4 * 25.25 < 0


def test_vogt_svi_has_butterfly_arbitrage_where_the_paper_says():
    k = np.linspace(-1.5, 1.5, 3001)
    g = durrleman_g(k, *raw_svi(k, **VOGT))
    negative = k[g < 0]
    assert negative.size and 0.6 < negative.min() < 0.7 and 1.2 < negative.max() < 1.3


def test_spline_check_finds_vogt_arbitrage_from_samples():
    k = np.linspace(-1.5, 1.5, 41)
    w = raw_svi(k, **VOGT)[0]
    assert butterfly_min_g(k[None], w[None])[0] < -0.02
    # the same smile restricted to k < 0.4 is arbitrage-free
    left = k[k < 0.4]
    assert butterfly_min_g(left[None], raw_svi(left, **VOGT)[0][None])[0] > 0


def test_flat_surface_is_free_of_arbitrage():
    taus = np.array([0.1, 0.5, 1.0, 2.0])
    k = np.tile(np.linspace(-0.3, 0.3, 5), (1, 4, 1))
    w = 0.04 * taus[None, :, None] * np.ones_like(k)
    flags = check_surfaces(k, w)
    assert not flags["butterfly"][0] and not flags["calendar"][0]
    assert flags["min_g"][0] == pytest.approx(1.0)


def test_falling_total_variance_is_calendar_arbitrage():
    k = np.tile(np.linspace(-0.2, 0.2, 5), (1, 2, 1))
    w = np.stack([np.full(5, 0.2**2 * 1.0), np.full(5, 0.15**2 * 1.2)])[None]
    drop = calendar_max_drop(k, w)
    assert drop[0, 0] == pytest.approx(1 - 0.15**2 * 1.2 / 0.2**2)
    assert check_surfaces(k, w)["calendar"][0]


def test_calendar_uses_common_log_moneyness_only():
    # the longer tenor is lower only outside the shorter tenor's range: no violation
    k = np.array([[[-0.1, 0.0, 0.1], [-0.5, 0.0, 0.5]]])
    w = np.array([[[0.011, 0.010, 0.011], [0.05, 0.02, 0.005]]])
    assert calendar_max_drop(k, w)[0, 0] == 0.0
