"""Per-epoch learning-rate schedules.

The learning rate of an epoch is a pure function of ``(config, epoch)``, set on every
optimizer before the epoch starts. A resumed run therefore needs no scheduler state: epoch *k*
gets the same rate whether or not the run was interrupted before it (the rate is also in the
history row, column ``lr``).

* ``none``: ``lr`` throughout.
* ``cosine``: cosine annealing without restarts (Loshchilov & Hutter 2017, eq. 5) from ``lr``
  at epoch 0 towards ``lr_min`` at epoch ``epochs``:
  ``lr_min + (lr - lr_min) * (1 + cos(pi * epoch / epochs)) / 2``.
* ``step``: ``lr * lr_gamma ** (epoch // lr_step_size)``, floored at ``lr_min``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import torch

from sigvae.training.config import TrainConfig


def lr_at(config: TrainConfig, epoch: int) -> float:
    """The learning rate of ``epoch`` (0-based) under ``config``'s schedule."""
    base, floor = config.lr, config.lr_min
    if config.lr_schedule == "cosine":
        return floor + (base - floor) * 0.5 * (1.0 + math.cos(math.pi * epoch / config.epochs))
    if config.lr_schedule == "step":
        return max(floor, base * config.lr_gamma ** (epoch // config.lr_step_size))
    return base


def set_lr(optimizers: Iterable[torch.optim.Optimizer], lr: float) -> None:
    """Give every parameter group of every optimizer the rate ``lr``."""
    for optimizer in optimizers:
        for group in optimizer.param_groups:
            group["lr"] = lr
