"""Multi-process training launched by ``torchrun``: process group, ranks, metric reduction.

When ``WORLD_SIZE`` > 1 the Trainer joins (or creates) the default process group, gloo on CPU
and NCCL on CUDA, wraps the loss in DistributedDataParallel, and only rank 0 writes files.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import torch
import torch.distributed as dist
from torch import nn
from torch.nn.parallel import DistributedDataParallel

from sigvae.training.runtime import resolve_device


@dataclass(frozen=True)
class DistContext:
    """This process's place in the job; the defaults describe a single-process run."""

    rank: int = 0
    world_size: int = 1
    local_rank: int | None = None
    owns_group: bool = False

    @property
    def enabled(self) -> bool:
        return self.world_size > 1

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    def all_reduce(self, tensor: torch.Tensor, op: str = "sum") -> torch.Tensor:
        """Reduce ``tensor`` in place over all ranks (no-op in a single process)."""
        if self.enabled:
            dist.all_reduce(tensor, op=dist.ReduceOp.SUM if op == "sum" else dist.ReduceOp.MAX)
        return tensor


def world_size() -> int:
    """Processes in the current ``torch.distributed`` group; 1 when none is initialised.
    Models that update state inside ``loss`` (a VQ-VAE's EMA codebook) use the helpers below
    to keep that state equal on every rank: DDP averages gradients, not such statistics."""
    if dist.is_available() and dist.is_initialized():
        return dist.get_world_size()
    return 1


def sum_over_ranks_(tensor: torch.Tensor) -> torch.Tensor:
    """Sum ``tensor`` in place over all ranks (nothing happens in one process); returns it.
    Every rank must call it at the same point."""
    if world_size() > 1:
        dist.all_reduce(tensor)
    return tensor


def from_first_rank_(tensor: torch.Tensor) -> torch.Tensor:
    """Overwrite ``tensor`` in place with rank 0's copy (nothing happens in one process);
    returns it. Every rank must call it at the same point, with a tensor of the same shape."""
    if world_size() > 1:
        dist.broadcast(tensor, src=0)
    return tensor


def setup_distributed(device_name: str) -> tuple[DistContext, torch.device]:
    """Join the process group torchrun describes (``WORLD_SIZE``, ``RANK``, ``LOCAL_RANK``,
    ``MASTER_ADDR``...), or reuse one the caller created; pick this process's device."""
    launched = int(os.environ.get("WORLD_SIZE", "1")) > 1
    existing = dist.is_available() and dist.is_initialized()
    if not launched and not existing:
        return DistContext(), resolve_device(device_name)
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    device = resolve_device(device_name, local_rank)
    owns = False
    if not existing:
        if device.type == "cuda":
            torch.cuda.set_device(device)
        dist.init_process_group(backend="nccl" if device.type == "cuda" else "gloo")
        owns = True
    context = DistContext(
        rank=dist.get_rank(),
        world_size=dist.get_world_size(),
        local_rank=local_rank,
        owns_group=owns,
    )
    return context, device


def teardown_distributed(context: DistContext) -> None:
    """Wait for every rank (rank 0 may still be writing), then destroy a group we created."""
    if context.owns_group and dist.is_initialized():
        dist.barrier()
        dist.destroy_process_group()


class LossModule(nn.Module):
    """Exposes ``model.loss(batch, phase)`` as ``forward`` so that DistributedDataParallel and
    torch.compile see the computation, while the model keeps its own methods. Returns a
    ``(total, terms)`` pair, which DDP can search for tensors; ``phase=None`` returns
    ``{group: (total, terms)}`` from the model's one-forward ``joint_loss``."""

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.model = model

    def forward(self, batch: dict[str, torch.Tensor], phase: str | None):
        if phase is None:
            return {k: (o.total, o.terms) for k, o in self.model.joint_loss(batch).items()}
        out = self.model.loss(batch, phase=phase)
        return out.total, out.terms


def wrap_for_training(
    model: nn.Module, context: DistContext, device: torch.device, phases: int
) -> nn.Module:
    """The module each training step calls: DDP-wrapped under torchrun. With several phases a
    backward pass leaves other groups' parameters unused, which DDP must be told about."""
    module = LossModule(model)
    if not context.enabled:
        return module
    return DistributedDataParallel(
        module,
        device_ids=[device.index] if device.type == "cuda" else None,
        find_unused_parameters=phases > 1,
    )
