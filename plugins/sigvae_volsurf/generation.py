"""Latent sampling for generation: the prior, or a Gaussian KDE of training latents.

Ning, Jaimungal, Zhang & Bergeron (2023) generate from a kernel density estimate of the
encoded training surfaces rather than from N(0, I), because the aggregate posterior of a
trained VAE does not fill the prior. The KDE here is Gaussian with the latents' covariance
times a squared bandwidth factor: Scott's ``n^(-1/(d+4))`` or Silverman's
``(n (d + 2) / 4)^(-1/(d+4))`` (Scott 1992, Silverman 1986; the rules of
``scipy.stats.gaussian_kde``), or a given number. A draw is a remembered training latent plus
correlated Gaussian noise.

The default factor, 0.40, was chosen by likelihood cross-validation for the shipped model
(12 latent dimensions, 4096 remembered latents): it maximised the mean KDE log-density of the
latents of held-out simulated validation surfaces (0.35 came a close second; it was the choice
for the earlier 8- and 10-dimensional models), where Scott's factor (0.60) and Silverman's
(0.55) oversmooth this multimodal latent density
(``benchmarks/results/volsurf_kde.md``; the arbitrage rate played no part in the choice).
"""

from __future__ import annotations

import torch

from sigvae.errors import SigvaeError

BANDWIDTHS = ("scott", "silverman")
DEFAULT_BANDWIDTH = 0.40


def bandwidth_factor(rule: str | float, n: int, d: int) -> float:
    """The KDE's bandwidth factor for ``n`` latents of ``d`` dimensions."""
    if rule == "scott":
        return n ** (-1.0 / (d + 4))
    if rule == "silverman":
        return (n * (d + 2) / 4.0) ** (-1.0 / (d + 4))
    if isinstance(rule, (int, float)) and not isinstance(rule, bool) and rule >= 0:
        return float(rule)
    raise SigvaeError(f"unknown KDE bandwidth {rule!r}; use {BANDWIDTHS} or a factor >= 0")


def sample_latents(
    model,
    n: int,
    seed: int = 0,
    method: str = "kde",
    bandwidth: str | float = DEFAULT_BANDWIDTH,
) -> torch.Tensor:
    gen = torch.Generator().manual_seed(seed)
    d = model.latent_dim
    if method == "prior":
        return torch.randn(n, d, generator=gen)
    if method != "kde":
        raise SigvaeError(f"unknown latent sampler {method!r}; use 'kde' or 'prior'")
    bank = model.training_latents().float().cpu()
    if len(bank) < 2 * d:
        raise SigvaeError(
            "this model remembered too few training latents for a KDE; use the prior instead"
        )
    factor = bandwidth_factor(bandwidth, len(bank), d)
    cov = torch.cov(bank.T) + 1e-9 * torch.eye(d)
    chol = torch.linalg.cholesky(cov)
    pick = torch.randint(len(bank), (n,), generator=gen)
    noise = torch.randn(n, d, generator=gen) @ chol.T
    return bank[pick] + factor * noise
