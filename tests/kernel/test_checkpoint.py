"""Checkpoints: format, atomic writes, weights-only loading, rebuilding models, clear errors."""

from __future__ import annotations

import pytest
import torch
from _tiny_models import (
    one_thread,  # noqa: F401  (fixture)
    sine_arrays,
    tiny_registry,
    tiny_vae,
)

import sigvae.registry
from sigvae.errors import CheckpointError
from sigvae.training import TrainConfig, Trainer
from sigvae.training import checkpoint as ckpt

pytestmark = pytest.mark.usefixtures("one_thread")


@pytest.fixture
def trained(tmp_path):
    model = tiny_vae()
    Trainer(TrainConfig(epochs=2, batch_size=32, progress=False), run_dir=tmp_path).fit(
        model, sine_arrays(), sine_arrays(40, seed=1)
    )
    return model, tmp_path


def test_checkpoint_format_loads_weights_only(trained):
    model, run_dir = trained
    state = torch.load(run_dir / "last.pt", map_location="cpu", weights_only=True)
    assert state["format"] == ckpt.CHECKPOINT_FORMAT == "sigvae-checkpoint/1"
    expected = {"format", "sigvae_version", "model", "state_dict", "optimizers", "scaler"}
    expected |= {"epoch", "rng", "history", "best", "train_config", "model_training_state"}
    assert set(state) == expected
    assert state["model"] == model.model_config and state["epoch"] == 1
    assert set(state["optimizers"]) == {"main"} and state["scaler"] is None
    assert state["model_training_state"] == {}  # a model without a stage of its own
    assert set(state["rng"]) == {"torch", "numpy", "python", "cuda"}
    assert state["train_config"]["epochs"] == 2 and len(state["history"]) == 2
    assert state["best"]["monitor"] == "val/loss"
    assert not [p for p in run_dir.iterdir() if p.name.endswith(".tmp")]
    best = torch.load(run_dir / "best.pt", map_location="cpu", weights_only=True)
    assert set(best) == expected and best["optimizers"] == {}  # best.pt is for use, not resume


def test_a_failed_write_leaves_the_previous_checkpoint_intact(trained, monkeypatch):
    model, run_dir = trained
    before = (run_dir / "last.pt").read_bytes()

    def broken_save(obj, handle, *args, **kwargs):
        handle.write(b"half a checkpoint")
        raise OSError("disk full")

    monkeypatch.setattr(torch, "save", broken_save)
    with pytest.raises(OSError, match="disk full"):
        ckpt.save_checkpoint(run_dir / "last.pt", model, epoch=9)
    assert (run_dir / "last.pt").read_bytes() == before
    assert sorted(p.name for p in run_dir.iterdir() if p.suffix == ".tmp") == []


@pytest.mark.parametrize("where", ["dir", "best", "last", "saved"])
def test_load_model_round_trip_gives_identical_outputs(trained, where):
    model, run_dir = trained
    path = {"dir": run_dir, "best": run_dir / "best.pt", "last": run_dir / "last.pt"}.get(where)
    if where == "saved":
        path = ckpt.save_model(model, run_dir / "model.pt")
    elif where != "last":  # the best epoch's weights are what a directory and best.pt give
        ckpt.load_weights(model, run_dir / "best.pt")
    loaded = ckpt.load_model(path, registry=tiny_registry())
    assert not loaded.training and loaded.model_config == model.model_config
    model.eval()
    x = torch.from_numpy(sine_arrays(10, seed=5).x)
    assert torch.equal(loaded.reconstruct(x), model.reconstruct(x))
    assert torch.equal(loaded.embed(x), model.embed(x))


def test_load_model_uses_the_default_registry(trained, monkeypatch):
    _model, run_dir = trained
    monkeypatch.setattr(sigvae.registry, "_default", tiny_registry())
    assert ckpt.load_model(run_dir).model_config["type"] == "tiny-vae"


def test_mismatched_weights_raise_checkpoint_error_naming_file_and_keys(trained, tmp_path):
    _model, run_dir = trained
    state = ckpt.load_checkpoint(run_dir / "best.pt")
    state["model"]["params"]["hidden"] = 32  # the weights were trained with hidden=16
    bad = tmp_path / "mismatch.pt"
    torch.save(state, bad)
    with pytest.raises(CheckpointError, match="mismatch.pt") as caught:
        ckpt.load_model(bad, registry=tiny_registry())
    message = str(caught.value)
    assert "encoder.0.weight [16, 8] vs model [32, 8]" in message and "\n" not in message
    with pytest.raises(CheckpointError, match="missing"):
        ckpt.load_weights(torch.nn.Linear(8, 8), run_dir)


def test_unknown_model_type_is_a_checkpoint_error(trained, tmp_path):
    _model, run_dir = trained
    state = ckpt.load_checkpoint(run_dir / "best.pt")
    state["model"]["type"] = "not-a-model"
    torch.save(state, tmp_path / "unknown.pt")
    with pytest.raises(CheckpointError, match="unknown.pt.*not-a-model"):
        ckpt.load_model(tmp_path / "unknown.pt", registry=tiny_registry())


def test_unreadable_files_raise_checkpoint_error(trained, tmp_path):
    _model, run_dir = trained
    cases = {
        "garbage.pt": b"this is not a checkpoint",
        "truncated.pt": (run_dir / "last.pt").read_bytes()[:500],
        "empty.pt": b"",
    }
    for name, content in cases.items():
        (tmp_path / name).write_bytes(content)
        with pytest.raises(CheckpointError, match=name):
            ckpt.load_checkpoint(tmp_path / name)
    with pytest.raises(CheckpointError, match="not found"):
        ckpt.load_checkpoint(tmp_path / "absent.pt")
    (tmp_path / "empty_run").mkdir()
    with pytest.raises(CheckpointError, match="empty_run: run directory has neither best.pt"):
        ckpt.load_model(tmp_path / "empty_run")


def test_foreign_or_pickled_content_is_refused(tmp_path):
    torch.save({"weights": torch.zeros(2)}, tmp_path / "foreign.pt")
    with pytest.raises(CheckpointError, match="not a sigvae checkpoint"):
        ckpt.load_checkpoint(tmp_path / "foreign.pt")
    torch.save({"format": "sigvae-checkpoint/9", "state_dict": {}}, tmp_path / "future.pt")
    with pytest.raises(CheckpointError, match="sigvae-checkpoint/9"):
        ckpt.load_checkpoint(tmp_path / "future.pt")
    torch.save({"format": ckpt.CHECKPOINT_FORMAT, "code": ValueError("x")}, tmp_path / "pkl.pt")
    with pytest.raises(CheckpointError, match="weights-only"):
        ckpt.load_checkpoint(tmp_path / "pkl.pt")


def test_model_without_config_cannot_be_rebuilt(tmp_path):
    model = tiny_vae()
    del model.model_config
    path = ckpt.save_model(model, tmp_path / "anon.pt")
    with pytest.raises(CheckpointError, match="load_weights"):
        ckpt.load_model(path)
    ckpt.load_weights(tiny_vae(seed=3), path)
