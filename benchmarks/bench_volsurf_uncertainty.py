"""How far to trust ``iv_std``: coverage of the completion's standard deviations.

    python benchmarks/bench_volsurf_uncertainty.py [--model PATH] [--cache FILE]

``complete_surface`` reports each completed vol's standard deviation under a Laplace
approximation of the latent posterior (``sigvae_volsurf.completion.completion_std``). If it were
exact and Gaussian, 68.3 % of the errors on unobserved points would lie within one s.d. and
95.4 % within two. Measured on the simulated validation surfaces of
``bench_volsurf_variants.py`` (seed 7) with exact quotes and with Gaussian quote noise
(``--noise-bp``, the model's own noise level by default), and on the real CAD test surface
(random observed sets drawn as in ``bench_volsurf.py``, ``--cad-draws`` per size). Nothing
here chooses anything. Writes ``benchmarks/results/volsurf_uncertainty.md``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_volsurf import CAD, cad_random_masks, cad_surface  # noqa: E402
from bench_volsurf_variants import SETS, SIZES, validation_sets  # noqa: E402
from make_results import command_of, write_section  # noqa: E402

COLUMNS = ("mae_bp", "std_bp", "coverage_1sd", "coverage_2sd")


def row(label: str, errors: dict) -> str:
    mae, std, one, two = (errors[c] for c in COLUMNS)
    return f"| {label} | {mae:.1f} | {std:.1f} | {100 * one:.0f} % | {100 * two:.0f} % |"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=None, help="run dir or checkpoint (default: shipped)")
    parser.add_argument("--noise-bp", type=float, default=None, help="default: the model's")
    parser.add_argument("--n-fx", type=int, default=150, help="FX-like surfaces per simulator")
    parser.add_argument("--n-mix", type=int, default=100, help="mixed surfaces per simulator")
    parser.add_argument("--cad-draws", type=int, default=100, help="random sets per CAD size")
    parser.add_argument("--cache", default=None, help="npz file caching the validation sets")
    parser.add_argument("--out", default=str(HERE / "results" / "volsurf_uncertainty.md"))
    parser.add_argument("--note", default="", help="how the method was chosen (markdown)")
    args = parser.parse_args(argv)

    import torch

    torch.set_num_threads(1)
    from sigvae_volsurf.api import load_volsurf_model
    from sigvae_volsurf.evaluators import completion_errors, random_masks

    model = load_volsurf_model(args.model)
    noise = 1e4 * model.sigma if args.noise_bp is None else args.noise_bp
    sets = validation_sets(model.grid, args.n_fx, args.n_mix, args.cache)
    head = "| observed quotes | MAE (bp) | median s.d. (bp) | within 1 s.d. | within 2 s.d. |"
    rule = "|---|---|---|---|---|"
    lines = [
        "# Volatility surfaces: coverage of the completion's standard deviations (`iv_std`)",
        "",
        f"Produced by `{command_of(__file__, sys.argv[1:])}` "
        f"(CPU, one thread). Model: "
        f"{args.model or 'the shipped pointwise model'}. Errors on the unobserved points of "
        "completions from random observed sets against the completion's Laplace standard "
        "deviation; exact Gaussian s.d.s would put 68 % of the errors within one s.d. and 95 % "
        "within two. Validation surfaces: seed 7, as in `volsurf_variants*.md`; 'noisy': "
        f"Gaussian noise of {noise:g} bp (the model's quote noise) added to the quotes the "
        "completion sees, errors scored against the noise-free surfaces.",
        "",
        args.note,
        "",
    ]
    for label, level in (("exact quotes", 0.0), (f"noisy quotes ({noise:g} bp)", noise)):
        lines += [f"## Simulated validation surfaces, {label}", "", head, rule]
        for key in SETS:
            vols = sets[key]
            rng = np.random.default_rng(3)
            seen = vols + 1e-4 * level * np.random.default_rng(11).standard_normal(vols.shape)
            for n in SIZES:
                masks = random_masks(np.ones(vols.shape, bool), n, rng)
                errors = completion_errors(model, vols, masks, observed_vols=seen)
                lines.append(row(f"{SETS[key]}, {n}", errors))
                print(lines[-1], file=sys.stderr, flush=True)
        lines.append("")
    if CAD.is_dir():
        cad = cad_surface(model.grid)
        have = np.isfinite(cad)
        rng = np.random.default_rng(11)
        lines += [
            f"## Real CAD surface (2017-05-26, test data): {args.cad_draws} random sets per size",
            "",
            head,
            rule,
        ]
        for n in SIZES:
            masks = cad_random_masks(have, n, args.cad_draws, rng)
            vols = np.repeat(np.where(have, cad, np.nan)[None], args.cad_draws, axis=0)
            errors = completion_errors(model, vols, masks, available=have[None] & ~masks)
            lines.append(row(str(n), errors))
        lines.append("")
    write_section(Path(args.out), "\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
