"""Composition helpers: encoder + decoder + likelihood from one :class:`AutoencoderParams`.

:class:`GaussianLatentModel` is the common base of models with a diagonal-Gaussian posterior
over a flat latent: it implements ``encode`` and ``decode`` (optionally conditioned on
``cond``) and leaves ``loss`` to the model. Plugins outside sigvae_vae may subclass it too.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn
from torch.distributions import Distribution

from sigvae.errors import ConfigError
from sigvae.nn.blocks import build_decoder, build_encoder
from sigvae.nn.layers import Encoder
from sigvae.nn.likelihoods import Likelihood, build_likelihood
from sigvae.nn.model import Model
from sigvae.nn.params import AutoencoderParams
from sigvae.nn.posteriors import diagonal_gaussian_head


@dataclass
class AutoencoderParts:
    encoder: Encoder
    decoder: nn.Module
    likelihood: Likelihood


def x_shape_of(data_info: dict) -> tuple[int, ...]:
    """``data_info["x_shape"]`` as a tuple, with a clear error when it is missing."""
    if not data_info or "x_shape" not in data_info:
        raise ConfigError("data_info has no 'x_shape'; the model cannot be sized")
    return tuple(int(s) for s in data_info["x_shape"])


def build_autoencoder(
    params: AutoencoderParams,
    data_info: dict,
    encoder_out: int | None = None,
    decoder_in: int | None = None,
    encoder_cond_dim: int = 0,
) -> AutoencoderParts:
    """Encoder to ``encoder_out`` units (default ``2 * latent_dim``: mean and log-variance),
    decoder from ``decoder_in`` inputs (default ``latent_dim``) sized for the likelihood."""
    x_shape = x_shape_of(data_info)
    likelihood = build_likelihood(params.likelihood, x_shape, params.sigma, params.learn_sigma)
    enc, dec = params.encoder, params.decoder_arch()
    encoder = build_encoder(
        enc.arch,
        x_shape,
        encoder_out or 2 * params.latent_dim,
        cond_dim=encoder_cond_dim,
        **enc.block_kwargs(),
    )
    decoder = build_decoder(
        dec.arch,
        decoder_in or params.latent_dim,
        x_shape,
        likelihood.out_channels_factor,
        **dec.block_kwargs(),
    )
    return AutoencoderParts(encoder, decoder, likelihood)


class GaussianLatentModel(Model):
    """``q(z|x) = N(mu(x), diag sigma^2(x))`` over ``latent_dim`` dims, decoder ``p(x|z)``.
    Another posterior family overrides :meth:`posterior_features` and :meth:`posterior`.

    With ``conditional=True`` the encoder head and the decoder input also see ``cond``
    (``data_info["cond_dim"]`` wide); otherwise ``cond`` is ignored."""

    def __init__(self, params: AutoencoderParams, data_info: dict, conditional: bool = False):
        super().__init__(data_info)
        self.params = params
        self.latent_dim = params.latent_dim
        self.latent_shape = (params.latent_dim,)
        self.cond_dim = int(self.data_info.get("cond_dim") or 0) if conditional else 0
        if conditional and self.cond_dim == 0:
            raise ConfigError("a conditional model needs data with 'cond' (cond_dim > 0)")
        parts = build_autoencoder(
            params,
            self.data_info,
            encoder_out=self.posterior_features(params.latent_dim),
            decoder_in=params.latent_dim + self.cond_dim,
            encoder_cond_dim=self.cond_dim,
        )
        self.encoder, self.decoder, self.likelihood = parts.encoder, parts.decoder, parts.likelihood

    def posterior_features(self, latent_dim: int) -> int:
        """Width of the encoder output that :meth:`posterior` reads (mean and log-variance);
        models with another posterior family override both."""
        return 2 * latent_dim

    def posterior(self, features: torch.Tensor) -> Distribution:
        """``q(z|x)`` from the encoder output."""
        return diagonal_gaussian_head(features)

    def _cond(self, cond: torch.Tensor | None) -> torch.Tensor | None:
        return cond if self.cond_dim else None

    def encode(self, x: torch.Tensor, cond: torch.Tensor | None = None) -> Distribution:
        return self.posterior(self.encoder(x, self._cond(cond)))

    def decode(self, z: torch.Tensor, cond: torch.Tensor | None = None) -> Distribution:
        if self.cond_dim:
            if cond is None:
                raise ConfigError("this conditional model needs cond to decode")
            z = torch.cat([z, cond.reshape(z.shape[0], -1).to(z.dtype)], dim=-1)
        return self.likelihood(self.decoder(z))

    def decode_samples(self, z: torch.Tensor, cond: torch.Tensor | None = None) -> Distribution:
        """``p(x | z_k)`` for samples ``z [K, B, latent]`` as one distribution with batch shape
        ``[K, B]``: one decoder pass over the ``K * B`` rows, and ``log_prob(x)`` broadcasts
        ``x [B, ...]`` over the samples instead of scoring ``K`` tiled copies of it."""
        k, b = z.shape[:2]
        flat = z.reshape(k * b, *z.shape[2:])
        if self.cond_dim:
            if cond is None:
                raise ConfigError("this conditional model needs cond to decode")
            tiled = cond.reshape(b, -1).to(flat.dtype).repeat(k, 1)
            flat = torch.cat([flat, tiled], dim=-1)
        out = self.decoder(flat)
        return self.likelihood(out.reshape(k, b, *out.shape[1:]))
