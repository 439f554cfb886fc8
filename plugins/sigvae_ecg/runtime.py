"""A trained window denoiser ready for inference: the model, its rate, window and identity.

The model is any sigvae model whose ``reconstruct`` maps noisy z-scored windows ``[B, 1, L]``
to clean ones (trained by ``pipelines/ecg_denoise.yaml``). Its sampling rate comes from the
checkpoint's ``data_info["fs"]`` when the pipeline recorded it, else the ECG default of
360 Hz (the rate every model of this plugin is trained at); the window length is
``data_info["x_shape"][-1]``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from sigvae.errors import SigvaeError

DEFAULT_WEIGHTS = Path(__file__).resolve().parent / "weights" / "ecg_denoiser.pt"
# single padded beats + baseline wander only (pipelines/ecg_deepfilter.yaml); not the default
DEEPFILTER_WEIGHTS = DEFAULT_WEIGHTS.with_name("ecg_deepfilter.pt")
DEFAULT_FS = 360.0
CROSSFADE_FRACTION = 0.25


@dataclass
class Denoiser:
    """What inference needs to know about a model."""

    model: object
    fs: float
    window: int
    name: str
    sha256: str
    path: str

    @property
    def hop(self) -> int:
        """Windows overlap by a quarter (cross-fade length), so each sample is denoised once
        at full weight away from window edges."""
        return self.window - int(self.window * CROSSFADE_FRACTION)

    def predict(self, windows: np.ndarray) -> np.ndarray:
        """Denoise float32 ``[B, 1, L]`` z-scored windows."""
        import torch

        with torch.inference_mode():
            out = self.model.reconstruct(torch.from_numpy(windows))
        return out.numpy()


def file_sha256(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def from_model(model, name: str = "in-memory model", sha256: str = "", path: str = "") -> Denoiser:
    """Wrap a built model; its ``data_info`` must say the window shape ``[1, L]``."""
    info = dict(getattr(model, "data_info", {}) or {})
    shape = info.get("x_shape")
    if not shape or int(shape[0]) != 1:
        raise SigvaeError(
            f"{name}: not an ECG window denoiser (needs data_info x_shape [1, L], got {shape})"
        )
    model.eval()
    return Denoiser(model, float(info.get("fs") or DEFAULT_FS), int(shape[-1]), name, sha256, path)


@lru_cache(maxsize=4)
def load_denoiser(path: str | None = None) -> Denoiser:
    """The denoiser stored at ``path`` (a checkpoint or run directory); default: the shipped
    weights. Cached, so repeated calls are free."""
    from sigvae.training.checkpoint import load_model, resolve_checkpoint

    file = resolve_checkpoint(Path(path)) if path else DEFAULT_WEIGHTS
    if not file.is_file():
        hint = "" if path else " (the package ships it; reinstall sigvae)"
        raise SigvaeError(f"model weights not found{hint}", path=file)
    model = load_model(file)
    config = getattr(model, "model_config", {}) or {}
    label = f"{config.get('type', type(model).__name__)} ({file.name})"
    return from_model(model, label, file_sha256(file), str(file))


def resolve(model) -> Denoiser:
    """A :class:`Denoiser` from ``None`` (default weights), a path, a Denoiser or a model."""
    if model is None or isinstance(model, (str, Path)):
        return load_denoiser(None if model is None else str(model))
    if isinstance(model, Denoiser):
        return model
    return from_model(model)
