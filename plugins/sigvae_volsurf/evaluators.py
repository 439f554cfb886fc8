"""Evaluators: ``evaluate(reference, estimate, **context) -> dict[str, float]``.

Surfaces arrive as flattened grids ``[n, tenors * deltas]`` of vols; the grid is the model's
(``context["model"].grid``) or the default one.
"""

from __future__ import annotations

import warnings

import numpy as np

from sigvae.errors import SigvaeError
from sigvae_volsurf.grid import Grid


def _grid_of(context, fallback: Grid | None = None) -> Grid:
    model = context.get("model")
    return getattr(model, "grid", None) or fallback or Grid()


def surface_arbitrage_flags(vols: np.ndarray, grid: Grid, **tols) -> dict[str, np.ndarray]:
    """Per-surface arbitrage flags of flattened grids ``[n, grid.size]``."""
    from sigvae_volsurf.arbitrage import check_surfaces
    from sigvae_volsurf.black import log_moneyness_from_delta

    vols = np.asarray(vols, float).reshape(-1, *grid.shape)
    taus = grid.taus[None, :, None]
    k = log_moneyness_from_delta(np.asarray(grid.deltas)[None, None, :], vols, taus)
    return check_surfaces(k, vols**2 * taus, **tols)


class ArbitrageEvaluator:
    """Share of estimated (reconstructed) surfaces with butterfly or calendar arbitrage."""

    def __init__(self, params) -> None:
        self.params = params

    def evaluate(self, reference, estimate, **context) -> dict[str, float]:
        flags = surface_arbitrage_flags(
            estimate,
            _grid_of(context, self.params.grid()),
            butterfly_tol=self.params.butterfly_tol,
            calendar_tol=self.params.calendar_tol,
        )
        return {
            "butterfly_violation_rate": float(flags["butterfly"].mean()),
            "calendar_violation_rate": float(flags["calendar"].mean()),
            "arbitrage_violation_rate": float((flags["butterfly"] | flags["calendar"]).mean()),
        }


def random_masks(available: np.ndarray, observed: int, rng) -> np.ndarray:
    """Boolean masks with ``observed`` random points per row, drawn among ``available``."""
    keys = np.where(available, rng.uniform(size=available.shape), np.inf)
    order = np.argsort(keys, axis=1)
    mask = np.zeros(available.shape, bool)
    np.put_along_axis(mask, order[:, :observed], True, axis=1)
    return mask & available


def completion_errors(
    model,
    vols,
    masks,
    starts=None,
    seed=0,
    available=None,
    method="levenberg-marquardt",
    prior_weight=1.0,
    observed_vols=None,
    misfit=True,
) -> dict[str, float]:
    """MAE/RMSE (vol basis points) on the unobserved (and ``available``) points, seconds per
    surface, and how well the completion's standard deviations cover the errors: the median
    s.d. (bp) and the shares of errors within one and two s.d. (0.68 and 0.95 if they were
    exact Gaussian). ``observed_vols`` (default ``vols``) are the values the completion sees at
    the observed points, e.g. ``vols`` plus quote noise; errors are always scored against
    ``vols``. ``misfit``: whether the s.d. is widened by the fit's reduced chi-square
    (:func:`~sigvae_volsurf.completion.completion_std`)."""
    from sigvae_volsurf.completion import (
        FewQuotesWarning,
        complete_latents,
        completion_std,
        decode_vols,
    )

    # only the observed points enter the objective: gather them, padding rows to one length
    grid = model.grid.coordinates()
    width = int(masks.sum(axis=1).max())
    order = np.argsort(~masks, axis=1, kind="stable")[:, :width]
    obs = np.take_along_axis(masks, order, axis=1)
    seen = vols if observed_vols is None else observed_vols
    values = np.where(obs, np.take_along_axis(seen, order, axis=1), np.nan)
    with warnings.catch_warnings():  # small observed sets are the point of the benchmark
        warnings.simplefilter("ignore", FewQuotesWarning)
        z, info = complete_latents(
            model,
            grid[order],
            values,
            obs,
            starts=starts,
            seed=seed,
            method=method,
            prior_weight=prior_weight,
        )
    fitted = decode_vols(model, z, grid)
    std = completion_std(model, z, grid[order], values, grid, obs, prior_weight, misfit=misfit)
    scored = ~masks if available is None else ~masks & available
    err = (fitted - vols)[scored]
    std = std[scored]
    return {
        "mae_bp": float(1e4 * np.abs(err).mean()),
        "rmse_bp": float(1e4 * np.sqrt((err**2).mean())),
        "seconds_per_surface": info["seconds"] / len(vols),
        "std_bp": float(1e4 * np.median(std)),
        "coverage_1sd": float((np.abs(err) <= std).mean()),
        "coverage_2sd": float((np.abs(err) <= 2 * std).mean()),
    }


class CompletionEvaluator:
    """Complete each held-out surface from random observed subsets; score unobserved points."""

    def __init__(self, params) -> None:
        self.params = params

    def evaluate(self, reference, estimate, **context) -> dict[str, float]:
        model = context.get("model")
        if model is None or not hasattr(model, "decode_at"):
            raise SigvaeError(
                "volsurf-completion-mae needs a volsurf-grid or volsurf-pointwise model"
            )
        vols = np.asarray(reference, float).reshape(len(reference), -1)
        arrays = context.get("arrays")
        mask = getattr(arrays, "mask", None)
        available = np.ones(vols.shape, bool) if mask is None else np.asarray(mask) > 0
        rng = np.random.default_rng(self.params.seed)
        recon = np.abs(np.asarray(estimate, float).reshape(vols.shape) - vols)[available]
        out = {"reconstruction_mae_bp": float(1e4 * recon.mean())}
        for n_obs in self.params.observed:
            if n_obs >= vols.shape[1]:
                continue
            masks = random_masks(available, n_obs, rng)
            errors = completion_errors(
                model,
                vols,
                masks,
                self.params.starts,
                self.params.seed,
                available,
                self.params.method,
                self.params.prior_weight,
            )
            out.update({f"{key}_{n_obs}": value for key, value in errors.items()})
        return out
