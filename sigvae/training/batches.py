"""Batches without a DataLoader: the data is collated once into tensors (on the device when it
fits) and each step gathers its rows with one ``index_select`` per field.

The order of an epoch is the one :class:`torch.utils.data.DistributedSampler` gives with
``seed`` and ``set_epoch(epoch)``, so it depends only on ``(seed, epoch)`` and, under torchrun,
each rank takes its own equal-sized share.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import torch

from sigvae.data import Arrays
from sigvae.errors import DataError
from sigvae.training.distributed import DistContext

# Keep the data on the GPU only while it uses at most this share of the free memory.
_DEVICE_MEMORY_SHARE = 0.4


def _as_tensor(key: str, values: np.ndarray) -> torch.Tensor:
    values = np.asarray(values)
    if key == "mask" and values.dtype == np.bool_:
        return torch.from_numpy(np.ascontiguousarray(values))
    return torch.from_numpy(np.ascontiguousarray(values, dtype=np.float32))


class BatchSource:
    """One data split as tensors, with the batches of an epoch."""

    def __init__(self, data: Arrays, device: torch.device, batch_size: int, name: str) -> None:
        if len(data) == 0:
            raise DataError(f"the {name} data is empty")
        tensors = {key: _as_tensor(key, values) for key, values in data.fields()}
        self.device = device
        self.batch_size = batch_size
        self.n = len(data)
        nbytes = sum(t.numel() * t.element_size() for t in tensors.values())
        self.on_device = (
            device.type == "cpu" or nbytes <= _free_memory(device) * _DEVICE_MEMORY_SHARE
        )
        # too big for the GPU: keep it in host memory and copy each batch over
        self.tensors = {k: t.to(device) for k, t in tensors.items()} if self.on_device else tensors

    def _to_device(self, batch: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
        """Host batches are pinned so the copy overlaps with the previous step's compute."""
        if self.on_device:
            return batch
        return {k: t.pin_memory().to(self.device, non_blocking=True) for k, t in batch.items()}

    def epoch_order(self, seed: int, epoch: int, context: DistContext) -> torch.Tensor:
        """This rank's example indices for ``epoch``, shuffled (padded to equal shares): the
        order :class:`torch.utils.data.DistributedSampler` gives (same generator, padding and
        striding), built as tensors instead of a Python list of every index."""
        world = context.world_size
        generator = torch.Generator()
        generator.manual_seed(seed + epoch)
        order = torch.randperm(self.n, generator=generator)
        total = -(-self.n // world) * world
        if total > self.n:  # pad with the permutation's head, repeated if need be
            order = order.repeat(-(-total // self.n))[:total]
        order = order[context.rank : total : world]
        return order.to(self.device) if self.on_device else order

    def steps(self, count: int) -> int:
        return -(-count // self.batch_size)

    def shuffled(self, order: torch.Tensor) -> Iterator[tuple[dict[str, torch.Tensor], int]]:
        """Batches in ``order``, each with its number of examples."""
        for index in order.split(self.batch_size):
            batch = {k: t.index_select(0, index) for k, t in self.tensors.items()}
            yield self._to_device(batch), index.numel()

    def shard(self, context: DistContext) -> slice:
        """This rank's contiguous share for evaluation; every rank takes everything when there
        are fewer examples than ranks (the reduced means are the same either way)."""
        if self.n < context.world_size:
            return slice(0, self.n)
        return slice(
            self.n * context.rank // context.world_size,
            self.n * (context.rank + 1) // context.world_size,
        )

    def in_order(self, part: slice) -> Iterator[tuple[dict[str, torch.Tensor], int]]:
        """Batches of ``part`` in their stored order (for validation)."""
        for start in range(part.start, part.stop, self.batch_size):
            stop = min(start + self.batch_size, part.stop)
            batch = {k: t[start:stop] for k, t in self.tensors.items()}
            yield self._to_device(batch), stop - start


def _free_memory(device: torch.device) -> int:
    free, _total = torch.cuda.mem_get_info(device)
    return free
