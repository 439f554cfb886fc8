"""Batched L-BFGS, Levenberg-Marquardt and the completion objective against closed-form
answers."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from sigvae_volsurf.completion import FewQuotesWarning, complete_latents
from sigvae_volsurf.lbfgs import batched_lbfgs

from sigvae.errors import ConfigError


def test_quadratics_are_solved_independently():
    gen = torch.Generator().manual_seed(0)
    b, d = 64, 4
    a = torch.randn(b, d, d, generator=gen, dtype=torch.float64)
    h = a @ a.transpose(1, 2) + 0.1 * torch.eye(d, dtype=torch.float64)
    c = torch.randn(b, d, generator=gen, dtype=torch.float64)

    def fun(z, rows):
        return 0.5 * torch.einsum("bi,bij,bj->b", z - c[rows], h[rows], z - c[rows])

    z, f = batched_lbfgs(fun, torch.zeros(b, d, dtype=torch.float64), iterations=100, tol=1e-10)
    torch.testing.assert_close(z, c, atol=1e-7, rtol=0)


def test_rosenbrock_from_random_starts():
    def fun(z, rows):
        return (1 - z[:, 0]) ** 2 + 100 * (z[:, 1] - z[:, 0] ** 2) ** 2

    z0 = torch.randn(32, 2, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    z, f = batched_lbfgs(fun, z0, iterations=400, tol=1e-9)
    assert f.max() < 1e-10
    torch.testing.assert_close(z, torch.ones_like(z), atol=1e-4, rtol=0)


class LinearDecoder(torch.nn.Module):
    """vol = base + coords-dependent linear map of z: the MAP has a closed form."""

    latent_dim = 3
    sigma = 0.002

    def __init__(self):
        super().__init__()
        self.w = torch.nn.Parameter(torch.tensor([[0.01, 0.0, 0.002], [0.0, 0.02, -0.01]]))
        gen = torch.Generator().manual_seed(3)
        self.bank = 0.5 + torch.randn(400, 3, generator=gen) @ torch.tensor(
            [[1.0, 0.0, 0.0], [0.3, 0.5, 0.0], [0.0, 0.2, 2.0]]
        )

    def training_latents(self):
        return self.bank

    def decode_at(self, z, coords):
        feats = coords.to(z.dtype)  # [B, P, 2] -> loadings per point
        load = feats @ self.w.to(z.dtype)  # [B, P, 3]
        return 0.1 + (load * z[:, None, :]).sum(-1)


@pytest.mark.parametrize("method", ["lbfgs", "levenberg-marquardt"])
@pytest.mark.parametrize("prior", ["standard", "aggregate"])
def test_completion_is_the_map_estimate_of_a_linear_model(prior, method):
    model = LinearDecoder()
    rng = np.random.default_rng(0)
    coords = rng.uniform(0.1, 1.0, (5, 6, 2))
    values = 0.1 + rng.normal(0, 0.01, (5, 6))
    mask = rng.uniform(size=(5, 6)) < 0.7
    mask[:, :3] = True
    z, info = complete_latents(
        model,
        coords,
        np.where(mask, values, np.nan),
        starts=3,
        prior=prior,
        iterations=100,
        method=method,
    )
    w = model.w.detach().numpy()
    bank = model.bank.numpy()
    if prior == "standard":
        mean, precision = np.zeros(3), np.eye(3)
    else:  # Gaussian fitted to the remembered latents
        mean, precision = bank.mean(0), np.linalg.inv(np.cov(bank.T) + 1e-6 * np.eye(3))
    for i in range(5):
        a = coords[i][mask[i]] @ w
        y = values[i][mask[i]] - 0.1
        s2 = model.sigma**2
        expect = np.linalg.solve(a.T @ a / s2 + precision, a.T @ y / s2 + precision @ mean)
        np.testing.assert_allclose(z[i].numpy(), expect, rtol=2e-3, atol=2e-3)
    assert info["seconds"] > 0 and (info["observed"] == mask.sum(1)).all()


def test_fewer_points_than_latents_warns():
    model = LinearDecoder()
    coords = np.full((1, 2, 2), 0.5)
    with pytest.warns(FewQuotesWarning, match="prior"):
        complete_latents(
            model, coords, np.array([[0.1, 0.11]]), starts=2, names=["2024-01-02"], prior="standard"
        )


def test_unknown_completion_method_is_refused():
    with pytest.raises(ConfigError, match="completion method"):
        complete_latents(LinearDecoder(), np.full((1, 3, 2), 0.5), np.full((1, 3), 0.1), method="x")


def test_unknown_latent_prior_is_refused_whatever_the_model_remembers():
    with pytest.raises(ConfigError, match="latent prior"):
        complete_latents(LinearDecoder(), np.full((1, 3, 2), 0.5), np.full((1, 3), 0.1), prior="x")
