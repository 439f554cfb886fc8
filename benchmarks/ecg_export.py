"""Export a trained ECG run as shipped weights, shared by ``bench_ecg_ship.py`` (the default
denoiser) and ``bench_ecg_ship_deepfilter.py`` (the DeepFilter-protocol one)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from bench_ecg_data import ROOT

WEIGHTS = ROOT / "plugins" / "sigvae_ecg" / "weights"


def results_section(name: str) -> str | None:
    """The text of ``benchmarks/results/<name>.md``, or None when its benchmark has not run."""
    path = ROOT / "benchmarks" / "results" / f"{name}.md"
    return path.read_text() if path.is_file() else None


def export_checked(run_dir: Path, target: Path):
    """Save the run's best model to ``target`` (model identity + state_dict via the kernel's
    ``save_model``, no optimizer state), reload it the way users do (``sigvae.load_model``,
    weights-only) and refuse to ship it unless the reloaded model reconstructs identically.
    Returns the reloaded model, the run's ``metrics.json`` and the fields every model card
    fills in (checksum, size, parameters, training record, the run's config)."""
    import torch
    from sigvae_ecg.runtime import file_sha256

    import sigvae
    from sigvae.training.checkpoint import save_model

    model = sigvae.load_model(run_dir)
    save_model(model, target)
    again = sigvae.load_model(target)
    x = torch.randn(8, 1, 512)
    if not torch.equal(model.reconstruct(x), again.reconstruct(x)):
        raise SystemExit(f"{target}: the reloaded model differs from {run_dir}; not shipped")
    metrics = json.loads((run_dir / "metrics.json").read_text())
    fields = {
        "sha": file_sha256(target),
        "size_kb": target.stat().st_size / 1024,
        "n_params": sum(int(np.prod(p.shape)) for p in again.parameters()),
        "latent": " x ".join(str(v) for v in getattr(again, "code_shape", again.latent_shape)),
        "params": json.dumps(again.model_config["params"]),
        "config": (run_dir / "config.yaml").read_text().strip(),
        **{key: metrics.get(key) for key in ("best_epoch", "time_s", "device", "examples")},
        "epochs": metrics.get("epochs_run"),
    }
    return again, metrics, fields
