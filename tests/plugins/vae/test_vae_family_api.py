"""Every registered VAE-family model: documented params, the uniform API, checkpoints round
trip, denoising mode, and a falling loss on real ECG (LUDB, held-out records)."""

from __future__ import annotations

import pytest
import torch

# name -> (params for a small model, needs cond)
CASES = {
    "vae": ({}, False),
    "beta-vae": ({"beta": 2.0}, False),
    "cvae": ({"conditional_prior": True, "prior_hidden": [8]}, True),
    "iwae": ({"samples": 3, "estimator": "dreg"}, False),
    "vr-alpha": ({"alpha": 0.5, "samples": 3}, False),
    "vr-max": ({"samples": 3}, False),
    "ar1-vae": ({"estimator": "stl"}, False),
    "s-vae": ({}, False),
    "vamp-vae": ({"components": 5}, False),
    "vade": ({"clusters": 3, "pretrain_steps": 2}, False),
    "iaf-vae": ({"flows": 2, "context_dim": 4, "flow_hidden": [16]}, False),
    "delta-vae": ({"delta": 3.0}, False),
    "two-stage-vae": ({"stage2_hidden": [16]}, False),
    "pixel-vae": ({"ar_channels": 8, "ar_layers": 3}, False),
    "vrnn": ({"hidden": 16}, False),
}
NO_BLOCKS = {"vrnn"}  # models without encoder/decoder block params
# default: 200 Adam steps on 100-sample windows; sequential (per-time-step) models train slowly
# on CPU (fewer steps, shorter windows); the vMF posterior needs more steps to start moving
REAL_DATA_RUN = {
    "vrnn": {"steps": 60, "length": 40},
    "pixel-vae": {"steps": 120, "length": 100},
    "s-vae": {"steps": 300, "length": 100, "lr": 1e-2},
}
COND_DIM = 2


def _small(name, build, x_shape=(2, 21), arch="conv1d", **extra):
    params, needs_cond = CASES[name]
    blocks = {} if name in NO_BLOCKS else {"encoder": {"arch": arch, "hidden": [8, 8]}}
    params = {"latent_dim": 3, **blocks, **params, **extra}
    return build(name, params, x_shape, cond_dim=COND_DIM if needs_cond else None), needs_cond


def _cond(needs_cond, n):
    return torch.eye(COND_DIM)[torch.arange(n) % COND_DIM] if needs_cond else None


def test_every_family_one_model_is_covered(vae_registry):
    from sigvae_vae.plugin import FAMILY_ONE

    assert {name for name, *_ in FAMILY_ONE} == set(CASES)
    assert set(CASES) <= {s.name for s in vae_registry.specs("model")}


@pytest.mark.parametrize("name", CASES)
def test_spec_is_documented(vae_registry, name):
    spec = vae_registry.get("model", name)
    assert spec.summary and len(spec.summary) <= 120, spec.summary
    for field_name, field in spec.params.model_fields.items():
        assert field.description, f"{name}: param {field_name} has no description"


@pytest.mark.parametrize("name", CASES)
def test_uniform_api(build, name):
    model, needs_cond = _small(name, build)
    model.on_epoch_start(1, 4)
    model.eval()
    x, cond = torch.randn(4, 2, 21), _cond(needs_cond, 4)
    assert model.elbo(x, cond).shape == (4,)
    assert model.log_likelihood(x, cond, samples=6, chunk=4).shape == (4,)
    assert model.embed(x, cond).shape[0] == 4
    assert model.reconstruct(x, cond).shape == x.shape
    assert model.sample(4, cond).shape == x.shape
    out = model.loss({"x": x, **({"cond": cond} if needs_cond else {})})
    assert out.total.dim() == 0 and torch.isfinite(out.total)


@pytest.mark.parametrize("name", CASES)
def test_state_dict_round_trip(build, name, tmp_path):
    model, needs_cond = _small(name, build, learn_sigma="feature")
    with torch.no_grad():
        for prm in model.parameters():
            prm.add_(0.01 * torch.randn_like(prm))
    torch.save(model.state_dict(), tmp_path / "w.pt")
    clone, _ = _small(name, build, learn_sigma="feature")
    clone.load_state_dict(torch.load(tmp_path / "w.pt", weights_only=True))
    model.eval(), clone.eval()
    x, cond = torch.randn(3, 2, 21), _cond(needs_cond, 3)
    assert torch.equal(model.reconstruct(x, cond), clone.reconstruct(x, cond))
    torch.manual_seed(5)
    a = model.log_likelihood(x, cond, samples=4)
    torch.manual_seed(5)
    assert torch.equal(a, clone.log_likelihood(x, cond, samples=4))


@pytest.mark.parametrize("name", CASES)
def test_denoising_mode_scores_the_target(build, name):
    model, needs_cond = _small(name, build)
    x = torch.randn(4, 2, 21)
    extra = {"cond": _cond(needs_cond, 4)} if needs_cond else {}
    torch.manual_seed(0)
    plain = model.loss({"x": x, **extra}).total
    torch.manual_seed(0)
    same = model.loss({"x": x, "target": x.clone(), **extra}).total
    torch.manual_seed(0)
    other = model.loss({"x": x, "target": x + 1.0, **extra}).total
    assert torch.allclose(plain, same) and not torch.allclose(plain, other)


@pytest.mark.data
@pytest.mark.parametrize("name", CASES)
def test_loss_falls_on_real_ecg(build, train, ludb_windows, name):
    run = REAL_DATA_RUN.get(name, {"steps": 200, "length": 100})
    x_train, x_test = (x[..., : run["length"]] for x in ludb_windows)
    params, needs_cond = CASES[name]
    blocks = {} if name in NO_BLOCKS else {"encoder": {"hidden": [64]}}
    params = {"latent_dim": 8, **blocks, "learn_sigma": "shared", **params}
    model = build(name, params, x_train.shape[1:], cond_dim=COND_DIM if needs_cond else None)
    fields = {"cond": _cond(True, len(x_train))} if needs_cond else {}
    model.on_epoch_start(0, 2)
    losses = train(model, x_train, steps=run["steps"], lr=run.get("lr", 3e-3), **fields)
    first, last = sum(losses[:10]) / 10, sum(losses[-10:]) / 10
    assert last < 0.8 * first, (first, last)
    cond = _cond(needs_cond, len(x_test))
    assert torch.isfinite(
        model.log_likelihood(x_test[:64], None if cond is None else cond[:64], samples=8)
    ).all()


@pytest.mark.parametrize("name", CASES)
def test_shared_trainer_runs_every_model(build, name):
    """Two epochs of the one Trainer (every phase, validation, constant loss terms)."""
    from sigvae.data import Arrays
    from sigvae.training.trainer import Trainer

    model, needs_cond = _small(name, build)
    cond = _cond(needs_cond, 64)
    data = Arrays(x=torch.randn(64, 2, 21).numpy(), cond=None if cond is None else cond.numpy())
    config = {"epochs": 2, "batch_size": 32, "lr": 1e-3, "progress": False}
    result = Trainer(config).fit(model, data, data)
    assert result.stopped_reason == "completed" and len(result.history) == 2
    assert all(torch.isfinite(torch.tensor(h["val/loss"])) for h in result.history)
