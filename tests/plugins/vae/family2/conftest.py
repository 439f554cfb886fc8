"""Fixtures for the family-II tests: a registry holding only FAMILY2_SPECS (the plugin module
registers them later), small real windows (LUDB leads II and V2, split by record), toy data
with a 2-D latent structure, and a short run of the real Trainer."""

from __future__ import annotations

import pytest
from _f2_helpers import fit, ludb_split, toy_signals
from sigvae_vae.family2.specs import FAMILY2_SPECS

from sigvae.hookspecs import hookimpl
from sigvae.registry import Registry


class _Family2Plugin:
    @hookimpl
    def sigvae_models(self):
        return list(FAMILY2_SPECS)


@pytest.fixture(scope="session")
def family2_registry() -> Registry:
    return Registry(plugins=[("vae-family2", _Family2Plugin())], autoload=False)


@pytest.fixture
def build2(family2_registry):
    """``build2(name, params, x_shape, cond_dim=None)`` -> model, with ``model_config`` set as
    the pipeline runner sets it (so checkpoints can rebuild it)."""

    def _build(name, params=None, x_shape=(32,), cond_dim=None, has_target=False):
        info = {"x_shape": list(x_shape), "cond_dim": cond_dim, "has_target": has_target}
        spec = family2_registry.get("model", name)
        valid = family2_registry.validate_params("model", name, params or {})
        model = spec.factory(valid, data_info=info)
        model.model_config = {
            "type": name,
            "params": valid.model_dump(mode="json"),
            "data_info": info,
        }
        return model

    return _build


def _ludb(shared_data, leads):
    folder = shared_data / "ecg" / "ludb"
    if not (folder / "1.hea").exists():
        pytest.skip(f"LUDB not found under {folder}")
    return ludb_split(folder, leads)


@pytest.fixture(scope="session")
def ludb_small(shared_data):
    """LUDB windows of 0.512 s (64 samples at 125 Hz), leads II and V2 as channels
    ``[n, 2, 64]``: records 1-40 train, 81-100 held out, standardised per lead."""
    return _ludb(shared_data, ["ii", "v2"])


@pytest.fixture(scope="session")
def ludb_limb(shared_data):
    """The same windows of two montages of the frontal-plane field: limb leads I, II and the
    augmented leads aVR, aVL, aVF (linear combinations of I and II), ``[n, 5, 64]``."""
    return _ludb(shared_data, ["i", "ii", "avr", "avl", "avf"])


@pytest.fixture
def fit_model():
    return fit


@pytest.fixture(scope="session")
def toy():
    """Training and held-out toy signals, ``(train [1000, 16], test [400, 16])``."""
    return toy_signals(1000, 0), toy_signals(400, 1)
