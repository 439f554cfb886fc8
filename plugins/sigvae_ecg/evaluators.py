"""The ECG plugin's evaluators: thin objects over :mod:`sigvae_ecg.metrics`.

Each follows the kernel's evaluator contract ``evaluate(reference, estimate, **context) ->
dict[str, float]`` and reports the mean over windows. ``snr-improvement`` needs the noisy input
too; the pipeline passes it as ``x`` (``noisy`` is accepted as well).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from sigvae.errors import SigvaeError
from sigvae_ecg import metrics


class WindowMetric:
    """Averages one or more per-window metric functions over the windows."""

    def __init__(self, functions: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]]):
        self.functions = functions

    def evaluate(self, reference, estimate, **context) -> dict[str, float]:
        return {
            name: metrics.summarize(fn(reference, estimate)) for name, fn in self.functions.items()
        }


class SNRImprovement:
    """Output SNR minus input SNR, per window, averaged (dB, power SNR, means removed)."""

    def evaluate(self, reference, estimate, **context) -> dict[str, float]:
        noisy = context.get("noisy", context.get("x"))
        if noisy is None:
            raise SigvaeError("snr-improvement needs the noisy input (context 'x' or 'noisy')")
        gain = metrics.snr_db(reference, estimate) - metrics.snr_db(reference, noisy)
        return {"snr_improvement_db": metrics.summarize(gain)}


WINDOW_METRICS: dict[str, dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]]] = {
    "ssd": {"ssd": metrics.ssd},
    "mad": {"mad": metrics.mad},
    "prd": {"prd_textbook": metrics.prd_textbook, "prd_deepfilter": metrics.prd_deepfilter},
    "cosine": {"cosine": metrics.cosine},
    "snr-out": {"snr_out_db": metrics.snr_db},
}


def build(name: str) -> WindowMetric | SNRImprovement:
    """The evaluator registered as ``name`` (``snr-improvement`` or a :data:`WINDOW_METRICS` key)."""
    return SNRImprovement() if name == "snr-improvement" else WindowMetric(WINDOW_METRICS[name])
