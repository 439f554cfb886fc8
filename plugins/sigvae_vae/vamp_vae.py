"""VampPrior VAE (Tomczak & Welling 2018).

The prior is the mixture of the variational posteriors at ``K`` learned pseudo-inputs ``u_k``
(eq. 9): ``p(z) = 1/K sum_k q(z | u_k)``. It approximates the aggregate posterior, the prior
that maximises the ELBO. The KL has no closed form and is the single-sample
``log q(z|x) - log p(z)`` (or its STL version).
"""

from __future__ import annotations

import math

import torch
from torch import nn
from torch.distributions import Categorical, Distribution, Independent, MixtureSameFamily, Normal

from sigvae.nn.compose import x_shape_of
from sigvae_vae.params import VampVAEParams
from sigvae_vae.vae import VAE


class VampVAE(VAE):
    """``vamp-vae``."""

    def __init__(self, params: VampVAEParams, data_info: dict) -> None:
        super().__init__(params, data_info)
        shape = (params.components, *x_shape_of(self.data_info))
        self.pseudo_inputs = nn.Parameter(torch.randn(shape) * params.pseudo_init_std)

    def prior(self, cond: torch.Tensor | None = None) -> Distribution:
        components = self.encode(self.pseudo_inputs).base_dist
        k = self.pseudo_inputs.shape[0]
        weights = Categorical(logits=torch.zeros(k, device=components.loc.device))
        mixed = Independent(Normal(components.loc, components.scale, validate_args=False), 1)
        return MixtureSameFamily(weights, mixed, validate_args=False)

    def prior_log_prob(self, z: torch.Tensor, cond: torch.Tensor | None = None) -> torch.Tensor:
        """``log p(z) = logsumexp_k log q(z | u_k) - log K``, the mixture density of
        :meth:`prior` without building the mixture distribution each step."""
        components = self.encode(self.pseudo_inputs)  # batch [K], event [D]
        per_component = components.log_prob(z.unsqueeze(-2))  # [..., K]
        return torch.logsumexp(per_component, dim=-1) - math.log(per_component.shape[-1])

    def analytic_kl(self, q: Distribution, cond: torch.Tensor | None = None):
        return None
