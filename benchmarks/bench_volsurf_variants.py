"""Model selection for the shipped vol-surface model, on simulated validation surfaces only.

    python benchmarks/bench_volsurf_variants.py NAME=RUN_DIR [NAME=RUN_DIR ...]

Each run directory holds a ``best.pt`` trained by ``sigvae run pipelines/volsurf_pointwise.yaml``
with some ``--set`` overrides. The validation surfaces are fresh simulator draws with seed 7
(training uses seed 0, the benchmarks seed 99): FX-like draws only (the shipped model's market)
and the mixed FX/equity draws, plus a held-out parameterisation: FX-like draws from a wider
parameter box than training uses (``WIDE_FX``), a proxy for real surfaces that lie outside the
training simulators' ranges, and FX-like draws whose maturities all run on a changed clock
(``time_change_share=1``, ATM term structures that keep rising or falling to 5 years). The real
CAD surface is not used here: it is a test surface.
Reported: completion MAE (bp) on the unobserved points from 5/10/20 random observed points,
reconstruction MAE (encoder), the capacity check "fit" (completion from all points, scored on
all points: how closely the decoder's surface family can represent the surface), and the share
of generated surfaces with static arbitrage (1000 draws each from the KDE of training latents
and from the prior). Writes ``benchmarks/results/volsurf_variants.md``.
"""

from __future__ import annotations

import argparse
import copy
import sys
import warnings
from contextlib import contextmanager
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from make_results import command_of, write_section  # noqa: E402

SIZES = (5, 10, 20)
SETS = {"fx": "FX", "mix": "mixed", "wide": "wide FX", "term": "time-changed FX"}
COLUMNS = ("mae_5", "mae_10", "mae_20", "fit")
# FX ranges of the held-out set: every training FX range widened (kappa, vol of vol, correlation,
# jumps, ATM term structure and SABR/SSVI curvature decay)
WIDE_FX = {
    "heston": {"s0": (0.03, 0.25), "s_inf": (0.04, 0.25), "kappa": (0.1, 4.0)},
    "heston ": {"sigma": (0.1, 1.2), "rho": (-0.8, 0.8)},
    "jumps": {"lam": (0.05, 1.5), "mu_j": (-0.1, 0.1), "delta_j": (0.02, 0.12)},
    "term": {"s0": (0.03, 0.25), "s_inf": (0.04, 0.25), "lam": (0.05, 3.0)},
    "sabr": {"rho": (-0.8, 0.8), "nu_1": (0.1, 1.5), "gamma_nu": (0.0, 0.6)},
    "ssvi": {"rho": (-0.8, 0.8), "eta": (0.1, 2.5), "gamma": (0.1, 0.6)},
}


@contextmanager
def wide_fx_ranges():
    """Temporarily replace the simulator's FX ranges by ``WIDE_FX`` (equity ranges unchanged)."""
    from sigvae_volsurf import simulation_params

    saved = copy.deepcopy(simulation_params.RANGES)
    for table, ranges in WIDE_FX.items():
        for name, fx in ranges.items():
            target = simulation_params.RANGES[table.strip()]
            target[name] = (fx, target[name][1])
    try:
        yield
    finally:
        simulation_params.RANGES.clear()
        simulation_params.RANGES.update(saved)


def validation_sets(grid, n_fx: int, n_mix: int, cache: str | None = None):
    from sigvae_volsurf.simulate import simulate_surfaces
    from sigvae_volsurf.surface_table import frame_to_grid

    if cache and Path(cache).exists():
        with np.load(cache) as saved:
            if set(saved.files) >= set(SETS):  # a cache from before a set was added is redone
                return dict(saved)
    fx, _ = simulate_surfaces(n_fx, grid, seed=7, equity_share=0.0)
    mix, _ = simulate_surfaces(n_mix, grid, seed=7, equity_share=0.3)
    with wide_fx_ranges():
        wide, _ = simulate_surfaces(n_fx, grid, seed=7, equity_share=0.0)
    sets = {name: frame_to_grid(f, grid)[0] for name, f in (("fx", fx), ("mix", mix))}
    sets["wide"] = frame_to_grid(wide, grid)[0]
    term, _ = simulate_surfaces(n_fx, grid, seed=7, equity_share=0.0, time_change_share=1.0)
    sets["term"] = frame_to_grid(term, grid)[0]
    if cache:
        np.savez(cache, **sets)
    return sets


def score(model, vols) -> dict[str, float]:
    import torch
    from sigvae_volsurf.evaluators import completion_errors, random_masks

    out = {}
    with torch.no_grad():
        recon = model.decode_grid(model.encode(torch.as_tensor(vols).float()).mean).numpy()
    out["recon"] = 1e4 * float(np.abs(recon - vols).mean())
    rng = np.random.default_rng(3)
    for n in SIZES:
        masks = random_masks(np.ones(vols.shape, bool), n, rng)
        out[f"mae_{n}"] = completion_errors(model, vols, masks)["mae_bp"]
    out["fit"] = all_points_fit(model, vols)
    return out


def all_points_fit(model, vols) -> float:
    """MAE (bp) of the completion from every grid point, scored on the same points."""
    from sigvae_volsurf.completion import complete_latents, decode_vols

    grid = model.grid.coordinates()
    coords = np.broadcast_to(grid, (len(vols), *grid.shape))
    z, _ = complete_latents(model, coords, vols)
    return float(1e4 * np.abs(decode_vols(model, z, grid) - vols).mean())


def generated_arbitrage(model) -> dict[str, float]:
    from sigvae_volsurf.api import generate_surfaces

    out = {}
    for latent in ("kde", "prior"):
        per = generate_surfaces(1000, model=model, seed=1, latent=latent).drop_duplicates("group")
        out[latent] = 100 * float((per["butterfly_arbitrage"] | per["calendar_arbitrage"]).mean())
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", nargs="+", help="NAME=RUN_DIR")
    parser.add_argument("--n-fx", type=int, default=150, help="FX-like surfaces per simulator")
    parser.add_argument("--n-mix", type=int, default=100, help="mixed surfaces per simulator")
    parser.add_argument("--out", default=str(HERE / "results" / "volsurf_variants.md"))
    parser.add_argument("--cache", default=None, help="npz file caching the validation sets")
    parser.add_argument("--note", default="", help="how the variants were trained (markdown)")
    parser.add_argument(
        "--baseline",
        default=None,
        help="NAME of a run: add each run's error ratios to it (per set at 5 quotes, worst "
        "and mean over the sets at 10 and 20 quotes)",
    )
    args = parser.parse_args(argv)

    import torch

    torch.set_num_threads(1)
    from sigvae_volsurf.api import load_volsurf_model

    rows, sets = [], None
    for item in args.runs:
        name, _, run = item.partition("=")
        model = load_volsurf_model(run)
        sets = sets or validation_sets(model.grid, args.n_fx, args.n_mix, args.cache)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            scores = {key: score(model, sets[key]) for key in SETS}
            gen = generated_arbitrage(model)
        rows.append((name, scores, gen))
        print(name, scores, gen, file=sys.stderr, flush=True)
    head = " | ".join(f"{SETS[key]} {col}" for key in SETS for col in COLUMNS)
    lines = [
        "# Volatility surfaces: choosing the shipped model on simulated validation surfaces",
        "",
        f"Produced by `{command_of(__file__, sys.argv[1:])}` "
        f"(CPU, one thread). Validation surfaces: fresh simulator "
        f"draws (seed 7), {args.n_fx} FX-like, {args.n_mix} mixed FX/equity, {args.n_fx} "
        "'wide FX' (FX-like from the wider held-out parameter box `WIDE_FX` of this script) and "
        f"{args.n_fx} 'time-changed FX' (FX-like, every draw on a changed clock, "
        "`time_change_share` 1) per simulator. Completion MAE in vol bp on unobserved points "
        "from 5/10/20 random points (default completion: Levenberg-Marquardt); 'fit': "
        "completion from all 50 points scored on them (the capacity check); 'recon': the "
        "encoder's reconstruction; generated: % of 1000 decoded surfaces with static "
        "arbitrage. The CAD surface is not used for selection.",
        "",
        args.note,
        "",
        f"| variant | {head} | generated arb. KDE % | generated arb. prior % |",
        "|---" * (2 + len(SETS) * len(COLUMNS) + 1) + "|",
    ]
    for name, scores, gen in rows:
        text = " | ".join(f"{scores[key][col]:.1f}" for key in SETS for col in COLUMNS)
        lines.append(f"| {name} | {text} | {gen['kde']:.1f} | {gen['prior']:.1f} |")
    if args.baseline:
        lines += ["", *ratio_table(rows, args.baseline)]
    write_section(Path(args.out), "\n".join(lines) + "\n")
    return 0


def ratio_table(rows, baseline: str) -> list[str]:
    """Each run's completion errors as ratios to the ``baseline`` run's: the worst set at 5
    quotes, the worst and the mean over the sets at 10 and 20 quotes, and KDE arbitrage."""
    base = next(scores for name, scores, _ in rows if name == baseline)
    lines = [
        f"Ratios of completion MAE to '{baseline}':",
        "",
        "| variant | worst set, 5 quotes | worst set, 10 and 20 quotes | "
        "mean over sets, 10 and 20 quotes | generated arb. KDE % |",
        "|---|---|---|---|---|",
    ]
    for name, scores, gen in rows:
        five = [scores[k]["mae_5"] / base[k]["mae_5"] for k in SETS]
        more = [scores[k][c] / base[k][c] for k in SETS for c in ("mae_10", "mae_20")]
        lines.append(
            f"| {name} | {max(five):.3f} | {max(more):.3f} | {np.mean(more):.3f} | "
            f"{gen['kde']:.1f} |"
        )
    return lines


if __name__ == "__main__":
    sys.exit(main())
