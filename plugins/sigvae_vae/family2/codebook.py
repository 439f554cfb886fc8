"""The VQ-VAE codebook: nearest-neighbour quantisation, EMA updates, dead-code restarts.

EMA update (van den Oord et al. 2017, appendix A.1), for code ``i`` with ``n_i`` encoder outputs
assigned in the batch and their sum ``s_i``::

    N_i <- gamma N_i + (1 - gamma) n_i
    m_i <- gamma m_i + (1 - gamma) s_i
    e_i  = m_i / N~_i,   N~_i = (N_i + eps) / (sum_j N_j + K eps) * sum_j N_j

(``N~`` is the Laplace-smoothed count that keeps ``e_i`` finite for unused codes).

Dead codes (used fewer than ``threshold`` times in an epoch) are moved onto randomly chosen
recent encoder outputs (Dhariwal et al. 2020, "Jukebox", sec. 2.3), so the codebook keeps being
used.

Under ``torchrun`` the codebook stays the same on every rank: the per-code sums of an EMA step
are summed over ranks (the caller sums the counts), so each step uses the whole global batch;
dead codes are judged on the usage summed over ranks and restarted at rank 0's picks.

Perplexity ``exp(-sum_i p_i log p_i)`` of the assignment frequencies ``p`` measures how many
codes are effectively in use.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from sigvae.training import from_first_rank_, sum_over_ranks_

RESERVOIR = 1024  # at least this many recent encoder outputs are restart candidates


class Codebook(nn.Module):
    """``K`` code vectors of width ``dim``; learned by EMA (buffers) or by a loss (parameter)."""

    def __init__(
        self, size: int, dim: int, ema: bool = True, decay: float = 0.99, eps: float = 1e-5
    ) -> None:
        super().__init__()
        self.size, self.dim, self.ema = size, dim, ema
        self.decay, self.eps = decay, eps
        init = torch.randn(size, dim)
        if ema:
            self.register_buffer("embedding", init)
            self.register_buffer("ema_count", torch.ones(size))
            self.register_buffer("ema_sum", init.clone())
        else:
            self.embedding = nn.Parameter(init)
        # epoch statistics and restart candidates: not part of the model's state
        self.register_buffer("usage", torch.zeros(size), persistent=False)
        # the last batches' outputs, newest last, by reference (no copy per step)
        self.recent_batches: list[torch.Tensor] = []

    def nearest(self, z: torch.Tensor) -> torch.Tensor:
        """Index of the nearest code (squared Euclidean distance) for each row of ``z``:
        ``argmin_i |z|^2 - 2 z.e_i + |e_i|^2``, where ``|z|^2`` is the same for every code and
        so left out, and the rest is one ``addmm``."""
        e = self.embedding.to(z.dtype)
        dist = torch.addmm(e.square().sum(1), z, e.T, alpha=-2.0)
        # min(...).indices is argmin (first index among ties) at half the cost on CPU
        return dist.min(dim=1).indices

    def lookup(self, indices: torch.Tensor) -> torch.Tensor:
        return F.embedding(indices, self.embedding)

    @torch.no_grad()
    def ema_update(
        self, z: torch.Tensor, indices: torch.Tensor, counts: torch.Tensor | None = None
    ) -> None:
        """One EMA step from encoder outputs ``z`` [N, dim] assigned to ``indices`` [N]
        (``counts``: their bincount, already summed over ranks, when the caller has it)."""
        if counts is None:
            counts = sum_over_ranks_(torch.bincount(indices, minlength=self.size))
        sums = torch.zeros_like(self.ema_sum).index_add_(0, indices, z.to(self.ema_sum.dtype))
        sum_over_ranks_(sums)
        self.ema_count.lerp_(counts.to(self.ema_count.dtype), 1.0 - self.decay)
        self.ema_sum.lerp_(sums, 1.0 - self.decay)
        total = self.ema_count.sum()
        smoothed = (self.ema_count + self.eps) * (total / (total + self.size * self.eps))
        torch.div(self.ema_sum, smoothed[:, None], out=self.embedding)

    @torch.no_grad()
    def record(
        self, z: torch.Tensor, indices: torch.Tensor, counts: torch.Tensor | None = None
    ) -> None:
        """Count this batch's assignments (``counts``: their bincount, summed over ranks, when
        the caller has it) and keep its outputs as restart candidates: the latest batches, at
        least ``RESERVOIR`` rows when there are that many."""
        if counts is None:
            counts = sum_over_ranks_(torch.bincount(indices, minlength=self.size))
        self.usage += counts.to(self.usage.dtype)
        batches = self.recent_batches
        batches.append(z.detach())
        while len(batches) > 1 and sum(b.shape[0] for b in batches[1:]) >= RESERVOIR:
            batches.pop(0)

    @torch.no_grad()
    def restart_dead(self, threshold: float) -> int:
        """Move codes used fewer than ``threshold`` times since the last call onto recent
        encoder outputs; returns how many were restarted."""
        dead = (self.usage < threshold).nonzero().flatten()
        count = int(dead.numel())
        recent = self.recent()
        if count and recent.shape[0]:
            pick = torch.randint(0, recent.shape[0], (count,), device=recent.device)
            fresh = recent[pick].to(self.embedding.device, self.embedding.dtype)
            from_first_rank_(fresh)  # every rank's candidates differ: rank 0 decides
            self.embedding.data[dead] = fresh
            if self.ema:
                self.ema_sum[dead] = fresh
                self.ema_count[dead] = 1.0
        self.usage.zero_()
        return count if recent.shape[0] else 0

    def recent(self) -> torch.Tensor:
        """The kept encoder outputs ``[N, dim]`` (newest first; ``[0, dim]`` before any)."""
        if not self.recent_batches:
            return self.embedding.new_zeros(0, self.dim)
        return torch.cat(self.recent_batches[::-1])


def perplexity(indices: torch.Tensor, size: int) -> torch.Tensor:
    """``exp(entropy)`` of the code frequencies in ``indices``: 1 when a single code is used,
    ``size`` when all are used equally."""
    return counts_perplexity(torch.bincount(indices.flatten(), minlength=size))


def counts_perplexity(counts: torch.Tensor) -> torch.Tensor:
    """:func:`perplexity` from the per-code assignment counts."""
    p = counts.float()
    p = p / p.sum().clamp_min(1.0)
    return torch.exp(-(p * torch.log(p.clamp_min(1e-12))).sum())
