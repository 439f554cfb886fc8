"""A third-party distribution that declares ``[project.entry-points.sigvae]`` shows up after
``pip install`` and is usable by name in a pipeline, with no change to sigvae. The README's
plugin example is the plugin installed here, so the documented example is tested too."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[2] / "README.md"


def readme_block(title: str) -> str:
    """The fenced code block following the README line that contains ``title``."""
    text = README.read_text()
    start = text.index(title)
    match = re.search(r"```[a-z]*\n(.*?)```", text[start:], re.S)
    return match.group(1)


def pip_install(source: Path, site: Path) -> dict[str, str]:
    """``pip install`` the distribution at ``source`` into ``site`` (not into this
    environment) and return an environment that puts ``site`` on the path."""
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "--target",
            str(site),
            str(source),
        ],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    return dict(os.environ, PYTHONPATH=str(site))


@pytest.fixture(scope="module")
def installed_plugin(tmp_path_factory) -> dict[str, str]:
    root = tmp_path_factory.mktemp("thirdparty")
    pkg = root / "src" / "sigvae_example_plugin"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text(
        readme_block("plugin module (`sigvae_example_plugin/__init__.py`)")
    )
    (root / "src" / "pyproject.toml").write_text(readme_block("plugin `pyproject.toml`"))
    return pip_install(root / "src", root / "site")


def sigvae(*args, env):
    return subprocess.run(
        [sys.executable, "-m", "sigvae.cli", *args], capture_output=True, text=True, env=env
    )


def test_plugin_listed_after_install(installed_plugin):
    proc = sigvae("plugins", "--json", env=installed_plugin)
    assert proc.returncode == 0, proc.stderr
    rows = json.loads(proc.stdout)
    mine = [r for r in rows if r["name"] == "clip"]
    assert mine and mine[0]["kind"] == "preprocessor"
    assert "sigvae-example-plugin" in mine[0]["plugin"]


def test_autoload_switch_hides_third_party(installed_plugin):
    env = dict(installed_plugin, SIGVAE_DISABLE_PLUGIN_AUTOLOAD="1")
    rows = json.loads(sigvae("plugins", "--json", env=env).stdout)
    assert "clip" not in {r["name"] for r in rows}
    assert "window" in {r["name"] for r in rows}


def test_plugin_usable_in_pipeline(installed_plugin, tmp_path):
    data = tmp_path / "table.csv"
    rows = ["group,a,b,c"] + [f"g{i % 6},{i % 7 - 3},{(i * 3) % 5},{i % 4}" for i in range(120)]
    data.write_text("\n".join(rows))
    yaml_text = f"""
name: thirdparty
data: {{reader: table, params: {{path: {data}}}}}
split: {{val: [g1], test: [g2]}}
steps:
  - {{preprocess: frame-to-arrays}}
  - {{preprocess: clip, params: {{limit: 2.0}}}}
model: {{type: vae, params: {{latent_dim: 2}}}}
train: {{epochs: 2, batch_size: 32, progress: false}}
evaluate: [{{type: reconstruction}}]
outputs: {{dir: {tmp_path / "run"}}}
"""
    (tmp_path / "p.yaml").write_text(yaml_text)
    proc = sigvae("run", str(tmp_path / "p.yaml"), env=installed_plugin)
    assert proc.returncode == 0, proc.stderr
    metrics = json.loads((tmp_path / "run" / "metrics.json").read_text())
    assert metrics["test"]["mse"] >= 0
    assert metrics["epochs_run"] == 2


def test_plugin_that_raises_on_import_is_reported(tmp_path):
    root = tmp_path / "bad"
    (root / "bad_plugin").mkdir(parents=True)
    (root / "bad_plugin" / "__init__.py").write_text("raise ImportError('missing dependency x')\n")
    (root / "pyproject.toml").write_text(
        '[project]\nname = "bad-plugin"\nversion = "0.1"\n'
        '[project.entry-points.sigvae]\nbad = "bad_plugin"\n'
        '[tool.setuptools]\npackages = ["bad_plugin"]\n'
    )
    env = pip_install(root, tmp_path / "site")
    proc = sigvae("plugins", "--json", env=env)
    assert proc.returncode == 0
    assert "plugin 'bad (bad-plugin)' failed to load" in proc.stderr
    assert "missing dependency x" in proc.stderr
    assert "window" in {r["name"] for r in json.loads(proc.stdout)}
