"""The batched natural spline agrees with scipy's, row by row."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.interpolate import CubicSpline
from sigvae_volsurf.spline import BatchedSpline


@pytest.mark.parametrize("n", [2, 3, 4, 5, 9])
@pytest.mark.parametrize("nu", [0, 1, 2])
def test_matches_scipy_natural_spline(n, nu):
    rng = np.random.default_rng(n)
    x = np.sort(rng.uniform(-1, 1, (3, 2, n)), axis=-1) + np.arange(n) * 0.1
    y = rng.normal(size=(3, 2, n))
    xq = rng.uniform(-1.2, 1.2 + 0.1 * n, (3, 2, 7))
    got = BatchedSpline(x, y)(xq, nu)
    for a in range(3):
        for b in range(2):
            ref = CubicSpline(x[a, b], y[a, b], bc_type="natural")(xq[a, b], nu)
            np.testing.assert_allclose(got[a, b], ref, rtol=1e-9, atol=1e-9)


def test_reproduces_a_cubic_in_the_interior_derivatives_shape():
    x = np.linspace(0, 1, 6)[None]
    s = BatchedSpline(x, 2.0 * x + 1.0)
    np.testing.assert_allclose(s(np.array([[0.33, 0.9]]), 1), 2.0)
    np.testing.assert_allclose(s(np.array([[0.33, 0.9]]), 2), 0.0, atol=1e-12)
