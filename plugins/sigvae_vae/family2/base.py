"""Pieces shared by the family-II models: the reconstruction target, point-mass posteriors of
deterministic encoders, the deterministic-autoencoder base, GAN losses and small critics.

Critics and discriminators are built with :func:`sigvae.nn.blocks.build_encoder` (an MLP over
codes, or any block family over signals), so no new network blocks are written here.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import torch
import torch.nn.functional as F
from torch import nn
from torch.distributions import Distribution

from sigvae.nn.blocks import build_encoder
from sigvae.nn.compose import build_autoencoder
from sigvae.nn.layers import Encoder
from sigvae.nn.model import Model, UndefinedQuantity
from sigvae.nn.params import AutoencoderParams
from sigvae_vae.family2.divergences import mmd_unbiased
from sigvae_vae.family2.priors import latent_prior


class PointMass(Distribution):
    """The posterior of a deterministic encoder: all mass at ``loc`` (``[B, latent]``).
    ``mean`` and ``rsample`` return ``loc``; it has no density."""

    arg_constraints: dict = {}
    has_rsample = True

    def __init__(self, loc: torch.Tensor) -> None:
        self.loc = loc
        super().__init__(loc.shape[:-1], loc.shape[-1:], validate_args=False)

    @property
    def mean(self) -> torch.Tensor:
        return self.loc

    @property
    def variance(self) -> torch.Tensor:
        return torch.zeros_like(self.loc)

    def rsample(self, sample_shape: torch.Size | tuple = ()) -> torch.Tensor:
        return self.loc.expand(torch.Size(sample_shape) + self.loc.shape)

    def log_prob(self, value: torch.Tensor) -> torch.Tensor:
        raise UndefinedQuantity("a deterministic encoder has no posterior density")


@contextmanager
def frozen(module: nn.Module) -> Iterator[None]:
    """Run ``module`` as a fixed function: its parameters do not require gradients inside the
    block, so backward goes through it to its input without computing weight gradients.

    Why: in a generator phase the critic's weight gradients are thrown away (the Trainer clears
    every gradient before each phase and steps only that phase's group), yet computing them
    a good part of the critic's backward pass. The gradients that reach the codes, and so
    every update, are unchanged."""
    params = [p for p in module.parameters() if p.requires_grad]
    for p in params:
        p.requires_grad_(False)
    try:
        yield
    finally:
        for p in params:
            p.requires_grad_(True)


def code_critic(
    dim: int, hidden: Sequence[int], out_features: int = 1, activation: str = "leaky_relu"
) -> Encoder:
    """An MLP over ``dim``-wide codes (a latent discriminator), from the kernel's blocks."""
    return build_encoder("mlp", (dim,), out_features, hidden=list(hidden), activation=activation)


def discriminator_loss(real_logits: torch.Tensor, fake_logits: torch.Tensor) -> torch.Tensor:
    """Binary cross-entropy of a discriminator: ``-log D(real) - log(1 - D(fake))``,
    each averaged over its samples (Goodfellow et al. 2014)."""
    return F.softplus(-real_logits).mean() + F.softplus(fake_logits).mean()


def generator_loss(fake_logits: torch.Tensor) -> torch.Tensor:
    """The non-saturating generator loss ``-log D(fake)`` (Goodfellow et al. 2014, sec. 3)."""
    return F.softplus(-fake_logits).mean()


def batch_mmd(x: torch.Tensor, y: torch.Tensor, kernel: str, scale: float | None, **kw):
    """Unbiased MMD^2, or 0 for a batch too small to estimate it (a last batch of one)."""
    if x.shape[0] < 2 or y.shape[0] < 2:
        return x.new_zeros(())
    return mmd_unbiased(x, y, kernel, scale, **kw)


def per_example_sq(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """``0.5 * ||a - b||^2`` per example (summed over every non-batch axis)."""
    return 0.5 * (a - b).pow(2).flatten(1).sum(dim=1)


class CodeAutoencoder(Model):
    """An autoencoder with a deterministic encoder ``z = f(x)`` and any sampleable prior.

    ELBO and log-likelihood are undefined (no posterior density); ``sample`` decodes prior
    draws and ``embed`` returns the codes."""

    def __init__(self, params: AutoencoderParams, data_info: dict, encoder_out: int | None = None):
        super().__init__(data_info)
        self.params = params
        self.latent_dim = params.latent_dim
        self.latent_shape = (params.latent_dim,)
        self.prior_name = getattr(params, "prior", "gaussian")
        parts = build_autoencoder(
            params, self.data_info, encoder_out=encoder_out or self.latent_dim
        )
        self.encoder, self.decoder, self.likelihood = parts.encoder, parts.decoder, parts.likelihood

    def codes(self, x: torch.Tensor, cond: torch.Tensor | None = None) -> torch.Tensor:
        """``z = f(x)``, ``[B, latent_dim]``."""
        return self.encoder(x)

    def encode(self, x: torch.Tensor, cond: torch.Tensor | None = None) -> Distribution:
        return PointMass(self.codes(x, cond))

    def decode(self, z: torch.Tensor, cond: torch.Tensor | None = None) -> Distribution:
        return self.likelihood(self.decoder(z))

    def prior(self, cond: torch.Tensor | None = None) -> Distribution:
        like = next(self.parameters())
        return latent_prior(self.prior_name, self.latent_dim, like)

    def prior_samples(self, like: torch.Tensor) -> torch.Tensor:
        """As many prior draws as ``like`` has rows, on its device. The standard normal is
        drawn directly: the same numbers as its distribution object's ``sample`` (tested),
        without building that object on every training step (a few percent of an
        ``aae`` step in a profile)."""
        if self.prior_name == "gaussian":
            return torch.randn(like.shape[0], self.latent_dim, device=like.device, dtype=like.dtype)
        return latent_prior(self.prior_name, self.latent_dim, like).sample((like.shape[0],))

    def elbo(self, x, cond=None, target=None) -> torch.Tensor:
        raise UndefinedQuantity(
            f"{type(self).__name__} has a deterministic encoder: no ELBO is defined"
        )

    def log_likelihood(self, x, cond=None, samples: int = 100, chunk: int = 64) -> torch.Tensor:
        raise UndefinedQuantity(
            f"{type(self).__name__} has a deterministic encoder: log p(x) is not estimable "
            "by importance sampling"
        )
