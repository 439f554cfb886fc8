"""A resumed vq-vae run ends where an uninterrupted one does: the code prior's own optimizer
state (the prior is fitted as a separate stage, outside the Trainer's optimizers) travels in
the checkpoint with the model."""

from __future__ import annotations

import numpy as np
import torch

from sigvae.data import Arrays
from sigvae.training import TrainConfig, Trainer


def _arrays(n: int, seed: int) -> Arrays:
    rng = np.random.default_rng(seed)
    t = np.linspace(0, 1, 32, dtype=np.float32)
    phase = rng.uniform(0, 2 * np.pi, (n, 1)).astype(np.float32)
    return Arrays(x=np.sin(2 * np.pi * 3 * t + phase).astype(np.float32))


def test_a_resumed_vq_vae_run_matches_an_uninterrupted_one(build2, tmp_path):
    config = TrainConfig(epochs=3, batch_size=16, lr=0.01, progress=False, deterministic=True)
    params = {"latent_dim": 2, "tokens": 4, "codebook_size": 8}

    def train(run_dir, **extra):
        torch.manual_seed(0)
        model = build2("vq-vae", params)
        trainer = Trainer(config.model_copy(update=extra), run_dir=run_dir)
        trainer.fit(model, _arrays(64, 0), _arrays(32, 1))
        return model

    whole = train(tmp_path / "whole")
    train(tmp_path / "split", epochs=2)  # stopped after epoch 1
    resumed = train(tmp_path / "split", resume=True)
    assert whole.prior_fit.optimizer is not None
    for (name, p), q in zip(whole.state_dict().items(), resumed.state_dict().values()):
        if isinstance(p, torch.Tensor):
            assert torch.equal(p, q), name
