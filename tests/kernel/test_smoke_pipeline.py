"""``pipelines/smoke.yaml`` trains the ``vae`` on real LUDB ECG windows end to end, through
the Python API, and its loss falls; the run directory holds everything the docs promise."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import sigvae

PIPELINE = Path(__file__).resolve().parents[2] / "pipelines" / "smoke.yaml"


def test_smoke_pipeline_trains_on_real_data(shared_data, tmp_path):
    pipe = sigvae.load_pipeline(
        PIPELINE, [f"outputs.dir={tmp_path / 'run'}", "train.epochs=4", "train.progress=false"]
    )
    result = pipe.run()
    assert result.run_dir == tmp_path / "run"
    losses = [row["train/loss"] for row in result.history]
    assert losses[-1] < losses[0] - 5.0, losses
    for name in ("config.yaml", "metrics.json", "metrics.csv", "best.pt", "training_curves.png"):
        assert (result.run_dir / name).is_file(), name
    metrics = json.loads((result.run_dir / "metrics.json").read_text())
    assert metrics["test"]["mse"] == result.metrics["test"]["mse"]
    # held-out log-likelihood is a lower-bounded estimate: never below the ELBO on average
    assert metrics["test"]["log_likelihood"] >= metrics["test"]["elbo"] - 1.0
    with open(result.run_dir / "metrics.csv") as fh:
        assert len(list(csv.DictReader(fh))) == 4
    model = sigvae.load_model(result.run_dir)
    assert model.model_config["type"] == "vae" and not model.training
