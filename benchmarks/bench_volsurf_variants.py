"""Model selection for the shipped vol-surface model, on simulated validation surfaces only.

    python benchmarks/bench_volsurf_variants.py NAME=RUN_DIR [NAME=RUN_DIR ...]

Each run directory holds a ``best.pt`` trained by ``sigvae run pipelines/volsurf_pointwise.yaml``
with some ``--set`` overrides. The validation surfaces are fresh simulator draws with seed 7
(training uses seed 0, the benchmarks seed 99): FX-like draws only (the shipped model's market)
and the mixed FX/equity draws. The real CAD surface is not used here: it is a test surface.
Reported: completion MAE (bp) on the unobserved points from 5/10/20 random observed points,
reconstruction MAE, and the share of generated surfaces with static arbitrage (1000 draws each
from the KDE of training latents and from the prior). Writes
``benchmarks/results/volsurf_variants.md``.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
SIZES = (5, 10, 20)


def validation_sets(grid, n_fx: int, n_mix: int):
    from sigvae_volsurf.simulate import simulate_surfaces
    from sigvae_volsurf.surface_table import frame_to_grid

    fx, _ = simulate_surfaces(n_fx, grid, seed=7, equity_share=0.0)
    mix, _ = simulate_surfaces(n_mix, grid, seed=7, equity_share=0.3)
    return {"fx": frame_to_grid(fx, grid)[0], "mix": frame_to_grid(mix, grid)[0]}


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
    return out


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
    parser.add_argument("--note", default="", help="how the variants were trained (markdown)")
    args = parser.parse_args(argv)

    import torch

    torch.set_num_threads(1)
    from sigvae_volsurf.api import load_volsurf_model

    rows, sets = [], None
    for item in args.runs:
        name, _, run = item.partition("=")
        model = load_volsurf_model(run)
        sets = sets or validation_sets(model.grid, args.n_fx, args.n_mix)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fx, mix = score(model, sets["fx"]), score(model, sets["mix"])
            gen = generated_arbitrage(model)
        rows.append((name, fx, mix, gen))
        print(name, fx, mix, gen, file=sys.stderr, flush=True)
    lines = [
        "# Volatility surfaces: choosing the shipped model on simulated validation surfaces",
        "",
        f"Produced by `python {Path(__file__).relative_to(HERE.parent)} "
        f"{' '.join(sys.argv[1:])}` (CPU, one thread). Validation surfaces: fresh simulator "
        f"draws (seed 7), {args.n_fx} FX-like and {args.n_mix} mixed FX/equity per simulator. "
        "Completion MAE in vol bp on unobserved points (default completion: Levenberg-Marquardt); "
        "generated: % of 1000 decoded surfaces with static arbitrage. The CAD surface is not "
        "used for selection.",
        "",
        args.note,
        "",
        "| variant | FX 5 | FX 10 | FX 20 | FX recon | mixed 5 | mixed 10 | mixed 20 | mixed recon "
        "| generated arb. KDE % | generated arb. prior % |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, fx, mix, gen in rows:
        cells = [fx[f"mae_{n}"] for n in SIZES] + [fx["recon"]]
        cells += [mix[f"mae_{n}"] for n in SIZES] + [mix["recon"]]
        text = " | ".join(f"{c:.1f}" for c in cells)
        lines.append(f"| {name} | {text} | {gen['kde']:.1f} | {gen['prior']:.1f} |")
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".md.tmp")
    tmp.write_text("\n".join(lines) + "\n")
    tmp.replace(out)
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
