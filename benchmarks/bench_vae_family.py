"""VAE family (issues 3 and 5): held-out log-likelihood, reconstruction and training speed of
every flat-vector model of the ``vae`` plugin, side by side with Pythae where it has the model.

    python benchmarks/bench_vae_family.py                 # writes benchmarks/results/vae_family.md
    python benchmarks/bench_vae_family.py --quick         # tiny data, 2 epochs, K = 50; no file

Data: MIT-BIH beats split by record (``vae_family_data``). Each sigvae model is built with
``sigvae.registry.build`` and trained by the one ``Trainer``; right after it, when Pythae has the
model, Pythae's version is trained by Pythae's own trainer on the same arrays in a subprocess
running the venv's Python (``vae_family_pythae``): these runs give the quality columns. The speed
columns come from ``--repeats`` further trainings of both sides interleaved epoch by epoch in
one process (``vae_family_interleaved``), so the drifting speed of this shared machine hits both
alike. Pythae lives in ``/tmp/benchvenv`` (``python -m venv --system-site-packages
/tmp/benchvenv && /tmp/benchvenv/bin/pip install pythae``), sharing sigvae's torch.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import vae_family_data as vd  # noqa: E402
import vae_family_report as report  # noqa: E402
from vae_family_models import ENTRIES, run_sigvae  # noqa: E402
from vae_family_pythae import MODELS as PYTHAE_MODELS  # noqa: E402

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "vae_family.md"
SEQUENCE_MODELS = ("pixel-vae", "vrnn")  # per-step decoders: K = 1000 costs minutes per beat set


def prepare(args) -> dict:
    """Beats, standardised with training statistics, and the fixed test subsets scored by the
    (costly) K-sample likelihood: every ``ll_stride``-th test beat, and for the sequence models
    every ``seq_stride``-th of those."""
    train = vd.load_beats(vd.TRAIN_RECORDS, args.train_cap)
    val = vd.load_beats(vd.VAL_RECORDS, args.eval_cap)
    test = vd.load_beats(vd.TEST_RECORDS, args.eval_cap)
    vd.standardise(train, val, test)
    ll_index = np.arange(0, len(test.x), args.ll_stride)
    return {
        "train": train,
        "val": val,
        "test": test,
        "ll_index": ll_index,
        "seq_index": ll_index[:: args.seq_stride],
    }


def beats_file(data: dict, index: np.ndarray, tmp: Path) -> Path:
    """The arrays both Pythae workers read, written once per benchmark run."""
    arrays = tmp / "beats.npz"
    if not arrays.exists():
        test = data["test"].x
        np.savez(arrays, train=data["train"].x, val=data["val"].x, test=test, ll=test[index])
    return arrays


def run_worker(script: str, name: str, data: dict, index, args, tmp: Path, extra: list) -> dict:
    """Run one worker script with the Pythae venv's Python; its JSON result (or the error)."""
    out = tmp / f"{name}.{script}.json"
    command = [args.pythae_python, str(HERE / f"{script}.py"), str(beats_file(data, index, tmp))]
    command += [str(out), "--model", name, "--epochs", str(args.epochs), "--lr", str(args.lr)]
    command += ["--batch-size", str(args.batch_size), "--seed", str(args.seed)] + extra
    done = subprocess.run(command, capture_output=True, text=True)
    if not out.exists():
        return {"error": f"worker exited {done.returncode}: {done.stderr.strip()[-300:]}"}
    return json.loads(out.read_text())


def run_pythae(name: str, data: dict, index: np.ndarray, args, tmp: Path) -> dict:
    """Pythae's training of ``name`` in its own process, scored on the held-out beats."""
    extra = ["--ll-samples", str(args.ll_samples)]
    return run_worker("vae_family_pythae", name, data, index, args, tmp, extra)


def interleaved_speed(name: str, data: dict, index: np.ndarray, args, tmp: Path) -> dict:
    """``args.repeats`` trainings of each side interleaved epoch by epoch (the speed columns)."""
    extra = ["--repeats", str(args.repeats)]
    return run_worker("vae_family_interleaved", name, data, index, args, tmp, extra)


def pythae_version(python: str) -> str | None:
    if not Path(python).is_file():
        return None
    probe = [python, "-c", "import importlib.metadata as m; print(m.version('pythae'))"]
    done = subprocess.run(probe, capture_output=True, text=True)
    return done.stdout.strip() if done.returncode == 0 else None


def registered_vae_models() -> list[str]:
    """Every model the ``vae`` plugin registers, so none is silently left out of the table."""
    from sigvae.registry import default_registry

    specs = default_registry().specs("model")
    return [s.name for s in specs if s.factory.__module__.startswith("sigvae_vae")]


def warm_up(data: dict, args) -> None:
    """One untimed epoch on a few beats, so the first timed model does not pay the one-off
    costs (lazy imports, allocator and kernel warm-up) alone."""
    few = {k: v for k, v in data.items()}
    for key in ("train", "val", "test"):
        beats = data[key]
        few[key] = vd.Beats(beats.x[:256], beats.label[:256], beats.male[:256], beats.record[:256])
    few["ll_index"] = np.arange(4)
    quick = argparse.Namespace(**{**vars(args), "epochs": 1, "ll_samples": 10})
    run_sigvae(ENTRIES[0], few, quick)


def benchmark(args, data, pythae: str | None) -> tuple[dict, dict]:
    ours, theirs = {}, {}
    warm_up(data, args)
    with tempfile.TemporaryDirectory() as tmp:
        for entry in ENTRIES:
            if entry.na:
                continue
            index = data["seq_index"] if entry.name in SEQUENCE_MODELS else data["ll_index"]
            started = time.perf_counter()
            try:
                ours[entry.name] = run_sigvae(entry, {**data, "ll_index": index}, args)
            except Exception as exc:  # recorded in the table, not hidden
                ours[entry.name] = {"error": f"{type(exc).__name__}: {exc}".splitlines()[0]}
            print(f"sigvae {entry.name}: {time.perf_counter() - started:.0f} s "
                  f"{report.brief(ours[entry.name])}", flush=True)  # fmt: skip
            if pythae and entry.name in PYTHAE_MODELS:
                started = time.perf_counter()
                theirs[entry.name] = run_pythae(entry.name, data, data["ll_index"], args, Path(tmp))
                print(f"pythae {entry.name}: {time.perf_counter() - started:.0f} s "
                      f"{report.brief(theirs[entry.name])}", flush=True)  # fmt: skip
                started = time.perf_counter()
                speed = interleaved_speed(entry.name, data, data["ll_index"], args, Path(tmp))
                theirs[entry.name]["interleaved"] = speed
                print(f"interleaved {entry.name}: {time.perf_counter() - started:.0f} s "
                      f"{speed.get('error', '')}", flush=True)  # fmt: skip
    return ours, theirs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--train-cap", type=int, default=400, help="beats per training record")
    parser.add_argument("--eval-cap", type=int, default=300, help="beats per val/test record")
    parser.add_argument("--ll-samples", type=int, default=1000, help="K importance samples")
    parser.add_argument("--ll-stride", type=int, default=3, help="every n-th test beat for LL")
    parser.add_argument("--seq-stride", type=int, default=10, help="of those, for vrnn/pixel-vae")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--repeats", type=int, default=3, help="interleaved timed runs where Pythae has the model"
    )
    parser.add_argument("--only", nargs="+", help="run only these models (no results file)")
    parser.add_argument("--pythae-python", default="/tmp/benchvenv/bin/python")
    parser.add_argument("--quick", action="store_true", help="smoke run; writes no file")
    args = parser.parse_args()
    if args.quick:
        args.epochs, args.train_cap, args.eval_cap, args.ll_samples = 2, 40, 20, 50
        args.repeats = min(args.repeats, 2)
    import torch

    torch.set_num_threads(1)
    load = os.getloadavg()[0]
    data = prepare(args)
    if args.only:
        ENTRIES[:] = [e for e in ENTRIES if e.name in args.only]
    version = pythae_version(args.pythae_python)
    started = time.perf_counter()
    ours, theirs = benchmark(args, data, version)
    machine = (
        f"CPU only ({platform.machine()}, {os.cpu_count()} logical cores shared with other "
        f"jobs; load average {load:.1f} at the start), torch {torch.__version__} with 1 thread, "
        f"Pythae {version or 'not available'} (separate venv, same torch). Whole run "
        f"{(time.perf_counter() - started) / 60:.1f} min."
    )
    text = report.render(args, data, ours, theirs, machine, registered_vae_models())
    print(text)
    if not args.quick and not args.only:
        from sigvae.io import atomic_write_text

        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(RESULTS, text)


if __name__ == "__main__":
    main()
