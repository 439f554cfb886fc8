"""Evaluators on hand-built surfaces."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from sigvae_volsurf.evaluators import ArbitrageEvaluator, CompletionEvaluator, random_masks
from sigvae_volsurf.grid import Grid
from sigvae_volsurf.params import ArbitrageEvalParams, CompletionMaeParams

GRID = Grid(("1M", "6M", "1Y"), (0.1, 0.25, 0.5, 0.75, 0.9))


class Flat(torch.nn.Module):
    """A 'model' whose every surface is flat at ``level``: completion error = |truth - level|."""

    latent_dim = 2
    sigma = 0.001

    def __init__(self, level):
        super().__init__()
        self.grid = GRID
        self.level = torch.nn.Parameter(torch.tensor(level))

    def decode_at(self, z, coords):
        shape = coords.shape[:-1] if coords.dim() == 3 else (z.shape[0], coords.shape[0])
        return self.level * torch.ones(shape) + 0 * z[:, :1]

    def training_latents(self):
        return torch.zeros(0, 2)


def test_arbitrage_rates_on_flat_and_inverted_surfaces():
    flat = np.full(GRID.size, 0.2)
    inverted = np.repeat([0.3, 0.15, 0.1], 5)  # total variance falls from 1M to 6M
    params = ArbitrageEvalParams(tenors=list(GRID.tenors), deltas=list(GRID.deltas))
    out = ArbitrageEvaluator(params).evaluate(None, np.stack([flat, inverted]))
    assert out["calendar_violation_rate"] == 0.5
    assert out["butterfly_violation_rate"] == 0.0
    assert out["arbitrage_violation_rate"] == 0.5


def test_completion_error_of_a_flat_model_is_the_distance_to_flat():
    truth = np.full((3, GRID.size), 0.201)
    out = CompletionEvaluator(CompletionMaeParams(observed=[5], starts=2)).evaluate(
        truth, truth, model=Flat(0.2)
    )
    assert out["mae_bp_5"] == pytest.approx(10.0, abs=1e-3)
    assert out["rmse_bp_5"] == pytest.approx(10.0, abs=1e-3)
    assert out["reconstruction_mae_bp"] == 0.0


def test_random_masks_pick_exactly_n_available_points():
    available = np.ones((4, 10), bool)
    available[:, :3] = False
    masks = random_masks(available, 5, np.random.default_rng(0))
    assert (masks.sum(1) == 5).all() and not masks[:, :3].any()
