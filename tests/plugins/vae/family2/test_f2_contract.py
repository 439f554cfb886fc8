"""Every family-II model: documented params, a light spec module, the uniform API (or a clear
UndefinedQuantity), checkpoints that round trip, denoising mode, and falling loss on real ECG
(LUDB, records 1-40 to train, 81-100 held out) with the real Trainer."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
import torch
from sigvae_vae.family2.specs import FAMILY2_SPECS

from sigvae.cli_core import describe_params
from sigvae.nn.model import UndefinedQuantity
from sigvae.training.checkpoint import load_model, save_model

COND_DIM = 2
# name -> (params, needs cond, log-likelihood defined, history key that must fall)
CASES = {
    "info-vae": ({}, False, True, "val/loss"),
    "wae": ({}, False, False, "val/loss"),
    "itl-ae": ({}, False, False, "val/loss"),
    "aae": ({}, False, False, "val/recon"),
    "vae-gan": ({"pixel_weight": 1.0}, False, True, "val/recon"),
    "cvae-gan": ({}, True, True, "val/recon"),
    "vq-vae": ({"codebook_size": 16, "tokens": 4, "latent_dim": 4}, False, True, "val/loss"),
    "beta-tcvae": ({}, False, True, "val/loss"),
    "factor-vae": ({}, False, True, "val/loss"),
    "dip-vae": ({}, False, True, "val/loss"),
    "mmvae": ({"samples": 2}, False, True, "val/loss"),
    "vfae": ({}, True, True, "val/recon"),
}
VARIANTS = [  # other configurations: (name, extra params, log-likelihood defined)
    ("wae", {"penalty": "gan"}, False),
    ("aae", {"posterior": "gaussian"}, True),
    ("aae", {"posterior": "universal"}, False),
    ("vq-vae", {"ema": False, "prior": "uniform"}, True),
    ("beta-tcvae", {"estimator": "mws"}, True),
    ("dip-vae", {"variant": "ii"}, True),
    ("itl-ae", {"divergence": "ed", "prior": "laplace"}, False),
    ("vfae", {"label_dim": 2}, False),
    ("vae-gan", {"pixel_weight": 0.0}, False),  # z2 not integrated out: elbo only
]


def _small(build2, name, extra=None, x_shape=(2, 21), arch="conv1d"):
    params, needs_cond, _, _ = CASES[name]
    cond_dim = COND_DIM + (extra or {}).get("label_dim", 0) if needs_cond else None
    params = {
        "latent_dim": 3,
        "encoder": {"arch": arch, "hidden": [8, 8]},
        **params,
        **(extra or {}),
    }
    return build2(name, params, x_shape, cond_dim=cond_dim), cond_dim


def _cond(cond_dim, n):
    if not cond_dim:
        return None
    return torch.eye(cond_dim)[torch.arange(n) % cond_dim]


def test_every_spec_is_covered():
    assert {s.name for s in FAMILY2_SPECS} == set(CASES)


def test_spec_module_imports_no_torch():
    code = "import sys, sigvae_vae.family2.specs; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize("name", CASES)
def test_spec_is_documented(family2_registry, name):
    spec = family2_registry.get("model", name)
    assert spec.summary and len(spec.summary) <= 100, spec.summary
    assert len(spec.doc.strip().splitlines()) >= 3, "summary, blank line, details"
    for field_name, field in spec.params.model_fields.items():
        assert field.description, f"{name}: param {field_name} has no description"
    rows = describe_params(spec.params)  # what `sigvae describe` prints
    assert all(row["doc"] for row in rows) and json.dumps(rows, default=str)


@pytest.mark.parametrize(
    "name, extra, defined", [(n, None, c[2]) for n, c in CASES.items()] + VARIANTS, ids=str
)
def test_uniform_api(build2, name, extra, defined):
    model, cond_dim = _small(build2, name, extra)
    x, cond = torch.randn(6, 2, 21), _cond(cond_dim, 6)
    for phase in model.optimizer_groups():
        out = model.loss({"x": x, **({"cond": cond} if cond_dim else {})}, phase)
        assert out.total.dim() == 0 and torch.isfinite(out.total), phase
    model.on_epoch_end(0, 3)
    model.eval()
    assert model.embed(x, cond).shape[0] == 6
    assert model.reconstruct(x, cond).shape == x.shape
    assert model.sample(6, cond).shape == x.shape
    if defined:
        assert model.elbo(x, cond).shape == (6,)
        assert torch.isfinite(model.log_likelihood(x, cond, samples=6, chunk=4)).all()
    else:
        with pytest.raises(UndefinedQuantity):
            model.log_likelihood(x, cond, samples=4)


@pytest.mark.parametrize("name", CASES)
def test_checkpoint_round_trip(build2, family2_registry, name, tmp_path):
    model, cond_dim = _small(build2, name, {"learn_sigma": "feature"})
    with torch.no_grad():
        for prm in model.parameters():
            prm.add_(0.01 * torch.randn_like(prm))
    path = save_model(model, tmp_path / "model.pt")
    clone = load_model(path, registry=family2_registry)
    model.eval()
    x, cond = torch.randn(3, 2, 21), _cond(cond_dim, 3)
    assert torch.equal(model.reconstruct(x, cond), clone.reconstruct(x, cond))
    state, other = model.state_dict(), clone.state_dict()
    assert state.keys() == other.keys() and all(torch.equal(state[k], other[k]) for k in state)


@pytest.mark.parametrize("name", CASES)
def test_denoising_mode_scores_the_target(build2, name):
    model, cond_dim = _small(build2, name)
    x = torch.randn(6, 2, 21)
    extra = {"cond": _cond(cond_dim, 6)} if cond_dim else {}
    phase = next(iter(model.optimizer_groups()))
    model.eval()  # no codebook updates between the three calls

    def loss(**batch):
        torch.manual_seed(0)
        return model.loss({"x": x, **extra, **batch}, phase).total

    plain, same, other = loss(), loss(target=x.clone()), loss(target=x + 1.0)
    assert torch.allclose(plain, same) and not torch.allclose(plain, other)


@pytest.mark.data
@pytest.mark.parametrize("name", CASES)
def test_loss_falls_on_real_ecg(build2, ludb_small, fit_model, name):
    from sigvae.data import Arrays

    params, needs_cond, _, key = CASES[name]
    params = {"latent_dim": 4, "encoder": {"hidden": [64]}, **params}
    cond_dim = COND_DIM if needs_cond else None
    train, test = ludb_small["train"], ludb_small["test"]
    torch.manual_seed(0)  # initial weights independent of the tests that ran before
    model = build2(name, params, train.shape[1:], cond_dim=cond_dim)

    def cond(n):  # a real two-group covariate: the first or second half of the recordings
        return None if not needs_cond else np.eye(2, dtype=np.float32)[np.arange(n) * 2 // n]

    val = Arrays(x=test, cond=cond(len(test)))
    history = fit_model(model, train, cond(len(train)), epochs=4, val=val)
    first, last = history[0][key], history[-1][key]
    assert np.isfinite(last) and last < first, (name, key, [h[key] for h in history])
