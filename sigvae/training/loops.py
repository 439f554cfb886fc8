"""The hot loops: one training epoch and one validation pass.

Nothing here waits for the device: each step's detached loss terms stay on the device, and
the epoch's means (and the first non-finite step) are read once, at epoch end. The terms are
kept by reference, so a model returns fresh tensors (never a buffer it updates in place).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import torch
from torch import nn

from sigvae.errors import SigvaeError
from sigvae.training.runtime import autocast


@dataclass
class Phase:
    """One optimizer group: its name, parameters and optimizer."""

    name: str
    params: list[nn.Parameter]
    optimizer: torch.optim.Optimizer


class TermRecorder:
    """The loss terms of every step of one phase, kept on the device: each step appends its
    detached scalars to a list, and the epoch stacks them once (no per-step kernel)."""

    def __init__(self, max_steps: int, device: torch.device) -> None:
        self.max_steps = max_steps
        self.device = device
        self.names: tuple[str, ...] | None = None
        self.values: list[torch.Tensor] = []
        self.sizes: list[int] = []

    def add(self, total: torch.Tensor, terms: dict, size: int, grad_norm=None) -> None:
        names = ("loss", *terms) if grad_norm is None else ("loss", *terms, "grad_norm")
        if self.names is None:
            self.names = names
        elif names != self.names:
            raise SigvaeError(
                f"the model's loss terms changed between steps: {list(self.names)} then "
                f"{list(names)}; a phase must return the same terms at every step"
            )
        device, values = self.device, self.values
        values.append(_scalar(total, device))
        values.extend(_scalar(v, device) for v in terms.values())
        if grad_norm is not None:
            values.append(_scalar(grad_norm, device))
        self.sizes.append(size)

    def reduction(self) -> tuple[torch.Tensor, torch.Tensor]:
        """``[size-weighted sums of each term..., example count]`` (float64) and the index of
        the first step whose total is not finite (``max_steps`` when there is none)."""
        steps = len(self.sizes)
        rows = torch.stack(self.values).view(steps, len(self.names)).double()
        weights = torch.tensor(self.sizes, dtype=torch.float64, device=self.device)
        sums = torch.cat([(rows * weights[:, None]).sum(0), weights.sum().view(1)])
        bad = ~torch.isfinite(rows[:, 0])
        index = torch.arange(steps, device=self.device, dtype=torch.float64)
        first_bad = torch.where(bad, index, float(self.max_steps)).min()
        return sums, first_bad.view(1)


def _scalar(value, device: torch.device) -> torch.Tensor:
    if isinstance(value, torch.Tensor):
        if value.requires_grad:
            value = value.detach()
        return value if value.dtype == torch.float32 else value.float()
    return torch.tensor(float(value), device=device)


def train_epoch(
    step: Callable,
    model: nn.Module,
    phases: list[Phase],
    batches: Iterable[tuple[dict, int]],
    recorders: dict[str, TermRecorder],
    *,
    amp_dtype: torch.dtype | None,
    device: torch.device,
    grad_clip: float | None,
    scaler: torch.amp.GradScaler | None,
    on_step: Callable[[], None],
    joint: bool = False,
    routed: bool = True,
) -> None:
    """One epoch. Phased (default): each batch runs every phase in order: zero gradients,
    loss, backward, clip, then step that phase's optimizer only. Joint: one forward gives
    every phase's loss (``step(batch, None)``), each is back-propagated into its own group,
    then every optimizer steps.

    ``routed``: back-propagate a phase's loss into its own group only (``backward(inputs=)``),
    which skips the weight gradients of the other groups; off under DDP, whose reducer
    expects every parameter's gradient from each backward."""
    model.train()
    # every trainable parameter, so a phase never sees gradients left by the previous one
    trainable = [p for p in model.parameters() if p.requires_grad]
    for batch, size in batches:
        if joint:
            for param in trainable:
                param.grad = None
            with autocast(device, amp_dtype):
                outputs = step(batch, None)
            for index, phase in enumerate(phases):
                total = outputs[phase.name][0]
                _backward(total, scaler, phase.params, retain=index < len(phases) - 1)
            for phase in phases:
                total, terms = outputs[phase.name]
                norm = _clip_and_step(phase, grad_clip, scaler)
                recorders[phase.name].add(total, terms, size, norm)
        else:
            for phase in phases:
                for param in trainable:
                    param.grad = None
                with autocast(device, amp_dtype):
                    total, terms = step(batch, phase.name)
                _backward(total, scaler, phase.params if routed else None)
                norm = _clip_and_step(phase, grad_clip, scaler)
                recorders[phase.name].add(total, terms, size, norm)
        if scaler is not None:
            scaler.update()
        on_step()


def _backward(total, scaler, inputs, retain: bool = False) -> None:
    (total if scaler is None else scaler.scale(total)).backward(inputs=inputs, retain_graph=retain)


def _clip_and_step(phase: Phase, grad_clip: float | None, scaler) -> torch.Tensor | None:
    """Clip the phase's gradient norm (after unscaling under fp16), step its optimizer;
    returns the norm before clipping (None without clipping)."""
    norm = None
    if grad_clip is not None:
        if scaler is not None:
            scaler.unscale_(phase.optimizer)
        norm = nn.utils.clip_grad_norm_(phase.params, grad_clip)
    if scaler is None:
        phase.optimizer.step()
    else:
        scaler.step(phase.optimizer)
    return norm


@torch.no_grad()
def validate(
    step: Callable,
    model: nn.Module,
    phase_names: list[str],
    batches: Iterable[tuple[dict, int]],
    recorders: dict[str, TermRecorder],
    *,
    amp_dtype: torch.dtype | None,
    device: torch.device,
    joint: bool = False,
) -> None:
    """The same losses in eval mode, without gradients (one forward per batch when joint)."""
    model.eval()
    try:
        for batch, size in batches:
            if joint:
                with autocast(device, amp_dtype):
                    outputs = step(batch, None)
                for name in phase_names:
                    recorders[name].add(*outputs[name], size)
                continue
            for name in phase_names:
                with autocast(device, amp_dtype):
                    total, terms = step(batch, name)
                recorders[name].add(total, terms, size)
    finally:
        model.train()


def metric_key(split: str, phase_index: int, phase: str, term: str) -> str:
    """``train/loss`` for the first phase, ``train/<phase>/loss`` for the others."""
    return f"{split}/{term}" if phase_index == 0 else f"{split}/{phase}/{term}"
