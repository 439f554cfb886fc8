"""VAE with an AR(1)-Gaussian posterior: the latent dimensions are read as an ordered sequence
whose posterior covariance is stationary AR(1), ``Sigma_ij = s^2 rho^|i-j|``.

The encoder outputs ``mu`` (d values), ``rho = rho_max * tanh(.)`` in (-1, 1) and
``s = softplus(.) + 1e-4``. The Cholesky factor is closed-form (the AR(1) recursion
``z_1 = s e_1``, ``z_i = rho z_{i-1} + s sqrt(1 - rho^2) e_i``)::

    L_ij = s * rho^(i-j) * c_j   (i >= j),   c_1 = 1,  c_j = sqrt(1 - rho^2) for j > 1

and with ``det Sigma = s^(2d) (1 - rho^2)^(d-1)`` the KL to N(0, I) is::

    KL = 1/2 [d s^2 + |mu|^2 - d - 2 d log s - (d - 1) log(1 - rho^2)]
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch.distributions import Distribution, MultivariateNormal

from sigvae.nn.likelihoods import full_precision
from sigvae_vae.params import AR1VAEParams
from sigvae_vae.vae import VAE

MIN_SCALE = 1e-4


def ar1_scale_tril(rho: torch.Tensor, s: torch.Tensor, dim: int) -> torch.Tensor:
    """Cholesky factor ``[B, d, d]`` of ``s^2 rho^|i-j|`` for ``rho, s`` of shape ``[B]``."""
    ones = torch.ones_like(rho).unsqueeze(-1)
    # rho^k for k = 0..d-1 by a cumulative product (no 0 ** 0 gradient trouble at rho = 0)
    powers = torch.cumprod(torch.cat([ones, rho.unsqueeze(-1).expand(-1, dim - 1)], -1), -1)
    idx = torch.arange(dim, device=rho.device)
    lag = idx.unsqueeze(1) - idx.unsqueeze(0)
    lower = (lag >= 0).to(rho.dtype)
    factor = powers[:, lag.clamp(min=0)] * lower
    col = torch.sqrt(1.0 - rho.pow(2)).unsqueeze(-1).expand(-1, dim).clone()
    col[:, 0] = 1.0
    return s.view(-1, 1, 1) * factor * col.unsqueeze(1)


def ar1_kl_standard(mu: torch.Tensor, rho: torch.Tensor, s: torch.Tensor) -> torch.Tensor:
    """Closed-form ``KL(N(mu, s^2 rho^|i-j|) || N(0, I))`` per example."""
    d = mu.shape[-1]
    log_det = 2 * d * torch.log(s) + (d - 1) * torch.log1p(-rho.pow(2))
    return 0.5 * (d * s.pow(2) + mu.pow(2).sum(-1) - d - log_det)


class AR1VAE(VAE):
    """``ar1-vae``."""

    def __init__(self, params: AR1VAEParams, data_info: dict) -> None:
        self.rho_max = float(params.rho_max)
        super().__init__(params, data_info)

    def posterior_features(self, latent_dim: int) -> int:
        return latent_dim + 2

    def posterior_params(self, features: torch.Tensor):
        """``(mu, rho, s)`` from the encoder output."""
        features = full_precision(features)
        mu, raw_rho, raw_s = features[:, :-2], features[:, -2], features[:, -1]
        return mu, self.rho_max * torch.tanh(raw_rho), F.softplus(raw_s) + MIN_SCALE

    def posterior(self, features: torch.Tensor) -> Distribution:
        mu, rho, s = self.posterior_params(features)
        tril = ar1_scale_tril(rho, s, mu.shape[-1])
        return MultivariateNormal(mu, scale_tril=tril, validate_args=False)

    def analytic_kl(self, q: Distribution, cond: torch.Tensor | None = None):
        tril = q.scale_tril
        s = tril[:, 0, 0]
        rho = tril[:, 1, 0] / s if tril.shape[-1] > 1 else torch.zeros_like(s)
        return ar1_kl_standard(q.loc, rho, s)
