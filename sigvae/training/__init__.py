"""The shared training core: one Trainer for every sigvae model.

``TrainConfig`` is importable without torch (pipelines validate ``train:`` blocks with it);
``Trainer`` and ``TrainResult`` import torch on first use::

    from sigvae.training import Trainer, TrainConfig
    result = Trainer(TrainConfig(epochs=40), run_dir="runs/x").fit(model, train, val)
"""

from __future__ import annotations

import importlib
from typing import Any

from sigvae.training.config import EarlyStoppingConfig, TrainConfig

_LAZY = {
    "Trainer": "sigvae.training.trainer",
    "TrainResult": "sigvae.training.trainer",
    "plot_history": "sigvae.training.history",
    "LeanAdam": "sigvae.training.fused_adam",
    "LeanAdamW": "sigvae.training.fused_adam",
    "lean_adam": "sigvae.training.fused_adam",
    "world_size": "sigvae.training.distributed",
    "sum_over_ranks_": "sigvae.training.distributed",
    "from_first_rank_": "sigvae.training.distributed",
}

__all__ = ["EarlyStoppingConfig", "TrainConfig", *_LAZY]


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'sigvae.training' has no attribute {name!r}")
    value = getattr(importlib.import_module(_LAZY[name]), name)
    globals()[name] = value
    return value
