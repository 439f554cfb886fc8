"""Helpers of the family-II tests (imported by name: this directory is on sys.path)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from sigvae.data import Arrays


def ludb_windows(folder: Path, records, length: int, leads: list[str]) -> np.ndarray:
    """Non-overlapping windows ``[n, len(leads), length]`` of LUDB records at 125 Hz."""
    import wfdb

    windows = []
    for rec in records:
        signal = wfdb.rdrecord(str(folder / str(rec)), channel_names=leads).p_signal.T
        signal = signal[:, ::4]  # 500 Hz -> 125 Hz
        n = signal.shape[1] // length
        windows.append(signal[:, : n * length].reshape(len(leads), n, length).transpose(1, 0, 2))
    return np.concatenate(windows).astype(np.float32)


def ludb_split(folder: Path, leads: list[str], length: int = 64) -> dict[str, np.ndarray]:
    """Records 1-40 to train, 81-100 held out, standardised per lead with training stats."""
    parts = {
        "train": ludb_windows(folder, range(1, 41), length, leads),
        "test": ludb_windows(folder, range(81, 101), length, leads),
    }
    mean = parts["train"].mean(axis=(0, 2), keepdims=True)
    std = parts["train"].std(axis=(0, 2), keepdims=True)
    return {k: ((v - mean) / std).astype(np.float32) for k, v in parts.items()}


def fit(model, x, cond=None, epochs=3, batch_size=64, lr=2e-3, val=None):
    """Train with the real Trainer (no run directory); returns its history."""
    from sigvae.training import TrainConfig, Trainer

    config = TrainConfig(
        epochs=epochs, batch_size=batch_size, lr=lr, progress=False, device="cpu", seed=0
    )
    train = Arrays(x=np.asarray(x), cond=None if cond is None else np.asarray(cond))
    result = Trainer(config, run_dir=None).fit(model, train, val)
    return result.history


def toy_signals(n: int, seed: int, dim: int = 16) -> np.ndarray:
    """``x = tanh(u A) + noise`` in ``dim`` dims from a 2-D uniform source ``u`` (A fixed):
    data with a 2-D latent structure for the code-matching tests."""
    g = np.random.default_rng(seed)
    u = g.uniform(-1.0, 1.0, (n, 2))
    mixing = np.random.default_rng(99).normal(size=(2, dim))
    return (np.tanh(u @ mixing) + 0.05 * g.normal(size=(n, dim))).astype(np.float32)


def mmd_to_prior(model, x: np.ndarray, seed: int = 5) -> float:
    """MMD^2 between the codes of ``x`` and as many draws from the model's prior."""
    from sigvae_vae.family2.divergences import mmd_unbiased

    model.eval()
    z = model.embed(torch.from_numpy(x))
    torch.manual_seed(seed)
    return float(mmd_unbiased(z, model.prior().sample((z.shape[0],))))


def assert_codes_match_prior(build2, toy, name: str, on: dict, off: dict, epochs: int = 6):
    """Train ``name`` with a 2-D ring-of-Gaussians prior on toy data, with the latent penalty
    (``on``) and without (``off``): the MMD of held-out codes to the prior must fall to under
    half its initial value and end below the unregularised autoencoder's."""
    train, test = toy
    results = {}
    for label, extra in (("on", on), ("off", off)):
        torch.manual_seed(0)
        params = {
            "latent_dim": 2,
            "prior": "mixture",
            "encoder": {"hidden": [64, 64]},
            "sigma": 0.1,
            **extra,
        }
        model = build2(name, params, (16,))
        before = mmd_to_prior(model, test)
        fit(model, train, epochs=epochs)
        results[label] = (before, mmd_to_prior(model, test))
    (before, after), (_, without) = results["on"], results["off"]
    assert after < 0.5 * before, results
    assert after < 0.8 * without, results
    return results
