"""A whole pipeline under ``torchrun --nproc_per_node=2`` on CPU (gloo): it trains, both
ranks finish, and only rank 0 checks, writes and reports the run directory."""

from __future__ import annotations

import json
import subprocess
import sys


def test_pipeline_under_torchrun(tmp_path):
    rows = ["group,a,b,c"] + [f"g{i % 5},{i % 7},{(i * 3) % 5},{i % 4}" for i in range(200)]
    (tmp_path / "t.csv").write_text("\n".join(rows))
    (tmp_path / "p.yaml").write_text(f"""
name: ddp
data: {{reader: table, params: {{path: t.csv}}}}
split: {{val: [g1], test: [g2]}}
steps: [{{preprocess: frame-to-arrays}}, {{preprocess: standardize}}]
model: {{type: vae, params: {{latent_dim: 2}}}}
train: {{epochs: 2, batch_size: 16, progress: false}}
evaluate: [{{type: reconstruction}}]
outputs: {{dir: {tmp_path / "run"}}}
""")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "torch.distributed.run",
            "--standalone",
            "--nproc_per_node=2",
            "-m",
            "sigvae.cli",
            "run",
            str(tmp_path / "p.yaml"),
        ],
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.split() == [str(tmp_path / "run")]
    assert proc.stderr.count("[sigvae] run directory:") == 1
    files = sorted(p.name for p in (tmp_path / "run").iterdir())
    assert files == [
        "best.pt",
        "config.yaml",
        "last.pt",
        "metrics.csv",
        "metrics.json",
        "training_curves.png",
    ]
    metrics = json.loads((tmp_path / "run" / "metrics.json").read_text())
    assert metrics["epochs_run"] == 2 and metrics["test"]["mse"] >= 0
