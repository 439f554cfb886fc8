"""One training step's model work, sigvae against Pythae: forward pass and backward pass of the
loss (no optimizer, no data loading, no trainer), for the single-loss models both libraries
have, at the VAE-family benchmark's configuration (batch 128, 128 samples, 1 thread).

It tells where the family benchmark's speed ratio comes from: where the model step costs the
same on both sides, sigvae's lead is its optimizer step and training loop alone.

Run with the Python of the benchmark venv, which sees both Pythae and the installed sigvae:

    /tmp/benchvenv/bin/python benchmarks/bench_step_vs_pythae.py [--only vae iwae] [--write]

The two sides alternate in blocks of ``--steps`` steps, ``--blocks`` times, so a drift of this
shared machine's speed hits both alike; the table gives each side's fastest block (drift only
ever slows a block down) and the median block.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import torch

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import vae_family_pythae as vp  # noqa: E402
from make_results import write_section  # noqa: E402
from vae_family_models import ENTRIES, build_model  # noqa: E402

MODELS = ["vae", "beta-vae", "iwae", "vamp-vae", "s-vae", "info-vae", "wae", "beta-tcvae"]
RESULTS = HERE / "results" / "step_vs_pythae.md"
DATASET_SIZE = 6000  # the family benchmark's training beats (Pythae's beta-TCVAE needs it)


def steps_of(name: str, batch: int, width: int = 128):
    """``(sigvae_step, pythae_step)``: closures running one forward + backward each."""
    entry = next(e for e in ENTRIES if e.name == name)
    torch.manual_seed(0)
    ours = build_model(entry, [width], 0).train()
    torch.manual_seed(0)
    theirs = vp.build(name, width).train()
    x = torch.randn(batch, width)
    extra = {"dataset_size": DATASET_SIZE} if name == "beta-tcvae" else {}

    def sigvae_step():
        for p in ours.parameters():
            p.grad = None
        ours.loss({"x": x}).total.backward()

    def pythae_step():
        for p in theirs.parameters():
            p.grad = None
        theirs({"data": x}, **extra).loss.backward()

    return sigvae_step, pythae_step


def time_blocks(steps: dict, per_block: int, blocks: int) -> dict:
    """Milliseconds per step of every block, the sides alternating block by block."""
    out = {side: [] for side in steps}
    for _ in range(blocks):
        for side, step in steps.items():
            for _ in range(5):  # warm the caches for this side
                step()
            started = time.perf_counter()
            for _ in range(per_block):
                step()
            out[side].append(1000 * (time.perf_counter() - started) / per_block)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", default=MODELS, choices=MODELS)
    parser.add_argument("--steps", type=int, default=50, help="steps per block")
    parser.add_argument("--blocks", type=int, default=12)
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--write", action="store_true", help="write results/step_vs_pythae.md")
    args = parser.parse_args()
    torch.set_num_threads(1)
    rows = []
    for name in args.only:
        sigvae_step, pythae_step = steps_of(name, args.batch)
        times = time_blocks({"sigvae": sigvae_step, "pythae": pythae_step}, args.steps, args.blocks)
        s, p = (np.array(times[k]) for k in ("sigvae", "pythae"))
        rows.append(
            f"| {name} | {s.min():.2f} | {np.median(s):.2f} | {p.min():.2f} | {np.median(p):.2f} "
            f"| {p.min() / s.min():.2f}x |"
        )
        print(rows[-1], flush=True)
    text = "\n".join(
        [
            "## Model step alone: sigvae vs Pythae",
            "",
            f"`/tmp/benchvenv/bin/python benchmarks/bench_step_vs_pythae.py --write` (forward + "
            f"backward of the loss, batch {args.batch}, 128 samples, 1 thread, random data; no "
            f"optimizer, no trainer; {args.blocks} blocks of {args.steps} steps per side, the "
            "sides alternating). Models as in the VAE-family benchmark. Where the ratio is near "
            "1, the family benchmark's training-speed lead comes from sigvae's optimizer step "
            "and loop only.",
            "",
            "| model | sigvae ms (fastest block) | sigvae ms (median) | Pythae ms (fastest) "
            "| Pythae ms (median) | Pythae / sigvae (fastest) |",
            "|---|---|---|---|---|---|",
            *rows,
            "",
        ]
    )
    if args.write:
        write_section(RESULTS, text, echo=False)


if __name__ == "__main__":
    main()
