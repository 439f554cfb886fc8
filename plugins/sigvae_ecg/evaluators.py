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
from sigvae_ecg.noise_step import SCALE_KEY


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
        noisy = noisy_input(context)
        if noisy is None:
            raise SigvaeError("snr-improvement needs the noisy input (context 'x' or 'noisy')")
        gain = metrics.snr_db(reference, estimate) - metrics.snr_db(reference, noisy)
        return {"snr_improvement_db": metrics.summarize(gain)}


def noisy_input(context: dict) -> np.ndarray | None:
    """The noisy input in the units of reference/estimate: given directly as ``noisy``/``x``,
    or the pipeline's held-out ``arrays`` with the ecg-noise window scaling undone."""
    given = context.get("noisy", context.get("x"))
    if given is not None:
        return given
    arrays = context.get("arrays")
    if arrays is None:
        return None
    scale = arrays.info.get(SCALE_KEY)
    return arrays.x if scale is None else arrays.x * scale[1] + scale[0]


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
