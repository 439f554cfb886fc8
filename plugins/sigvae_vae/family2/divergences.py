"""Sample-based divergences between two sets of codes: MMD and the ITL divergences.

Maximum mean discrepancy (Gretton et al. 2012, JMLR 13, Lemma 6 / eq. 3), unbiased U-statistic
for samples ``x`` (n rows) and ``y`` (m rows)::

    MMD_u^2 = 1/(n(n-1)) sum_{i!=j} k(x_i, x_j) + 1/(m(m-1)) sum_{i!=j} k(y_i, y_j)
              - 2/(nm) sum_{i,j} k(x_i, y_j)

with kernels written with a scale ``C`` (Tolstikhin et al. 2018 use ``C = 2 d sigma_p^2`` for
a d-dimensional prior of variance ``sigma_p^2``):

* ``rbf``: ``k(a, b) = exp(-||a - b||^2 / C)``
* ``imq`` (inverse multiquadric): ``k(a, b) = C / (C + ||a - b||^2)``

Information-theoretic learning (Principe 2010, "Information Theoretic Learning", ch. 2): with a
Gaussian-kernel density estimate ``p_hat = 1/n sum_i G_s(. - x_i)`` the quadratic information
potentials are closed-form, because two Gaussians of variance ``s^2`` convolve to one of ``2s^2``::

    V(p, q) = int p_hat q_hat = 1/(nm) sum_{i,j} G_{s sqrt 2}(x_i - y_j)

and the divergences are

* Euclidean:       ``D_ED = V(p,p) + V(q,q) - 2 V(p,q)``  (= ``int (p_hat - q_hat)^2``)
* Cauchy-Schwarz:  ``D_CS = log V(p,p) + log V(q,q) - 2 log V(p,q)``  (>= 0 by Cauchy-Schwarz)

Both include the ``i = j`` terms (the plug-in estimate of the KDE's own integrals), so they are
exactly zero for identical samples and symmetric. Potentials are computed in log space.
"""

from __future__ import annotations

import math
from typing import Literal

import torch

Kernel = Literal["rbf", "imq"]


def default_kernel_scale(dim: int, prior_variance: float = 1.0) -> float:
    """``C = 2 d sigma_p^2``: the scale Tolstikhin et al. (2018) use for a N(0, sigma_p^2 I)
    prior; distances between prior samples are about ``sqrt(C)``."""
    return 2.0 * dim * prior_variance


def kernel_matrix(
    x: torch.Tensor, y: torch.Tensor, kernel: Kernel = "rbf", scale: float | None = None
) -> torch.Tensor:
    """``[n, m]`` matrix ``k(x_i, y_j)`` for rows of ``x`` and ``y`` (flattened per row)."""
    x, y = x.flatten(1), y.flatten(1)
    c = default_kernel_scale(x.shape[1]) if scale is None else float(scale)
    sq = torch.cdist(x, y).pow(2)
    if kernel == "rbf":
        return torch.exp(-sq / c)
    if kernel == "imq":
        return c / (c + sq)
    raise ValueError(f"unknown kernel {kernel!r}; known: rbf, imq")


def _off_diagonal_mean(k: torch.Tensor) -> torch.Tensor:
    n = k.shape[0]
    return (k.sum() - k.diagonal().sum()) / (n * (n - 1))


def mmd_unbiased(
    x: torch.Tensor,
    y: torch.Tensor,
    kernel: Kernel = "rbf",
    scale: float | None = None,
    scales: tuple[float, ...] = (1.0,),
) -> torch.Tensor:
    """Unbiased estimate of ``MMD^2(P, Q)`` from ``x ~ P`` and ``y ~ Q`` (each at least two
    rows). ``scales`` multiply the kernel scale and the kernels are summed (a sum of
    characteristic kernels is characteristic; WAE's multi-scale trick). Can be slightly
    negative: it is unbiased, not non-negative."""
    if x.shape[0] < 2 or y.shape[0] < 2:
        raise ValueError("the unbiased MMD needs at least two samples on each side")
    c = default_kernel_scale(x.flatten(1).shape[1]) if scale is None else float(scale)
    total = x.new_zeros(())
    for factor in scales:
        kxx = kernel_matrix(x, x, kernel, c * factor)
        kyy = kernel_matrix(y, y, kernel, c * factor)
        kxy = kernel_matrix(x, y, kernel, c * factor)
        total = total + _off_diagonal_mean(kxx) + _off_diagonal_mean(kyy) - 2.0 * kxy.mean()
    return total


def silverman_bandwidth(samples: torch.Tensor) -> float:
    """Silverman's rule of thumb (Silverman 1986, eq. 4.14) for a Gaussian KDE in d dims:
    ``s = std * (4 / ((d + 2) n))^(1 / (d + 4))``, with ``std`` the mean per-dimension
    standard deviation of ``samples`` ([n, d])."""
    samples = samples.detach().flatten(1)
    n, d = samples.shape
    std = float(samples.std(dim=0).mean()) if n > 1 else 1.0
    return max(std, 1e-6) * (4.0 / ((d + 2) * n)) ** (1.0 / (d + 4))


def log_information_potential(x: torch.Tensor, y: torch.Tensor, bandwidth: float) -> torch.Tensor:
    """``log V(p_hat, q_hat)`` for Gaussian KDEs of bandwidth ``bandwidth`` on ``x`` and
    ``y``: ``log mean_{i,j} G_{s sqrt 2}(x_i - y_j)``, stable in any dimension."""
    x, y = x.flatten(1), y.flatten(1)
    d = x.shape[1]
    var = 2.0 * bandwidth**2  # variance of the convolved kernel
    log_g = -torch.cdist(x, y).pow(2) / (2.0 * var) - 0.5 * d * math.log(2.0 * math.pi * var)
    return torch.logsumexp(log_g.flatten(), dim=0) - math.log(log_g.numel())


def _potentials(x: torch.Tensor, y: torch.Tensor, bandwidth: float | None):
    if bandwidth is None:
        bandwidth = silverman_bandwidth(torch.cat([x.flatten(1), y.flatten(1)]))
    return (
        log_information_potential(x, x, bandwidth),
        log_information_potential(y, y, bandwidth),
        log_information_potential(x, y, bandwidth),
    )


def cauchy_schwarz_divergence(
    x: torch.Tensor, y: torch.Tensor, bandwidth: float | None = None
) -> torch.Tensor:
    """``D_CS = log V(p,p) + log V(q,q) - 2 log V(p,q)`` between Gaussian KDEs of ``x`` and
    ``y`` (bandwidth: Silverman's rule on the pooled sample when None)."""
    vpp, vqq, vpq = _potentials(x, y, bandwidth)
    return vpp + vqq - 2.0 * vpq


def euclidean_divergence(
    x: torch.Tensor, y: torch.Tensor, bandwidth: float | None = None
) -> torch.Tensor:
    """``D_ED = V(p,p) + V(q,q) - 2 V(p,q)``: the integrated squared difference of the
    Gaussian KDEs of ``x`` and ``y`` (bandwidth: Silverman's rule when None)."""
    vpp, vqq, vpq = _potentials(x, y, bandwidth)
    return vpp.exp() + vqq.exp() - 2.0 * vpq.exp()
