"""sigvae's ECG plugin: denoising with a trained VAE, ECG noise models, metrics, baselines.

``from sigvae_ecg import ecg_denoise`` is the one-call Python API (arrays, DataFrames, Signals).
Names are imported lazily (the kernel's :func:`sigvae.lazy.lazy_getattr`) so that registering
the plugin stays cheap.
"""

from __future__ import annotations

from sigvae.lazy import lazy_getattr

_LAZY = {
    "ecg_denoise": "sigvae_ecg.api",
    "rpeak_f1": "sigvae_ecg.rpeaks",
    "load_denoiser": "sigvae_ecg.runtime",
}

__all__ = list(_LAZY)

__getattr__ = lazy_getattr(__name__, _LAZY)
