"""Priors over VQ-VAE code sequences, used for sampling and ``log p(codes)`` (van den Oord et
al. 2017, sec. 3.2, fit a PixelCNN/WaveNet over the codes as a separate stage after the VQ-VAE).
Here :class:`DeferredPriorFit` fits the autoregressive prior as that separate stage, run at the
end of every epoch on the code sequences the epoch produced, so it neither slows the VQ-VAE's
own steps nor needs the data a second time.

``p(k_1..k_T) = prod_t p(k_t | k_<t)`` by a masked autoencoder (MADE, Germain, Gregor, Murray &
Larochelle 2015): one hidden layer whose units carry a degree ``d`` in ``1..T-1``; a unit sees
the codes at positions ``< d`` and feeds the outputs at positions ``>= d``, so the logits of
position ``t`` depend on ``k_<t`` only, and all ``T`` conditionals come from one pass (no
recurrence over the sequence during training).
"""

from __future__ import annotations

import math
import time

import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch import nn

from sigvae.training import lean_adam, world_size


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


class DeferredPriorFit:
    """Maximum-likelihood fitting of a code prior, deferred to the end of each epoch: the codes
    of every training batch are kept (``[B, T]`` integers, detached) and :meth:`fit` then takes
    one Adam step on ``-mean log p(codes)`` per kept batch, in order. The prior's loss depends
    on its own weights and the codes only, so at the Trainer's learning rate this is the same
    sequence of updates as stepping it inside each training step, without a phase per step.

    Under torchrun every rank gathers all ranks' codes, so each takes the same steps on the
    same (world-size times larger) batches and the priors stay identical. ``seconds`` and
    ``cpu_seconds`` add up the time spent fitting (benchmarks report it apart from the VQ-VAE);
    ``last_nll`` is the mean negative log-likelihood over the last fit's batches (nats)."""

    def __init__(self, prior: nn.Module) -> None:
        self.prior = prior
        self.batches: list[torch.Tensor] = []
        self.optimizer: torch.optim.Optimizer | None = None
        self.seconds = self.cpu_seconds = 0.0
        self.last_nll = math.nan

    def collect(self, codes: torch.Tensor) -> None:
        self.batches.append(codes.detach())

    def fit(self, lr: float) -> None:
        """One pass over the kept batches at step size ``lr``; they are dropped afterwards."""
        batches, self.batches = self.batches, []
        if not batches:
            return
        wall, cpu = time.perf_counter(), time.process_time()
        batches = _gathered(batches)
        params = list(self.prior.parameters())
        if self.optimizer is None:
            self.optimizer = lean_adam(params, lr=lr)
        for group in self.optimizer.param_groups:
            group["lr"] = lr
        total = torch.zeros((), device=batches[0].device)
        self.prior.requires_grad_(True)
        try:
            with torch.enable_grad():
                for codes in batches:
                    for p in params:
                        p.grad = None
                    loss = -self.prior.log_prob(codes).mean()
                    loss.backward()
                    self.optimizer.step()
                    total += loss.detach()
        finally:
            self.prior.requires_grad_(False)
        self.last_nll = float(total) / len(batches)  # also waits for the device (timing)
        self.seconds += time.perf_counter() - wall
        self.cpu_seconds += time.process_time() - cpu

    def state_dict(self) -> dict:
        """The prior optimizer's state (empty before the first fit). The model hands it to
        training checkpoints (``training_state``), so a resumed run continues the same Adam
        moments."""
        return {} if self.optimizer is None else self.optimizer.state_dict()

    def load_state_dict(self, state: dict) -> None:
        self.optimizer = None
        if state:
            lr = state["param_groups"][0]["lr"]
            self.optimizer = lean_adam(list(self.prior.parameters()), lr=lr)
            self.optimizer.load_state_dict(state)


def _gathered(batches: list[torch.Tensor]) -> list[torch.Tensor]:
    """Each batch joined with the same-position batch of every other rank (the sampler gives
    every rank the same number of examples); the batches themselves without torchrun."""
    ranks = world_size()
    if ranks == 1:
        return batches
    local = torch.cat(batches)
    parts = [torch.empty_like(local) for _ in range(ranks)]
    dist.all_gather(parts, local)
    stacked = torch.stack(parts)  # [world, N, T]
    out, start = [], 0
    for codes in batches:
        stop = start + codes.shape[0]
        out.append(stacked[:, start:stop].reshape(-1, codes.shape[1]))
        start = stop
    return out
