"""Classical denoisers the model is compared against (benchmarks only; never a fallback).

* ``neurokit`` / ``biosppy``: NeuroKit2's ``ecg_clean`` with that method (Makowski et al. 2021).
* ``butterworth``: zero-phase Butterworth band-pass 0.5-40 Hz, order 4 (forward-backward).
* ``wavelet``: DWT thresholding (Donoho & Johnstone 1994): ``sym8`` wavelet,
  the approximation below ~0.5 Hz zeroed (baseline), details soft-thresholded with the
  universal threshold sigma * sqrt(2 ln n), sigma = MAD(finest details) / 0.6745.
"""

from __future__ import annotations

import numpy as np


def neurokit_clean(x: np.ndarray, fs: float, method: str = "neurokit") -> np.ndarray:
    import neurokit2 as nk

    return np.asarray(
        nk.ecg_clean(np.asarray(x, float), sampling_rate=int(round(fs)), method=method)
    )


def butterworth(x: np.ndarray, fs: float, low: float = 0.5, high: float = 40.0) -> np.ndarray:
    from scipy import signal as sps

    sos = sps.butter(4, [low, high], btype="bandpass", fs=fs, output="sos")
    return sps.sosfiltfilt(sos, np.asarray(x, float), axis=-1)


def wavelet(x: np.ndarray, fs: float, wavelet_name: str = "sym8") -> np.ndarray:
    import pywt

    x = np.asarray(x, float)
    w = pywt.Wavelet(wavelet_name)
    max_level = pywt.dwt_max_level(x.shape[-1], w.dec_len)
    # approximation band of level j spans [0, fs / 2^(j+1)]: go down to below 0.5 Hz
    level = min(max_level, max(1, int(np.ceil(np.log2(fs / 0.5))) - 1))
    coeffs = pywt.wavedec(x, w, level=level, axis=-1)
    sigma = np.median(np.abs(coeffs[-1]), axis=-1, keepdims=True) / 0.6745
    thr = sigma * np.sqrt(2 * np.log(x.shape[-1]))
    coeffs[0] = np.zeros_like(coeffs[0]) if 2.0 ** -(level + 1) * fs <= 1.0 else coeffs[0]
    coeffs[1:] = [pywt.threshold(c, thr, mode="soft") for c in coeffs[1:]]
    return pywt.waverec(coeffs, w, axis=-1)[..., : x.shape[-1]]


BASELINES = {
    "neurokit": lambda x, fs: neurokit_clean(x, fs, "neurokit"),
    "biosppy": lambda x, fs: neurokit_clean(x, fs, "biosppy"),
    "butterworth": butterworth,
    "wavelet": wavelet,
}
