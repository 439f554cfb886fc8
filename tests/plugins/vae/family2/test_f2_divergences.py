"""MMD (unbiased U-statistic) and the ITL divergences against closed forms and hand values."""

from __future__ import annotations

import math

import pytest
import torch
from sigvae_vae.family2.divergences import (
    cauchy_schwarz_divergence,
    euclidean_divergence,
    kernel_matrix,
    log_information_potential,
    mmd_unbiased,
    silverman_bandwidth,
)


def _population_mmd_rbf(shift: float, dim: int, c: float, var: float = 1.0) -> float:
    """MMD^2 between N(0, var I) and N(shift e_1, var I) under k = exp(-|a-b|^2 / C):
    E k over a difference u ~ N(m, s I) is (C / (C + 2s))^(d/2) exp(-|m|^2 / (C + 2s)),
    with s = 2 var for two independent draws."""
    s = 2.0 * var
    base = (c / (c + 2.0 * s)) ** (dim / 2.0)
    return 2.0 * base - 2.0 * base * math.exp(-(shift**2) / (c + 2.0 * s))


def _biased_mmd(x, y, c):
    return (
        kernel_matrix(x, x, "rbf", c).mean()
        + kernel_matrix(y, y, "rbf", c).mean()
        - 2 * kernel_matrix(x, y, "rbf", c).mean()
    )


def test_mmd_matches_hand_computed_value():
    x = torch.tensor([[0.0], [1.0]], dtype=torch.float64)
    y = torch.tensor([[0.0], [2.0], [3.0]], dtype=torch.float64)
    # rbf, C = 2: k = exp(-d^2 / 2)
    kxx = math.exp(-0.5)  # the one off-diagonal pair, counted twice / (2 * 1)
    kyy = (math.exp(-2.0) + math.exp(-4.5) + math.exp(-0.5)) / 3.0  # 6 ordered pairs / 6
    kxy = (
        1 + math.exp(-2.0) + math.exp(-4.5) + math.exp(-0.5) + math.exp(-0.5) + math.exp(-2.0)
    ) / 6.0
    expected = kxx + kyy - 2 * kxy
    assert float(mmd_unbiased(x, y, "rbf", scale=2.0)) == pytest.approx(expected, rel=1e-6)
    # imq, C = 1: k = 1 / (1 + d^2)
    kxx, kyy = 0.5, (1 / 5 + 1 / 10 + 1 / 2) / 3
    kxy = (1 + 1 / 5 + 1 / 10 + 1 / 2 + 1 / 2 + 1 / 5) / 6
    assert float(mmd_unbiased(x, y, "imq", scale=1.0)) == pytest.approx(kxx + kyy - 2 * kxy)


def test_mmd_is_unbiased_for_identical_and_shifted_distributions():
    """The mean of many small-sample estimates equals the population MMD^2 (closed form)
    within Monte-Carlo error; the biased V-statistic is visibly off for identical ones."""
    g = torch.Generator().manual_seed(0)
    dim, n, reps, c = 2, 6, 2000, 4.0
    for shift in (0.0, 1.0):
        x = torch.randn(reps, n, dim, generator=g, dtype=torch.float64)
        y = torch.randn(reps, n, dim, generator=g, dtype=torch.float64)
        y[..., 0] += shift
        est = torch.stack([mmd_unbiased(a, b, "rbf", c) for a, b in zip(x, y)])
        truth = _population_mmd_rbf(shift, dim, c)
        se = float(est.std()) / math.sqrt(reps)
        assert abs(float(est.mean()) - truth) < 4 * se, (shift, float(est.mean()), truth, se)
        if shift == 0.0:
            biased = torch.stack([_biased_mmd(a, b, c) for a, b in zip(x, y)])
            assert float(biased.mean()) > 10 * se  # the V-statistic's bias, for contrast


def test_mmd_positive_and_growing_with_mean_shift():
    g = torch.Generator().manual_seed(1)
    x = torch.randn(400, 3, generator=g)
    base = torch.randn(400, 3, generator=g)
    values = []
    for shift in (0.0, 0.5, 1.0, 2.0):
        y = base.clone()
        y[:, 0] += shift
        values.append(float(mmd_unbiased(x, y, "imq")))
    assert abs(values[0]) < 0.01
    assert all(b > a for a, b in zip(values, values[1:])), values
    assert values[1] > 0.01


def test_information_potential_hand_value():
    # V = G_{s sqrt 2}(1) in 1-D with s = 1: exp(-1/4) / sqrt(4 pi)
    value = log_information_potential(torch.tensor([[0.0]]), torch.tensor([[1.0]]), 1.0).exp()
    assert float(value) == pytest.approx(math.exp(-0.25) / math.sqrt(4 * math.pi), rel=1e-6)


@pytest.mark.parametrize("divergence", [cauchy_schwarz_divergence, euclidean_divergence])
def test_itl_divergences_symmetric_and_zero_for_identical(divergence):
    g = torch.Generator().manual_seed(2)
    x, y = torch.randn(50, 2, generator=g), 1.5 + torch.randn(70, 2, generator=g)
    assert float(divergence(x, y, 0.5)) == pytest.approx(float(divergence(y, x, 0.5)), rel=1e-5)
    assert float(divergence(x, y)) == pytest.approx(float(divergence(y, x)), rel=1e-5)
    assert abs(float(divergence(x, x.clone(), 0.5))) < 1e-6
    assert float(divergence(x, y, 0.5)) > 1e-3


def _gauss_potential(diff2: float, var: float, dim: int) -> float:
    """N(m; 0, var I) at |m|^2 = diff2 in ``dim`` dims."""
    return (2 * math.pi * var) ** (-dim / 2) * math.exp(-diff2 / (2 * var))


@pytest.mark.parametrize("dim", [1, 3])
def test_itl_divergences_closed_form_for_single_kernels(dim):
    """A KDE of one point is the Gaussian N(x, h^2 I): then V(p,p) = (4 pi h^2)^(-d/2),
    V(p,q) = V(p,p) exp(-|dx|^2 / 4h^2), so D_CS = |dx|^2 / (2 h^2) and
    D_ED = 2 (4 pi h^2)^(-d/2) (1 - exp(-|dx|^2 / 4h^2)) exactly."""
    h = 0.7
    x = torch.zeros(1, dim, dtype=torch.float64)
    y = torch.full((1, dim), 0.5, dtype=torch.float64)
    d2 = 0.25 * dim
    assert float(cauchy_schwarz_divergence(x, y, h)) == pytest.approx(d2 / (2 * h * h))
    ed = 2 * (4 * math.pi * h * h) ** (-dim / 2) * (1 - math.exp(-d2 / (4 * h * h)))
    assert float(euclidean_divergence(x, y, h)) == pytest.approx(ed)


def _gauss_potential(diff2: float, var: float, dim: int) -> float:
    """N(m; 0, var I) at |m|^2 = diff2 in ``dim`` dims."""
    return (2 * math.pi * var) ** (-dim / 2) * math.exp(-diff2 / (2 * var))


@pytest.mark.parametrize("dim", [1, 2])
def test_itl_estimates_match_the_gaussian_closed_form(dim):
    """For x ~ N(m1, s1^2 I), y ~ N(m2, s2^2 I) and a Gaussian KDE of bandwidth h the
    potentials have expectations E V(p,q) = N(m1 - m2; 0, (s1^2 + s2^2 + 2h^2) I) and
    E V(p,p) = G_{h sqrt 2}(0)/n + (n-1)/n N(0; 0, (2 s1^2 + 2h^2) I) (the i = j terms): the
    mean of many estimates matches them within Monte-Carlo error, and the divergences of
    large samples match the divergences of the expected potentials."""
    g = torch.Generator().manual_seed(3)
    h, s1, s2, shift = 0.3, 1.0, 0.7, 1.2

    def sample(n):
        x = s1 * torch.randn(n, dim, generator=g, dtype=torch.float64)
        y = s2 * torch.randn(n, dim, generator=g, dtype=torch.float64)
        y[:, 0] += shift
        return x, y

    def closed_form(n):
        self_term = _gauss_potential(0.0, 2 * h * h, dim) / n
        vpp = self_term + (n - 1) / n * _gauss_potential(0.0, 2 * s1**2 + 2 * h * h, dim)
        vqq = self_term + (n - 1) / n * _gauss_potential(0.0, 2 * s2**2 + 2 * h * h, dim)
        return vpp, vqq, _gauss_potential(shift**2, s1**2 + s2**2 + 2 * h * h, dim)

    reps, n = 40, 200
    estimates = torch.tensor(
        [
            [float(log_information_potential(a, b, h).exp()) for a, b in ((x, x), (y, y), (x, y))]
            for x, y in (sample(n) for _ in range(reps))
        ]
    )
    se = estimates.std(dim=0) / math.sqrt(reps)
    for value, truth, err in zip(estimates.mean(dim=0), closed_form(n), se):
        assert abs(float(value) - truth) < 4 * float(err), (float(value), truth, float(err))

    n = 2000
    vpp, vqq, vpq = closed_form(n)
    x, y = sample(n)
    cs = math.log(vpp) + math.log(vqq) - 2 * math.log(vpq)
    assert float(cauchy_schwarz_divergence(x, y, h)) == pytest.approx(cs, rel=0.15)
    assert float(euclidean_divergence(x, y, h)) == pytest.approx(vpp + vqq - 2 * vpq, rel=0.15)


def test_silverman_bandwidth_rule():
    g = torch.Generator().manual_seed(4)
    x = 2.0 * torch.randn(1000, 1, generator=g)
    expected = float(x.std()) * (4 / (3 * 1000)) ** (1 / 5)  # 1.06 * std * n^-1/5 in 1-D
    assert silverman_bandwidth(x) == pytest.approx(expected, rel=1e-6)
    assert silverman_bandwidth(x) == pytest.approx(1.06 * 2.0 * 1000**-0.2, rel=0.1)
