"""SABR against QuantLib's Hagan formula; SSVI's closed-form properties."""

from __future__ import annotations

import numpy as np
import pytest
from sigvae_volsurf.arbitrage import check_surfaces
from sigvae_volsurf.sabr import sabr_implied_vol
from sigvae_volsurf.ssvi import ssvi_implied_vol, ssvi_total_variance

ql = pytest.importorskip("QuantLib")


@pytest.mark.parametrize(
    ("k", "tau", "alpha", "beta", "rho", "nu"),
    [
        (0.1, 1.0, 0.1, 1.0, -0.3, 0.5),
        (-0.2, 5.0, 0.2, 0.5, -0.7, 1.0),
        (1e-9, 0.5, 0.08, 1.0, 0.2, 0.4),
        (0.0, 0.5, 0.08, 0.7, 0.2, 0.4),
        (0.35, 0.02, 0.3, 0.9, -0.9, 2.0),
    ],
)
def test_sabr_matches_quantlib(k, tau, alpha, beta, rho, nu):
    ref = ql.sabrVolatility(float(np.exp(k)), 1.0, tau, alpha, beta, nu, rho)
    assert sabr_implied_vol(k, tau, alpha, beta, rho, nu) == pytest.approx(ref, rel=1e-12)


def test_ssvi_atm_total_variance_is_theta():
    assert ssvi_total_variance(0.0, 0.03, -0.6, 1.0, 0.4) == pytest.approx(0.03)


def test_ssvi_within_the_sufficient_conditions_passes_the_checks():
    taus = np.array([0.1, 0.5, 1.0, 3.0])
    theta = 0.04 * taus * (1 + 0.1 * taus)
    k = np.tile(np.linspace(-0.8, 0.8, 21), (1, 4, 1))
    vol = ssvi_implied_vol(k, taus[None, :, None], theta[None, :, None], -0.7, 1.1, 0.4)
    flags = check_surfaces(k, vol**2 * taus[None, :, None])
    assert not flags["butterfly"][0] and not flags["calendar"][0]
