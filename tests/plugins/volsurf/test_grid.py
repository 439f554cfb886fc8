"""Tenor strings and the grid."""

from __future__ import annotations

import numpy as np
import pytest
from sigvae_volsurf.grid import Grid, tenor_to_years, years_to_tenor

from sigvae.errors import SigvaeError


@pytest.mark.parametrize(
    ("tenor", "years"),
    [("1W", 7 / 365), ("1M", 1 / 12), ("18m", 1.5), ("5Y", 5.0), ("10D", 10 / 365)],
)
def test_tenor_to_years(tenor, years):
    assert tenor_to_years(tenor) == pytest.approx(years)


@pytest.mark.parametrize("bad", ["1X", "M", "", "0M", "1.5Y", "abc", "-1M"])
def test_unknown_tenor_strings_are_errors(bad):
    with pytest.raises(SigvaeError, match="unknown tenor"):
        tenor_to_years(bad)


def test_years_to_tenor_round_trip():
    for t in ("1W", "1M", "9M", "1Y", "5Y"):
        assert years_to_tenor(tenor_to_years(t)) == t


def test_grid_coordinates_are_row_major():
    grid = Grid(("1M", "1Y"), (0.25, 0.75))
    np.testing.assert_allclose(
        grid.coordinates(), [[1 / 12, 0.25], [1 / 12, 0.75], [1, 0.25], [1, 0.75]]
    )


def test_grid_parse_and_errors():
    g = Grid.parse("1M,3M,1Y,0.1,0.5,0.9")
    assert g.tenors == ("1M", "3M", "1Y") and g.deltas == (0.1, 0.5, 0.9)
    for bad in ("0.1,0.5", "1M,3M", "1M,0.5,3M", "1Q,0.5", "1M,0.5,1.2", "3M,1M,0.5"):
        with pytest.raises(SigvaeError):
            Grid.parse(bad)
