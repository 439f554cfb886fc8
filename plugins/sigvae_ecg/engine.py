"""The inference engine: a long 1-D signal through a window model, in bounded memory.

The signal (already at the model's rate, no NaN) is cut into windows of ``window`` samples every
``hop`` samples; each window is z-scored with its own mean and std (as in training, see
:mod:`sigvae_ecg.windows`), denoised, multiplied back by its std (the model outputs
baseline-free ECG, so the window mean is not added back), and the windows are overlap-added with
trapezoid weights that sum to one (a cross-fade over the ``window - hop`` overlap). The ends are
padded by reflection so that every real sample sits under the same weights. Windows go through
the model ``batch`` at a time, so memory is a few copies of the signal, whatever its length.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from sigvae_ecg.windows import taper, zscore

Predict = Callable[[np.ndarray], np.ndarray]
"""Maps float32 ``[B, 1, window]`` normalized windows to denoised windows of the same shape."""

FLAT_STD = 1e-9


def window_grid(n: int, window: int, hop: int) -> tuple[int, int, int]:
    """``(left_pad, right_pad, n_windows)`` covering ``n`` samples with full weight."""
    overlap = window - hop
    left = overlap
    n_windows = max(1, int(np.ceil((n + 2 * overlap - window) / hop)) + 1)
    right = (n_windows - 1) * hop + window - left - n
    return left, right, n_windows


def denoise_1d(
    x: np.ndarray,
    predict: Predict,
    window: int,
    hop: int,
    batch: int = 1024,
    on_batch: Callable[[int], None] | None = None,
) -> np.ndarray:
    """Denoise the 1-D signal ``x`` (float, finite) window by window; same length out.

    ``on_batch(n)`` is called after each batch with the number of input samples it finished
    (for progress bars)."""
    if not 0 < hop <= window:
        raise ValueError(f"hop must be in (0, window], got hop={hop}, window={window}")
    x = np.asarray(x, dtype=np.float64)
    n = x.shape[-1]
    left, right, n_windows = window_grid(n, window, hop)
    padded = np.pad(x, (left, right), mode="reflect" if n > 1 else "edge")
    weights = taper(window, window - hop)
    out = np.zeros(padded.shape[-1])
    norm = np.zeros(padded.shape[-1])
    views = np.lib.stride_tricks.sliding_window_view(padded, window)[::hop]
    for first in range(0, n_windows, batch):
        chunk = views[first : first + batch]
        clean = denoise_windows(chunk, predict)
        starts = (first + np.arange(len(chunk))) * hop
        for start, y in zip(starts, clean):
            out[start : start + window] += weights * y
            norm[start : start + window] += weights
        if on_batch is not None:
            on_batch(min(len(chunk) * hop, n))
    return out[left : left + n] / norm[left : left + n]


def denoise_windows(windows: np.ndarray, predict: Predict) -> np.ndarray:
    """Denoise ``[n, window]`` windows independently: normalize each, predict, scale back;
    flat windows (zero std) are returned as they are."""
    z, _, std = zscore(windows)
    y = predict(z[:, None, :].astype(np.float32))
    y = np.asarray(y, dtype=np.float64).reshape(windows.shape) * std
    flat = std[:, 0] <= FLAT_STD
    y[flat] = windows[flat]
    return y
