"""The simulator's time change: a changed clock must give arbitrage-free surfaces whose total
variance at each (log-moneyness, maturity) is the generator's at the changed maturity."""

from __future__ import annotations

import numpy as np
import pytest
from sigvae_volsurf.evaluators import surface_arbitrage_flags
from sigvae_volsurf.grid import Grid
from sigvae_volsurf.params import SimulatedReaderParams
from sigvae_volsurf.simulate import simulate_on_clock, simulate_surfaces
from sigvae_volsurf.simulation_params import (
    TIME_CHANGE_U,
    draw_parameters,
    draw_time_change,
    smile_iv,
    time_changed,
)
from sigvae_volsurf.surface_table import frame_to_grid

GRID = Grid(("1M", "6M", "1Y", "3Y", "5Y"), (0.1, 0.25, 0.5, 0.75, 0.9))


@pytest.mark.parametrize("u", [TIME_CHANGE_U[0], 0.0, 0.7, TIME_CHANGE_U[1]])
def test_clock_is_increasing_and_scales_the_longest_total_variance_by_one_plus_u(u):
    taus = np.linspace(1 / 52, 5.0, 400)
    clock = time_changed(taus, u)
    assert (np.diff(clock) > 0).all()
    assert clock[-1] == pytest.approx(5.0 * (1 + u))
    assert clock[0] == pytest.approx(taus[0], rel=0.01)  # short maturities barely move


@pytest.mark.parametrize("model", ["heston", "ssvi"])
def test_changed_surface_has_the_generators_total_variance_at_the_changed_maturity(model):
    params, _ = draw_parameters(model, 8, np.random.default_rng(4), equity_share=0.0)
    taus, u = GRID.taus, 1.2
    k_at, iv_at, reason = simulate_on_clock(model, params, GRID, taus, u)
    keep = reason == ""
    assert keep.sum() >= 4
    clock = time_changed(taus, u)
    # the generator itself, priced at the changed maturities and the returned log-moneyness
    direct = smile_iv(model, {n: v[keep] for n, v in params.items()}, k_at[keep], clock)
    np.testing.assert_allclose(
        iv_at[keep] ** 2 * taus[:, None], direct**2 * clock[:, None], rtol=2e-3
    )


def test_changed_surfaces_pass_the_arbitrage_evaluators():
    changed, report = simulate_surfaces(
        40, GRID, seed=3, models=("heston", "sabr"), equity_share=0.0, time_change_share=1.0
    )
    assert report.kept == {"heston": 40, "sabr": 40}
    flags = surface_arbitrage_flags(frame_to_grid(changed, GRID)[0], GRID)
    assert not flags["butterfly"].any() and not flags["calendar"].any()


def test_no_time_change_draws_nothing_and_keeps_the_surfaces():
    rng = np.random.default_rng(0)
    state = rng.bit_generator.state
    assert draw_time_change(rng, 0.0) == 0.0
    assert rng.bit_generator.state == state
    a, _ = simulate_surfaces(5, GRID, seed=1, models=("sabr",))
    b, _ = simulate_surfaces(5, GRID, seed=1, models=("sabr",), time_change_share=0.0)
    np.testing.assert_array_equal(a["iv"].to_numpy(), b["iv"].to_numpy())


def test_time_change_draws_lie_in_their_range_with_the_asked_share():
    rng = np.random.default_rng(2)
    draws = np.array([draw_time_change(rng, 0.5) for _ in range(2000)])
    changed = draws != 0.0
    assert 0.45 < changed.mean() < 0.55
    assert draws[changed].min() >= TIME_CHANGE_U[0] and draws[changed].max() <= TIME_CHANGE_U[1]


def test_reader_refuses_a_share_outside_zero_one():
    with pytest.raises(ValueError, match="time_change_share"):
        SimulatedReaderParams(time_change_share=1.5)
