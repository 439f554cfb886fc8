"""Fixtures for the VAE-family tests: a registry with only this plugin, real ECG windows
(LUDB lead II, split by record), a linear-Gaussian model with exact log p(x), and a short
Adam loop (the shared Trainer is tested on its own)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import sigvae_vae.plugin
import torch
from torch import nn

from sigvae.registry import Registry


@pytest.fixture(autouse=True)
def one_thread():
    """The test machine is shared: one intra-op thread is faster and fairer."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="session")
def vae_registry() -> Registry:
    return Registry(plugins=[("vae", sigvae_vae.plugin)], autoload=False)


@pytest.fixture
def build(vae_registry):
    """``build(name, params, x_shape, cond_dim=None, has_target=False)`` -> model."""

    def _build(name, params=None, x_shape=(64,), cond_dim=None, has_target=False):
        info = {"x_shape": list(x_shape), "cond_dim": cond_dim, "has_target": has_target}
        return vae_registry.build("model", name, params or {}, data_info=info)

    return _build


def _ludb_lead_ii(folder: Path, records: range, length: int) -> np.ndarray:
    import wfdb

    windows = []
    for rec in records:
        signal = wfdb.rdrecord(str(folder / str(rec)), channel_names=["ii"]).p_signal[:, 0]
        signal = signal[::2]  # 500 Hz -> 250 Hz
        n = len(signal) // length
        windows.append(signal[: n * length].reshape(n, 1, length))
    return np.concatenate(windows).astype(np.float32)


@pytest.fixture(scope="session")
def ludb_windows(shared_data):
    """Non-overlapping 0.4 s windows of LUDB lead II at 250 Hz (100 samples): records 1-80
    for training, 81-100 held out; standardised with the training mean and std."""
    folder = shared_data / "ecg" / "ludb"
    if not (folder / "1.hea").exists():
        pytest.skip(f"LUDB not found under {folder}")
    train = _ludb_lead_ii(folder, range(1, 81), 100)
    test = _ludb_lead_ii(folder, range(81, 101), 100)
    mean, std = train.mean(), train.std()
    return torch.from_numpy((train - mean) / std), torch.from_numpy((test - mean) / std)


def adam_train(model, x, steps=200, lr=3e-3, batch_size=64, seed=0, **fields) -> list[float]:
    """Minimise ``model.loss`` with Adam over random mini-batches; returns the losses."""
    torch.manual_seed(seed)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    losses = []
    model.train()
    for _ in range(steps):
        idx = torch.randint(0, len(x), (min(batch_size, len(x)),))
        batch = {"x": x[idx], **{k: v[idx] for k, v in fields.items()}}
        out = model.loss(batch)
        opt.zero_grad()
        out.total.backward()
        opt.step()
        losses.append(float(out.total.detach()))
    model.eval()
    return losses


@pytest.fixture
def train():
    return adam_train


@dataclass
class LinearGaussian:
    """``x = W z + b + sigma * eps`` with ``z ~ N(0, I_d)``; ``W`` has orthogonal columns so
    the exact posterior is a diagonal Gaussian (the VAE family can represent it)."""

    W: torch.Tensor
    b: torch.Tensor
    sigma: float

    @classmethod
    def make(cls, dim=8, latent=2, sigma=0.5, seed=0) -> LinearGaussian:
        g = torch.Generator().manual_seed(seed)
        q, _ = torch.linalg.qr(torch.randn(dim, latent, generator=g, dtype=torch.float64))
        scales = torch.linspace(2.0, 1.0, latent, dtype=torch.float64)
        return cls(q * scales, torch.randn(dim, generator=g, dtype=torch.float64), sigma)

    def sample(self, n: int, seed: int) -> torch.Tensor:
        g = torch.Generator().manual_seed(seed)
        z = torch.randn(n, self.W.shape[1], generator=g, dtype=torch.float64)
        eps = torch.randn(n, self.W.shape[0], generator=g, dtype=torch.float64)
        return (z @ self.W.T + self.b + self.sigma * eps).float()

    def log_px(self, x: torch.Tensor) -> torch.Tensor:
        cov = self.W @ self.W.T + self.sigma**2 * torch.eye(self.W.shape[0], dtype=torch.float64)
        dist = torch.distributions.MultivariateNormal(self.b, covariance_matrix=cov)
        return dist.log_prob(x.double()).float()

    def posterior(self) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Exact posterior ``mu = A x + c``, ``var`` (diagonal)."""
        precision = (
            torch.eye(self.W.shape[1], dtype=torch.float64) + self.W.T @ self.W / self.sigma**2
        )
        cov = torch.linalg.inv(precision)
        A = cov @ self.W.T / self.sigma**2
        return A.float(), (-A @ self.b).float(), torch.diagonal(cov).float()

    def install_exact(self, model) -> None:
        """Make ``model`` a linear encoder/decoder holding the true model and exact posterior
        (it must have been built with a Gaussian likelihood of std ``sigma``)."""
        dim, latent = self.W.shape
        A, c, var = self.posterior()
        model.encoder.trunk = nn.Identity()
        head = nn.Linear(dim, 2 * latent)
        with torch.no_grad():
            head.weight.zero_()
            head.weight[:latent] = A
            head.bias[:latent] = c
            head.bias[latent:] = var.log()
        model.encoder.head = head
        decoder = nn.Linear(latent, dim)
        with torch.no_grad():
            decoder.weight.copy_(self.W.float())
            decoder.bias.copy_(self.b.float())
        model.decoder = decoder


@pytest.fixture
def linear_gaussian() -> LinearGaussian:
    return LinearGaussian.make()
