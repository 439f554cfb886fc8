"""Two-stage VAE: two optimizer groups, stage 2 learns the stage-1 codes, sampling goes
through both stages, and the shared Trainer runs both phases."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch.distributions import Independent, Normal

from sigvae.data import Arrays


def test_groups_split_the_parameters(build):
    model = build("two-stage-vae", {"latent_dim": 3, "stage2_hidden": [8]}, (6,))
    groups = model.optimizer_groups()
    assert list(groups) == ["main", "stage2"]
    ids = [{id(p) for p in g} for g in groups.values()]
    assert not ids[0] & ids[1]
    assert ids[0] | ids[1] == {id(p) for p in model.parameters()}


def test_stage2_phase_trains_only_stage2(build):
    model = build("two-stage-vae", {"latent_dim": 3, "stage2_hidden": [8]}, (6,))
    model.loss({"x": torch.randn(5, 6)}, phase="stage2").total.backward()
    assert all(p.grad is None for p in model.optimizer_groups()["main"])
    assert any(p.grad is not None for p in model.stage2.parameters())


def test_stage2_learns_non_standard_codes(build):
    """Stage-1 codes fixed at N(2, 0.3^2) per dimension: N(0, I) is a bad sampler for them,
    the trained second stage reproduces their mean and spread."""
    torch.manual_seed(0)
    model = build("two-stage-vae", {"latent_dim": 2, "stage2_hidden": [32]}, (6,))

    def fixed_codes(x, cond=None):
        loc = torch.full((x.shape[0], 2), 2.0)
        return Independent(Normal(loc, torch.full_like(loc, 0.3)), 1)

    model.encode = fixed_codes
    opt = torch.optim.Adam(model.optimizer_groups()["stage2"], lr=1e-2)
    for _ in range(400):
        out = model.loss({"x": torch.zeros(128, 6)}, phase="stage2")
        opt.zero_grad()
        out.total.backward()
        opt.step()
    z = model.sample_codes(4000)
    assert torch.allclose(z.mean(0), torch.full((2,), 2.0), atol=0.1)
    assert torch.allclose(z.std(0), torch.full((2,), 0.3), atol=0.1)
    assert model.sample(3).shape == (3, 6)


@pytest.mark.data
def test_shared_trainer_runs_both_phases(build, ludb_windows):
    """Both phases train; stage 2 chases moving codes, so its loss is compared with that of a
    fresh second stage on the final codes of held-out records."""
    from sigvae.training.trainer import Trainer

    x_train, x_test = ludb_windows
    params = {"latent_dim": 4, "encoder": {"hidden": [64]}, "stage2_hidden": [32]}
    model = build("two-stage-vae", params, (1, 100))
    fresh = build("two-stage-vae", params, (1, 100)).stage2
    config = {"epochs": 4, "batch_size": 64, "lr": 3e-3, "progress": False}
    result = Trainer(config).fit(
        model, Arrays(x=x_train[:800].numpy()), Arrays(x=x_test[:200].numpy())
    )
    assert result.history[-1]["train/loss"] < result.history[0]["train/loss"]
    assert np.isfinite(result.history[-1]["val/stage2/loss"])
    model.eval()
    torch.manual_seed(0)
    codes = model.encode(x_test).sample()
    torch.manual_seed(1)
    trained = model.stage2.loss({"x": codes}).total.item()
    torch.manual_seed(1)
    assert trained < fresh.loss({"x": codes}).total.item()
