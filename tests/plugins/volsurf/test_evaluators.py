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


class Level(Flat):
    """A 'model' whose surfaces are flat at the latent's value: the completion is a level fit."""

    latent_dim = 1

    def decode_at(self, z, coords):
        shape = coords.shape[:-1] if coords.dim() == 3 else (z.shape[0], coords.shape[0])
        return z[:, :1] * torch.ones(shape) + 0 * self.level

    def training_latents(self):
        return torch.zeros(0, 1)


def test_completion_fits_the_observed_values_and_scores_against_the_truth():
    from sigvae_volsurf.evaluators import completion_errors

    truth = np.full((4, GRID.size), 0.2)
    masks = random_masks(np.ones(truth.shape, bool), 5, np.random.default_rng(0))
    # quotes 10 bp above the truth: the level fitted to them misses the truth by 10 bp
    out = completion_errors(Level(0.0), truth, masks, observed_vols=truth + 0.001)
    assert out["mae_bp"] == pytest.approx(10.0, abs=0.01)
    assert completion_errors(Level(0.0), truth, masks)["mae_bp"] == pytest.approx(0.0, abs=0.01)


def test_a_heavier_prior_pulls_the_completion_towards_the_prior_mean():
    from sigvae_volsurf.evaluators import completion_errors

    truth = np.full((2, GRID.size), 0.2)
    masks = random_masks(np.ones(truth.shape, bool), 5, np.random.default_rng(0))
    # objective 5 (z - 0.2)^2 / (2 * 0.001^2) + w z^2 / 2 is minimised at z = 0.2 / (1 + w / 5e6)
    for weight in (1.0, 5e6):
        expected = 1e4 * 0.2 * (weight / 5e6) / (1 + weight / 5e6)
        mae = completion_errors(Level(0.0), truth, masks, prior_weight=weight)["mae_bp"]
        assert mae == pytest.approx(expected, rel=1e-3, abs=0.01)


def test_completion_params_refuse_a_non_positive_prior_weight():
    with pytest.raises(ValueError, match="prior_weight"):
        CompletionMaeParams(prior_weight=0)


@pytest.mark.parametrize(("quotes", "weight"), [(5, 1.0), (5, 5e6), (12, 1.0)])
def test_completion_std_is_the_exact_posterior_std_of_a_linear_model(quotes, weight):
    """For the level model the posterior of z is Gaussian with precision n / s^2 + w (quotes
    at noise s, prior N(0, 1/w)): the Laplace approximation is exact."""
    from sigvae_volsurf.completion import complete_latents, completion_std

    grid = GRID.coordinates()
    model = Level(0.0)
    coords = np.broadcast_to(grid[:quotes], (2, quotes, 2))
    values = np.full((2, quotes), 0.2)
    z, _ = complete_latents(model, coords, values, prior_weight=weight)
    std = completion_std(model, z, coords, values, grid, prior_weight=weight)
    expected = 1.0 / np.sqrt(quotes / model.sigma**2 + weight)
    assert std.shape == (2, GRID.size)
    np.testing.assert_allclose(std, expected, rtol=1e-4)
