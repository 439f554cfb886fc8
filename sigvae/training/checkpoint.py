"""Checkpoints: a model's identity (registry name + params) plus tensors, never pickled code.

A checkpoint is a plain dict written with ``torch.save`` to a temporary file and moved into
place atomically, and read back with ``torch.load(weights_only=True)``: only tensors, numbers,
strings, lists and dicts are stored, so loading one cannot run code. Keys::

    format          CHECKPOINT_FORMAT, checked on load
    sigvae_version  the version that wrote it
    model           {"type": registry name, "params": {...}, "data_info": {...}} or None
    state_dict      the model's weights
    optimizers      {group name: optimizer state}   (empty in best.pt and save_model files)
    scaler          the fp16 gradient scaler's state, or None (likewise)
    epoch           index of the last completed epoch (0-based)
    rng             torch / cuda / numpy / python random states
    history         per-epoch metric dicts
    best            {"monitor", "value", "epoch", "wait"}
    train_config    the TrainConfig that produced it
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import torch

from sigvae import __version__
from sigvae.errors import CheckpointError, SigvaeError
from sigvae.training.files import atomic_write
from sigvae.training.runtime import capture_rng_state

CHECKPOINT_FORMAT = "sigvae-checkpoint/1"
BEST_NAME = "best.pt"
LAST_NAME = "last.pt"
_FORMAT_FAMILY = "sigvae-checkpoint/"


def model_identity(model: torch.nn.Module) -> dict | None:
    """The model's ``model_config`` as plain JSON types (None when the model has none)."""
    config = getattr(model, "model_config", None)
    if config is None:
        return None
    try:
        return json.loads(json.dumps(config))
    except (TypeError, ValueError) as exc:
        raise SigvaeError(
            f"model_config of {type(model).__name__} is not JSON-able: {exc}"
        ) from None


def save_checkpoint(
    path: Path,
    model: torch.nn.Module,
    *,
    optimizers: Mapping[str, torch.optim.Optimizer] | None = None,
    scaler: torch.amp.GradScaler | None = None,
    epoch: int = -1,
    history: Iterable[dict] = (),
    best: dict | None = None,
    train_config: dict | None = None,
) -> Path:
    """Write a training checkpoint of ``model`` (and its training state) atomically."""
    state = {
        "format": CHECKPOINT_FORMAT,
        "sigvae_version": __version__,
        "model": model_identity(model),
        "state_dict": model.state_dict(),
        "model_training_state": getattr(model, "training_state", dict)(),
        "optimizers": {name: opt.state_dict() for name, opt in (optimizers or {}).items()},
        "scaler": scaler.state_dict() if scaler is not None else None,
        "epoch": int(epoch),
        "rng": capture_rng_state(),
        "history": [dict(row) for row in history],
        "best": dict(best or {}),
        "train_config": dict(train_config or {}),
    }
    return atomic_write(Path(path), lambda handle: torch.save(state, handle))


def save_model(model: torch.nn.Module, path: Path) -> Path:
    """Write only what is needed to rebuild ``model``: its identity and its weights."""
    state = {
        "format": CHECKPOINT_FORMAT,
        "sigvae_version": __version__,
        "model": model_identity(model),
        "state_dict": model.state_dict(),
    }
    return atomic_write(Path(path), lambda handle: torch.save(state, handle))


def load_checkpoint(path: Path) -> dict[str, Any]:
    """Read and check a checkpoint file (weights only, onto the CPU).

    Raises :class:`CheckpointError` naming the file when it is missing, unreadable, corrupt,
    or not a sigvae checkpoint of a format this version reads."""
    path = Path(path)
    if not path.is_file():
        raise CheckpointError("checkpoint file not found", path=path)
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # torch raises many types for truncated or foreign files
        reason = (str(exc).strip().splitlines() or [""])[0][:160]
        raise CheckpointError(
            f"cannot read checkpoint (corrupt, truncated or not a weights-only file): "
            f"{type(exc).__name__}: {reason}",
            path=path,
        ) from None
    if not isinstance(state, dict) or "format" not in state:
        raise CheckpointError("not a sigvae checkpoint (no 'format' entry)", path=path)
    found = state["format"]
    if found != CHECKPOINT_FORMAT:
        if isinstance(found, str) and found.startswith(_FORMAT_FAMILY):
            raise CheckpointError(
                f"checkpoint format {found!r} is not readable by sigvae {__version__} "
                f"(reads {CHECKPOINT_FORMAT!r})",
                path=path,
            )
        raise CheckpointError(f"not a sigvae checkpoint (format {found!r})", path=path)
    if not isinstance(state.get("state_dict"), Mapping):
        raise CheckpointError("checkpoint has no state_dict", path=path)
    return state


def resolve_checkpoint(path: Path) -> Path:
    """A checkpoint file itself, or a run directory's ``best.pt`` (else ``last.pt``)."""
    path = Path(path)
    if path.is_dir():
        for name in (BEST_NAME, LAST_NAME):
            if (path / name).is_file():
                return path / name
        raise CheckpointError(f"run directory has neither {BEST_NAME} nor {LAST_NAME}", path=path)
    return path


def load_state(model: torch.nn.Module, state_dict: Mapping, path: Path) -> None:
    """Load ``state_dict`` strictly; a mismatch is a one-line error naming file and keys."""
    own = model.state_dict()
    missing = [k for k in own if k not in state_dict]
    unexpected = [k for k in state_dict if k not in own]
    resized = [
        f"{k} {list(state_dict[k].shape)} vs model {list(own[k].shape)}"
        for k in own
        if k in state_dict and tuple(state_dict[k].shape) != tuple(own[k].shape)
    ]
    problems = [
        f"{label} {len(keys)} ({', '.join(keys[:3])}{', ...' if len(keys) > 3 else ''})"
        for label, keys in (("missing", missing), ("unexpected", unexpected), ("shape", resized))
        if keys
    ]
    if problems:
        name = (getattr(model, "model_config", None) or {}).get("type", type(model).__name__)
        raise CheckpointError(
            f"weights do not fit model {name!r}: {'; '.join(problems)}", path=path
        )
    model.load_state_dict(state_dict, strict=True)


def load_weights(model: torch.nn.Module, path: Path) -> dict[str, Any]:
    """Load a checkpoint's weights into an existing ``model``; returns the checkpoint."""
    file = resolve_checkpoint(path)
    state = load_checkpoint(file)
    load_state(model, state["state_dict"], file)
    return state


def load_model(path: Path, registry: Any = None) -> torch.nn.Module:
    """Rebuild a model from a checkpoint file or a run directory, in eval mode on the CPU.

    The model is built through the registry from the checkpoint's ``model`` entry (``type``,
    ``params``, ``data_info``), so the plugin that defines it must be installed."""
    file = resolve_checkpoint(path)
    state = load_checkpoint(file)
    config = state.get("model")
    if not isinstance(config, Mapping) or "type" not in config:
        raise CheckpointError(
            "checkpoint has no model config (type, params); build the model yourself and "
            "load its weights with sigvae.training.checkpoint.load_weights",
            path=file,
        )
    if registry is None:
        from sigvae import registry
    try:
        model = registry.build(
            "model",
            config["type"],
            dict(config.get("params") or {}),
            data_info=dict(config.get("data_info") or {}),
        )
    except SigvaeError as exc:
        raise CheckpointError(
            f"cannot rebuild model {config['type']!r}: {exc}", path=file
        ) from None
    load_state(model, state["state_dict"], file)
    model.model_config = dict(config)
    model.eval()
    return model
