"""delta-VAE (Razavi, van den Oord, Poole & Vinyals 2019): a committed rate against posterior
collapse, with the posterior family chosen so that ``KL(q(z|x) || p(z)) >= delta`` for every x.

With ``p(z) = N(0, I)`` and ``q = N(mu, diag sigma^2)`` the per-dimension KL is
``1/2 (mu^2 + sigma^2 - 1 - log sigma^2) >= f(sigma) = 1/2 (sigma^2 - 1 - log sigma^2)``, and f
decreases on (0, 1). Bounding ``sigma`` to ``[sigma_min, sigma_max]`` with ``f(sigma_max) =
delta / d`` gives ``KL >= delta`` (their section 3.1, the independent-Gaussian case; the paper's
sequential AR(1)-prior variant is not implemented). ``loss`` reports the realised ``rate``.
"""

from __future__ import annotations

import math

import torch
from torch.distributions import Distribution, Independent, Normal

from sigvae.errors import ConfigError
from sigvae.nn.likelihoods import full_precision
from sigvae.nn.model import LossOutput
from sigvae_vae.params import DeltaVAEParams
from sigvae_vae.vae import VAE


def gaussian_rate_floor(sigma: float) -> float:
    """``f(sigma) = 1/2 (sigma^2 - 1 - log sigma^2)``: the KL of N(0, sigma^2) to N(0, 1)."""
    return 0.5 * (sigma**2 - 1.0 - 2.0 * math.log(sigma))


def sigma_for_rate(rate: float) -> float:
    """The ``sigma`` in (0, 1) with ``f(sigma) = rate`` (bisection; f is decreasing there)."""
    lo, hi = 1e-300, 1.0
    for _ in range(200):
        mid = math.sqrt(lo * hi) if lo > 0 else hi / 2
        if gaussian_rate_floor(mid) > rate:
            lo = mid
        else:
            hi = mid
    return lo


class DeltaVAE(VAE):
    """``delta-vae``."""

    def __init__(self, params: DeltaVAEParams, data_info: dict) -> None:
        super().__init__(params, data_info)
        self.delta = float(params.delta)
        self.sigma_max = sigma_for_rate(self.delta / params.latent_dim)
        self.sigma_min = float(params.sigma_min)
        if self.sigma_min >= self.sigma_max:
            raise ConfigError(
                f"delta-vae: delta={self.delta} needs posterior std <= {self.sigma_max:.3g} per "
                f"dimension, below sigma_min={self.sigma_min}; lower sigma_min or delta"
            )

    def posterior(self, features: torch.Tensor) -> Distribution:
        mu, raw = full_precision(features).chunk(2, dim=-1)
        sigma = self.sigma_min + (self.sigma_max - self.sigma_min) * torch.sigmoid(raw)
        return Independent(Normal(mu, sigma, validate_args=False), 1)

    def loss(self, batch: dict[str, torch.Tensor], phase: str = "main") -> LossOutput:
        out = super().loss(batch, phase)
        out.terms["rate"] = out.terms["kl"]
        out.terms["committed_rate"] = torch.tensor(self.delta, device=out.total.device)
        return out
