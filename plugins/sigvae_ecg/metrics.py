"""Denoising quality metrics, pure NumPy, one value per window.

Arrays are ``[..., L]``: the last axis is time and every leading index is one window (a
``[n, 1, 512]`` batch gives ``n`` windows). Definitions follow the DeepFilter benchmark
(Romero et al., "DeepFilter: an ECG baseline wander removal filter using deep learning
techniques", BSPC 2021), which computes every metric per window and averages over windows:

* SSD  = sum_t (y - y_hat)^2                                   (sum of squared distances)
* MAD  = max_t |y - y_hat|                                     (maximum absolute distance)
* PRD  textbook    = 100 * sqrt(sum (y - y_hat)^2 / sum y^2)
* PRD  DeepFilter  = 100 * sqrt(sum (y - y_hat)^2 / sum (y_hat - mean(Y))^2), where mean(Y)
  is the mean of the whole reference batch (as their code computes it), not of the window
* cosine similarity = <y, y_hat> / (|y| |y_hat|)
* SNR (power, means removed) = 10 log10( sum (y - mean y)^2 / sum (e - mean e)^2 ), e = y_hat - y

SNR here is always a power SNR; NSTDB's nominal SNRs (QRS-amplitude based) sit about 12 dB
higher and are never used in this module.
"""

from __future__ import annotations

import numpy as np

from sigvae.errors import SigvaeError


def as_windows(values: np.ndarray) -> np.ndarray:
    """``[..., L]`` as a float64 ``[n, L]`` matrix (a 1-D array is one window)."""
    a = np.asarray(values, dtype=np.float64)
    if a.ndim == 0:
        raise SigvaeError("a metric needs at least one sample per window")
    return a.reshape(-1, a.shape[-1])


def _pair(reference: np.ndarray, estimate: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    ref, est = as_windows(reference), as_windows(estimate)
    if ref.shape != est.shape:
        raise SigvaeError(
            f"reference {np.shape(reference)} and estimate {np.shape(estimate)} differ in shape"
        )
    return ref, est


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """num / den with NaN where den is 0 (an undefined window is dropped by nanmean)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)


def ssd(reference: np.ndarray, estimate: np.ndarray) -> np.ndarray:
    ref, est = _pair(reference, estimate)
    return np.sum((ref - est) ** 2, axis=1)


def mad(reference: np.ndarray, estimate: np.ndarray) -> np.ndarray:
    ref, est = _pair(reference, estimate)
    return np.max(np.abs(ref - est), axis=1)


def prd_textbook(reference: np.ndarray, estimate: np.ndarray) -> np.ndarray:
    ref, est = _pair(reference, estimate)
    return 100.0 * np.sqrt(_ratio(np.sum((ref - est) ** 2, axis=1), np.sum(ref**2, axis=1)))


def prd_deepfilter(reference: np.ndarray, estimate: np.ndarray) -> np.ndarray:
    ref, est = _pair(reference, estimate)
    den = np.sum((est - ref.mean()) ** 2, axis=1)
    return 100.0 * np.sqrt(_ratio(np.sum((ref - est) ** 2, axis=1), den))


def cosine(reference: np.ndarray, estimate: np.ndarray) -> np.ndarray:
    ref, est = _pair(reference, estimate)
    norms = np.linalg.norm(ref, axis=1) * np.linalg.norm(est, axis=1)
    return _ratio(np.sum(ref * est, axis=1), norms)


def snr_db(clean: np.ndarray, other: np.ndarray) -> np.ndarray:
    """Power SNR in dB of ``other`` against ``clean``, per window, means removed."""
    ref, est = _pair(clean, other)
    signal = ref - ref.mean(axis=1, keepdims=True)
    err = est - ref
    err = err - err.mean(axis=1, keepdims=True)
    with np.errstate(divide="ignore"):
        return 10.0 * np.log10(_ratio(np.sum(signal**2, axis=1), np.sum(err**2, axis=1)))


def record_snr_db(clean: np.ndarray, other: np.ndarray) -> float:
    """Whole-record power SNR: all samples pooled (one mean removed per record)."""
    ref = np.asarray(clean, dtype=np.float64).ravel()
    err = np.asarray(other, dtype=np.float64).ravel() - ref
    num, den = np.sum((ref - ref.mean()) ** 2), np.sum((err - err.mean()) ** 2)
    if den == 0:
        return float("inf")
    return float(10.0 * np.log10(num / den)) if num > 0 else float("-inf")


def summarize(values: np.ndarray) -> float:
    """Mean over the defined windows (NaN when none is defined)."""
    values = np.asarray(values, dtype=np.float64)
    finite = values[np.isfinite(values)]
    return float(finite.mean()) if finite.size else float("nan")
