"""Choose the DeepFilter-protocol model on the VALIDATION split, never on the test beats.

    python benchmarks/bench_ecg_deepfilter_variants.py runs/ecg-df-a runs/ecg-df-b ...

Validation beats: the validation records of ``pipelines/ecg_deepfilter.yaml`` (MIT-BIH 106,
113; LUDB 71-80), every lead, cut by its own ``ecg-beats`` step after its resampling and
band-pass; noise: NSTDB ``bw`` training half (samples [0, 325000)), scaled as in the
protocol with a fixed seed. Writes ``benchmarks/results/ecg_deepfilter_variants.md``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import bench_ecg_protocol as P
import numpy as np
from bench_ecg_data import ROOT, require_data
from make_results import write_section

PIPELINE = ROOT / "pipelines" / "ecg_deepfilter.yaml"
METRICS = ("ssd", "mad", "prd_deepfilter", "cosine")


def validation_beats() -> np.ndarray:
    """The pipeline's validation records, through every step before the noise."""
    import sigvae
    from sigvae.pipeline.runner import read_sources
    from sigvae.pipeline.split import split_data

    resolved = sigvae.load_pipeline(PIPELINE).resolved
    cfg = resolved.config
    data = split_data(read_sources(resolved), cfg.split.val, cfg.split.test, cfg.split.seed)
    val = data["val"]
    for spec, params in resolved.steps:
        if spec.name == "ecg-noise":
            break
        val = spec.factory(params).transform(val)
    return val.x[:, 0].astype(np.float64)


def run_settings(run: str, den) -> str:
    """hidden | copies | epochs run | schedule of a run directory (from its config.yaml)."""
    import json

    import yaml

    hidden = den.model.model_config["params"].get("hidden")
    path = Path(run)
    if not (path / "config.yaml").is_file():
        return f"{hidden} | ? | ? | ?"
    cfg = yaml.safe_load((path / "config.yaml").read_text())
    noise = next(s["params"] for s in cfg["steps"] if s["preprocess"] == "ecg-noise")
    epochs = json.loads((path / "metrics.json").read_text()).get("epochs_run")
    schedule = cfg["train"].get("lr_schedule", "none")
    return f"{hidden} | {noise['copies']} | {epochs} | {schedule}"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("runs", nargs="+", help="run directories or checkpoints to compare")
    args = ap.parse_args()
    require_data()
    import torch
    from sigvae_ecg import noise as nz
    from sigvae_ecg.engine import denoise_windows
    from sigvae_ecg.runtime import load_denoiser

    torch.set_num_threads(1)
    beats = validation_beats()
    bank = nz.load_nstdb(P.SHARED_NSTDB, nz.TRAIN_SEGMENT)
    noisy = P.deepfilter_noisy(beats, bank, np.random.default_rng(99))
    lines = [
        "## ECG denoising: DeepFilter-protocol model choice (validation split)",
        "",
        f"Command: `python benchmarks/bench_ecg_deepfilter_variants.py {' '.join(sys.argv[1:])}`",
        "",
        f"{len(beats)} validation beats (MIT-BIH 106, 113, LUDB 71-80, every lead), NSTDB bw "
        "training half, peak-to-peak ratio 0.2-2.0; units mV. The test beats are not used here.",
        "",
        "| run | hidden | noisy copies | epochs | lr schedule | SSD | MAD | PRD DeepFilter % "
        "| cosine |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for run in args.runs:
        den = load_denoiser(run)
        est = denoise_windows(noisy, den.predict)
        v = {m: P.metrics.summarize(getattr(P.metrics, m)(beats, est)) for m in METRICS}
        lines.append(
            f"| `{run}` | {run_settings(run, den)} | {v['ssd']:.3f} | {v['mad']:.3f} | "
            f"{v['prd_deepfilter']:.1f} | {v['cosine']:.3f} |"
        )
        print(lines[-1], flush=True)
    write_section(
        ROOT / "benchmarks" / "results" / "ecg_deepfilter_variants.md", "\n".join(lines) + "\n"
    )


if __name__ == "__main__":
    main()
