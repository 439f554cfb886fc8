"""Posterior heads: turn an encoder's output into ``q(z|x)``.

The diagonal Gaussian is parameterised by mean and log-variance (Kingma & Welling 2014); the
log-variance is clamped to ``[LOGVAR_MIN, LOGVAR_MAX]`` so that the std stays in about
``[1.2e-4, 400]`` and neither ``exp`` nor ``log`` overflow when an encoder misbehaves.
"""

from __future__ import annotations

import torch
from torch.distributions import Distribution, Independent, MultivariateNormal, Normal

from sigvae.nn.gaussians import DiagonalNormal
from sigvae.nn.likelihoods import full_precision

LOGVAR_MIN = -18.0
LOGVAR_MAX = 12.0


def diagonal_gaussian(mu: torch.Tensor, logvar: torch.Tensor) -> Independent:
    """``Independent(Normal(mu, exp(logvar / 2)), 1)``: one ``log_prob`` per example
    (computed in fp32 when the encoder ran under half-precision autocast). It keeps the clamped
    ``log(std)`` so that densities and KLs need no ``log`` of their own."""
    mu, logvar = full_precision(mu), full_precision(logvar)
    log_std = 0.5 * logvar.clamp(LOGVAR_MIN, LOGVAR_MAX)
    return DiagonalNormal(mu, torch.exp(log_std), 1, log_scale=log_std)


def split_gaussian_params(params: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """An encoder output ``[B, 2 * latent]`` -> ``(mu, logvar)``, each ``[B, latent]``."""
    mu, logvar = params.chunk(2, dim=-1)
    return mu, logvar


def diagonal_gaussian_head(params: torch.Tensor) -> Independent:
    """``q(z|x)`` from an encoder output of ``2 * latent_dim`` units (mean, log-variance)."""
    return diagonal_gaussian(*split_gaussian_params(params))


def detached(q: Distribution) -> Distribution:
    """The same Gaussian (diagonal or full covariance) with its parameters cut from the graph:
    scoring a reparameterised ``z`` under it keeps only the path derivative (Roeder et al. 2017,
    "sticking the landing")."""
    if hasattr(q, "detached"):  # other families provide their own (e.g. von Mises-Fisher)
        return q.detached()
    if isinstance(q, MultivariateNormal):
        return MultivariateNormal(
            q.loc.detach(), scale_tril=q.scale_tril.detach(), validate_args=False
        )
    if not isinstance(q, Independent) or not isinstance(q.base_dist, Normal):
        raise TypeError(f"cannot detach a {type(q).__name__} posterior (Gaussians only)")
    base = q.base_dist
    return Independent(
        Normal(base.loc.detach(), base.scale.detach(), validate_args=False),
        q.reinterpreted_batch_ndims,
    )


def sample_and_standard_kl(params: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """A reparameterised ``z ~ q`` and ``KL(q || N(0, I))`` ``[B]`` for the diagonal Gaussian
    ``q = diagonal_gaussian_head(params)`` (encoder output ``[B, 2 * latent]``, mean |
    log-variance), without building the distribution: with ``s = 1/2 clamp(logvar)``,
    ``z = mu + eps e^s`` and ``KL = 1/2 sum(mu^2 + e^(2s) - 1 - 2s)``. The same values and
    gradients as ``rsample`` and :func:`~sigvae.nn.divergences.kl_diag_gaussian_standard`
    (``tests/plugins/vae/test_vae_fast_paths.py`` compares them), in a handful of plain ops:
    a hand-written autograd node for this timed no faster in alternating A/B runs of the
    training step, so the simpler code stays."""
    params = full_precision(params)
    mu, logvar = split_gaussian_params(params)
    log_std = 0.5 * logvar.clamp(LOGVAR_MIN, LOGVAR_MAX)
    std = torch.exp(log_std)
    z = torch.addcmul(mu, std, torch.randn_like(std))  # the draw Normal.rsample makes
    kl = (mu.square() + std.square() - 1.0 - 2.0 * log_std).sum(-1).mul(0.5)
    return z, kl
