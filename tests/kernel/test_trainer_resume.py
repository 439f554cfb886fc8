"""Resume: a run killed after epoch k and resumed ends with exactly the weights of an
uninterrupted run (deterministic mode, CPU)."""

from __future__ import annotations

import pytest
import torch
from _tiny_models import (
    TwoPhase,
    one_thread,  # noqa: F401  (fixture)
    sine_arrays,
    tiny_vae,
)

from sigvae.training import TrainConfig, Trainer
from sigvae.training.checkpoint import load_checkpoint

SETTINGS = {"batch_size": 24, "deterministic": True, "progress": False, "seed": 3}


pytestmark = pytest.mark.usefixtures("one_thread")


def _train(model, run_dir, epochs, **extra):
    config = TrainConfig(epochs=epochs, **SETTINGS, **extra)
    return Trainer(config, run_dir=run_dir).fit(model, sine_arrays(), sine_arrays(40, seed=1))


def _without_timing(history):
    return [
        {k: v for k, v in row.items() if k not in ("time_s", "samples_per_s")} for row in history
    ]


@pytest.mark.parametrize("extra", [{}, {"precision": "fp16", "grad_clip": 1.0}])
def test_resumed_run_matches_an_uninterrupted_run(tmp_path, extra):
    whole = tiny_vae(seed=0)
    full = _train(whole, tmp_path / "whole", 5, **extra)

    first = tiny_vae(seed=0)
    _train(first, tmp_path / "split", 2, **extra)  # "killed" after epoch 1
    assert load_checkpoint(tmp_path / "split" / "last.pt")["epoch"] == 1
    resumed_model = tiny_vae(seed=7)  # fresh process, different initial weights
    resumed = _train(resumed_model, tmp_path / "split", 5, resume=True, **extra)

    assert [r["epoch"] for r in resumed.history] == [0, 1, 2, 3, 4]
    assert _without_timing(resumed.history) == _without_timing(full.history)
    assert resumed.best_epoch == full.best_epoch
    for (name, a), b in zip(whole.state_dict().items(), resumed_model.state_dict().values()):
        assert torch.equal(a, b), name


def test_resume_of_a_two_phase_model_restores_both_optimizers(tmp_path):
    whole = TwoPhase(seed=0)
    _train(whole, tmp_path / "a", 3)
    part = TwoPhase(seed=0)
    _train(part, tmp_path / "b", 1)
    resumed = TwoPhase(seed=5)
    _train(resumed, tmp_path / "b", 3, resume=True)
    for a, b in zip(whole.state_dict().values(), resumed.state_dict().values()):
        assert torch.equal(a, b)


def test_resume_after_completion_trains_nothing_more(tmp_path):
    model = tiny_vae()
    _train(model, tmp_path, 2)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    again = tiny_vae(seed=4)
    result = _train(again, tmp_path, 2, resume=True)
    assert len(result.history) == 2 and result.stopped_reason == "completed"
    assert all(torch.equal(before[k], v) for k, v in again.state_dict().items())


def test_resume_without_a_checkpoint_starts_fresh(tmp_path):
    result = _train(tiny_vae(), tmp_path, 2, resume=True)
    assert len(result.history) == 2 and (tmp_path / "last.pt").is_file()
