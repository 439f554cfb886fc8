"""Fully connected blocks: the input is flattened, so they fit any ``x_shape``."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from sigvae.nn.layers import Encoder, activation, norm_layer, numel, output_shape


def mlp_stack(
    in_features: int,
    hidden: Sequence[int],
    act: str = "gelu",
    dropout: float = 0.0,
    norm: str = "none",
) -> nn.Sequential:
    """``Linear -> norm -> activation -> dropout`` for each width in ``hidden``. The activation
    works in place: its input is the fresh output of the linear or norm layer, which neither
    of them needs for its backward pass."""
    layers: list[nn.Module] = []
    width = in_features
    for h in hidden:
        act_layer = activation(act, inplace=True)
        layers += [nn.Linear(width, h), norm_layer(norm, h, sequence=False), act_layer]
        if dropout > 0:
            layers.append(nn.Dropout(dropout))
        width = h
    return nn.Sequential(*layers)


def mlp_encoder(
    x_shape: Sequence[int],
    out_features: int,
    hidden: Sequence[int] = (256, 128),
    activation: str = "gelu",
    dropout: float = 0.0,
    norm: str = "none",
    cond_dim: int = 0,
    **_: object,
) -> Encoder:
    trunk = nn.Sequential(
        nn.Flatten(), mlp_stack(numel(x_shape), hidden, activation, dropout, norm)
    )
    return Encoder(trunk, hidden[-1], out_features, cond_dim)


class MLPDecoder(nn.Module):
    """``z -> [B, factor * C, ...]``: hidden layers, then one linear layer to every output."""

    def __init__(
        self,
        latent_dim: int,
        x_shape: Sequence[int],
        out_channels_factor: int = 1,
        hidden: Sequence[int] = (128, 256),
        activation: str = "gelu",
        dropout: float = 0.0,
        norm: str = "none",
        **_: object,
    ) -> None:
        super().__init__()
        self.out_shape = output_shape(x_shape, out_channels_factor)
        self.body = mlp_stack(latent_dim, hidden, activation, dropout, norm)
        self.out = nn.Linear(hidden[-1], numel(self.out_shape))

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.out(self.body(z)).reshape(z.shape[0], *self.out_shape)
