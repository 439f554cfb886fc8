"""Hyperspherical VAE (Davidson, Falorsi, De Cao, Kipf & Tomczak 2018).

``q(z|x) = vMF(mu(x), kappa(x))`` on S^(m-1) with ``mu`` the normalised encoder output and
``kappa = softplus(.) + kappa_min``; the prior is uniform on the sphere, so it has no pull
towards the origin and the KL (``kappa A_m(kappa) + log C_m(kappa) + log |S^(m-1)|``) is
closed-form. ``embed`` returns the mean direction ``mu`` (a unit vector).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch.distributions import Distribution

from sigvae.nn.likelihoods import full_precision
from sigvae_vae.params import SVAEParams
from sigvae_vae.vae import VAE
from sigvae_vae.vmf import HypersphericalUniform, VonMisesFisher


class SVAE(VAE):
    """``s-vae``."""

    def __init__(self, params: SVAEParams, data_info: dict) -> None:
        super().__init__(params, data_info)
        self.kappa_min = float(params.kappa_min)

    def posterior_features(self, latent_dim: int) -> int:
        return latent_dim + 1

    def posterior(self, features: torch.Tensor) -> Distribution:
        features = full_precision(features)
        direction = F.normalize(features[:, :-1], dim=-1, eps=1e-8)
        kappa = F.softplus(features[:, -1]) + self.kappa_min
        return VonMisesFisher(direction, kappa)

    def prior(self, cond: torch.Tensor | None = None) -> Distribution:
        return HypersphericalUniform(self.latent_dim, next(self.parameters()))

    def analytic_kl(self, q: Distribution, cond: torch.Tensor | None = None):
        return q.kl_to_uniform()

    @torch.no_grad()
    def embed(self, x: torch.Tensor, cond: torch.Tensor | None = None) -> torch.Tensor:
        """The posterior mean direction (unit norm)."""
        return self.encode(x, cond).loc
