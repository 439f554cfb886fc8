"""The shipped pipelines validate, and a tiny version of each runs end to end."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sigvae import load_pipeline

PIPELINES = Path(__file__).resolve().parents[3] / "pipelines"
TINY = [
    "data.params.n_per_model=4",
    "data.params.models=[ssvi,sabr]",
    "split.val=0.25",
    "split.test=0.25",
    "train.epochs=2",
    "train.batch_size=4",
    "train.progress=false",
    "evaluate.0.params.observed=[5]",
]


@pytest.mark.parametrize("name", ["volsurf_grid.yaml", "volsurf_pointwise.yaml"])
def test_shipped_pipelines_validate(name):
    assert load_pipeline(PIPELINES / name).config.name == name[:-5].replace("_", "-")


def test_a_tiny_pointwise_run_writes_metrics(tmp_path):
    overrides = [*TINY, f"outputs.dir={tmp_path / 'run'}"]
    pipe = load_pipeline(PIPELINES / "volsurf_pointwise.yaml", overrides)
    result = pipe.run()
    metrics = json.loads((result.run_dir / "metrics.json").read_text())
    held_out = metrics["test"]
    assert {"mae_bp_5", "rmse_bp_5", "arbitrage_violation_rate"} <= set(held_out)
    assert (result.run_dir / "best.pt").is_file()
