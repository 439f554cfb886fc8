"""Conditional VAE (Sohn, Lee & Yan 2015): ``q(z|x, c)``, ``p(x|z, c)`` and either
``p(z) = N(0, I)`` or a learned ``p(z|c) = N(mu(c), diag sigma^2(c))``.

The loss is the conditional ELBO ``log p(x|z,c) - KL(q(z|x,c) || p(z|c))`` (Sohn et al. eq. 4),
with the analytic KL between diagonal Gaussians.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.distributions import Distribution

from sigvae.errors import ConfigError
from sigvae.nn.divergences import kl_diag_gaussians
from sigvae.nn.mlp import mlp_stack
from sigvae.nn.model import standard_normal
from sigvae.nn.posteriors import diagonal_gaussian_head
from sigvae_vae.params import CVAEParams
from sigvae_vae.vae import VAE


class CVAE(VAE):
    """``cvae``."""

    def __init__(self, params: CVAEParams, data_info: dict) -> None:
        super().__init__(params, data_info, conditional=True)
        self.prior_net = None
        if params.conditional_prior:
            width = params.prior_hidden[-1] if params.prior_hidden else self.cond_dim
            self.prior_net = nn.Sequential(
                mlp_stack(self.cond_dim, params.prior_hidden, params.encoder.activation),
                nn.Linear(width, 2 * self.latent_dim),
            )

    def _need_cond(self, cond: torch.Tensor | None) -> torch.Tensor:
        if cond is None:
            raise ConfigError("cvae needs 'cond' (labels or covariates) for this call")
        return cond.reshape(cond.shape[0], -1)

    def prior(self, cond: torch.Tensor | None = None) -> Distribution:
        if self.prior_net is None:
            return standard_normal(self.latent_shape, next(self.parameters()))
        cond = self._need_cond(cond)
        return diagonal_gaussian_head(self.prior_net(cond.to(next(self.parameters()).dtype)))

    def analytic_kl(self, q: Distribution, cond: torch.Tensor | None = None):
        return kl_diag_gaussians(q, self.prior(cond))

    def loss(self, batch, phase="main"):
        self._need_cond(batch.get("cond"))
        return super().loss(batch, phase)

    def elbo(self, x, cond=None, target=None) -> torch.Tensor:
        return super().elbo(x, self._need_cond(cond), target)

    @torch.no_grad()
    def sample(self, n: int, cond: torch.Tensor | None = None) -> torch.Tensor:
        """One draw per row of ``cond`` (``n`` must equal its number of rows)."""
        cond = self._need_cond(cond)
        if cond.shape[0] != n:
            raise ConfigError(f"cvae.sample: n={n} but cond has {cond.shape[0]} rows")
        p = self.prior(cond)
        z = p.sample() if self.prior_net is not None else p.sample((n,))
        return self.decode(z, cond).mean
