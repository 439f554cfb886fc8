"""Per-model cost of one training step (forward + backward + Adam for every optimizer phase),
at the configuration of the VAE-family benchmark (``vae_family_models.ENTRIES``), on random
beats of 128 samples, batch 128, one torch thread.

This isolates the models' ``loss`` code and ``sigvae.nn`` from data loading and the Trainer:
the loop mirrors the Trainer's (grads set to None, loss, backward into the phase's own group,
fused Adam per phase; for models with ``joint_phases`` one ``joint_loss`` forward per step).

Usage: ``python benchmarks/bench_model_steps.py [--only vae iwae] [--steps 200] [--write]``
(``--write`` also writes ``benchmarks/results/model_steps.md``).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))

from vae_family_models import ENTRIES, build_model  # noqa: E402

DEFAULT = ["vae", "beta-vae", "iwae", "vamp-vae", "aae", "factor-vae", "beta-tcvae", "vq-vae"]
RESULTS = Path(__file__).resolve().parent / "results" / "model_steps.md"


def time_steps(name: str, steps: int, batch: int = 128, width: int = 128) -> float:
    """Lower-quartile CPU ms per training step over ``steps`` steps after a warm-up of 20.
    CPU time and the lower quartile, because the machine is shared: wall-clock medians moved
    by 30 % between identical runs, these by a few %."""
    entry = next(e for e in ENTRIES if e.name == name)
    torch.manual_seed(0)
    model = build_model(entry, [width], 0)
    model.train()
    phases = [
        (group, torch.optim.Adam(params, lr=1e-3, fused=True))
        for group, params in model.optimizer_groups().items()
    ]
    trainable = [p for p in model.parameters() if p.requires_grad]
    joint = getattr(model, "joint_phases", False) and len(phases) > 1
    routed = len(phases) > 1  # the Trainer back-propagates a phase into its own group only
    data = torch.randn(16 * batch, width)
    times = []
    for i in range(steps + 20):
        x = data[(i % 16) * batch : (i % 16 + 1) * batch]
        started = time.process_time()
        if joint:  # the Trainer's joint step: one forward, each loss into its own group
            for p in trainable:
                p.grad = None
            outs = model.joint_loss({"x": x})
            for k, (group, optimizer) in enumerate(phases):
                groups_params = optimizer.param_groups[0]["params"]
                outs[group].total.backward(inputs=groups_params, retain_graph=k < len(phases) - 1)
            for _, optimizer in phases:
                optimizer.step()
        else:
            for group, optimizer in phases:
                for p in trainable:
                    p.grad = None
                out = model.loss({"x": x}, phase=group)
                out.total.backward(inputs=optimizer.param_groups[0]["params"] if routed else None)
                optimizer.step()
        if i >= 20:
            times.append(time.process_time() - started)
    times.sort()
    return 1000 * times[len(times) // 4]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", default=DEFAULT)
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(1)
    rows = []
    for name in args.only:
        ms = time_steps(name, args.steps)
        rows.append((name, ms))
        print(f"{name:12s} {ms:8.3f} ms/step", flush=True)
    if args.write:
        lines = [
            "# Per-model training step",
            "",
            f"`python benchmarks/bench_model_steps.py --write` ({args.steps} steps, lower-quartile CPU time; "
            "batch 128, 128 samples, 1 thread, random data). The machine is shared: identical "
            "runs differ by up to about 20 %, so compare runs taken back to back.",
            "",
            "| model | ms/step |",
            "|---|---|",
            *[f"| {n} | {ms:.3f} |" for n, ms in rows],
            "",
        ]
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        tmp = RESULTS.with_suffix(".tmp")
        tmp.write_text("\n".join(lines))
        os.replace(tmp, RESULTS)


if __name__ == "__main__":
    main()
