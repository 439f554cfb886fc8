"""Recurrent (LSTM/GRU) blocks over time for ``[B, C, L]`` signals (a flat ``[B, D]`` is one
channel). One recurrent layer per entry of ``hidden``, so widths may differ between layers."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from sigvae.nn.layers import Encoder, as_sequence, channels_and_length, output_shape

_CELLS = {"lstm": nn.LSTM, "gru": nn.GRU}


class _RecurrentStack(nn.Module):
    """Stacked single-layer RNNs over ``[B, L, F]``; returns the per-step outputs of the last
    layer and its final state (both directions concatenated)."""

    def __init__(
        self,
        cell: str,
        in_features: int,
        hidden: Sequence[int],
        bidirectional: bool,
        dropout: float,
    ) -> None:
        super().__init__()
        directions = 2 if bidirectional else 1
        self.layers = nn.ModuleList()
        width = in_features
        for h in hidden:
            self.layers.append(
                _CELLS[cell](width, h, batch_first=True, bidirectional=bidirectional)
            )
            width = h * directions
        self.out_features = width
        self.dropout = nn.Dropout(dropout) if dropout > 0 else nn.Identity()

    def forward(self, seq: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        final = seq
        for i, layer in enumerate(self.layers):
            if i > 0:
                seq = self.dropout(seq)
            seq, state = layer(seq)
            h_n = state[0] if isinstance(state, tuple) else state  # LSTM returns (h, c)
            final = h_n.transpose(0, 1).reshape(seq.shape[0], -1)
        return seq, final


class _FinalState(nn.Module):
    def __init__(self, stack: _RecurrentStack) -> None:
        super().__init__()
        self.stack = stack

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.stack(as_sequence(x).transpose(1, 2))[1]


def recurrent_encoder(
    cell: str,
    x_shape: Sequence[int],
    out_features: int,
    hidden: Sequence[int] = (64,),
    bidirectional: bool = True,
    dropout: float = 0.0,
    cond_dim: int = 0,
    **_: object,
) -> Encoder:
    """Reads the signal over time; the head sees the final state of the last layer."""
    channels, _length = channels_and_length(x_shape)
    stack = _RecurrentStack(cell, channels, hidden, bidirectional, dropout)
    return Encoder(_FinalState(stack), stack.out_features, out_features, cond_dim)


class RecurrentDecoder(nn.Module):
    """Unrolls ``z`` over time: ``z`` is the input at every step and sets the first layer's
    initial state; a linear read-out per step gives ``[B, factor * C, L]``."""

    def __init__(
        self,
        cell: str,
        latent_dim: int,
        x_shape: Sequence[int],
        out_channels_factor: int = 1,
        hidden: Sequence[int] = (64,),
        dropout: float = 0.0,
        **_: object,
    ) -> None:
        super().__init__()
        channels, self.length = channels_and_length(x_shape)
        self.out_shape = output_shape(x_shape, out_channels_factor)
        self.cell = cell
        self.init_state = nn.Linear(latent_dim, hidden[0])
        self.stack = _RecurrentStack(cell, latent_dim, hidden, False, dropout)
        self.readout = nn.Linear(self.stack.out_features, out_channels_factor * channels)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        steps = z.unsqueeze(1).expand(-1, self.length, -1)
        h0 = torch.tanh(self.init_state(z)).unsqueeze(0)
        first = self.stack.layers[0]
        state = (h0, torch.zeros_like(h0)) if self.cell == "lstm" else h0
        seq, _ = first(steps, state)
        for layer in self.stack.layers[1:]:
            seq, _ = layer(self.stack.dropout(seq))
        y = self.readout(seq).transpose(1, 2)
        return y.reshape(z.shape[0], *self.out_shape)
