"""Tiny models for the training-core tests, independent of the nn blocks and the vae plugin.

``TinyVAE`` is a one-hidden-layer Gaussian MLP VAE (Kingma & Welling 2014) with a unit-variance
Gaussian likelihood; its loss follows the house convention (sum over features and latent
dimensions, mean over the batch). ``TINY_PLUGIN`` registers it as model ``tiny-vae``.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from torch import nn
from torch.distributions import Independent, Normal

from sigvae.data import Arrays
from sigvae.hookspecs import hookimpl
from sigvae.nn.model import LossOutput, Model
from sigvae.registry import Registry
from sigvae.specs import ModelSpec, Params


@pytest.fixture
def one_thread():
    """One torch thread: the test machine's few cores are shared, and OpenMP threads that
    wait on each other make tiny ops thousands of times slower there."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


class TinyVAEParams(Params):
    hidden: int = 16
    latent: int = 2


class TinyVAE(Model):
    """x -> hidden -> (mu, log var) -> z -> hidden -> mean of N(mean, I)."""

    def __init__(self, data_info: dict, hidden: int = 16, latent: int = 2) -> None:
        super().__init__(data_info)
        features = int(np.prod(data_info["x_shape"]))
        self.latent_shape = (latent,)
        self.encoder = nn.Sequential(nn.Linear(features, hidden), nn.Tanh())
        self.to_stats = nn.Linear(hidden, 2 * latent)
        self.decoder = nn.Sequential(
            nn.Linear(latent, hidden), nn.Tanh(), nn.Linear(hidden, features)
        )

    def encode(self, x, cond=None):
        mu, log_var = self.to_stats(self.encoder(x.flatten(1))).chunk(2, dim=-1)
        return Independent(Normal(mu, torch.exp(0.5 * log_var)), 1)

    def decode(self, z, cond=None):
        mean = self.decoder(z)
        return Independent(Normal(mean, torch.ones_like(mean)), 1)

    def loss(self, batch, phase="main"):
        x = batch["x"].flatten(1)
        q = self.encode(x)
        z = q.rsample()
        recon = -self.decode(z).log_prob(batch.get("target", x).flatten(1)).mean()
        kl = torch.distributions.kl_divergence(q, self.prior()).mean()
        return LossOutput(recon + kl, {"recon": recon, "kl": kl})


def build_tiny_vae(params: TinyVAEParams, data_info: dict) -> TinyVAE:
    model = TinyVAE(data_info, hidden=params.hidden, latent=params.latent)
    model.model_config = {
        "type": "tiny-vae",
        "params": params.model_dump(),
        "data_info": dict(data_info),
    }
    return model


class TinyPlugin:
    @hookimpl
    def sigvae_models(self):
        return [ModelSpec("tiny-vae", build_tiny_vae, TinyVAEParams, "test VAE")]


def tiny_registry() -> Registry:
    return Registry(plugins=[("tiny", TinyPlugin())], autoload=False)


def tiny_vae(features: int = 8, hidden: int = 16, latent: int = 2, seed: int = 0) -> TinyVAE:
    torch.manual_seed(seed)
    return build_tiny_vae(TinyVAEParams(hidden=hidden, latent=latent), {"x_shape": [features]})


def sine_arrays(n: int = 96, features: int = 8, seed: int = 0) -> Arrays:
    """Noisy sine windows with random phase: easy for a VAE, cheap to make."""
    rng = np.random.default_rng(seed)
    phase = rng.uniform(0, 2 * math.pi, size=(n, 1))
    t = np.linspace(0, 2 * math.pi, features)[None, :]
    x = np.sin(t + phase) + 0.1 * rng.standard_normal((n, features))
    return Arrays(x=x.astype(np.float32))


class Regression(Model):
    """A deterministic linear model (loss = mean squared error), for exact bookkeeping."""

    def __init__(self, features: int = 8, scale: float = 1.0, seed: int = 0) -> None:
        super().__init__({"x_shape": [features]})
        torch.manual_seed(seed)
        self.linear = nn.Linear(features, features)
        self.scale = scale
        self.nan_from_epoch: int | None = None
        self.epoch = 0

    def on_epoch_start(self, epoch, max_epochs):
        self.epoch = epoch

    def loss(self, batch, phase="main"):
        x = batch["x"]
        error = ((self.linear(x) - x) ** 2).sum(-1).mean() * self.scale
        if self.nan_from_epoch is not None and self.epoch >= self.nan_from_epoch:
            error = error * float("nan")
        return LossOutput(error, {"mse": error.detach()})


class TwoPhase(Model):
    """Two optimizer groups whose losses both touch every parameter; each call records the
    parameters so a test can see which group changed between phases."""

    def __init__(self, features: int = 8, seed: int = 0) -> None:
        super().__init__({"x_shape": [features]})
        torch.manual_seed(seed)
        self.gen = nn.Linear(features, features)
        self.disc = nn.Linear(features, 1)
        self.calls: list[tuple[str, dict[str, torch.Tensor]]] = []

    def optimizer_groups(self):
        return {"main": list(self.gen.parameters()), "disc": list(self.disc.parameters())}

    def loss(self, batch, phase="main"):
        self.calls.append((phase, {k: v.detach().clone() for k, v in self.state_dict().items()}))
        score = self.disc(torch.tanh(self.gen(batch["x"]))).mean()
        total = score if phase == "main" else -score + (self.disc.weight**2).sum()
        return LossOutput(total, {"score": score})
