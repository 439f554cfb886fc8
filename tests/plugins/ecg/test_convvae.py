"""The ecg-conv-vae model: shapes, loss, deterministic mode, checkpoint round trip."""

from __future__ import annotations

import pytest
import torch

from sigvae import registry
from sigvae.errors import ConfigError
from sigvae.nn.model import UndefinedQuantity
from sigvae.training.checkpoint import load_model, save_model

INFO = {"x_shape": [1, 512], "cond_dim": None, "has_target": True}


def build(**params):
    return registry.build("model", "ecg-conv-vae", params, data_info=INFO)


@pytest.mark.parametrize("hidden, stem", [([8, 16, 24], 4), ([8, 16], 2), ([8, 16, 24, 32], 4)])
def test_shapes_and_latent_length(hidden, stem):
    model = build(hidden=hidden, stem_stride=stem, latent_channels=4)
    x = torch.randn(3, 1, 512)
    assert model.reconstruct(x).shape == x.shape
    positions = 512 // (stem * 2 ** (len(hidden) - 1))
    assert model.latent_shape == (4 * positions,)
    assert model.sample(2).shape == (2, 1, 512)


def test_denoising_loss_scores_the_target():
    model = build(hidden=[8, 16], latent_channels=2, beta=0.5)
    x = torch.randn(4, 1, 512)

    def loss(**batch):
        torch.manual_seed(0)  # same posterior sample each time
        return model.loss({"x": x, **batch})

    plain, same, other = loss(), loss(target=x), loss(target=torch.zeros_like(x))
    assert torch.isfinite(plain.total) and set(plain.terms) == {"recon", "kl", "elbo"}
    assert float(plain.total.detach()) == float(same.total.detach())  # no target: x is scored
    assert float(other.terms["recon"]) != float(plain.terms["recon"])
    assert float(other.terms["kl"]) == float(plain.terms["kl"])  # KL depends on x only
    other.total.backward()


def test_deterministic_mode_is_a_plain_autoencoder():
    model = build(hidden=[8, 16], latent_channels=2, deterministic=True)
    x = torch.randn(2, 1, 512)
    assert set(model.loss({"x": x}).terms) == {"recon"}
    with pytest.raises(UndefinedQuantity):
        model.encode(x)


def test_window_length_must_fit_the_strides():
    with pytest.raises(ConfigError, match="multiple"):
        registry.build("model", "ecg-conv-vae", {}, data_info={"x_shape": [1, 500]})


def test_checkpoint_round_trip(tmp_path):
    params = {"hidden": [8, 16], "latent_channels": 2}
    model = build(**params).eval()
    model.model_config = {"type": "ecg-conv-vae", "params": params, "data_info": INFO}
    save_model(model, tmp_path / "m.pt")
    again = load_model(tmp_path / "m.pt")
    x = torch.randn(2, 1, 512)
    assert torch.equal(model.reconstruct(x), again.reconstruct(x))
