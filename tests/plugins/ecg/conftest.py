"""Fixtures of the ECG plugin tests: a tiny untrained denoiser saved in the kernel checkpoint
format (fast, so the command and the API can be tested end to end without the shipped weights).
"""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def tiny_model_path(tmp_path_factory):
    import torch

    from sigvae import registry
    from sigvae.training.checkpoint import save_model

    torch.manual_seed(0)
    params = {"hidden": [4, 8], "kernel_size": 5, "latent_channels": 2}
    info = {"x_shape": [1, 512], "cond_dim": None, "has_target": True}
    model = registry.build("model", "ecg-conv-vae", params, data_info=info)
    model.model_config = {"type": "ecg-conv-vae", "params": params, "data_info": info}
    path = tmp_path_factory.mktemp("model") / "tiny.pt"
    save_model(model, path)
    return path


@pytest.fixture(scope="session")
def tiny_denoiser(tiny_model_path):
    from sigvae_ecg.runtime import load_denoiser

    return load_denoiser(str(tiny_model_path))
