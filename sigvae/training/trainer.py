"""The one Trainer for every sigvae model.

A model declares its optimizer groups (``model.optimizer_groups()``); each training step runs
one phase per group, in order, so adversarial or codebook models need no trainer of their own.
Epochs are indexed from 0 in the history, the checkpoints and the model's epoch hooks.
"""

from __future__ import annotations

import logging
import math
import sys
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import torch
from pydantic import ValidationError
from tqdm.auto import tqdm

from sigvae.data import Arrays
from sigvae.errors import ConfigError, SigvaeError
from sigvae.registry import format_validation_error
from sigvae.training import checkpoint as ckpt
from sigvae.training.batches import BatchSource
from sigvae.training.config import TrainConfig
from sigvae.training.distributed import (
    DistContext,
    LossModule,
    setup_distributed,
    teardown_distributed,
    wrap_for_training,
)
from sigvae.training.epoch_summary import summarise_epoch
from sigvae.training.fused_adam import lean_adam
from sigvae.training.history import METRICS_NAME, write_metrics_csv
from sigvae.training.loops import Phase, TermRecorder, train_epoch, validate
from sigvae.training.resume import restore_training_state
from sigvae.training.runtime import (
    autocast_dtype,
    make_scaler,
    seed_epoch,
    training_runtime,
)
from sigvae.training.schedule import lr_at, set_lr
from sigvae.training.stopping import BestTracker

logger = logging.getLogger("sigvae.training")


class NonFiniteLossWarning(RuntimeWarning):
    """Training stopped because a loss became NaN or infinite."""


@dataclass
class TrainResult:
    """What :meth:`Trainer.fit` returns. ``history`` holds one dict per completed epoch."""

    history: list[dict]
    best_epoch: int | None
    stopped_reason: str  # "completed" | "early_stopping" | "nan"
    checkpoint: Path | None
    device: str
    monitor: str = "val/loss"
    best_value: float | None = None
    message: str = field(default="")


@dataclass
class _Setup:
    """Everything one fit needs, built once."""

    model: torch.nn.Module
    context: DistContext
    device: torch.device
    phases: list[Phase]
    scaler: torch.amp.GradScaler | None
    amp_dtype: torch.dtype | None
    train: BatchSource
    val: BatchSource | None
    tracker: BestTracker
    joint: bool = False  # one forward per step for every phase (see Model.joint_loss)


class Trainer:
    """Trains any :class:`sigvae.nn.Model`; writes ``last.pt``, ``best.pt`` and
    ``metrics.csv`` into ``run_dir`` (nothing is written when it is None). Plot the curves
    with :func:`sigvae.training.plot_history` (the pipeline does when ``outputs.plots``)."""

    def __init__(self, config: TrainConfig | dict | None = None, run_dir: Path | None = None):
        if isinstance(config, TrainConfig):
            self.config = config
        else:
            try:
                self.config = TrainConfig.model_validate(dict(config or {}))
            except ValidationError as exc:
                raise ConfigError(f"train: {format_validation_error(exc)}") from None
        self.run_dir = Path(run_dir) if run_dir is not None else None
        self.history: list[dict] = []

    # --- public --------------------------------------------------------------------------
    def fit(self, model: torch.nn.Module, train: Arrays, val: Arrays | None = None) -> TrainResult:
        """Train ``model`` in place on ``train``, validating on ``val`` after every epoch."""
        context, device = setup_distributed(self.config.device)
        try:
            with training_runtime(self.config.deterministic, self.config.num_threads):
                return self._fit(self._setup(model, train, val, context, device))
        finally:
            teardown_distributed(context)

    # --- setup ---------------------------------------------------------------------------
    def _setup(self, model, train, val, context, device) -> _Setup:
        cfg = self.config
        model.to(device)
        val_source = None
        if val is not None and len(val) > 0:
            val_source = BatchSource(val, device, cfg.batch_size, "validation")
        return _Setup(
            model=model,
            context=context,
            device=device,
            phases=self._phases(model),
            scaler=make_scaler(cfg.precision, device),
            amp_dtype=autocast_dtype(cfg.precision, device),
            train=BatchSource(train, device, cfg.batch_size, "training"),
            val=val_source,
            tracker=BestTracker.for_config(cfg, val_source is not None),
            joint=_joint(model, context),
        )

    def _phases(self, model: torch.nn.Module) -> list[Phase]:
        groups = model.optimizer_groups()
        if not groups:
            raise SigvaeError(f"{type(model).__name__}.optimizer_groups() returned no groups")
        seen: set[int] = set()
        phases = []
        for name, params in groups.items():
            params = [q for q in params if q.requires_grad]  # frozen weights are not trained
            if not params:
                raise SigvaeError(
                    f"optimizer group {name!r} of {type(model).__name__} has no trainable "
                    "parameters"
                )
            ids = {id(p) for p in params}
            if ids & seen:
                raise SigvaeError(f"a parameter of {type(model).__name__} is in two groups")
            seen |= ids
            phases.append(Phase(name, params, self._optimizer(params)))
        return phases

    def _optimizer(self, params: list[torch.nn.Parameter]) -> torch.optim.Optimizer:
        """Adam(W) with the fused kernel where the parameters allow it: one kernel per step
        instead of a dozen per tensor, called without torch's per-step Python bookkeeping
        (:mod:`sigvae.training.fused_adam`; the same update bit for bit)."""
        return lean_adam(
            params,
            decoupled=self.config.optimizer == "adamw",
            lr=self.config.lr,
            weight_decay=self.config.weight_decay,
        )

    # --- the run -------------------------------------------------------------------------
    def _fit(self, s: _Setup) -> TrainResult:
        cfg = self.config
        writes = s.context.is_main and self.run_dir is not None
        start = self._resume(s) if cfg.resume else self._fresh_start(writes)
        step_fn = wrap_for_training(s.model, s.context, s.device, len(s.phases))
        val_fn = LossModule(s.model)
        if cfg.compile:
            step_fn, val_fn = torch.compile(step_fn), torch.compile(val_fn)
        steps = s.train.steps(-(-s.train.n // s.context.world_size))
        show = cfg.progress and s.context.is_main and sys.stderr.isatty()
        bar = tqdm(total=(cfg.epochs - start) * steps, disable=not show, unit="step", leave=False)
        good_weights = _snapshot(s.model)
        stopped, message = "completed", ""
        try:
            for epoch in range(start, cfg.epochs):
                if s.tracker.should_stop:
                    stopped = "early_stopping"
                    break
                row, problem = self._epoch(s, epoch, step_fn, val_fn, bar.update)
                if problem:
                    s.model.load_state_dict(good_weights)
                    stopped, message = "nan", self._nan_message(problem, epoch)
                    warnings.warn(message, NonFiniteLossWarning, stacklevel=2)
                    break
                self._record(s, row, epoch, writes)
                good_weights = _snapshot(s.model)
                bar.set_postfix_str(_brief(row), refresh=False)
                if s.tracker.should_stop:
                    stopped = "early_stopping"
                    break
        finally:
            bar.close()
        return self._result(s, stopped, message)

    def _epoch(self, s: _Setup, epoch: int, step_fn, val_fn, on_step):
        cfg = self.config
        seed_epoch(cfg.seed, epoch, s.context.rank)
        # every epoch, also for "none": a resumed optimizer must not keep a checkpoint's rate
        lr = lr_at(cfg, epoch)
        set_lr((p.optimizer for p in s.phases), lr)
        s.model.epoch_lr = lr
        s.model.on_epoch_start(epoch, cfg.epochs)
        started = time.perf_counter()
        order = s.train.epoch_order(cfg.seed, epoch, s.context)
        steps = s.train.steps(len(order))
        train_rec = {p.name: TermRecorder(steps, s.device) for p in s.phases}
        train_epoch(
            step_fn,
            s.model,
            s.phases,
            s.train.shuffled(order),
            train_rec,
            amp_dtype=s.amp_dtype,
            device=s.device,
            grad_clip=cfg.grad_clip,
            scaler=s.scaler,
            on_step=on_step,
            joint=s.joint,
            routed=len(s.phases) > 1 and not s.context.enabled,
        )
        s.model.on_epoch_end(epoch, cfg.epochs)
        train_seconds = _elapsed(started, s.device)
        val_rec: dict[str, TermRecorder] = {}
        if s.val is not None:
            part = s.val.shard(s.context)
            val_rec = {
                p.name: TermRecorder(s.val.steps(part.stop - part.start), s.device)
                for p in s.phases
            }
            names = [p.name for p in s.phases]
            validate(
                val_fn,
                s.model,
                names,
                s.val.in_order(part),
                val_rec,
                amp_dtype=s.amp_dtype,
                device=s.device,
                joint=s.joint,
            )
        return summarise_epoch(
            epoch,
            s.phases,
            train_rec,
            val_rec,
            train_seconds=train_seconds,
            total_seconds=_elapsed(started, s.device),
            context=s.context,
        )

    def _record(self, s: _Setup, row: dict, epoch: int, writes: bool) -> None:
        """Append the epoch, update the best epoch, write files (rank 0), log."""
        cfg = self.config
        self.history.append(row)
        improved = s.tracker.update(row)
        if writes:
            last_epoch = epoch == cfg.epochs - 1 or s.tracker.should_stop
            if improved:
                self._save(s, ckpt.BEST_NAME, epoch)
            if (epoch + 1) % cfg.checkpoint_every == 0 or last_epoch:
                self._save(s, ckpt.LAST_NAME, epoch)
            write_metrics_csv(self.history, self.run_dir / METRICS_NAME)
        if s.context.is_main:
            logger.info("epoch %d/%d %s (%.2fs)", epoch + 1, cfg.epochs, _brief(row), row["time_s"])

    def _save(self, s: _Setup, name: str, epoch: int) -> None:
        """``last.pt`` carries everything resume needs; ``best.pt`` is the model to use and
        leaves the optimizer state out (a third of the bytes for Adam)."""
        resumable = name == ckpt.LAST_NAME
        ckpt.save_checkpoint(
            self.run_dir / name,
            s.model,
            optimizers={p.name: p.optimizer for p in s.phases} if resumable else None,
            scaler=s.scaler if resumable else None,
            epoch=epoch,
            history=self.history,
            best=s.tracker.state(),
            train_config=self.config.model_dump(),
        )

    def _fresh_start(self, writes: bool) -> int:
        """A new run replaces the checkpoints a previous run left in ``run_dir``."""
        self.history = []
        if writes:
            for name in (ckpt.BEST_NAME, ckpt.LAST_NAME):
                if (self.run_dir / name).is_file():
                    logger.info("new run: replacing %s", self.run_dir / name)
                    (self.run_dir / name).unlink()
        return 0

    def _resume(self, s: _Setup) -> int:
        """Restore weights, optimizers, scaler, RNG and history from ``run_dir/last.pt``;
        returns the epoch to continue from (0 when there is nothing to resume)."""
        if self.run_dir is None:
            raise ConfigError("train.resume needs a run directory to resume from")
        path = self.run_dir / ckpt.LAST_NAME
        if not path.is_file():
            logger.warning("train.resume: no %s yet, starting a new run", path)
            return self._fresh_start(s.context.is_main)
        start, self.history = restore_training_state(path, s.model, s.phases, s.scaler)
        s.tracker.replay(self.history)
        logger.info("resuming from %s at epoch %d", path, start)
        return start

    def _nan_message(self, problem: str, epoch: int) -> str:
        kept = "the weights of the last good epoch were restored"
        if self.run_dir is not None:
            kept += f"; the last good checkpoints in {self.run_dir} are kept"
        return f"training stopped: {problem} in epoch {epoch}; {kept}"

    def _result(self, s: _Setup, stopped: str, message: str) -> TrainResult:
        found = None
        if self.run_dir is not None:
            for name in (ckpt.BEST_NAME, ckpt.LAST_NAME):
                if (self.run_dir / name).is_file():
                    found = self.run_dir / name
                    break
        best = s.tracker
        return TrainResult(
            history=self.history,
            best_epoch=best.epoch if best.epoch >= 0 else None,
            stopped_reason=stopped,
            checkpoint=found,
            device=str(s.device),
            monitor=best.monitor,
            best_value=best.value if math.isfinite(best.value) else None,
            message=message,
        )


def _joint(model: torch.nn.Module, context: DistContext) -> bool:
    """The one-forward step for models that declare it; under DDP the phased step (its
    reducer expects one backward per forward)."""
    groups = len(model.optimizer_groups())
    return bool(getattr(model, "joint_phases", False)) and groups > 1 and not context.enabled


def _snapshot(model: torch.nn.Module) -> dict[str, torch.Tensor]:
    return {k: v.detach().clone() for k, v in model.state_dict().items()}


def _elapsed(started: float, device: torch.device) -> float:
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    return time.perf_counter() - started


def _brief(row: dict) -> str:
    keys = [k for k in ("train/loss", "val/loss") if k in row]
    return " ".join(f"{k}={row[k]:.4g}" for k in keys)
