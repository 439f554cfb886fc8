"""Pipeline validation: every problem is found before any work and reported on one line with
the file and the line to fix."""

from __future__ import annotations

import textwrap

import pytest

from sigvae.errors import ConfigError
from sigvae.pipeline import load_pipeline

GOOD = """\
name: demo
seed: 1
data:
  reader: table
  params: {path: table.csv}
split: {val: 0.2, test: 0.2}
steps:
  - preprocess: frame-to-arrays
  - preprocess: standardize
model:
  type: vae
  params: {latent_dim: 2}
train:
  epochs: 3
  batch_size: 16
evaluate:
  - type: reconstruction
"""


def write(tmp_path, text: str):
    path = tmp_path / "p.yaml"
    path.write_text(textwrap.dedent(text))
    return path


def error_of(tmp_path, text: str, overrides=()) -> str:
    with pytest.raises(ConfigError) as info:
        load_pipeline(write(tmp_path, text), overrides)
    message = str(info.value)
    assert "\n" not in message
    assert str(tmp_path / "p.yaml") in message or "--set" in message
    return message


def test_good_pipeline_resolves(tmp_path):
    pipe = load_pipeline(write(tmp_path, GOOD))
    assert pipe.config.name == "demo"
    assert pipe.resolved.model[1].latent_dim == 2
    assert pipe.resolved.train.epochs == 3 and pipe.resolved.train.seed == 1


def test_malformed_yaml_names_line(tmp_path):
    msg = error_of(tmp_path, "name: x\nmodel: {type: vae\nsteps: []\n")
    assert "malformed YAML" in msg and "line" in msg


def test_unknown_top_level_key_names_line(tmp_path):
    msg = error_of(tmp_path, GOOD + "trian: {epochs: 1}\n")
    assert "line 18: trian: unknown key" in msg


def test_unknown_component_lists_closest(tmp_path):
    msg = error_of(tmp_path, GOOD.replace("preprocess: standardize", "preprocess: standardise"))
    assert "line 9" in msg and "did you mean 'standardize'" in msg


def test_wrong_param_type_names_component_line(tmp_path):
    msg = error_of(tmp_path, GOOD.replace("latent_dim: 2", "latent_dim: two"))
    assert "line 12" in msg and "model.params.latent_dim" in msg


def test_param_out_of_range(tmp_path):
    msg = error_of(tmp_path, GOOD.replace("epochs: 3", "epochs: -1"))
    assert "line 14" in msg and "train.epochs" in msg


def test_unknown_param_key(tmp_path):
    msg = error_of(tmp_path, GOOD.replace("latent_dim: 2", "latent_dim: 2, lantent: 3"))
    assert "model.params.lantent: unknown key" in msg


def test_chain_of_kinds_checked(tmp_path):
    msg = error_of(tmp_path, GOOD.replace("  - preprocess: frame-to-arrays\n", ""))
    assert "'standardize' takes 'arrays' data but receives 'frame'" in msg


def test_set_overrides_with_type_checking(tmp_path):
    path = write(tmp_path, GOOD)
    pipe = load_pipeline(
        path, ["train.epochs=7", "model.params.latent_dim=5", "steps.1.params.over=global"]
    )
    assert pipe.resolved.train.epochs == 7 and pipe.resolved.model[1].latent_dim == 5
    assert pipe.resolved.steps[1][1].over == "global"
    msg = error_of(tmp_path, GOOD, ["train.epochs=many"])
    assert "--set train.epochs" in msg
    with pytest.raises(ConfigError, match="not an index"):
        load_pipeline(path, ["steps.9.params.x=1"])
    with pytest.raises(ConfigError, match="expected key.path=value"):
        load_pipeline(path, ["train.epochs"])


def test_missing_file(tmp_path):
    with pytest.raises(ConfigError, match="pipeline file not found"):
        load_pipeline(tmp_path / "nope.yaml")


def test_not_a_mapping(tmp_path):
    error_of(tmp_path, "- just\n- a list\n")
