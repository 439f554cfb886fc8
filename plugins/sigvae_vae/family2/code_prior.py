"""Priors over VQ-VAE code sequences, used for sampling (van den Oord et al. 2017, sec. 3.2
fit a PixelCNN/WaveNet over the codes after training; here a GRU over the code sequence is
fitted jointly, on detached codes, so the one Trainer trains everything).

``p(k_1..k_T) = prod_t p(k_t | k_<t)``: a start token, then each code predicts the next.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn


class AutoregressiveCodePrior(nn.Module):
    """A one-layer GRU over the code sequence with a softmax over the ``size`` codes."""

    def __init__(self, size: int, hidden: int) -> None:
        super().__init__()
        self.size = size
        self.embed = nn.Embedding(size + 1, hidden)  # index ``size`` is the start token
        self.rnn = nn.GRU(hidden, hidden, batch_first=True)
        self.out = nn.Linear(hidden, size)

    def _start(self, n: int, device: torch.device) -> torch.Tensor:
        return torch.full((n, 1), self.size, dtype=torch.long, device=device)

    def log_prob(self, codes: torch.Tensor) -> torch.Tensor:
        """``log p(codes)`` per sequence, ``codes`` [B, T] -> [B] (nats)."""
        inputs = torch.cat([self._start(codes.shape[0], codes.device), codes[:, :-1]], dim=1)
        hidden, _ = self.rnn(self.embed(inputs))
        logp = F.log_softmax(self.out(hidden), dim=-1)
        return logp.gather(-1, codes.unsqueeze(-1)).squeeze(-1).sum(dim=1)

    @torch.no_grad()
    def sample(self, n: int, length: int, device: torch.device) -> torch.Tensor:
        token, state, codes = self._start(n, device), None, []
        for _ in range(length):
            hidden, state = self.rnn(self.embed(token), state)
            token = torch.multinomial(F.softmax(self.out(hidden[:, -1]), dim=-1), 1)
            codes.append(token)
        return torch.cat(codes, dim=1)


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
