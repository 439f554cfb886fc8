"""cvae-gan: the four phases, and class-conditional generation on 2-D toy classes."""

from __future__ import annotations

import math

import numpy as np
import torch
from _f2_helpers import fit
from sigvae_vae.family2.divergences import mmd_unbiased

CLASSES = 4


def _classes(n, seed):
    """Four Gaussian blobs on a circle of radius 2; cond = one-hot blob index."""
    g = np.random.default_rng(seed)
    k = g.integers(0, CLASSES, n)
    angle = 2 * math.pi * k / CLASSES
    x = np.stack([2 * np.cos(angle), 2 * np.sin(angle)], 1) + 0.25 * g.normal(size=(n, 2))
    return x.astype(np.float32), np.eye(CLASSES, dtype=np.float32)[k]


def test_phases_and_groups(build2):
    model = build2("cvae-gan", {"latent_dim": 3}, (32,), cond_dim=CLASSES)
    groups = model.optimizer_groups()
    assert list(groups) == ["enc", "gen", "disc", "cls"]
    ids = [{id(p) for p in g} for g in groups.values()]
    assert sum(len(i) for i in ids) == len(set().union(*ids)) == len(list(model.parameters()))


def test_class_conditional_generation(build2):
    (x, cond), (x_test, cond_test) = _classes(1200, 0), _classes(800, 1)
    torch.manual_seed(0)
    model = build2(
        "cvae-gan",
        {"latent_dim": 2, "encoder": {"hidden": [64, 64]}, "sigma": 0.1},
        (2,),
        cond_dim=CLASSES,
    )
    fit(model, x, cond, epochs=4)
    model.eval()
    held_out, labels = torch.from_numpy(x_test), torch.from_numpy(cond_test).argmax(1)
    accuracy = (model.classifier(held_out)[1].argmax(1) == labels).float().mean()
    assert float(accuracy) > 0.95
    torch.manual_seed(3)
    for k in range(CLASSES):
        samples = model.sample(200, torch.eye(CLASSES)[k].repeat(200, 1))
        own = float(mmd_unbiased(samples, held_out[labels == k]))
        opposite = float(mmd_unbiased(samples, held_out[labels == (k + 2) % CLASSES]))
        assert own < 0.5 * opposite, (k, own, opposite)
