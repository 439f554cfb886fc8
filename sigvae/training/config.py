"""The training configuration: every knob of the one Trainer, validated by pydantic.

This module imports only pydantic so that pipelines can validate ``train:`` blocks (and the CLI
can describe them) without importing torch.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from sigvae.specs import Params


class EarlyStoppingConfig(Params):
    """Stop when the monitored loss has not improved by more than ``min_delta`` for
    ``patience`` epochs in a row (the monitored value is always minimised)."""

    patience: int = Field(5, ge=1, description="Epochs without improvement before stopping.")
    min_delta: float = Field(
        0.0, ge=0.0, description="Smallest decrease of the monitored value that counts."
    )
    monitor: str = Field(
        "val/loss",
        description="History key to monitor; 'val/...' falls back to 'train/...' without "
        "validation data.",
    )


class TrainConfig(Params):
    """How to train a model. Defaults suit a small VAE on one CPU or GPU."""

    epochs: int = Field(40, ge=1, description="Number of passes over the training data.")
    batch_size: int = Field(256, ge=1, description="Examples per step (per process under DDP).")
    lr: float = Field(1e-3, gt=0.0, description="Learning rate of every optimizer.")
    lr_schedule: Literal["none", "cosine", "step"] = Field(
        "none",
        description="Per-epoch learning-rate schedule: none; cosine (annealed from lr towards "
        "lr_min over the run); step (lr times lr_gamma every lr_step_size epochs).",
    )
    lr_min: float = Field(
        0.0, ge=0.0, description="Final rate of 'cosine' and lower bound of 'step'."
    )
    lr_step_size: int = Field(10, ge=1, description="Epochs between decays of 'step'.")
    lr_gamma: float = Field(0.1, gt=0.0, le=1.0, description="Decay factor of 'step'.")
    weight_decay: float = Field(0.0, ge=0.0, description="L2 (adam) or decoupled (adamw) decay.")
    optimizer: Literal["adam", "adamw"] = Field("adam", description="Optimizer for every group.")
    grad_clip: float | None = Field(
        None, gt=0.0, description="Clip each group's gradient norm to this value; None = off."
    )
    early_stopping: EarlyStoppingConfig | None = Field(
        None, description="Early stopping on the monitored loss; None = train every epoch."
    )
    precision: Literal["fp32", "bf16", "fp16"] = Field(
        "fp32",
        description="fp32; bf16 autocast (CPU and CUDA); fp16 autocast with a gradient scaler.",
    )
    device: str = Field(
        "auto",
        pattern=r"^(auto|cpu|cuda(:\d+)?)$",
        description="'auto' (cuda if available, else cpu), 'cpu', 'cuda' or 'cuda:N'.",
    )
    seed: int = Field(0, ge=0, description="Seeds data order and model noise for every epoch.")
    deterministic: bool = Field(
        False, description="Use only deterministic kernels (torch.use_deterministic_algorithms)."
    )
    compile: bool = Field(False, description="Wrap the loss in torch.compile (opt-in).")
    resume: bool = Field(False, description="Continue from run_dir/last.pt when it exists.")
    checkpoint_every: int = Field(1, ge=1, description="Write last.pt every this many epochs.")
    progress: bool = Field(True, description="Show a progress bar (rank 0, terminals only).")
    nan_policy: Literal["stop"] = Field(
        "stop", description="On a non-finite loss: stop and keep the last good weights."
    )
    num_threads: int | None = Field(
        None, ge=1, description="torch CPU threads during training; None = leave as is."
    )

    @model_validator(mode="after")
    def _floor_below_rate(self) -> TrainConfig:
        if self.lr_schedule != "none" and self.lr_min > self.lr:
            raise ValueError(f"lr_min ({self.lr_min}) is above lr ({self.lr})")
        return self
