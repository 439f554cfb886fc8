"""Batched Levenberg-Marquardt against problems with known minima."""

from __future__ import annotations

import torch
from sigvae_volsurf.levenberg_marquardt import batched_levenberg_marquardt


def test_linear_least_squares_are_solved_independently():
    gen = torch.Generator().manual_seed(0)
    b, r, d = 32, 7, 3
    a = torch.randn(b, r, d, generator=gen, dtype=torch.float64)
    y = torch.randn(b, r, generator=gen, dtype=torch.float64)

    def fun(z, rows):
        return (a[rows] @ z[..., None]).squeeze(-1) - y[rows], a[rows]

    z, f = batched_levenberg_marquardt(fun, torch.zeros(b, d, dtype=torch.float64), 30, rtol=0.0)
    expect = torch.linalg.lstsq(a, y[..., None]).solution.squeeze(-1)
    torch.testing.assert_close(z, expect, atol=1e-6, rtol=0)
    residual = (a @ expect[..., None]).squeeze(-1) - y
    torch.testing.assert_close(f, 0.5 * (residual**2).sum(-1), atol=1e-9, rtol=0)


def test_rosenbrock_residuals_from_random_starts():
    def fun(z, rows):
        x, y = z[:, 0], z[:, 1]
        r = torch.stack([1 - x, 10 * (y - x**2)], dim=1)
        one = torch.ones_like(x)
        jac = torch.stack(
            [torch.stack([-one, 0 * one], 1), torch.stack([-20 * x, 10 * one], 1)], dim=1
        )
        return r, jac

    z0 = torch.randn(16, 2, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    z, f = batched_levenberg_marquardt(fun, z0, iterations=200, rtol=0.0)
    assert f.max() < 1e-12
    torch.testing.assert_close(z, torch.ones_like(z), atol=1e-5, rtol=0)


def test_a_problem_that_cannot_improve_keeps_its_start():
    def fun(z, rows):  # constant residuals: no step lowers the objective
        return torch.ones(len(rows), 2), torch.zeros(len(rows), 2, 1)

    z0 = torch.full((3, 1), 0.5)
    z, f = batched_levenberg_marquardt(fun, z0, iterations=5)
    assert torch.equal(z, z0) and torch.allclose(f, torch.ones(3))
