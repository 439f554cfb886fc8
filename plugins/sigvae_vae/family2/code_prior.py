"""Priors over VQ-VAE code sequences, used for sampling (van den Oord et al. 2017, sec. 3.2
fit a PixelCNN/WaveNet over the codes after training; here an autoregressive network is fitted
jointly, on detached codes, so the one Trainer trains everything).

``p(k_1..k_T) = prod_t p(k_t | k_<t)`` by a masked autoencoder (MADE, Germain, Gregor, Murray &
Larochelle 2015): one hidden layer whose units carry a degree ``d`` in ``1..T-1``; a unit sees
the codes at positions ``< d`` and feeds the outputs at positions ``>= d``, so the logits of
position ``t`` depend on ``k_<t`` only, and all ``T`` conditionals come from one pass (no
recurrence over the sequence during training).
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn


class AutoregressiveCodePrior(nn.Module):
    """MADE over ``length`` codes from ``size``, ``hidden`` units, a softmax per position."""

    def __init__(self, size: int, hidden: int, length: int) -> None:
        super().__init__()
        self.size, self.length = size, length
        degrees = 1 + torch.arange(hidden) % max(length - 1, 1)
        position = torch.arange(length).repeat_interleave(size)  # of each (t, k) row
        # position t feeds the units of degree > t; units of degree <= t feed output t
        self.register_buffer(
            "in_mask", (position[:, None] < degrees).float(), persistent=False
        )  # [T * size, hidden]
        self.register_buffer(
            "out_mask", (degrees[:, None] <= position).float(), persistent=False
        )  # [hidden, T * size]
        self.embed = nn.Parameter(torch.randn(length * size, hidden) / math.sqrt(length))
        self.hidden_bias = nn.Parameter(torch.zeros(hidden))
        self.out = nn.Parameter(torch.randn(hidden, length * size) / math.sqrt(hidden))
        self.out_bias = nn.Parameter(torch.zeros(length * size))

    def logits(self, codes: torch.Tensor) -> torch.Tensor:
        """``[B, T]`` codes -> ``[B, T, size]`` logits of ``p(k_t | k_<t)``."""
        rows = codes + self.size * torch.arange(self.length, device=codes.device)
        summed = F.embedding_bag(rows, self.embed * self.in_mask, mode="sum")  # [B, hidden]
        hidden = torch.relu(summed + self.hidden_bias)
        flat = torch.addmm(self.out_bias, hidden, self.out * self.out_mask)
        return flat.view(codes.shape[0], self.length, self.size)

    def log_prob(self, codes: torch.Tensor) -> torch.Tensor:
        """``log p(codes)`` per sequence, ``codes`` [B, T] -> [B] (nats)."""
        logp = F.log_softmax(self.logits(codes), dim=-1)
        return logp.gather(-1, codes.unsqueeze(-1)).squeeze(-1).sum(dim=1)

    @torch.no_grad()
    def sample(self, n: int, length: int, device: torch.device) -> torch.Tensor:
        """Ancestral sampling, one position per pass (later positions do not affect earlier
        logits, so the zeros standing in for them are never read)."""
        codes = torch.zeros(n, self.length, dtype=torch.long, device=device)
        for t in range(self.length):
            probs = F.softmax(self.logits(codes)[:, t], dim=-1)
            codes[:, t] = torch.multinomial(probs, 1).squeeze(-1)
        return codes


class UniformCodePrior(nn.Module):
    """Every code sequence equally likely: ``log p = -T log K``."""

    def __init__(self, size: int) -> None:
        super().__init__()
        self.size = size

    def log_prob(self, codes: torch.Tensor) -> torch.Tensor:
        return torch.full(
            codes.shape[:1], -codes.shape[1] * math.log(self.size), device=codes.device
        )

    @torch.no_grad()
    def sample(self, n: int, length: int, device: torch.device) -> torch.Tensor:
        return torch.randint(0, self.size, (n, length), device=device)
