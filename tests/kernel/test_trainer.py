"""The Trainer's behaviour on tiny CPU models: history, stopping, clipping, NaN policy,
precision, multi-optimizer phases and configuration errors."""

from __future__ import annotations

import math
import warnings

import pytest
import torch
from _tiny_models import (
    Regression,
    TwoPhase,
    one_thread,  # noqa: F401  (fixture)
    sine_arrays,
    tiny_vae,
)
from torch.optim.optimizer import register_optimizer_step_pre_hook

from sigvae.errors import CheckpointError, ConfigError, SigvaeError
from sigvae.training import TrainConfig, Trainer, plot_history
from sigvae.training.checkpoint import load_checkpoint
from sigvae.training.trainer import NonFiniteLossWarning

pytestmark = pytest.mark.usefixtures("one_thread")


def fit(model, run_dir=None, val=True, **config):
    config.setdefault("progress", False)
    trainer = Trainer(TrainConfig(**config), run_dir=run_dir)
    return trainer.fit(model, sine_arrays(), sine_arrays(40, seed=1) if val else None)


def test_history_rows_carry_every_term_and_files_are_written(tmp_path):
    result = fit(tiny_vae(), tmp_path, epochs=3, batch_size=32)
    assert [row["epoch"] for row in result.history] == [0, 1, 2]
    keys = {"train/loss", "train/recon", "train/kl", "val/loss", "val/recon", "val/kl"}
    assert keys | {"lr", "time_s", "samples_per_s"} <= set(result.history[0])
    row = result.history[-1]
    assert row["train/loss"] == pytest.approx(row["train/recon"] + row["train/kl"], rel=1e-5)
    assert result.stopped_reason == "completed" and result.device == "cpu"
    losses = [r["val/loss"] for r in result.history]
    assert result.best_epoch == losses.index(min(losses))
    assert result.checkpoint == tmp_path / "best.pt"
    assert {p.name for p in tmp_path.iterdir()} == {"best.pt", "last.pt", "metrics.csv"}
    lines = (tmp_path / "metrics.csv").read_text().splitlines()
    assert len(lines) == 4 and lines[0].startswith("epoch,train/loss")


def test_plot_history_draws_every_term_of_every_phase(tmp_path):
    result = fit(TwoPhase(), epochs=2, batch_size=32, grad_clip=1.0)
    path = plot_history(result.history, tmp_path / "curves" / "training_curves.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not [p for p in path.parent.iterdir() if p.suffix == ".tmp"]


def test_nothing_is_written_without_run_dir(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = fit(tiny_vae(), None, epochs=1)
    assert result.checkpoint is None and list(tmp_path.iterdir()) == []


def test_training_reduces_the_loss():
    result = fit(Regression(), epochs=15, batch_size=16, lr=0.01)
    assert result.history[-1]["train/loss"] < 0.5 * result.history[0]["train/loss"]


def test_train_loss_is_the_example_weighted_mean_of_the_steps():
    """With lr tiny, the epoch mean must match the loss of the whole set (uneven last batch)."""
    model = Regression()
    data = sine_arrays(50)
    with torch.no_grad():
        expected = model.loss({"x": torch.from_numpy(data.x)}).total.item()
    result = Trainer(TrainConfig(epochs=1, batch_size=16, lr=1e-9, progress=False)).fit(model, data)
    assert result.history[0]["train/loss"] == pytest.approx(expected, rel=1e-5)


def test_early_stopping_stops_after_patience_epochs(tmp_path):
    stop = {"patience": 2, "min_delta": 10.0}
    result = fit(Regression(), tmp_path, epochs=20, early_stopping=stop, batch_size=32)
    assert result.stopped_reason == "early_stopping"
    assert len(result.history) == 3 and result.best_epoch == 0
    assert load_checkpoint(tmp_path / "last.pt")["epoch"] == 2
    control = fit(Regression(), epochs=5, batch_size=32)
    assert control.stopped_reason == "completed" and len(control.history) == 5


def test_early_stopping_monitor_falls_back_to_train_loss():
    result = fit(Regression(), val=False, epochs=9, early_stopping={"patience": 1, "min_delta": 9})
    assert result.monitor == "train/loss" and result.stopped_reason == "early_stopping"


def test_unknown_monitor_is_a_config_error():
    with pytest.raises(ConfigError, match="val/nope"):
        fit(Regression(), epochs=2, early_stopping={"monitor": "val/nope"})


def _grad_norms_seen_by_optimizers(**config) -> list[float]:
    norms = []

    def record(optimizer, args, kwargs):
        grads = [p.grad for g in optimizer.param_groups for p in g["params"] if p.grad is not None]
        norms.append(torch.linalg.vector_norm(torch.stack([g.norm() for g in grads])).item())

    handle = register_optimizer_step_pre_hook(record)
    try:
        result = fit(Regression(scale=100.0), epochs=2, batch_size=16, **config)
    finally:
        handle.remove()
    return norms, result


def test_gradient_clipping_bounds_the_norm_the_optimizer_sees():
    unclipped, _ = _grad_norms_seen_by_optimizers()
    assert max(unclipped) > 10.0
    clipped, result = _grad_norms_seen_by_optimizers(grad_clip=0.5)
    assert len(clipped) == len(unclipped)
    assert max(clipped) <= 0.5 * (1 + 1e-4)
    assert result.history[0]["train/grad_norm"] > 10.0  # the pre-clip norm is logged


def test_nan_loss_stops_and_keeps_the_last_good_checkpoint(tmp_path):
    model = Regression()
    model.nan_from_epoch = 2
    with pytest.warns(NonFiniteLossWarning, match="epoch 2") as caught:
        result = fit(model, tmp_path, epochs=6, batch_size=32)
    assert "step 0" in str(caught[0].message)
    assert result.stopped_reason == "nan" and "epoch 2" in result.message
    assert len(result.history) == 2
    last = load_checkpoint(tmp_path / "last.pt")
    assert last["epoch"] == 1
    for key, value in model.state_dict().items():
        assert torch.isfinite(value).all()
        assert torch.equal(value, last["state_dict"][key])


def test_bf16_autocast_trains_on_cpu():
    result = fit(tiny_vae(), epochs=2, precision="bf16", batch_size=32)
    assert all(math.isfinite(r["train/loss"]) for r in result.history)


def test_fp16_uses_a_grad_scaler_and_saves_its_state(tmp_path):
    result = fit(tiny_vae(), tmp_path, epochs=1, precision="fp16", grad_clip=5.0)
    assert math.isfinite(result.history[0]["val/loss"])
    assert load_checkpoint(tmp_path / "last.pt")["scaler"]["scale"] > 0


def test_each_phase_steps_only_its_own_group():
    model = TwoPhase()
    result = fit(model, val=False, epochs=1, batch_size=32)
    assert {"train/loss", "train/score", "train/disc/loss", "train/disc/score"} <= set(
        result.history[0]
    )
    phases = [phase for phase, _ in model.calls]
    assert phases[:4] == ["main", "disc", "main", "disc"]
    gen, disc = ("gen.weight", "gen.bias"), ("disc.weight", "disc.bias")
    for (_, before), (phase, after) in zip(model.calls, model.calls[1:]):
        stepped, frozen = (gen, disc) if phase == "disc" else (disc, gen)
        assert all(not torch.equal(before[k], after[k]) for k in stepped)
        assert all(torch.equal(before[k], after[k]) for k in frozen)


def test_config_is_validated():
    with pytest.raises(ConfigError, match="epocs"):
        Trainer({"epocs": 3})
    with pytest.raises(ConfigError, match="batch_size"):
        Trainer({"batch_size": 0})
    with pytest.raises(ValueError):
        TrainConfig(device="gpu")


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the error without CUDA")
def test_cuda_without_a_gpu_is_a_clear_error():
    with pytest.raises(ConfigError, match="CUDA is not available"):
        fit(Regression(), epochs=1, device="cuda")


def test_empty_training_data_is_an_error():
    with pytest.raises(SigvaeError, match="training data is empty"):
        Trainer(TrainConfig(progress=False)).fit(Regression(), sine_arrays(0))


def test_resume_without_run_dir_is_an_error():
    with pytest.raises(ConfigError, match="run directory"):
        fit(Regression(), epochs=1, resume=True)


def test_resume_from_another_model_is_refused(tmp_path):
    fit(tiny_vae(), tmp_path, epochs=1)
    other = tiny_vae()
    other.model_config = {**other.model_config, "type": "other-vae"}
    with pytest.raises(CheckpointError, match="other-vae"):
        fit(other, tmp_path, epochs=2, resume=True)


def test_global_switches_are_restored_after_fit():
    threads = torch.get_num_threads()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fit(Regression(), epochs=1, deterministic=True, num_threads=1)
    assert not torch.are_deterministic_algorithms_enabled()
    assert torch.get_num_threads() == threads


@pytest.mark.slow
def test_compile_trains_like_eager():
    eager = fit(Regression(), val=False, epochs=2, deterministic=True)
    compiled = fit(Regression(), val=False, epochs=2, deterministic=True, compile=True)
    for a, b in zip(eager.history, compiled.history):
        assert a["train/loss"] == pytest.approx(b["train/loss"], rel=1e-4)
