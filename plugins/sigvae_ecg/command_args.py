"""Arguments of ``sigvae ecg-denoise`` (argparse only: imported when the CLI starts)."""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "records",
        nargs="*",
        metavar="RECORD",
        help="WFDB record (name, name.hea or name.dat) or EDF file; several may be given",
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        help="denoise the bundled example (20 s of MIT-BIH 100 with real NSTDB electrode-motion "
        "noise) into ./ecg_denoise_demo unless -o is given",
    )
    parser.add_argument(
        "-o",
        "--outdir",
        default=None,
        help="output directory (default: each input's own directory); writes "
        "<name>_denoised.hea/.dat and <name>_denoised.json",
    )
    parser.add_argument(
        "--model",
        default=None,
        help="checkpoint or run directory of another denoiser (default: the shipped model)",
    )
    parser.add_argument(
        "--leads",
        default=None,
        help="comma-separated channel names to denoise (default: every channel that looks "
        "like ECG; others are copied unchanged)",
    )
    parser.add_argument(
        "--plot", action="store_true", help="also write <name>_denoised.png (10 s before/after)"
    )
    parser.add_argument(
        "--overwrite", action="store_true", help="replace existing <name>_denoised outputs"
    )
    parser.add_argument(
        "--progress",
        choices=["auto", "always", "never"],
        default="auto",
        help="progress bar: auto (records over 10 min, on a terminal), always, never",
    )
