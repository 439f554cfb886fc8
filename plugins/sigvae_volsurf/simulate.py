"""Simulated implied-volatility surfaces on a delta grid, free of static arbitrage.

Four generators: Heston and Bates (semi-analytic prices inverted to implied vols), SABR (Hagan's
expansion, one parameter set per tenor) and SSVI. Each draw is FX-like or equity-like with the
parameter ranges in :mod:`sigvae_volsurf.simulation_params`. For every surface and tenor the
smile is computed on a dense log-moneyness grid around the money, the grid deltas are located on
it (``delta = N(d1(k, sigma(k)))`` solved by bisection on a spline of the smile), and the
surface is checked for butterfly and calendar arbitrage between the 0.05 and 0.95 deltas. Any
surface that fails (arbitrage, a failed inversion, a delta outside the dense grid) is rejected
and replaced by a fresh draw; the counts are reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.special import ndtr

from sigvae_volsurf.arbitrage import check_surfaces
from sigvae_volsurf.grid import Grid
from sigvae_volsurf.simulation_params import (
    MODELS,
    atm_total_std,
    draw_parameters,
    draw_time_change,
    smile_iv,
    time_changed,
)
from sigvae_volsurf.spline import BatchedSpline

DENSE_Z = np.linspace(-5.0, 5.0, 41)  # dense grid in units of the ATM total std
CHECK_DELTAS = (0.95, 0.05)  # arbitrage is checked between these call deltas
CHECK_POINTS = 41
VOL_RANGE = (0.01, 2.0)
CHUNK = 64


@dataclass
class SimulationReport:
    """How many surfaces each generator drew, kept and rejected (by reason)."""

    drawn: dict[str, int] = field(default_factory=dict)
    kept: dict[str, int] = field(default_factory=dict)
    rejected: dict[str, dict[str, int]] = field(default_factory=dict)


def locate_deltas(k, iv, taus, deltas, iterations=50):
    """Log-moneyness and vol at each target forward call delta, on smiles sampled at ``k``
    (``[n, m, j]`` increasing in ``k``). Returns ``(k_at, iv_at, ok)`` with ``ok`` False where a
    target is not crossed exactly once (the dense grid is too narrow for the smile, or delta is
    not monotone around the target)."""
    tau = taus[..., None]
    spline = BatchedSpline(k, iv)
    delta_dense = ndtr(-k / (iv * np.sqrt(tau)) + 0.5 * iv * np.sqrt(tau))
    targets = np.broadcast_to(np.asarray(deltas, float), k.shape[:-1] + (len(deltas),))
    above = delta_dense[..., None, :] >= targets[..., None]  # [n, m, t, j]
    # exactly one crossing, from above the target to below it, brackets a unique solution
    crossings = np.diff(above.astype(np.int8), axis=-1)
    ok = above[..., 0] & (crossings != 0).sum(-1) == 1
    idx = np.argmin(above, axis=-1).clip(1, k.shape[-1] - 1) - 1
    lo = np.take_along_axis(k, idx, -1)
    hi = np.take_along_axis(k, idx + 1, -1)
    for _ in range(iterations):
        mid = 0.5 * (lo + hi)
        s = spline(mid) * np.sqrt(tau)
        high = ndtr(-mid / s + 0.5 * s) > targets  # delta still above target: move right
        lo, hi = np.where(high, mid, lo), np.where(high, hi, mid)
    k_at = 0.5 * (lo + hi)
    return k_at, spline(k_at), ok


def _fill_invalid(iv, valid):
    """Replace invalid dense-grid vols by the nearest valid one along the smile (they are only
    placeholders: surfaces that need them are rejected)."""
    j = np.arange(iv.shape[-1])
    left = np.maximum.accumulate(np.where(valid, j, -1), axis=-1)
    right = np.flip(np.minimum.accumulate(np.flip(np.where(valid, j, 10**9), -1), axis=-1), -1)
    nearest = np.where(left >= 0, left, right).clip(0, iv.shape[-1] - 1)
    return np.take_along_axis(iv, nearest, -1)


def _simulate_chunk(model, params, grid: Grid, taus):
    """Grid vols ``[n, m, d]``, log-moneyness, and per-surface rejection reasons."""
    s_atm = atm_total_std(model, params, taus)  # [n, m]
    k = 0.5 * s_atm[..., None] ** 2 + s_atm[..., None] * DENSE_Z
    with np.errstate(invalid="ignore", over="ignore"):
        iv = smile_iv(model, params, k, taus)
    valid = np.isfinite(iv) & (iv > VOL_RANGE[0]) & (iv < VOL_RANGE[1])
    reason = np.full(k.shape[0], "", dtype=object)
    reason[~valid.any(axis=-1).all(axis=-1)] = "implied vol failed or out of range"
    iv = _fill_invalid(np.where(valid, iv, 0.2), valid)
    targets = np.concatenate([grid.deltas, CHECK_DELTAS])
    k_at, iv_at, ok = locate_deltas(k, iv, taus, targets)
    d = len(grid.deltas)
    lo, hi = k_at[..., d], k_at[..., d + 1]
    step = s_atm[..., None] * (DENSE_Z[1] - DENSE_Z[0])
    needed = (k >= lo[..., None] - step) & (k <= hi[..., None] + step)
    reason[(reason == "") & (needed & ~valid).any(axis=(1, 2))] = (
        "implied vol failed or out of range"
    )
    reason[(reason == "") & ~ok.all(axis=(1, 2))] = "delta outside the dense smile"
    k_chk = lo[..., None] + (hi - lo)[..., None] * np.linspace(0, 1, CHECK_POINTS)
    w_chk = BatchedSpline(k, iv)(k_chk) ** 2 * taus[:, None]
    flags = check_surfaces(k_chk, w_chk)
    reason[(reason == "") & flags["butterfly"]] = "butterfly arbitrage"
    reason[(reason == "") & flags["calendar"]] = "calendar arbitrage"
    return k_at[..., :d], iv_at[..., :d], reason


def simulate_on_clock(model, params, grid: Grid, taus, u: float = 0.0):
    """:func:`_simulate_chunk` for maturities ``taus`` on the clock ``time_changed(taus, u)``:
    each slice is the generator's slice at ``T(tau)``, with the same total variance and
    log-moneyness at each delta, so only its vols are rescaled to the grid's maturities."""
    clock = time_changed(taus, u)
    k_at, iv_at, reason = _simulate_chunk(model, params, grid, clock)
    return k_at, iv_at * np.sqrt(clock / taus)[None, :, None], reason


def simulate_surfaces(
    n_per_model: int | dict[str, int],
    grid: Grid | None = None,
    seed: int = 0,
    models: tuple[str, ...] = MODELS,
    equity_share: float = 0.3,
    max_draw_factor: int = 20,
    fx_box: str = "standard",
    time_change_share: float = 0.0,
) -> tuple[pd.DataFrame, SimulationReport]:
    """``n_per_model`` arbitrage-free surfaces from each generator, as one long DataFrame with
    columns ``group, model, market, tenor, tau, delta, log_moneyness, iv`` (one row per grid
    point, ``group`` naming the surface), plus a :class:`SimulationReport`. ``fx_box`` picks
    the FX parameter ranges (:func:`~sigvae_volsurf.simulation_params.draw_parameters`);
    ``time_change_share`` is the share of draws (batches of ``CHUNK``, each with its own clock)
    whose maturities are time-changed
    (:func:`~sigvae_volsurf.simulation_params.time_changed`)."""
    grid = grid or Grid()
    taus = grid.taus
    rng = np.random.default_rng(seed)
    wanted = n_per_model if isinstance(n_per_model, dict) else dict.fromkeys(models, n_per_model)
    report = SimulationReport()
    frames = []
    for model, n_wanted in wanted.items():
        if model not in MODELS:
            raise ValueError(f"unknown surface model {model!r}; choose from {MODELS}")
        kept_iv, kept_k, kept_market, drawn = [], [], [], 0
        reasons: dict[str, int] = {}
        while sum(len(a) for a in kept_iv) < n_wanted and drawn < max_draw_factor * n_wanted:
            params, market = draw_parameters(model, CHUNK, rng, equity_share, fx_box)
            drawn += CHUNK
            u = draw_time_change(rng, time_change_share)
            k_at, iv_at, reason = simulate_on_clock(model, params, grid, taus, u)
            good = reason == ""
            for r in reason[~good]:
                reasons[r] = reasons.get(r, 0) + 1
            kept_iv.append(iv_at[good])
            kept_k.append(k_at[good])
            kept_market.append(market[good])
        iv = np.concatenate(kept_iv)[:n_wanted]
        k = np.concatenate(kept_k)[:n_wanted]
        market = np.concatenate(kept_market)[:n_wanted]
        report.drawn[model], report.kept[model], report.rejected[model] = drawn, len(iv), reasons
        frames.append(_long_frame(model, iv, k, market, grid))
    return pd.concat(frames, ignore_index=True), report


def _long_frame(model: str, iv, k, market, grid: Grid) -> pd.DataFrame:
    n, m, d = iv.shape
    surface = np.repeat(np.arange(n), m * d)
    return pd.DataFrame(
        {
            "group": [f"{model}-{i:06d}" for i in surface],
            "model": model,
            "market": np.repeat(market, m * d),
            "tenor": np.tile(np.repeat(grid.tenors, d), n),
            "tau": np.tile(np.repeat(grid.taus, d), n),
            "delta": np.tile(np.asarray(grid.deltas, float), n * m),
            "log_moneyness": k.ravel(),
            "iv": iv.ravel(),
        }
    )
