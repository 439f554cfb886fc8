"""Window arithmetic shared by training and inference, so both see the same numbers.

* :func:`zscore` - each noisy window is centred and scaled by its own mean and standard
  deviation. The clean target is only *scaled* by that std, not shifted: the noisy window's
  mean is mostly baseline wander, which is noise, so the model learns to output baseline-free
  ECG (as the band-passed training targets are) and inference multiplies by the std only.
* :func:`taper` - the cross-fade weight of one window: a trapezoid whose ramps are as long as
  the overlap, so overlapping windows' weights add up to exactly 1 (constant overlap-add).
"""

from __future__ import annotations

import numpy as np

MIN_STD = 1e-12


def zscore(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(x - mean) / std`` over the last axis; returns the normalized windows, means and stds
    (``std`` floored at a tiny value so a flat window stays finite)."""
    mean = x.mean(axis=-1, keepdims=True)
    std = np.maximum(x.std(axis=-1, keepdims=True), MIN_STD)
    return (x - mean) / std, mean, std


def taper(length: int, overlap: int) -> np.ndarray:
    """Trapezoid weights: linear ramps of ``overlap`` samples at each end, flat 1 between.
    With hop ``length - overlap`` the weights of neighbouring windows sum to 1."""
    if overlap <= 0:
        return np.ones(length)
    i = np.arange(length) + 0.5
    return np.minimum(1.0, np.minimum(i, length - i) / overlap)
