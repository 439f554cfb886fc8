"""Where and how training runs: device choice, precision, seeding and determinism.

Reproducibility rule: the random state of an epoch is a pure function of ``(seed, epoch,
rank)`` (see :func:`seed_epoch`), and the data order a pure function of ``(seed, epoch)``.
A run resumed after epoch *k* therefore repeats exactly what an uninterrupted run does.
"""

from __future__ import annotations

import contextlib
import os
import random
from collections.abc import Iterator

import numpy as np
import torch

from sigvae.errors import ConfigError

# cuBLAS needs this set before its first call to be deterministic (CUDA docs, "Reproducibility").
_CUBLAS_WORKSPACE = ":4096:8"


def resolve_device(name: str, local_rank: int | None = None) -> torch.device:
    """``auto`` -> cuda if available else cpu; under DDP each process takes ``cuda:local_rank``."""
    if name == "auto":
        name = "cuda" if torch.cuda.is_available() else "cpu"
    if name == "cpu":
        return torch.device("cpu")
    if not torch.cuda.is_available():
        raise ConfigError(f"train.device is {name!r} but CUDA is not available on this machine")
    index = int(name.split(":")[1]) if ":" in name else (local_rank or 0)
    if index >= torch.cuda.device_count():
        raise ConfigError(
            f"train.device asks for cuda:{index} but only {torch.cuda.device_count()} GPUs exist"
        )
    return torch.device("cuda", index)


def autocast_dtype(precision: str, device: torch.device) -> torch.dtype | None:
    """The autocast dtype for ``precision`` (None for fp32), checked against the device."""
    if precision == "fp32":
        return None
    if precision == "bf16":
        if device.type == "cuda" and not torch.cuda.is_bf16_supported():
            raise ConfigError(f"train.precision bf16 is not supported on {device}")
        return torch.bfloat16
    return torch.float16


def make_scaler(precision: str, device: torch.device) -> torch.amp.GradScaler | None:
    """fp16 needs a gradient scaler to keep small gradients from underflowing; others do not."""
    return torch.amp.GradScaler(device.type) if precision == "fp16" else None


def autocast(device: torch.device, dtype: torch.dtype | None):
    """An autocast context, or a no-op one for fp32."""
    if dtype is None:
        return contextlib.nullcontext()
    return torch.autocast(device.type, dtype=dtype)


def epoch_seed(seed: int, epoch: int, rank: int = 0) -> int:
    """A well-mixed 63-bit seed from ``(seed, epoch, rank)`` (NumPy's SeedSequence hashing)."""
    state = np.random.SeedSequence([seed, epoch, rank]).generate_state(2, dtype=np.uint32)
    return (int(state[0]) << 31) ^ int(state[1])


def seed_epoch(seed: int, epoch: int, rank: int = 0) -> None:
    """Seed python, numpy and torch (all devices) for one epoch of one process."""
    value = epoch_seed(seed, epoch, rank)
    random.seed(value)
    np.random.seed(value % 2**32)
    # not torch.manual_seed: it also queues lazy seeding of every accelerator type, which
    # formats a stack trace each call (milliseconds per epoch)
    torch.default_generator.manual_seed(value)
    if torch.cuda.is_available():
        torch.cuda.manual_seed_all(value)


@contextlib.contextmanager
def training_runtime(deterministic: bool, num_threads: int | None) -> Iterator[None]:
    """Set the deterministic switches and thread count for the duration of a fit, then
    restore the caller's settings."""
    saved = (
        torch.are_deterministic_algorithms_enabled(),
        torch.backends.cudnn.deterministic,
        torch.backends.cudnn.benchmark,
        torch.get_num_threads(),
    )
    if deterministic:
        os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", _CUBLAS_WORKSPACE)
        torch.use_deterministic_algorithms(True)
        torch.backends.cudnn.deterministic = True
        torch.backends.cudnn.benchmark = False
    if num_threads is not None:
        torch.set_num_threads(num_threads)
    try:
        yield
    finally:
        torch.use_deterministic_algorithms(saved[0])
        torch.backends.cudnn.deterministic = saved[1]
        torch.backends.cudnn.benchmark = saved[2]
        torch.set_num_threads(saved[3])


def capture_rng_state() -> dict:
    """Every random state as tensors, lists and numbers, so it loads with weights_only=True."""
    kind, keys, pos, has_gauss, gauss = np.random.get_state()
    version, internal, gauss_next = random.getstate()
    return {
        "torch": torch.get_rng_state(),
        "cuda": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else [],
        "numpy": {
            "kind": kind,
            "keys": torch.from_numpy(keys.astype(np.int64)),
            "pos": int(pos),
            "has_gauss": int(has_gauss),
            "gauss": float(gauss),
        },
        "python": {"version": version, "state": list(internal), "gauss_next": gauss_next},
    }


def restore_rng_state(state: dict) -> None:
    """The inverse of :func:`capture_rng_state` (CUDA states only where devices match)."""
    torch.set_rng_state(state["torch"])
    cuda = state.get("cuda") or []
    if cuda and torch.cuda.is_available() and len(cuda) == torch.cuda.device_count():
        torch.cuda.set_rng_state_all(cuda)
    np_state = state["numpy"]
    np.random.set_state(
        (
            np_state["kind"],
            np_state["keys"].numpy().astype(np.uint32),
            np_state["pos"],
            np_state["has_gauss"],
            np_state["gauss"],
        )
    )
    py = state["python"]
    random.setstate((py["version"], tuple(py["state"]), py["gauss_next"]))
