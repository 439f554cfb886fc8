"""The best epoch so far and the early-stopping patience counter (always minimising)."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

from sigvae.errors import ConfigError
from sigvae.training.config import TrainConfig


def monitored_key(config: TrainConfig, has_validation: bool) -> str:
    """The history key that decides the best epoch: ``val/loss`` by default, its ``train/``
    counterpart when there is no validation data."""
    key = config.early_stopping.monitor if config.early_stopping else "val/loss"
    if not has_validation and key.startswith("val/"):
        key = "train/" + key[len("val/") :]
    return key


@dataclass
class BestTracker:
    """Keras-style: an epoch improves when its value is below the best by more than
    ``min_delta``; ``patience`` epochs in a row without improvement stop training."""

    monitor: str
    min_delta: float = 0.0
    patience: int | None = None
    value: float = math.inf
    epoch: int = -1
    wait: int = 0

    @classmethod
    def for_config(cls, config: TrainConfig, has_validation: bool) -> BestTracker:
        stopping = config.early_stopping
        return cls(
            monitor=monitored_key(config, has_validation),
            min_delta=stopping.min_delta if stopping else 0.0,
            patience=stopping.patience if stopping else None,
        )

    def update(self, row: dict) -> bool:
        """Record one epoch's row; True when it is the new best."""
        if self.monitor not in row:
            known = ", ".join(k for k in row if "/" in k)
            raise ConfigError(
                f"train.early_stopping.monitor {self.monitor!r} is not logged (logged: {known})"
            )
        value = row[self.monitor]
        if value < self.value - self.min_delta:
            self.value, self.epoch, self.wait = value, row["epoch"], 0
            return True
        self.wait += 1
        return False

    @property
    def should_stop(self) -> bool:
        return self.patience is not None and self.wait >= self.patience

    def state(self) -> dict:
        return asdict(self)

    def replay(self, history: list[dict]) -> None:
        """Rebuild the state from a resumed run's history, so a changed rule applies too."""
        for row in history:
            self.update(row)
