"""Vol-surface completion and generation against Heston, Bates, per-tenor SVI and PCA.

Protocol (issue 4): test surfaces are fresh parameter draws (seed 99; the training reader uses
seed 0) from each simulator, plus the real CAD surface. Observed sets: 5, 10 and 20 random
points, a whole missing tenor, and missing wings (only the 0.25/0.5/0.75 deltas seen). Metrics:
MAE and RMSE in vol basis points on the unobserved points, the share of completed surfaces with
static arbitrage (checked on the grid), and wall time per surface. QuantLib calibrations are
slow, so every method is also scored on a common subset where QuantLib runs.

    python benchmarks/bench_volsurf.py [--model PATH] [--n-test 100] [--n-quantlib 6]

writes ``benchmarks/results/volsurf.md``.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bench_volsurf_baselines as baselines  # noqa: E402
import bench_volsurf_report as report  # noqa: E402
from bench_volsurf_speed import median_completion_seconds  # noqa: E402

CAD = HERE.parent / ".." / "shared" / "data" / "finance" / "fx_vol_surface_cad_2017-05-26"
SIZES = (5, 10, 20)


def masks_for(grid, n, setting, rng):
    """Observed masks ``[n, grid.size]`` for one observed-set setting."""
    t, d = grid.shape
    if isinstance(setting, int):
        keys = rng.uniform(size=(n, grid.size))
        return keys <= np.sort(keys, axis=1)[:, setting - 1 : setting]
    m = np.ones((n, t, d), bool)
    if setting == "missing tenor":
        drop = rng.integers(1, t - 1, size=n)  # an interior tenor, so it is interpolation
        m[np.arange(n), drop] = False
    elif setting == "missing wings":
        wings = [i for i, x in enumerate(grid.deltas) if x < 0.2 or x > 0.8]
        m[:, :, wings] = False
    return m.reshape(n, -1)


def vae_method(model, method="levenberg-marquardt"):
    from sigvae_volsurf.completion import complete_latents, decode_vols

    coords = model.grid.coordinates()

    def run(vols, masks):
        width = int(masks.sum(1).max())
        order = np.argsort(~masks, axis=1, kind="stable")[:, :width]
        seen = np.take_along_axis(masks, order, 1)
        vals = np.where(seen, np.take_along_axis(vols, order, 1), np.nan)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            started = time.perf_counter()
            z, _ = complete_latents(model, coords[order], vals, seen, method=method)
            full = decode_vols(model, z, coords)
        return full, (time.perf_counter() - started) / len(vols)

    return run


def pca_method(train_grids, n_components):
    pca = baselines.PCACompletion(n_components).fit(train_grids)

    def run(vols, masks):
        started = time.perf_counter()
        full = np.stack([pca.complete(m, v[m]) for v, m in zip(vols, masks)])
        return full, (time.perf_counter() - started) / len(vols)

    return run


def pointwise_baseline(fn, grid):
    """Wrap a per-surface ``fn(obs..., targets...)`` into a batch completion of the grid."""
    coords = grid.coordinates()

    def run(vols, masks):
        started = time.perf_counter()
        out = []
        for v, m in zip(vols, masks):
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                try:
                    out.append(fn(coords[m, 0], coords[m, 1], v[m], coords[:, 0], coords[:, 1]))
                except (RuntimeError, ValueError):
                    out.append(np.full(len(coords), np.nan))
        return np.stack(out), (time.perf_counter() - started) / len(vols)

    return run


def score(full, vols, masks, grid):
    from sigvae_volsurf.evaluators import surface_arbitrage_flags

    scored = ~masks & np.isfinite(vols)
    if not scored.any():  # everything observed: score the fit itself (in-sample)
        scored = masks & np.isfinite(vols)
    err = (full - vols)[scored]
    failed = ~np.isfinite(full).all(axis=1)
    ok = np.isfinite(err)
    flags = surface_arbitrage_flags(np.where(np.isfinite(full), full, 0.1), grid)
    arb = (flags["butterfly"] | flags["calendar"])[~failed]
    # per surface: the MAE over its own scored points (nan where the method failed on it),
    # for standard errors over the random observed sets
    abs_err = np.where(scored, np.abs(full - vols), np.nan)
    counted = np.isfinite(abs_err).sum(axis=1)
    per_surface = 1e4 * np.nansum(abs_err, axis=1) / np.where(counted > 0, counted, np.nan)
    return {
        "per_surface_mae_bp": per_surface,
        "mae_bp": 1e4 * np.abs(err[ok]).mean() if ok.any() else np.nan,
        "rmse_bp": 1e4 * np.sqrt((err[ok] ** 2).mean()) if ok.any() else np.nan,
        "failed": float(failed.mean()),
        "arbitrage": float(arb.mean()) if len(arb) else np.nan,
    }


def evaluate(methods, vols, masks_by_setting, grid):
    rows = []
    for setting, masks in masks_by_setting.items():
        for name, run in methods.items():
            full, seconds = run(vols, masks)
            rows.append(
                {
                    "setting": setting,
                    "method": name,
                    "n": len(vols),
                    "seconds": seconds,
                    **score(full, vols, masks, grid),
                }
            )
    return rows


def cad_surface(grid):
    from sigvae_volsurf.observations import read_quotes
    from sigvae_volsurf.surface_table import frame_to_grid

    quotes = read_quotes(CAD / "cad_usd_2017-05-26_long.csv")
    vols, _ = frame_to_grid(quotes, grid)
    return vols[0]


def cad_random_masks(have, size: int, draws: int, rng) -> np.ndarray:
    """``draws`` random observed sets of ``size`` of the CAD surface's quoted points."""
    keys = np.where(have, rng.uniform(size=(draws, have.size)), np.inf)
    return keys <= np.sort(keys, axis=1)[:, size - 1 : size]


def single_surface_latency(model, repeats=5) -> float:
    """Median seconds of ``complete_surface`` on one date with 10 quotes (the CAD surface's
    first ten when available, else a flat synthetic one)."""
    import pandas as pd

    if CAD.is_dir():
        quotes = pd.read_csv(CAD / "cad_usd_2017-05-26_long.csv").iloc[::4]
    else:
        quotes = pd.DataFrame(
            {
                "date": "d",
                "tenor": ["1M", "3M", "1Y", "5Y", "2Y"] * 2,
                "delta": [0.25] * 5 + [0.75] * 5,
                "iv": 0.1,
            }
        )
    return median_completion_seconds(model, [quotes] * (repeats + 1))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", help="pointwise checkpoint (default: the shipped one)")
    parser.add_argument("--grid-model", help="optional grid-VAE checkpoint to compare")
    parser.add_argument("--n-train", type=int, default=1500, help="PCA training surfaces/model")
    parser.add_argument(
        "--train-equity-share",
        type=float,
        default=0.1,
        help="equity-like share of the PCA training draws (as in pipelines/volsurf_pointwise.yaml)",
    )
    parser.add_argument(
        "--train-fx-box",
        choices=["standard", "wide"],
        default="standard",
        help="FX parameter box of the PCA training draws (as in pipelines/volsurf_pointwise.yaml)",
    )
    parser.add_argument(
        "--train-time-change-share",
        type=float,
        default=0.0,
        help="time-changed share of the PCA training draws (as in "
        "pipelines/volsurf_pointwise.yaml)",
    )
    parser.add_argument("--n-test", type=int, default=100, help="test surfaces per simulator")
    parser.add_argument("--n-quantlib", type=int, default=6, help="QuantLib subset per simulator")
    parser.add_argument(
        "--n-generated", type=int, default=5000, help="generated surfaces per latent sampler"
    )
    parser.add_argument("--cad-draws", type=int, default=10, help="random masks per CAD size")
    parser.add_argument("--out", default=str(HERE / "results" / "volsurf.md"))
    args = parser.parse_args(argv)

    import torch

    torch.set_num_threads(1)
    from sigvae_volsurf.api import generate_surfaces, load_volsurf_model
    from sigvae_volsurf.simulate import simulate_surfaces
    from sigvae_volsurf.surface_table import frame_to_grid

    model = load_volsurf_model(args.model)
    grid = model.grid
    train, _ = simulate_surfaces(
        args.n_train,
        grid,
        seed=0,
        equity_share=args.train_equity_share,
        fx_box=args.train_fx_box,
        time_change_share=args.train_time_change_share,
    )
    train_grids, _ = frame_to_grid(train, grid)
    test, test_report = simulate_surfaces(args.n_test, grid, seed=99)
    test_grids, groups = frame_to_grid(test, grid)
    sim_of = np.array([g.split("-")[0] for g in groups])

    fast = {
        "pointwise VAE": vae_method(model),
        "pointwise VAE (L-BFGS)": vae_method(model, "lbfgs"),
        "PCA (6 comp.)": pca_method(train_grids, 6),
        "per-tenor SVI": pointwise_baseline(baselines.per_tenor_svi, grid),
    }
    if args.grid_model:
        fast["grid VAE"] = vae_method(load_volsurf_model(args.grid_model))
    slow = {
        "QuantLib Heston": pointwise_baseline(baselines.quantlib_heston, grid),
        "QuantLib Bates": pointwise_baseline(
            lambda *a: baselines.quantlib_heston(*a, jumps=True), grid
        ),
    }
    settings = [*SIZES, "missing tenor", "missing wings"]
    sim_rows, subset_rows = [], []
    for sim in dict.fromkeys(sim_of):
        vols = test_grids[sim_of == sim]
        rng = np.random.default_rng(7)
        masks = {s: masks_for(grid, len(vols), s, rng) for s in settings}
        for row in evaluate(fast, vols, masks, grid):
            sim_rows.append({"data": sim, **row})
        k = min(args.n_quantlib, len(vols))
        sub = {s: m[:k] for s, m in masks.items()}
        for row in evaluate({**fast, **slow}, vols[:k], sub, grid):
            subset_rows.append({"data": sim, **row})
        print(f"[bench_volsurf] {sim} done", file=sys.stderr, flush=True)

    cad_rows = []
    if CAD.is_dir():
        cad = cad_surface(grid)
        have = np.isfinite(cad)
        rng = np.random.default_rng(11)
        for s in [*SIZES, "missing tenor", "missing wings", 40]:
            n = 1 if s in (40, "missing wings") else args.cad_draws
            if isinstance(s, int):
                masks = cad_random_masks(have, s, n, rng)
            elif s == "missing tenor":  # each quoted interior tenor in turn
                quoted = np.flatnonzero(have.reshape(grid.shape).all(axis=1))[1:-1]
                n = len(quoted)
                masks = np.repeat(have.reshape(1, *grid.shape), n, axis=0)
                masks[np.arange(n), quoted] = False
                masks = masks.reshape(n, -1)
            else:
                masks = masks_for(grid, n, s, rng) & have
            vols = np.repeat(np.where(have, cad, np.nan)[None], n, axis=0)
            for row in evaluate({**fast, **slow}, vols, {s: masks}, grid):
                if s == 40:  # in-sample: every quoted point is observed and scored
                    row["setting"] = "40 (in-sample)"
                cad_rows.append({"data": "CAD 2017-05-26", **row})
        print("[bench_volsurf] CAD done", file=sys.stderr, flush=True)

    latency = single_surface_latency(model)
    generation = {}
    for latent in ("kde", "prior"):
        frame = generate_surfaces(args.n_generated, model=model, seed=1, latent=latent)
        per = frame.drop_duplicates("group")
        generation[latent] = {
            "butterfly": float(per["butterfly_arbitrage"].mean()),
            "calendar": float(per["calendar_arbitrage"].mean()),
            "any": float((per["butterfly_arbitrage"] | per["calendar_arbitrage"]).mean()),
        }
    text = report.render(
        model=model,
        args=args,
        test_report=test_report,
        sim_rows=sim_rows,
        subset_rows=subset_rows,
        cad_rows=cad_rows,
        generation=generation,
        command="python " + " ".join([str(Path(__file__).relative_to(HERE.parent)), *sys.argv[1:]]),
        latency=latency,
    )
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".md.tmp")
    tmp.write_text(text)
    tmp.replace(out)
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
