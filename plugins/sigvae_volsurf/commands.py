"""The ``volsurf-complete`` and ``volsurf-generate`` commands (argparse only at import time;
the work is imported when a command runs)."""

from __future__ import annotations

import argparse
import math
import sys
import warnings
from pathlib import Path

from sigvae.errors import SigvaeError

COMPLETE_DOC = (
    "Complete implied-vol surfaces from a long CSV/Parquet of quotes (date, tau or tenor, delta "
    "or strike+forward or log_moneyness, iv): one full grid per date, observed points marked."
)
GENERATE_DOC = "Generate synthetic vol surfaces with their static-arbitrage check results."


def refuse_existing(paths, overwrite: bool) -> None:
    """Never replace an output unless ``--overwrite`` was given."""
    for path in paths:
        if not overwrite and (path.exists() or path.is_symlink()):
            raise SigvaeError("already exists; pass --overwrite to replace it", path=path)


def complete_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("observed", metavar="OBSERVED", help="quotes file (.csv or .parquet)")
    parser.add_argument(
        "-o",
        "--output",
        required=True,
        metavar="COMPLETED",
        help="output table (.csv or .parquet); refused if it exists",
    )
    parser.add_argument(
        "--model",
        metavar="PATH",
        help="checkpoint or run directory (default: the shipped pointwise model)",
    )
    parser.add_argument(
        "--grid",
        metavar="TENORS,DELTAS",
        help="output grid, tenors then deltas: '1W,1M,3M,1Y,0.1,0.25,0.5,0.75,0.9'",
    )
    parser.add_argument(
        "--convention",
        default="forward",
        choices=["forward", "spot", "forward-pa", "spot-pa"],
        help="delta convention of the quotes (default: forward, unadjusted)",
    )
    parser.add_argument(
        "--method",
        default="levenberg-marquardt",
        choices=["levenberg-marquardt", "lbfgs"],
        help="latent optimiser (default: levenberg-marquardt, the faster one)",
    )
    parser.add_argument(
        "--starts",
        type=int,
        default=None,
        help="optimiser starts per surface (default: 1 for levenberg-marquardt, 2 for lbfgs)",
    )
    parser.add_argument(
        "--prior-weight",
        type=float,
        default=1.0,
        metavar="W",
        help="weight of the latent prior against the quotes (default 1, the Bayesian weight "
        "for the model's quote noise; see the plugin README before changing it)",
    )
    parser.add_argument(
        "--plot",
        action="store_true",
        help="also write a 3-D surface and smile plot per date next to the output",
    )
    parser.add_argument("--overwrite", action="store_true", help="replace existing outputs")


def generate_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-n", type=int, required=True, help="number of surfaces")
    parser.add_argument(
        "-o",
        "--output",
        required=True,
        metavar="SURFACES",
        help="output table (.parquet or .csv); refused if it exists",
    )
    parser.add_argument(
        "--model",
        metavar="PATH",
        help="checkpoint or run directory (default: the shipped pointwise model)",
    )
    parser.add_argument("--seed", type=int, default=0, help="random seed")
    parser.add_argument(
        "--latent",
        choices=["kde", "prior"],
        default="kde",
        help="latent sampler: KDE of training latents (default) or the prior",
    )
    parser.add_argument(
        "--bandwidth",
        metavar="RULE_OR_FACTOR",
        help="KDE bandwidth: scott, silverman or a factor (default: 0.40, chosen for the "
        "shipped model by likelihood cross-validation)",
    )
    parser.add_argument("--grid", metavar="TENORS,DELTAS", help="output grid (pointwise models)")
    parser.add_argument(
        "--arbitrage-free",
        action="store_true",
        help="replace surfaces that fail the arbitrage checks by fresh draws",
    )
    parser.add_argument("--overwrite", action="store_true", help="replace an existing output")


def complete_command(args: argparse.Namespace) -> int:
    from sigvae.io.tables import read_table, table_format, write_table
    from sigvae_volsurf.api import complete_surface
    from sigvae_volsurf.completion import FewQuotesWarning
    from sigvae_volsurf.plots import plot_names, write_completion_plots

    out = Path(args.output)
    table_format(out)
    if args.starts is not None and args.starts < 1:
        raise SigvaeError(f"--starts must be at least 1, got {args.starts}")
    if not (math.isfinite(args.prior_weight) and args.prior_weight > 0):
        raise SigvaeError(f"--prior-weight must be a positive number, got {args.prior_weight}")
    refuse_existing([out], args.overwrite)
    quotes = read_table(args.observed)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", FewQuotesWarning)
        frame = complete_surface(
            quotes,
            model=args.model,
            grid=args.grid,
            convention=args.convention,
            starts=args.starts,
            method=args.method,
            prior_weight=args.prior_weight,
            source=args.observed,
        )
    for w in caught:
        print(f"sigvae: warning: {w.message}", file=sys.stderr)
    names = plot_names(frame, out.stem) if args.plot else []
    refuse_existing([out.parent / name for name in names], args.overwrite)
    written = [write_table(frame, out, overwrite=args.overwrite)]
    if names:
        written += write_completion_plots(frame, out.parent, names, args.overwrite)
    n_dates = frame["group"].nunique()
    print(f"completed {n_dates} surface(s); wrote {', '.join(str(p) for p in written)}")
    return 0


def _bandwidth(text: str | None):
    """``--bandwidth``: a rule name or a number (None: the default)."""
    if text is None or text in ("scott", "silverman"):
        return text
    try:
        return float(text)
    except ValueError:
        raise SigvaeError(
            f"--bandwidth must be scott, silverman or a number, got {text!r}"
        ) from None


def generate_command(args: argparse.Namespace) -> int:
    from sigvae.io.tables import table_format, write_table
    from sigvae_volsurf.api import generate_surfaces

    out = Path(args.output)
    table_format(out)
    refuse_existing([out], args.overwrite)
    frame = generate_surfaces(
        args.n,
        model=args.model,
        seed=args.seed,
        latent=args.latent,
        grid=args.grid,
        arbitrage_free=args.arbitrage_free,
        bandwidth=_bandwidth(args.bandwidth),
    )
    write_table(frame, out, overwrite=args.overwrite)
    per_surface = frame.drop_duplicates("group")
    bad = (per_surface["butterfly_arbitrage"] | per_surface["calendar_arbitrage"]).mean()
    print(
        f"generated {len(per_surface)} surfaces ({100 * bad:.1f} % with static arbitrage); "
        f"wrote {out}"
    )
    return 0
