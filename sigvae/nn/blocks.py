"""One entry point per direction: ``build_encoder(arch, ...)`` and ``build_decoder(arch, ...)``.

Architecture is a parameter, not a new model: every model plugin builds its networks through
these two functions with an :class:`~sigvae.nn.params.ArchParams`' ``arch`` and
``block_kwargs()``.

* encoder: ``x [B, *x_shape] (, cond [B, cond_dim]) -> [B, out_features]``
* decoder: ``z [B, latent_dim] -> [B, out_channels_factor * x_shape[0], *x_shape[1:]]``;
  the likelihood splits the leading channel axis into its parameters.
"""

from __future__ import annotations

from collections.abc import Sequence

from torch import nn

from sigvae.errors import ConfigError
from sigvae.nn.conv import Conv1dDecoder, conv1d_encoder
from sigvae.nn.layers import Encoder
from sigvae.nn.mlp import MLPDecoder, mlp_encoder
from sigvae.nn.recurrent import RecurrentDecoder, recurrent_encoder

ARCHS = ("mlp", "conv1d", "lstm", "gru")


def _check(arch: str) -> None:
    if arch not in ARCHS:
        raise ConfigError(f"unknown arch {arch!r}; known: {', '.join(ARCHS)}")


def build_encoder(
    arch: str, x_shape: Sequence[int], out_features: int, cond_dim: int = 0, **arch_params
) -> Encoder:
    """An encoder of family ``arch`` ending in a linear head of ``out_features`` units that
    also sees ``cond`` when ``cond_dim > 0``."""
    _check(arch)
    if arch == "mlp":
        return mlp_encoder(x_shape, out_features, cond_dim=cond_dim, **arch_params)
    if arch == "conv1d":
        return conv1d_encoder(x_shape, out_features, cond_dim=cond_dim, **arch_params)
    return recurrent_encoder(arch, x_shape, out_features, cond_dim=cond_dim, **arch_params)


def build_decoder(
    arch: str,
    latent_dim: int,
    x_shape: Sequence[int],
    out_channels_factor: int = 1,
    **arch_params,
) -> nn.Module:
    """A decoder of family ``arch`` from ``latent_dim`` inputs (a conditional model passes
    ``latent_dim + cond_dim`` and concatenates) to ``out_channels_factor`` copies of x."""
    _check(arch)
    if arch == "mlp":
        return MLPDecoder(latent_dim, x_shape, out_channels_factor, **arch_params)
    if arch == "conv1d":
        return Conv1dDecoder(latent_dim, x_shape, out_channels_factor, **arch_params)
    return RecurrentDecoder(arch, latent_dim, x_shape, out_channels_factor, **arch_params)
