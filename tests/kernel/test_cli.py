"""The CLI: help everywhere, JSON listings, and bad input answered with one line and exit
code 2 — never a traceback — with nothing the user had lost."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from sigvae.cli import main


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def one_line_error(err: str) -> str:
    lines = [ln for ln in err.splitlines() if ln.startswith("sigvae: error:")]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


def test_help_lists_commands():
    proc = subprocess.run(
        [sys.executable, "-m", "sigvae.cli", "--help"], capture_output=True, text=True
    )
    assert proc.returncode == 0
    for command in ("run", "plugins", "describe"):
        assert command in proc.stdout


def test_plugins_json(capsys):
    code, out, _ = run(capsys, "plugins", "--json")
    rows = json.loads(out)
    assert code == 0
    assert all({"kind", "name", "plugin"} <= set(r) for r in rows)
    assert {"window", "vae"} <= {r["name"] for r in rows}


def test_describe_shows_params(capsys):
    code, out, _ = run(capsys, "describe", "window")
    assert code == 0
    assert "length: int" in out and "stride" in out and "samples per window" in out
    code, out, _ = run(capsys, "describe", "vae", "--json")
    assert code == 0 and json.loads(out)[0]["kind"] == "model"


def test_describe_unknown_name(capsys):
    code, _, err = run(capsys, "describe", "windw")
    assert code == 2 and "did you mean 'window'" in one_line_error(err)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("name: x\nmodel: {type: vae\n", "malformed YAML"),
        (
            "name: x\ndata: {reader: table, params: {path: t.csv}}\nsteps: [{preprocess: frame-to-arrays}]\nmodel: {type: vea}\n",
            "unknown model 'vea'",
        ),
        ("name: x\nbogus: 1\n", "bogus: unknown key"),
    ],
)
def test_run_bad_pipeline_exit_2(capsys, tmp_path, text, expected):
    path = tmp_path / "p.yaml"
    path.write_text(text)
    code, _, err = run(capsys, "run", str(path))
    assert code == 2 and expected in one_line_error(err)


def table_pipeline(tmp_path, data_path, run_dir=None, extra=""):
    path = tmp_path / "p.yaml"
    path.write_text(f"""
name: cli
data: {{reader: table, params: {{path: {data_path}}}}}
split: {{val: [g1], test: [g2]}}
steps: [{{preprocess: frame-to-arrays}}]
model: {{type: vae, params: {{latent_dim: 2}}}}
train: {{epochs: 1, batch_size: 16, progress: false}}
outputs: {{dir: {run_dir or tmp_path / "run"}}}
{extra}""")
    return path


def write_table(path, rows=60):
    lines = ["group,a,b"] + [f"g{i % 4},{i % 5},{i % 3}" for i in range(rows)]
    path.write_text("\n".join(lines))
    return path


def test_missing_data_file(capsys, tmp_path):
    code, _, err = run(capsys, "run", str(table_pipeline(tmp_path, tmp_path / "absent.csv")))
    assert code == 2 and "absent.csv" in one_line_error(err)


def test_empty_dataset(capsys, tmp_path):
    data = tmp_path / "empty.csv"
    data.write_text("group,a,b\n")
    code, _, err = run(capsys, "run", str(table_pipeline(tmp_path, data)))
    assert code == 2
    one_line_error(err)


def test_existing_run_dir_refused_and_kept(capsys, tmp_path):
    data = write_table(tmp_path / "t.csv")
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    keep = run_dir / "notes.txt"
    keep.write_text("mine")
    pipeline = table_pipeline(tmp_path, data, run_dir)
    code, _, err = run(capsys, "run", str(pipeline))
    assert code == 2 and "--overwrite" in one_line_error(err)
    code, out, _ = run(capsys, "run", str(pipeline), "--overwrite")
    assert code == 0 and str(run_dir) in out
    assert keep.read_text() == "mine"
    for name in ("config.yaml", "metrics.json", "metrics.csv", "last.pt"):
        assert (run_dir / name).is_file(), name


def test_checkpoint_from_another_model(capsys, tmp_path):
    import torch

    import sigvae
    from sigvae.errors import CheckpointError

    data = write_table(tmp_path / "t.csv")
    run(capsys, "run", str(table_pipeline(tmp_path, data)))
    ckpt = torch.load(tmp_path / "run" / "last.pt", weights_only=True)
    ckpt["model"]["params"]["latent_dim"] = 7
    torch.save(ckpt, tmp_path / "other.pt")
    with pytest.raises(CheckpointError, match="other.pt"):
        sigvae.load_model(tmp_path / "other.pt")
    model = sigvae.load_model(tmp_path / "run")
    assert not model.training
