"""The epoch order built from tensors is exactly DistributedSampler's, on one rank or many."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch.utils.data import DistributedSampler

from sigvae.data import Arrays
from sigvae.training.batches import BatchSource
from sigvae.training.distributed import DistContext


@pytest.mark.parametrize(("n", "world"), [(10, 1), (10, 3), (7, 4), (2, 5), (1, 3), (64, 2)])
def test_epoch_order_is_the_distributed_samplers(n, world):
    source = BatchSource(Arrays(x=np.zeros((n, 2), np.float32)), torch.device("cpu"), 4, "t")
    for rank in range(world):
        context = DistContext(rank=rank, world_size=world)
        for seed, epoch in ((0, 0), (3, 5)):
            sampler = DistributedSampler(
                range(n), num_replicas=world, rank=rank, shuffle=True, seed=seed
            )
            sampler.set_epoch(epoch)
            got = source.epoch_order(seed, epoch, context)
            assert got.tolist() == list(sampler)
