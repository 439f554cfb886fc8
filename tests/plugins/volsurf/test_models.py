"""The grid and pointwise VAEs: construction through the registry, losses, decoding, penalty."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from sigvae_volsurf.grid import Grid
from sigvae_volsurf.models.penalty import arbitrage_penalty, arbitrage_terms

from sigvae import registry
from sigvae.errors import SigvaeError

SMALL = {"tenors": ["1M", "1Y"], "deltas": [0.25, 0.5, 0.75], "hidden": [16], "latent_dim": 2}
INFO = {"x_shape": [6], "cond_dim": None, "has_target": False}


@pytest.fixture(params=["volsurf-grid", "volsurf-pointwise"])
def model(request):
    torch.manual_seed(0)
    return registry.build("model", request.param, SMALL, data_info=INFO)


def test_loss_is_finite_and_backpropagates(model):
    x = torch.full((4, 6), 0.1) + 0.01 * torch.rand(4, 6)
    out = model.loss({"x": x})
    out.total.backward()
    assert torch.isfinite(out.total) and {"recon", "kl", "rmse_bp"} <= set(out.terms)
    assert all(p.grad is not None for p in model.encoder.parameters())


def test_mask_removes_points_from_the_loss(model, monkeypatch):
    monkeypatch.setattr(model, "decode_grid", lambda z: torch.full((z.shape[0], 6), 0.1))
    x = torch.full((2, 6), 0.1)
    x[:, 0] = 0.5  # far off at a point the mask removes
    mask = torch.ones(2, 6)
    mask[:, 0] = 0
    assert model.loss({"x": x, "mask": mask}).terms["recon"].item() == pytest.approx(0.0)
    assert model.loss({"x": x}).terms["recon"].item() > 1e3


def test_decoded_vols_are_positive_and_on_the_grid(model):
    z = torch.randn(3, 2)
    vols = model.decode_grid(z)
    assert vols.shape == (3, 6) and (vols > 0).all()
    at = model.decode_at(z, torch.tensor(Grid(("1M", "1Y"), (0.25, 0.5, 0.75)).coordinates()))
    torch.testing.assert_close(at, vols)


def test_grid_mismatch_is_a_clear_error():
    with pytest.raises(SigvaeError, match="same tenors and deltas"):
        registry.build("model", "volsurf-grid", SMALL, data_info={"x_shape": [7]})


def test_grid_model_refuses_off_grid_points():
    m = registry.build("model", "volsurf-grid", SMALL, data_info=INFO)
    with pytest.raises(SigvaeError, match="pointwise"):
        m.decode_at(torch.zeros(1, 2), torch.tensor([[0.3, 0.5]]))


def test_pointwise_model_evaluates_anywhere():
    m = registry.build("model", "volsurf-pointwise", SMALL, data_info=INFO)
    off = torch.tensor([[[0.3, 0.4], [2.0, 0.6]]])
    assert m.decode_at(torch.zeros(1, 2), off).shape == (1, 2)


def test_training_latents_are_remembered_only_in_training():
    m = registry.build("model", "volsurf-pointwise", {**SMALL, "latent_bank": 5}, data_info=INFO)
    x = torch.full((3, 6), 0.1)
    m.eval()
    m.loss({"x": x})
    assert len(m.training_latents()) == 0
    m.train()
    m.loss({"x": x})
    m.loss({"x": x})
    assert len(m.training_latents()) == 5 and int(m.bank_filled) == 6


class Analytic(torch.nn.Module):
    """decode_at from a closed-form vol function of (tau, delta)."""

    def __init__(self, fn):
        super().__init__()
        self.fn = fn

    def decode_at(self, z, coords):
        return self.fn(coords[..., 0], coords[..., 1]) + 0 * z[:, :1]


def test_penalty_is_zero_for_flat_and_positive_for_calendar_arbitrage():
    box = ((1 / 12, 5.0), (0.1, 0.9))
    z = torch.zeros(4, 2)
    flat = arbitrage_penalty(Analytic(lambda t, d: 0.2 + 0 * t), z, 64, box)
    assert torch.allclose(flat, torch.zeros(4), atol=1e-6)
    # vol falling like tau^-0.7 makes total variance fall with maturity: calendar arbitrage
    falling = arbitrage_penalty(Analytic(lambda t, d: 0.2 * t**-0.7), z, 64, box)
    assert (falling > 1.0).all()


def test_penalty_flags_butterfly_arbitrage_of_a_crazy_smile():
    box = ((0.5, 1.0), (0.1, 0.9))
    wild = Analytic(lambda t, d: 0.2 + 0.15 * torch.sin(12 * d))
    assert arbitrage_penalty(wild, torch.zeros(2, 2), 256, box).min() > 0


def test_penalty_training_option_adds_a_term():
    m = registry.build(
        "model", "volsurf-pointwise", {**SMALL, "arbitrage_penalty": 1.0}, data_info=INFO
    )
    out = m.loss({"x": torch.full((2, 6), 0.1)})
    assert "penalty" in out.terms and np.isfinite(out.terms["penalty"].item())


def _autograd_terms(fn, tau, delta):
    """Durrleman's g and the calendar slope by exact derivatives (the reference)."""
    tau, delta = tau.clone().requires_grad_(True), delta.clone().requires_grad_(True)
    sigma = fn(tau, delta)
    w = sigma**2 * tau
    k = 0.5 * w - sigma * torch.sqrt(tau) * torch.special.ndtri(delta)

    def grad(y, xs):
        return torch.autograd.grad(y.sum(), xs, create_graph=True)

    w_d, w_t = grad(w, (delta, tau))
    k_d, k_t = grad(k, (delta, tau))
    w_k = w_d / k_d
    w_kk = grad(w_k, (delta,))[0] / k_d
    g = (1 - k * w_k / (2 * w)) ** 2 - w_k**2 / 4 * (1 / w + 0.25) + w_kk / 2
    return g.detach(), (tau * (w_t - w_k * k_t) / w).detach()


def test_finite_difference_arbitrage_terms_match_exact_derivatives():
    def smile(t, d):  # skewed, curved, with a rising term structure
        x = torch.special.ndtri(d)
        return (0.08 + 0.02 * torch.log1p(t)) * (1 + 0.05 * x + 0.04 * x**2)

    gen = torch.Generator().manual_seed(0)
    tau = torch.exp(torch.empty(1, 50, dtype=torch.float64).uniform_(-3, 1.6, generator=gen))
    delta = torch.empty(1, 50, dtype=torch.float64).uniform_(0.1, 0.9, generator=gen)
    g, cal = arbitrage_terms(Analytic(smile), torch.zeros(1, 1, dtype=torch.float64), tau, delta)
    g_ref, cal_ref = _autograd_terms(smile, tau, delta)
    torch.testing.assert_close(g, g_ref, atol=2e-3, rtol=1e-2)
    torch.testing.assert_close(cal, cal_ref, atol=2e-3, rtol=5e-2)


def test_amortised_start_is_trained_and_reads_only_grid_points():
    params = {**SMALL, "amortised_start": True}
    m = registry.build("model", "volsurf-pointwise", params, data_info=INFO)
    out = m.loss({"x": torch.full((4, 6), 0.1)})
    out.total.backward()
    assert "start" in out.terms and all(p.grad is not None for p in m.start_net.parameters())
    grid = torch.tensor(m.grid.coordinates(), dtype=torch.float32)
    coords = torch.stack([grid[:3], torch.cat([grid[:2], torch.tensor([[0.3, 0.4]])])])
    values = torch.tensor([[0.1, 0.2, 0.3], [0.1, 0.2, 0.9]])
    z = m.amortised_latents(coords, values, torch.ones(2, 3))
    # the second surface's third quote is off the grid, so it is ignored
    alone = m.amortised_latents(coords[:1, :2], values[:1, :2], torch.ones(1, 2))
    torch.testing.assert_close(z[1], alone[0])
    assert not torch.allclose(z[0], z[1])
    plain = registry.build("model", "volsurf-pointwise", SMALL, data_info=INFO)
    assert plain.amortised_latents(coords, values, torch.ones(2, 3)) is None
