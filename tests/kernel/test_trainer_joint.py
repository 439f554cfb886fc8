"""The joint step (``Model.joint_phases``): one forward per batch, each group's loss routed
into that group's parameters only, then every optimizer steps.

Where the schedules must agree (no phase's loss depends on a group stepped before it) the joint
and phased steps give identical weights; in general the joint step equals simultaneous updates
from gradients taken at the pre-step parameters, checked against a hand-written reference."""

from __future__ import annotations

import copy

import pytest
import torch
from _tiny_models import TwoPhase, one_thread, sine_arrays  # noqa: F401  (fixture)
from torch import nn

from sigvae.nn.model import LossOutput, Model
from sigvae.training import TrainConfig, Trainer

pytestmark = pytest.mark.usefixtures("one_thread")


class JointPair(Model):
    """A generator and a critic. ``main`` scores the critic at generated codes (so its
    gradient passes through the critic); ``disc`` trains the critic on the same critic output
    (``coupled``) or on the data alone (then it does not depend on the generator)."""

    joint_phases = True

    def __init__(self, coupled: bool, features: int = 8, seed: int = 0) -> None:
        super().__init__({"x_shape": [features]})
        torch.manual_seed(seed)
        self.gen = nn.Sequential(nn.Linear(features, 6), nn.Tanh(), nn.Linear(6, 3))
        self.critic = nn.Sequential(nn.Linear(3, 5), nn.Tanh(), nn.Linear(5, 1))
        self.data_critic = nn.Linear(features, 3)
        self.coupled = coupled
        self.forwards = 0

    def optimizer_groups(self):
        return {
            "main": list(self.gen.parameters()),
            "disc": [*self.critic.parameters(), *self.data_critic.parameters()],
        }

    def joint_loss(self, batch):
        self.forwards += 1
        x = batch["x"]
        score = self.critic(self.gen(x)).squeeze(-1)
        main = (score - 1).pow(2).mean() + 0.1 * self.gen(x).pow(2).mean()
        if self.coupled:
            disc = (score + 1).pow(2).mean()
        else:
            disc = (self.critic(self.data_critic(x)).squeeze(-1) + 1).pow(2).mean()
        disc = disc + 0.01 * sum(p.pow(2).sum() for p in self.critic.parameters())
        return {
            "main": LossOutput(main, {"score": score.mean().detach()}),
            "disc": LossOutput(disc, {}),
        }

    def loss(self, batch, phase="main"):
        return self.joint_loss(batch)[phase]


def _fit(model, joint: bool, **extra):
    model.joint_phases = joint
    config = TrainConfig(epochs=2, batch_size=32, lr=0.01, progress=False, **extra)
    return Trainer(config).fit(model, sine_arrays(96), sine_arrays(40, seed=1))


def _weights(model):
    return [p.detach().clone() for p in model.parameters()]


@pytest.mark.parametrize(
    "extra", [{}, {"grad_clip": 0.05}, {"precision": "fp16", "grad_clip": 1.0}]
)
def test_joint_equals_phased_where_the_schedules_agree(extra):
    joint, phased = JointPair(coupled=False), JointPair(coupled=False)
    a, b = _fit(joint, True, **extra), _fit(phased, False, **extra)
    for p, q in zip(_weights(joint), _weights(phased)):
        torch.testing.assert_close(p, q, rtol=1e-6, atol=1e-7)
    for row_a, row_b in zip(a.history, b.history):
        for key in row_a:
            if "/" in key:  # every loss term of both phases, train and validation
                assert row_a[key] == pytest.approx(row_b[key], rel=1e-6, nan_ok=True), key
    assert {"train/loss", "train/score", "train/disc/loss", "val/disc/loss"} <= set(a.history[0])
    # one forward per training and per validation batch, against one per phase
    steps = 2 * (3 + 2)
    assert joint.forwards == steps and phased.forwards == 2 * steps
    if extra:
        assert "train/grad_norm" in a.history[0] and "train/disc/grad_norm" in a.history[0]


def test_joint_step_is_a_simultaneous_update_and_differs_from_phased_when_coupled():
    model = JointPair(coupled=True)
    reference = copy.deepcopy(model)
    data = sine_arrays(32)
    config = TrainConfig(epochs=1, batch_size=32, lr=0.01, progress=False, seed=0)
    Trainer(config).fit(model, data)

    # reference: both gradients at the initial parameters, each group only its own loss's
    x = torch.from_numpy(data.x)
    losses = reference.joint_loss({"x": x})
    for name, params in reference.optimizer_groups().items():
        grads = torch.autograd.grad(
            losses[name].total, params, retain_graph=True, allow_unused=True
        )
        optimizer = torch.optim.Adam(params, lr=0.01)
        for p, g in zip(params, grads):
            p.grad = g
        optimizer.step()
    for p, q in zip(_weights(model), _weights(reference)):
        torch.testing.assert_close(p, q, rtol=1e-5, atol=1e-6)

    # over several steps the phased critic, which sees the updated generator, drifts apart
    joint, phased = JointPair(coupled=True), JointPair(coupled=True)
    _fit(joint, True)
    _fit(phased, False)
    critic_joint = torch.cat([p.flatten() for p in joint.critic.parameters()])
    critic_phased = torch.cat([p.flatten() for p in phased.critic.parameters()])
    assert not torch.allclose(
        critic_joint, critic_phased, atol=1e-5
    )  # phased: critic sees the new gen


def test_a_resumed_joint_run_matches_an_uninterrupted_one(tmp_path):
    config = TrainConfig(epochs=3, batch_size=32, lr=0.01, progress=False, deterministic=True)

    def train(model, run_dir, **extra):
        trainer = Trainer(config.model_copy(update=extra), run_dir=run_dir)
        return trainer.fit(model, sine_arrays(96), sine_arrays(40, seed=1))

    whole = JointPair(coupled=True)
    full = train(whole, tmp_path / "whole")
    train(JointPair(coupled=True), tmp_path / "split", epochs=1)  # stopped after epoch 0
    resumed_model = JointPair(coupled=True, seed=5)
    resumed = train(resumed_model, tmp_path / "split", resume=True)
    assert [r["train/disc/loss"] for r in resumed.history] == [
        r["train/disc/loss"] for r in full.history
    ]
    for p, q in zip(_weights(whole), _weights(resumed_model)):
        assert torch.equal(p, q)


def test_frozen_parameters_stay_put_and_the_rest_trains():
    """A group may hold frozen weights (requires_grad=False): they are left out of the
    optimizer and the routed backward instead of failing."""
    model = TwoPhase()
    model.disc.bias.requires_grad_(False)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    Trainer(TrainConfig(epochs=1, batch_size=24, progress=False)).fit(model, sine_arrays())
    after = model.state_dict()
    assert torch.equal(after["disc.bias"], before["disc.bias"])
    assert not torch.equal(after["disc.weight"], before["disc.weight"])
    assert not torch.equal(after["gen.weight"], before["gen.weight"])
