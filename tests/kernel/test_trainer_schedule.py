"""Learning-rate schedules: the closed forms, the rate each epoch trains with (history column
``lr`` and the optimizers' own rate), and resume across a schedule."""

from __future__ import annotations

import math

import pytest
import torch
from _tiny_models import (
    TwoPhase,
    one_thread,  # noqa: F401  (fixture)
    sine_arrays,
    tiny_vae,
)
from pydantic import ValidationError
from torch.optim.optimizer import register_optimizer_step_pre_hook

from sigvae.training import TrainConfig, Trainer
from sigvae.training.schedule import lr_at

pytestmark = pytest.mark.usefixtures("one_thread")


def test_closed_forms():
    cosine = TrainConfig(epochs=4, lr=1.0, lr_min=0.2, lr_schedule="cosine")
    expected = [0.2 + 0.8 * 0.5 * (1 + math.cos(math.pi * e / 4)) for e in range(4)]
    assert [lr_at(cosine, e) for e in range(4)] == pytest.approx(expected)
    assert lr_at(cosine, 2) == pytest.approx(0.6)
    step = TrainConfig(lr=1.0, lr_schedule="step", lr_step_size=2, lr_gamma=0.5, lr_min=0.2)
    assert [lr_at(step, e) for e in range(7)] == pytest.approx([1, 1, 0.5, 0.5, 0.25, 0.25, 0.2])
    assert lr_at(TrainConfig(lr=0.3), 17) == 0.3


def test_floor_above_rate_is_a_config_error():
    with pytest.raises(ValidationError, match="lr_min"):
        TrainConfig(lr=1e-3, lr_min=1e-2, lr_schedule="cosine")


def test_every_optimizer_steps_with_the_epochs_rate():
    config = TrainConfig(
        epochs=3,
        batch_size=40,
        lr=0.1,
        lr_schedule="step",
        lr_step_size=1,
        lr_gamma=0.5,
        progress=False,
    )
    seen = []
    handle = register_optimizer_step_pre_hook(
        lambda opt, args, kwargs: seen.append(opt.param_groups[0]["lr"])
    )
    try:
        result = Trainer(config).fit(TwoPhase(), sine_arrays(80))
    finally:
        handle.remove()
    assert [row["lr"] for row in result.history] == pytest.approx([0.1, 0.05, 0.025])
    # 2 steps per epoch, 2 phases per step
    assert seen == pytest.approx([0.1] * 4 + [0.05] * 4 + [0.025] * 4)


class Killed(Exception):
    """Stands for the process being killed."""


def test_resume_under_a_schedule_matches_an_uninterrupted_run(tmp_path):
    config = TrainConfig(
        epochs=4,
        batch_size=24,
        deterministic=True,
        progress=False,
        lr=0.01,
        lr_schedule="cosine",
        lr_min=1e-4,
    )

    def train(model, run_dir, **extra):
        trainer = Trainer(config.model_copy(update=extra), run_dir=run_dir)
        return trainer.fit(model, sine_arrays(), sine_arrays(40, seed=1))

    whole = tiny_vae(seed=0)
    full = train(whole, tmp_path / "whole")

    killed = tiny_vae(seed=0)

    def die_at_epoch_two(epoch, max_epochs):
        if epoch == 2:
            raise Killed

    killed.on_epoch_start = die_at_epoch_two
    with pytest.raises(Killed):  # last.pt holds epoch 1, trained at the first two rates
        train(killed, tmp_path / "split")
    resumed_model = tiny_vae(seed=7)
    resumed = train(resumed_model, tmp_path / "split", resume=True)

    assert [row["lr"] for row in resumed.history] == [row["lr"] for row in full.history]
    assert full.history[-1]["lr"] < full.history[0]["lr"]
    for a, b in zip(whole.state_dict().values(), resumed_model.state_dict().values()):
        assert torch.equal(a, b)


def test_resume_with_a_new_rate_trains_with_it_not_the_checkpoints(tmp_path):
    """The optimizer state restored from last.pt carries the old rate; without a schedule the
    configured ``lr`` must still win (e.g. ``--set train.lr=...`` on resume)."""
    config = TrainConfig(epochs=2, batch_size=24, progress=False, lr=0.01)
    Trainer(config, run_dir=tmp_path).fit(tiny_vae(seed=0), sine_arrays())
    seen = []

    def record(optimizer, args, kwargs):
        seen.append(optimizer.param_groups[0]["lr"])

    handle = register_optimizer_step_pre_hook(record)
    try:
        resumed = Trainer(
            config.model_copy(update={"epochs": 3, "lr": 0.002, "resume": True}),
            run_dir=tmp_path,
        ).fit(tiny_vae(seed=1), sine_arrays())
    finally:
        handle.remove()
    assert seen and set(seen) == {0.002}
    assert resumed.history[-1]["lr"] == 0.002
