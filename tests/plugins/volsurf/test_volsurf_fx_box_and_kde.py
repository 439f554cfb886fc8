"""The wide FX parameter box of the simulator and the KDE bandwidth rules of generation."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from sigvae_volsurf.generation import bandwidth_factor, sample_latents
from sigvae_volsurf.grid import Grid
from sigvae_volsurf.simulate import simulate_surfaces
from sigvae_volsurf.simulation_params import RANGES, WIDE_FX, draw_parameters

from sigvae.errors import SigvaeError


def test_wide_box_draws_fx_parameters_in_its_ranges_and_keeps_equity_ranges():
    p, market = draw_parameters("heston", 4000, np.random.default_rng(0), 0.5, "wide")
    fx, eq = market == "fx", market == "equity"
    lo, hi = WIDE_FX["heston"]["rho"]
    assert p["rho"][fx].min() >= lo and p["rho"][fx].max() <= hi
    assert p["rho"][fx].max() > RANGES["heston"]["rho"][0][1]  # wider than the standard box
    eq_lo, eq_hi = RANGES["heston"]["rho"][1]
    assert p["rho"][eq].min() >= eq_lo and p["rho"][eq].max() <= eq_hi


def test_standard_box_is_unchanged_by_the_option():
    a, _ = draw_parameters("sabr", 50, np.random.default_rng(1), 0.1)
    b, _ = draw_parameters("sabr", 50, np.random.default_rng(1), 0.1, "standard")
    for name in a:
        np.testing.assert_array_equal(a[name], b[name])


def test_unknown_box_is_refused():
    with pytest.raises(ValueError, match="FX parameter box"):
        draw_parameters("ssvi", 3, np.random.default_rng(0), 0.1, "huge")


def test_wide_box_surfaces_simulate():
    frame, report = simulate_surfaces(
        3, grid=Grid(("1M", "1Y"), (0.1, 0.5, 0.9)), seed=2, fx_box="wide"
    )
    assert report.kept == {"heston": 3, "bates": 3, "sabr": 3, "ssvi": 3}
    assert frame["iv"].between(0.01, 2.0).all()


def test_bandwidth_rules_follow_scott_and_silverman():
    n, d = 4096, 6
    assert bandwidth_factor("scott", n, d) == pytest.approx(n ** (-0.1))
    assert bandwidth_factor("silverman", n, d) == pytest.approx((n * 8 / 4) ** (-0.1))
    assert bandwidth_factor(0.2, n, d) == 0.2
    for bad in ("wide", -1.0, True):
        with pytest.raises(SigvaeError, match="bandwidth"):
            bandwidth_factor(bad, n, d)


class _Bank:
    latent_dim = 2

    def training_latents(self):
        return torch.tensor([[0.0, 0.0], [1.0, 1.0], [2.0, 0.0], [3.0, 1.0]] * 4)


def test_zero_bandwidth_returns_training_latents_and_wider_spreads_more():
    model = _Bank()
    bank = model.training_latents()
    exact = sample_latents(model, 200, seed=0, bandwidth=0.0)
    assert all(any(torch.equal(z, b) for b in bank) for z in exact)
    narrow = sample_latents(model, 2000, seed=0, bandwidth="silverman")
    wide = sample_latents(model, 2000, seed=0, bandwidth=1.0)
    assert (wide - exact.mean(0)).std() > (narrow - exact.mean(0)).std()
