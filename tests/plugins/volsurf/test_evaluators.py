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
    std = completion_std(model, z, coords, values, grid, prior_weight=weight, misfit=False)
    expected = 1.0 / np.sqrt(quotes / model.sigma**2 + weight)
    assert std.shape == (2, GRID.size)
    np.testing.assert_allclose(std, expected, rtol=1e-4)


def test_completion_errors_report_the_coverage_of_exact_standard_deviations():
    """Quotes with Gaussian noise of the model's own s: for the level model the completed
    level errs by N(0, s^2 / n), its reported s.d., so the shares within 1 and 2 s.d. are the
    Gaussian 0.683 and 0.954 (up to sampling error over 400 surfaces)."""
    from sigvae_volsurf.evaluators import completion_errors

    model = Level(0.0)
    truth = np.full((400, GRID.size), 0.2)
    masks = random_masks(np.ones(truth.shape, bool), 5, np.random.default_rng(0))
    noisy = truth + model.sigma * np.random.default_rng(1).standard_normal(truth.shape)
    out = completion_errors(model, truth, masks, observed_vols=noisy)
    assert out["std_bp"] == pytest.approx(1e4 * model.sigma / np.sqrt(5), rel=1e-3)
    assert out["coverage_1sd"] == pytest.approx(0.683, abs=0.08)
    assert out["coverage_2sd"] == pytest.approx(0.954, abs=0.04)


def test_completion_std_grows_with_the_misfit_to_the_quotes():
    """Quotes 0.19 and 0.21 that a flat level cannot both reach, 10 s off either way: the
    variance is scaled by the reduced chi-square RSS / (n - p_eff) = 12 * 10^2 / (12 - ~1)."""
    from sigvae_volsurf.completion import complete_latents, completion_std

    grid = GRID.coordinates()
    model = Level(0.0)
    coords = np.repeat(grid[None, :12], 2, axis=0)
    values = np.tile([0.19, 0.21], (2, 6))
    z, _ = complete_latents(model, coords, values)
    std = completion_std(model, z, coords, values, grid)
    precision = 12 / model.sigma**2 + 1.0
    p_eff = (12 / model.sigma**2) / precision
    expected = np.sqrt(1200 / (12 - p_eff) / precision)
    np.testing.assert_allclose(std, expected, rtol=1e-3)
    # quotes the level fits exactly keep the plain Laplace s.d.
    exact = completion_std(model, z, coords, np.full((2, 12), 0.2), grid)
    np.testing.assert_allclose(exact, 1 / np.sqrt(precision), rtol=1e-3)


def test_completion_errors_can_leave_out_the_misfit_scaling():
    """Quotes 10 s off the truth either way: the scaled s.d. is wider than the plain one,
    which is the level's exact posterior s.d. s / sqrt(n) (prior negligible)."""
    from sigvae_volsurf.evaluators import completion_errors

    model = Level(0.0)
    truth = np.full((2, GRID.size), 0.2)
    masks = np.zeros(truth.shape, bool)
    masks[:, :12] = True
    offsets = np.zeros(GRID.size)
    offsets[:12] = np.tile([-0.01, 0.01], 6)
    quoted = truth + offsets
    plain = completion_errors(model, truth, masks, observed_vols=quoted, misfit=False)
    scaled = completion_errors(model, truth, masks, observed_vols=quoted)
    assert plain["std_bp"] == pytest.approx(1e4 * model.sigma / np.sqrt(12), rel=1e-3)
    assert scaled["std_bp"] > 5 * plain["std_bp"]
