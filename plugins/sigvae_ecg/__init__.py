"""sigvae's ECG plugin: denoising with a trained VAE, ECG noise models, metrics, baselines.

``from sigvae_ecg import ecg_denoise`` is the one-call Python API (arrays, DataFrames, Signals).
Names are imported lazily so that registering the plugin stays cheap.
"""

from __future__ import annotations

import importlib
from typing import Any

_LAZY = {
    "ecg_denoise": ("sigvae_ecg.api", "ecg_denoise"),
    "rpeak_f1": ("sigvae_ecg.rpeaks", "rpeak_f1"),
    "load_denoiser": ("sigvae_ecg.runtime", "load_denoiser"),
}

__all__ = list(_LAZY)


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'sigvae_ecg' has no attribute {name!r}")
    module, attr = _LAZY[name]
    value = getattr(importlib.import_module(module), attr)
    globals()[name] = value
    return value
