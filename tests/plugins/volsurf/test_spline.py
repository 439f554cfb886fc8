"""The batched spline against a dense linear solve of the same interpolation conditions."""

from __future__ import annotations

import numpy as np
import pytest
from sigvae_volsurf.spline import BatchedSpline


def reference_second_derivatives(x, y):
    """Solve the full spline system with parabolic-runout ends by dense linear algebra."""
    n = len(x)
    h = np.diff(x)
    a = np.zeros((n, n))
    b = np.zeros(n)
    a[0, 0], a[0, 1] = 1.0, -1.0
    a[-1, -1], a[-1, -2] = 1.0, -1.0
    for i in range(1, n - 1):
        a[i, i - 1 : i + 2] = h[i - 1], 2 * (h[i - 1] + h[i]), h[i]
        b[i] = 6 * ((y[i + 1] - y[i]) / h[i] - (y[i] - y[i - 1]) / h[i - 1])
    return np.linalg.solve(a, b)


@pytest.mark.parametrize("n", [3, 4, 5, 9])
def test_second_derivatives_match_a_dense_solve(n):
    rng = np.random.default_rng(n)
    x = np.sort(rng.uniform(-1, 1, (3, 2, n)), axis=-1) + np.arange(n) * 0.1
    y = rng.normal(size=(3, 2, n))
    got = BatchedSpline(x, y).m
    for a in range(3):
        for b in range(2):
            np.testing.assert_allclose(got[a, b], reference_second_derivatives(x[a, b], y[a, b]))


@pytest.mark.parametrize("n", [3, 5, 8])
def test_parabola_is_reproduced_with_its_derivatives(n):
    x = np.sort(np.random.default_rng(0).uniform(-1, 1, n))[None]
    s = BatchedSpline(x, 0.3 * x**2 - 0.5 * x + 0.04)
    q = np.array([[-0.9, -0.2, 0.3, 0.95]])
    np.testing.assert_allclose(s(q), 0.3 * q**2 - 0.5 * q + 0.04, atol=1e-12)
    np.testing.assert_allclose(s(q, 1), 0.6 * q - 0.5, atol=1e-10)
    np.testing.assert_allclose(s(q, 2), 0.6, atol=1e-9)


def test_two_points_are_joined_by_a_line():
    s = BatchedSpline(np.array([[0.0, 2.0]]), np.array([[1.0, 5.0]]))
    np.testing.assert_allclose(s(np.array([[0.5, 1.5]])), [[2.0, 4.0]])
    np.testing.assert_allclose(s(np.array([[0.5]]), 2), 0.0)
