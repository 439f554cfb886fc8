"""Simulated surfaces: shape, determinism, arbitrage-freedom, and delta placement."""

from __future__ import annotations

import numpy as np
import pytest
from sigvae_volsurf import black
from sigvae_volsurf.arbitrage import check_surfaces
from sigvae_volsurf.grid import Grid
from sigvae_volsurf.simulate import locate_deltas, simulate_surfaces

GRID = Grid(("1W", "3M", "1Y", "5Y"), (0.1, 0.25, 0.5, 0.75, 0.9))


@pytest.fixture(scope="module")
def small():
    return simulate_surfaces(6, grid=GRID, seed=3)


def test_long_frame_has_one_row_per_grid_point(small):
    frame, report = small
    assert set(frame.columns) >= {"group", "model", "tenor", "tau", "delta", "log_moneyness", "iv"}
    assert frame.groupby("group").size().eq(GRID.size).all()
    assert report.kept == {"heston": 6, "bates": 6, "sabr": 6, "ssvi": 6}
    assert all(report.drawn[m] >= 6 for m in report.kept)
    assert frame["iv"].between(0.01, 2.0).all()


def test_same_seed_same_surfaces(small):
    again, _ = simulate_surfaces(6, grid=GRID, seed=3)
    np.testing.assert_array_equal(small[0]["iv"].to_numpy(), again["iv"].to_numpy())


def test_grid_points_sit_at_their_deltas_and_are_arbitrage_free(small):
    frame, _ = small
    tau, k, iv = frame["tau"].to_numpy(), frame["log_moneyness"].to_numpy(), frame["iv"].to_numpy()
    delta = black.delta_from_log_moneyness(k, iv, tau)
    np.testing.assert_allclose(delta, frame["delta"], atol=1e-9)
    n = frame["group"].nunique()
    shape = (n, *GRID.shape)
    flags = check_surfaces(k.reshape(shape), (iv**2 * tau).reshape(shape))
    assert not flags["calendar"].any()
    assert not flags["butterfly"].any()


def test_locate_deltas_on_a_flat_smile_is_the_closed_form():
    taus = np.array([0.25, 2.0])
    k = np.linspace(-1, 1, 41)[None, None, :].repeat(2, axis=1)
    iv = np.full_like(k, 0.2)
    k_at, iv_at, ok = locate_deltas(k, iv, taus, np.array([0.1, 0.5, 0.9]))
    expect = black.log_moneyness_from_delta(np.array([0.1, 0.5, 0.9]), 0.2, taus[:, None])
    np.testing.assert_allclose(k_at[0], expect, atol=1e-10)
    assert ok.all() and np.allclose(iv_at, 0.2)
