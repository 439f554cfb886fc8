"""Completion speed: the pointwise VAE (batched and one surface at a time) against QuantLib
Heston calibration, measured back to back on the same surfaces and observed sets.

    python benchmarks/bench_volsurf_speed.py [--n-quantlib 20] [--observed 10]

writes ``benchmarks/results/volsurf_speed.md``. Times are wall-clock on one CPU thread. Both
sides are timed from the same input to the same output: observed ``(tau, delta, iv)`` arrays in,
the vols of the full grid out (QuantLib: calibration, then the calibrated model's vols at the
grid deltas; the VAE: latent optimisation, then decoding the grid). The end-to-end
``complete_surface`` call (DataFrame of quotes in, DataFrame out, quote checks and arbitrage
flags included) is timed as well.
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
from make_results import command_of, write_section  # noqa: E402


def vae_seconds(model, coords, values, method="levenberg-marquardt"):
    from sigvae_volsurf.completion import complete_latents, decode_vols

    started = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        z, _ = complete_latents(model, coords, values, method=method)
        decode_vols(model, z, model.grid.coordinates())
    return time.perf_counter() - started


def median_completion_seconds(model, frames) -> float:
    """Median seconds of ``complete_surface`` over ``frames`` (one date each); the first call
    is dropped as warm-up."""
    from sigvae_volsurf.api import complete_surface

    times = []
    for quotes in frames:
        started = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            complete_surface(quotes, model=model)
        times.append(time.perf_counter() - started)
    return float(np.median(times[1:]))


def dataframe_seconds(model, coords, values, repeats=10):
    """Median seconds of ``complete_surface`` on one surface's quotes as a DataFrame."""
    import pandas as pd

    frames = [
        pd.DataFrame(
            {"date": "d", "tau": coords[i, :, 0], "delta": coords[i, :, 1], "iv": values[i]}
        )
        for i in range(repeats + 1)
    ]
    return median_completion_seconds(model, frames)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", help="pointwise checkpoint (default: the shipped one)")
    parser.add_argument("--n-quantlib", type=int, default=20)
    parser.add_argument("--observed", type=int, default=10)
    parser.add_argument(
        "--repeats", type=int, default=5, help="batched VAE timings per measurement (median)"
    )
    parser.add_argument("--out", default=str(HERE / "results" / "volsurf_speed.md"))
    args = parser.parse_args(argv)

    import torch

    torch.set_num_threads(1)
    from sigvae_volsurf.api import load_volsurf_model
    from sigvae_volsurf.simulate import simulate_surfaces
    from sigvae_volsurf.surface_table import frame_to_grid

    model = load_volsurf_model(args.model)
    grid = model.grid
    frame, _ = simulate_surfaces(100, grid, seed=99)
    vols, _ = frame_to_grid(frame, grid)
    rng = np.random.default_rng(5)
    order = np.argsort(rng.uniform(size=vols.shape), axis=1)[:, : args.observed]
    coords = grid.coordinates()[order]
    values = np.take_along_axis(vols, order, axis=1)

    def batched_seconds(size: int) -> float:
        # one batched completion lasts a fraction of a second, so a single timing on a shared
        # machine is mostly noise: the median of several, as QuantLib gets a median of many
        runs = [vae_seconds(model, coords[:size], values[:size]) for _ in range(args.repeats)]
        return float(np.median(runs)) / size

    batched = {}
    for size in (100, len(vols)):
        vae_seconds(model, coords[:size], values[:size])  # warm-up
        batched[size] = batched_seconds(size)
    single = [vae_seconds(model, coords[i : i + 1], values[i : i + 1]) for i in range(11)][1:]
    frame_single = dataframe_seconds(model, coords, values)
    vae_seconds(model, coords[:100], values[:100], "lbfgs")  # warm-up
    lbfgs = vae_seconds(model, coords, values, "lbfgs") / len(vols)

    picks = np.linspace(0, len(vols) - 1, args.n_quantlib).astype(int)
    ql_times = []
    for i in picks:
        c = coords[i]
        started = time.perf_counter()
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            baselines.quantlib_heston(c[:, 0], c[:, 1], values[i], c[:, 0], c[:, 1])
        ql_times.append(time.perf_counter() - started)
    after = batched_seconds(len(vols))  # same conditions after QuantLib

    ql = float(np.median(ql_times))
    vae = max(batched[len(vols)], after)
    lines = [
        "# Volatility surfaces: completion speed",
        "",
        f"Produced by `{command_of(__file__, sys.argv[1:])}` "
        f"on one CPU thread (shared machine; both sides measured "
        "back to back).",
        "",
        f"Surfaces: 100 fresh draws per simulator (seed 99), {args.observed} random observed "
        "points each.",
        "",
        f"Batched VAE rows: median of {args.repeats} timings each.",
        "",
        "| method | ms per surface |",
        "|---|---|",
        f"| pointwise VAE (Levenberg-Marquardt, default), batch of 100 | {1e3 * batched[100]:.2f} |",
        f"| pointwise VAE (Levenberg-Marquardt), batch of {len(vols)} | "
        f"{1e3 * batched[len(vols)]:.2f} |",
        f"| pointwise VAE (Levenberg-Marquardt), batch of {len(vols)}, re-measured after "
        f"QuantLib | {1e3 * after:.2f} |",
        f"| pointwise VAE (L-BFGS option), batch of {len(vols)} | {1e3 * lbfgs:.2f} |",
        "| pointwise VAE (Levenberg-Marquardt), one surface per call, arrays (median of 10) | "
        f"{1e3 * np.median(single):.1f} |",
        "| `complete_surface`, one surface per call, DataFrame in and out (median of 10) | "
        f"{1e3 * frame_single:.1f} |",
        f"| QuantLib Heston calibration (LM, implied-vol error), median of {len(picks)} | "
        f"{1e3 * ql:.0f} |",
        "",
        f"Ratio QuantLib Heston / batched VAE (slower of the two batched measurements): "
        f"**{ql / vae:.0f}x** (goal >= 100x). One surface per call: {ql / np.median(single):.0f}x "
        f"with arrays, {ql / frame_single:.0f}x through the DataFrame API.",
        "",
    ]
    write_section(Path(args.out), "\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
