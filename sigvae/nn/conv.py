"""1-D convolutional blocks for ``[B, C, L]`` signals (a flat ``[B, D]`` is one channel).

The encoder halves the length (``stride``) once per hidden width; the decoder starts from
``ceil(L / stride**n)`` positions, upsamples ``n`` times and crops to ``L``, so any length
works, powers of two or not.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from torch import nn

from sigvae.nn.layers import (
    Encoder,
    activation,
    as_sequence,
    channels_and_length,
    norm_layer,
    output_shape,
)


def _conv_length(length: int, kernel: int, stride: int) -> int:
    """Output length of a Conv1d with 'same'-style padding ``kernel // 2``."""
    return (length + 2 * (kernel // 2) - kernel) // stride + 1


def conv1d_encoder(
    x_shape: Sequence[int],
    out_features: int,
    hidden: Sequence[int] = (32, 64),
    kernel_size: int = 5,
    stride: int = 2,
    activation: str = "gelu",
    dropout: float = 0.0,
    norm: str = "none",
    cond_dim: int = 0,
    **_: object,
) -> Encoder:
    channels, length = channels_and_length(x_shape)
    layers: list[nn.Module] = []
    for h in hidden:
        layers += _hidden_layer(
            nn.Conv1d(channels, h, kernel_size, stride, padding=kernel_size // 2),
            h,
            activation,
            dropout,
            norm,
        )
        channels, length = h, _conv_length(length, kernel_size, stride)
    trunk = nn.Sequential(_AsSequence(), *layers, nn.Flatten())
    return Encoder(trunk, channels * length, out_features, cond_dim)


def _hidden_layer(layer: nn.Module, width: int, act: str, dropout: float, norm: str):
    parts = [layer, norm_layer(norm, width, sequence=True), activation(act)]
    return parts + ([nn.Dropout(dropout)] if dropout > 0 else [])


class _AsSequence(nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return as_sequence(x)


class Conv1dDecoder(nn.Module):
    """``z -> [B, factor * C, L]``: a linear map to ``hidden[0]`` channels at the coarsest
    length, ``len(hidden)`` upsampling layers, a final 'same' convolution, crop to ``L``."""

    def __init__(
        self,
        latent_dim: int,
        x_shape: Sequence[int],
        out_channels_factor: int = 1,
        hidden: Sequence[int] = (64, 32),
        kernel_size: int = 5,
        stride: int = 2,
        upsample: str = "transpose",
        activation: str = "gelu",
        dropout: float = 0.0,
        norm: str = "none",
        **_: object,
    ) -> None:
        super().__init__()
        channels, self.length = channels_and_length(x_shape)
        self.out_shape = output_shape(x_shape, out_channels_factor)
        self.start_channels = hidden[0]
        self.start_length = math.ceil(self.length / stride ** len(hidden))
        self.project = nn.Linear(latent_dim, hidden[0] * self.start_length)
        widths = [*hidden, hidden[-1]]
        layers: list[nn.Module] = []
        for c_in, c_out in zip(widths[:-1], widths[1:], strict=True):
            up = _upsampler(c_in, c_out, kernel_size, stride, upsample)
            layers += _hidden_layer(up, c_out, activation, dropout, norm)
        self.body = nn.Sequential(*layers)
        pad = kernel_size // 2
        self.out = nn.Conv1d(hidden[-1], out_channels_factor * channels, kernel_size, padding=pad)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        h = self.project(z).reshape(z.shape[0], self.start_channels, self.start_length)
        y = self.out(self.body(h))[..., : self.length]
        return y.reshape(z.shape[0], *self.out_shape)


def _upsampler(c_in: int, c_out: int, kernel: int, stride: int, mode: str) -> nn.Module:
    """Multiplies the length by exactly ``stride``."""
    pad = kernel // 2
    if mode == "transpose":
        # (L-1)*s - 2p + k + (s-1) = L*s for odd k
        return nn.ConvTranspose1d(
            c_in, c_out, kernel, stride, padding=pad, output_padding=stride - 1
        )
    return nn.Sequential(
        nn.Upsample(scale_factor=stride, mode="linear", align_corners=False),
        nn.Conv1d(c_in, c_out, kernel, padding=pad),
    )
