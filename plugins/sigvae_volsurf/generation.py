"""Latent sampling for generation: the prior, or a Gaussian KDE of training latents.

Ning, Jaimungal, Zhang & Bergeron (2023) generate from a kernel density estimate of the
encoded training surfaces rather than from N(0, I), because the aggregate posterior of a
trained VAE does not fill the prior. The KDE here is Gaussian with Scott's bandwidth factor
``n^(-1/(d+4))`` times the latents' covariance: draw a remembered training latent, add
correlated Gaussian noise.
"""

from __future__ import annotations

import torch

from sigvae.errors import SigvaeError


def sample_latents(model, n: int, seed: int = 0, method: str = "kde") -> torch.Tensor:
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
    factor = len(bank) ** (-1.0 / (d + 4))
    cov = torch.cov(bank.T) + 1e-9 * torch.eye(d)
    chol = torch.linalg.cholesky(cov)
    pick = torch.randint(len(bank), (n,), generator=gen)
    noise = torch.randn(n, d, generator=gen) @ chol.T
    return bank[pick] + factor * noise
