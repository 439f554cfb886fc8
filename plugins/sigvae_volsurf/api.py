"""The Python API: ``complete_surface(quotes)`` and ``generate_surfaces(n)``, DataFrames in and
out, with the shipped default pointwise model unless another is given."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from sigvae.errors import SigvaeError
from sigvae_volsurf.grid import Grid
from sigvae_volsurf.observations import normalise_quotes
from sigvae_volsurf.surface_table import grid_index, grid_to_frame

DEFAULT_MODEL = Path(__file__).resolve().parent / "weights" / "volsurf_pointwise.pt"


def load_volsurf_model(model=None):
    """A ready model: ``model`` itself when it is one, else loaded from a checkpoint path or
    run directory (default: the shipped pointwise model)."""
    if model is not None and hasattr(model, "decode_at"):
        return model.eval()
    path = Path(model).expanduser() if model is not None else DEFAULT_MODEL
    if not path.exists():
        raise SigvaeError(
            "no model here; train one with 'sigvae run pipelines/volsurf_pointwise.yaml' and "
            "pass its run directory or checkpoint",
            path=path,
        )
    from sigvae.training.checkpoint import load_model

    loaded = load_model(path)
    if not hasattr(loaded, "decode_at"):
        raise SigvaeError(
            f"checkpoint holds a {type(loaded).__name__}, not a volsurf-grid or "
            "volsurf-pointwise model",
            path=path,
        )
    return loaded


def _grid(grid, model) -> Grid:
    if grid is None:
        return model.grid
    return Grid.parse(grid) if isinstance(grid, str) else grid


def complete_surface(
    quotes: pd.DataFrame,
    model=None,
    grid: Grid | str | None = None,
    convention: str = "forward",
    starts: int | None = None,
    prior_weight: float = 1.0,
    seed: int = 0,
    source: object = "<quotes>",
    method: str = "levenberg-marquardt",
) -> pd.DataFrame:
    """Complete every date's surface from its quotes (long format, see
    :mod:`sigvae_volsurf.observations`). Returns one row per date and grid point: ``group,
    tenor, tau, delta, log_moneyness, iv, observed, iv_model, iv_std, butterfly_arbitrage,
    calendar_arbitrage``. ``iv`` is the quote where the grid point was observed and the model's
    value elsewhere; ``iv_model`` is the model's value everywhere and ``iv_std`` its standard
    deviation under the completion's Laplace approximation
    (:func:`~sigvae_volsurf.completion.completion_std`)."""
    from sigvae_volsurf.completion import complete_latents, completion_std, decode_vols
    from sigvae_volsurf.evaluators import surface_arbitrage_flags

    model = load_volsurf_model(model)
    grid = _grid(grid, model)
    q = normalise_quotes(quotes, source=source, convention=convention)
    groups, row = np.unique(q["group"].to_numpy(), return_inverse=True)
    counts = np.bincount(row, minlength=len(groups))
    slot = q.groupby("group").cumcount().to_numpy()
    coords = np.ones((len(groups), counts.max(), 2)) * 0.5  # padding sits at a valid point
    values = np.full((len(groups), counts.max()), np.nan)
    coords[row, slot] = q[["tau", "delta"]].to_numpy()
    values[row, slot] = q["iv"].to_numpy()
    z, _ = complete_latents(
        model,
        coords,
        values,
        starts=starts,
        prior_weight=prior_weight,
        seed=seed,
        names=groups,
        method=method,
    )
    fitted = decode_vols(model, z, grid.coordinates())
    spread = completion_std(model, z, coords, values, grid.coordinates(), prior_weight=prior_weight)
    observed = np.zeros(fitted.shape, bool)
    quoted = np.full(fitted.shape, np.nan)
    index = grid_index(q, grid, drop_off_grid=True)
    on = index >= 0
    observed[row[on], index[on]] = True
    quoted[row[on], index[on]] = q["iv"].to_numpy()[on]
    final = np.where(observed, quoted, fitted)
    frame = grid_to_frame(final, grid, groups, observed)
    frame["iv_model"] = fitted.ravel()
    frame["iv_std"] = spread.ravel()
    flags = surface_arbitrage_flags(fitted, grid)
    frame["butterfly_arbitrage"] = np.repeat(flags["butterfly"], grid.size)
    frame["calendar_arbitrage"] = np.repeat(flags["calendar"], grid.size)
    return frame


def generate_surfaces(
    n: int,
    model=None,
    seed: int = 0,
    latent: str = "kde",
    grid: Grid | str | None = None,
    arbitrage_free: bool = False,
    bandwidth: str | float | None = None,
) -> pd.DataFrame:
    """``n`` synthetic surfaces decoded from latents drawn from a KDE of the training latents
    (``latent="kde"``, Ning et al. 2023) or the prior (``"prior"``), with per-surface arbitrage
    flags. With ``arbitrage_free`` surfaces that fail a check are replaced by fresh draws.
    ``bandwidth``: the KDE's rule (``"scott"``, ``"silverman"``) or factor; None takes
    :data:`sigvae_volsurf.generation.DEFAULT_BANDWIDTH`.
    Long format: ``group, tenor, tau, delta, log_moneyness, iv, butterfly_arbitrage,
    calendar_arbitrage``."""
    from sigvae_volsurf.completion import decode_vols
    from sigvae_volsurf.evaluators import surface_arbitrage_flags
    from sigvae_volsurf.generation import DEFAULT_BANDWIDTH, sample_latents

    if n < 1:
        raise SigvaeError(f"the number of surfaces must be at least 1, got {n}")
    model = load_volsurf_model(model)
    grid = _grid(grid, model)
    bandwidth = DEFAULT_BANDWIDTH if bandwidth is None else bandwidth
    kept, flags_kept, total = [], [], 0
    for attempt in range(50):
        z = sample_latents(model, n, seed + 7919 * attempt, latent, bandwidth)
        vols = decode_vols(model, z, grid.coordinates())
        flags = surface_arbitrage_flags(vols, grid)
        bad = flags["butterfly"] | flags["calendar"]
        keep = ~bad if arbitrage_free else np.ones(n, bool)
        kept.append(vols[keep])
        flags_kept.append(np.stack([flags["butterfly"][keep], flags["calendar"][keep]], 1))
        total += int(keep.sum())
        if total >= n:
            break
    else:
        raise SigvaeError(f"only {total} of {n} arbitrage-free surfaces after 50 rounds of draws")
    vols, flags = np.concatenate(kept)[:n], np.concatenate(flags_kept)[:n]
    frame = grid_to_frame(vols, grid, [f"gen-{i:06d}" for i in range(n)])
    frame["butterfly_arbitrage"] = np.repeat(flags[:, 0], grid.size)
    frame["calendar_arbitrage"] = np.repeat(flags[:, 1], grid.size)
    return frame
