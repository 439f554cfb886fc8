"""Continuing a run from its ``last.pt``: weights, the model's own training state, optimizers,
scaler, RNG and history.

Together with the per-epoch seeding in :mod:`sigvae.training.runtime` this makes a run that
was stopped after epoch *k* and resumed end with the same weights as an uninterrupted run.
"""

from __future__ import annotations

from pathlib import Path

import torch

from sigvae.errors import CheckpointError
from sigvae.training.checkpoint import load_checkpoint, load_state, model_identity
from sigvae.training.loops import Phase
from sigvae.training.runtime import restore_rng_state


def restore_training_state(
    path: Path,
    model: torch.nn.Module,
    phases: list[Phase],
    scaler: torch.amp.GradScaler | None,
) -> tuple[int, list[dict]]:
    """Load the checkpoint at ``path`` into the model and its optimizers; returns the epoch
    to continue from and the history so far. A checkpoint written by another model type,
    or lacking an optimizer group, is a :class:`CheckpointError`."""
    state = load_checkpoint(path)
    saved, own = state.get("model"), model_identity(model)
    if saved and own and saved.get("type") != own.get("type"):
        raise CheckpointError(
            f"cannot resume: written by model {saved.get('type')!r}, not {own.get('type')!r}",
            path=path,
        )
    load_state(model, state["state_dict"], path)
    if hasattr(model, "load_training_state"):
        model.load_training_state(state.get("model_training_state") or {})
    optimizers = state.get("optimizers") or {}
    for phase in phases:
        if phase.name not in optimizers:
            raise CheckpointError(f"no optimizer state for group {phase.name!r}", path=path)
        phase.optimizer.load_state_dict(optimizers[phase.name])
    if scaler is not None and state.get("scaler"):
        scaler.load_state_dict(state["scaler"])
    restore_rng_state(state["rng"])
    return int(state["epoch"]) + 1, list(state.get("history", []))
