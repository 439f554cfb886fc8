"""Small pieces shared by the block families: activations, normalisation, shape handling."""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from torch import nn

from sigvae.errors import ConfigError

_ACTIVATIONS = {
    "relu": nn.ReLU,
    "gelu": nn.GELU,
    "silu": nn.SiLU,
    "tanh": nn.Tanh,
    "elu": nn.ELU,
    "leaky_relu": nn.LeakyReLU,
}


_HAS_INPLACE = ("relu", "silu", "elu", "leaky_relu")


def activation(name: str, inplace: bool = False) -> nn.Module:
    """A fresh activation module by name. ``inplace`` (where the activation has it) overwrites
    its input: right for an input nobody else reads, such as a fresh ``Linear`` output, and one
    ``[B, width]`` allocation and pass fewer per layer."""
    if name not in _ACTIVATIONS:
        raise ConfigError(f"unknown activation {name!r}; known: {', '.join(_ACTIVATIONS)}")
    if inplace and name in _HAS_INPLACE:
        return _ACTIVATIONS[name](inplace=True)
    return _ACTIVATIONS[name]()


def norm_layer(kind: str, features: int, sequence: bool) -> nn.Module:
    """Normalisation after a hidden layer. For sequences ``[B, C, L]`` "layer" normalises over
    channels and time (GroupNorm with one group), which does not depend on the length."""
    if kind == "none":
        return nn.Identity()
    if kind == "batch":
        return nn.BatchNorm1d(features)
    if kind == "layer":
        return nn.GroupNorm(1, features) if sequence else nn.LayerNorm(features)
    raise ConfigError(f"unknown norm {kind!r}; known: none, batch, layer")


def channels_and_length(x_shape: Sequence[int]) -> tuple[int, int]:
    """``[C, L]`` as is; a flat ``[D]`` is read as one channel of length ``D``."""
    shape = tuple(int(s) for s in x_shape)
    if len(shape) == 1:
        return 1, shape[0]
    if len(shape) == 2:
        return shape
    raise ConfigError(f"sequence blocks need x_shape [C, L] or [D], got {list(shape)}")


def as_sequence(x: torch.Tensor) -> torch.Tensor:
    """``[B, D]`` -> ``[B, 1, D]``; ``[B, C, L]`` unchanged."""
    return x.unsqueeze(1) if x.dim() == 2 else x


def output_shape(x_shape: Sequence[int], factor: int) -> tuple[int, ...]:
    """Decoder output per example: ``factor`` stacked copies of ``x_shape`` along dim 0,
    which the likelihood splits into its parameters (mean, scale)."""
    shape = tuple(int(s) for s in x_shape)
    return (factor * shape[0], *shape[1:])


def numel(shape: Sequence[int]) -> int:
    return math.prod(int(s) for s in shape)


def with_cond(features: torch.Tensor, cond: torch.Tensor | None, cond_dim: int) -> torch.Tensor:
    """Append the conditioning vector to a feature vector (checked against ``cond_dim``)."""
    if cond_dim == 0:
        return features
    if cond is None:
        raise ConfigError(f"this block was built with cond_dim={cond_dim} but got no cond")
    return torch.cat([features, cond.reshape(cond.shape[0], -1).to(features.dtype)], dim=-1)


class Encoder(nn.Module):
    """A feature ``trunk`` followed by a linear ``head`` over ``[features, cond]``.

    Every encoder family is this shape, so a conditional model conditions any architecture the
    same way: ``encoder(x, cond) -> [B, out_features]``."""

    def __init__(self, trunk: nn.Module, features: int, out_features: int, cond_dim: int = 0):
        super().__init__()
        self.trunk = trunk
        self.cond_dim = int(cond_dim)
        self.out_features = int(out_features)
        self.head = nn.Linear(features + self.cond_dim, self.out_features)

    def forward(self, x: torch.Tensor, cond: torch.Tensor | None = None) -> torch.Tensor:
        return self.head(with_cond(self.trunk(x), cond, self.cond_dim))
