"""The completion's prior weight, checked on simulated validation surfaces (never on CAD).

    python benchmarks/bench_volsurf_prior_weight.py [--model PATH] [--cache FILE]

Completion minimises ``sum (sigma_model - iv)^2 / (2 s^2) + w r(z) / 2`` (``s`` the model's
quote noise, ``r`` the squared Mahalanobis distance under the latent prior). ``w = 1`` is the
Bayesian MAP weight when quotes really carry noise of size ``s``; a smaller ``w`` trusts the
quotes more. This script measures completion MAE (bp, unobserved points) for several ``w`` on
the validation sets of ``bench_volsurf_variants.py`` (seed 7: FX-like, mixed FX/equity, wide
FX, time-changed FX) from 5/10/20 random quotes, once with exact quotes and once with Gaussian
quote noise (``--noise-bp``, drawn once per set with seed 11 and added to the quotes the
completion sees; errors are scored against the noise-free surface).

The decision rule was written before the noisy runs were seen: score(w) = mean over every
(set, size, noise) cell of MAE(w) / MAE(1); the weight with the lowest score replaces 1 only if
no cell is more than 5 % worse than at w = 1. Writes
``benchmarks/results/volsurf_prior_weight.md``.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_volsurf_variants import SETS, SIZES, validation_sets  # noqa: E402
from make_results import command_of, write_section  # noqa: E402

WORST_ALLOWED = 1.05


def measure(model, sets, weights, noises) -> dict:
    """``{(noise, set, size, weight): MAE bp}``; the masks are those of the variants script."""
    from sigvae_volsurf.evaluators import completion_errors, random_masks

    out = {}
    for key in SETS:
        vols = sets[key]
        rng = np.random.default_rng(3)
        masks = {n: random_masks(np.ones(vols.shape, bool), n, rng) for n in SIZES}
        for noise in noises:
            seen = vols + 1e-4 * noise * np.random.default_rng(11).standard_normal(vols.shape)
            for n in SIZES:
                for w in weights:
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        errors = completion_errors(
                            model, vols, masks[n], prior_weight=w, observed_vols=seen
                        )
                    out[noise, key, n, w] = errors["mae_bp"]
                    print(
                        f"noise {noise} {key} {n}: w {w} {errors['mae_bp']:.1f} bp",
                        file=sys.stderr,
                        flush=True,
                    )
    return out


def decide(mae: dict, weights, noises) -> tuple[dict, dict, float]:
    """Per weight: the mean ratio to w = 1 over all cells and per noise level, the worst ratio
    over all cells, and the rule's choice."""
    score, worst = {}, {}
    for w in weights:
        ratios = {
            noise: np.array(
                [mae[noise, k, n, w] / mae[noise, k, n, 1.0] for k in SETS for n in SIZES]
            )
            for noise in noises
        }
        every = np.concatenate(list(ratios.values()))
        score[w] = {"all": float(every.mean()), **{nz: float(r.mean()) for nz, r in ratios.items()}}
        worst[w] = float(every.max())
    allowed = [w for w in weights if worst[w] <= WORST_ALLOWED]
    return score, worst, min(allowed, key=lambda w: score[w]["all"])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=None, help="run dir or checkpoint (default: shipped)")
    parser.add_argument("--weights", type=float, nargs="+", default=[0.1, 0.25, 0.5, 1.0])
    parser.add_argument("--noise-bp", type=float, default=10.0, help="quote noise of the 2nd pass")
    parser.add_argument("--n-fx", type=int, default=150, help="FX-like surfaces per simulator")
    parser.add_argument("--n-mix", type=int, default=100, help="mixed surfaces per simulator")
    parser.add_argument("--cache", default=None, help="npz file caching the validation sets")
    parser.add_argument("--out", default=str(HERE / "results" / "volsurf_prior_weight.md"))
    args = parser.parse_args(argv)
    weights = sorted(set(args.weights) | {1.0})
    noises = (0.0, args.noise_bp)

    import torch

    torch.set_num_threads(1)
    from sigvae_volsurf.api import load_volsurf_model

    model = load_volsurf_model(args.model)
    sets = validation_sets(model.grid, args.n_fx, args.n_mix, args.cache)
    mae = measure(model, sets, weights, noises)
    score, worst, chosen = decide(mae, weights, noises)

    head = " | ".join(f"{SETS[key]} {n}" for key in SETS for n in SIZES)
    lines = [
        "# Volatility surfaces: the completion's prior weight",
        "",
        f"Produced by `{command_of(__file__, sys.argv[1:])}` "
        f"(CPU, one thread). Model: "
        f"{args.model or 'the shipped pointwise model'} (quote noise s = "
        f"{1e4 * model.sigma:.0f} bp). Completion MAE (bp) on the unobserved points of the "
        "simulated validation surfaces of `volsurf_variants*.md` (seed 7) from 5/10/20 random "
        "quotes, for prior weights w; 'noisy quotes': Gaussian noise of "
        f"{args.noise_bp:g} bp added to the quotes the completion sees, errors scored against "
        "the noise-free surfaces. The CAD surface is not used.",
        "",
        "Rule, written before the noisy pass was seen: score = mean over all cells of MAE(w) / "
        f"MAE(1); the lowest-scoring w replaces 1 only if no cell is more than "
        f"{100 * (WORST_ALLOWED - 1):.0f} % worse than at w = 1.",
        "",
    ]
    for noise in noises:
        title = "exact quotes" if noise == 0 else f"noisy quotes ({noise:g} bp)"
        lines += [f"## {title}", "", f"| w | {head} |", "|---" * (1 + len(SETS) * len(SIZES)) + "|"]
        for w in weights:
            cells = " | ".join(f"{mae[noise, key, n, w]:.1f}" for key in SETS for n in SIZES)
            lines.append(f"| {w:g} | {cells} |")
        lines.append("")
    names = " | ".join("exact" if nz == 0 else f"noisy ({nz:g} bp)" for nz in noises)
    lines += [
        "## Decision",
        "",
        "Mean ratio MAE(w) / MAE(1) over all cells (the score) and per pass; worst cell.",
        "",
        f"| w | score | {names} | worst cell |",
        "|---" * (3 + len(noises)) + "|",
    ]
    for w in weights:
        per = " | ".join(f"{score[w][nz]:.3f}" for nz in noises)
        lines.append(f"| {w:g} | {score[w]['all']:.3f} | {per} | {worst[w]:.3f} |")
    lines += [
        "",
        f"Chosen by the rule: w = {chosen:g}"
        + (" (the default stays 1)." if chosen == 1.0 else " (replaces the default 1)."),
        "",
    ]
    write_section(Path(args.out), "\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
