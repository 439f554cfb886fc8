"""Between long tables of quotes and grid arrays: the ``volsurf-grid`` preprocessor's work.

A long table has one row per quote (``group, tau, delta, iv`` at least, as produced by
:mod:`sigvae_volsurf.observations` or :mod:`sigvae_volsurf.simulate`); a grid array has one row
per surface, its vols flattened in (tenor, delta) row-major order. Quotes are matched to grid
points by maturity (within 1e-4 years) and delta (within 1e-4); grid points without a quote are
NaN in ``x`` and 0 in ``mask``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sigvae.data import Arrays
from sigvae.errors import DataError
from sigvae_volsurf.grid import Grid

TAU_TOL = 1e-4
DELTA_TOL = 1e-4


def grid_index(frame: pd.DataFrame, grid: Grid, source="<frame>", drop_off_grid=False):
    """Flat grid index of every row (``-1`` for rows off the grid when ``drop_off_grid``)."""
    taus, deltas = grid.taus, np.asarray(grid.deltas, float)
    ti = np.abs(frame["tau"].to_numpy(float)[:, None] - taus[None, :])
    di = np.abs(frame["delta"].to_numpy(float)[:, None] - deltas[None, :])
    t_ok, d_ok = ti.min(axis=1) <= TAU_TOL, di.min(axis=1) <= DELTA_TOL
    index = np.where(t_ok & d_ok, ti.argmin(axis=1) * len(deltas) + di.argmin(axis=1), -1)
    if not drop_off_grid and (index < 0).any():
        row = frame.iloc[int(np.flatnonzero(index < 0)[0])]
        raise DataError(
            f"{int((index < 0).sum())} quotes are off the grid, first tau {row['tau']:g} delta "
            f"{row['delta']:.4f}; set drop_off_grid: true or choose the grid's tenors and deltas",
            path=source,
        )
    return index


def frame_to_grid(frame: pd.DataFrame, grid: Grid, source="<frame>", drop_off_grid=False):
    """``(vols [n, grid.size] with NaN where missing, group names [n])``."""
    for col in ("group", "tau", "delta", "iv"):
        if col not in frame.columns:
            raise DataError(f"missing column {col!r}", path=source)
    index = grid_index(frame, grid, source, drop_off_grid)
    keep = index >= 0
    groups, row = np.unique(frame["group"].astype(str).to_numpy()[keep], return_inverse=True)
    vols = np.full((len(groups), grid.size), np.nan)
    vols[row, index[keep]] = frame["iv"].to_numpy(float)[keep]
    return vols, groups


def grid_to_frame(vols: np.ndarray, grid: Grid, groups=None, observed=None) -> pd.DataFrame:
    """The long table of ``vols [n, grid.size]``, with log-moneyness from each point's own vol
    (forward unadjusted delta); ``observed`` (same shape, bool) adds an ``observed`` column."""
    from sigvae_volsurf.black import log_moneyness_from_delta

    n = len(vols)
    groups = np.arange(n).astype(str) if groups is None else np.asarray(groups).astype(str)
    coords = grid.coordinates()
    tau = np.tile(coords[:, 0], n)
    delta = np.tile(coords[:, 1], n)
    iv = np.asarray(vols, float).ravel()
    out = pd.DataFrame(
        {
            "group": np.repeat(groups, grid.size),
            "tenor": np.tile(np.repeat(grid.tenors, len(grid.deltas)), n),
            "tau": tau,
            "delta": delta,
            "log_moneyness": log_moneyness_from_delta(delta, iv, tau),
            "iv": iv,
        }
    )
    if observed is not None:
        out["observed"] = np.asarray(observed, bool).ravel()
    return out


class GridPreprocessor:
    """Frame of quotes -> :class:`Arrays` with one flattened surface per group. Stateless."""

    def __init__(self, params) -> None:
        self.params = params
        self.grid = Grid(tuple(params.tenors), tuple(params.deltas))

    def fit(self, data):
        return self

    def transform(self, frame: pd.DataFrame) -> Arrays:
        vols, groups = frame_to_grid(frame, self.grid, drop_off_grid=self.params.drop_off_grid)
        observed = np.isfinite(vols)
        if self.params.complete_only:
            full = observed.all(axis=1)
            vols, groups, observed = vols[full], groups[full], observed[full]
        if len(vols) == 0:
            raise DataError("no surface has quotes at every grid point (complete_only is set)")
        mask = None if observed.all() else observed.astype(np.float32)
        x = np.where(observed, vols, np.nanmean(vols)).astype(np.float32)
        return Arrays(x=x, mask=mask, groups=groups, info={"grid": self.grid.to_dict()})

    def inverse_transform(self, arrays: Arrays) -> pd.DataFrame:
        observed = None if arrays.mask is None else arrays.mask > 0
        return grid_to_frame(arrays.x, self.grid, arrays.groups, observed)
