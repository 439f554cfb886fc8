"""``ecg_denoise``: one call for NumPy arrays, pandas DataFrames and sigvae Signals."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from sigvae.data import Signal
from sigvae.errors import SigvaeError
from sigvae_ecg import runtime
from sigvae_ecg.denoise import check_fits, denoise_array
from sigvae_ecg.leads import choose_leads


def ecg_denoise(data, fs: float | None = None, model=None, leads=None, progress=None):
    """Denoise ECG with the shipped model (or ``model``: a checkpoint path, run directory or a
    loaded sigvae model) and return the same type as given.

    * ``numpy.ndarray``: 1-D ``[samples]`` or 2-D ``[samples, leads]`` (columns are leads, as
      in a DataFrame); ``fs`` is required; ``leads`` are column indices (default: all).
    * ``pandas.DataFrame``: columns are leads, rows samples; ``fs`` is required; ``leads`` are
      column names (default: all); index and columns are kept.
    * :class:`sigvae.data.Signal`: ``[channels, samples]`` at ``signal.fs``; ``leads`` are
      channel names (default: every channel that looks like ECG; others are returned
      unchanged and listed in ``meta["ecg_denoise"]["skipped"]``).

    The model works at its own rate (360 Hz for the default): input is resampled to it and the
    result back, so the output has the input's rate, length and units. NaN samples stay NaN.
    ``progress`` shows a progress bar (default: for records over 10 minutes on a terminal).
    """
    denoiser = runtime.resolve(model)
    if isinstance(data, Signal):
        return _denoise_signal(data, denoiser, leads, progress)
    import pandas as pd

    if isinstance(data, pd.DataFrame):
        columns = list(data.columns) if leads is None else _as_list(leads)
        missing = [c for c in columns if c not in data.columns]
        if missing:
            raise SigvaeError(f"DataFrame has no column(s) {missing}")
        values = _numeric(data[columns].to_numpy(), "DataFrame").T
        out = data.copy()
        out[columns] = _run(values, fs, denoiser, progress).T
        return out
    array = _numeric(data, "array")
    if array.ndim not in (1, 2):
        raise SigvaeError(f"array must be [samples] or [samples, leads], got shape {array.shape}")
    if array.ndim == 1:
        return _run(array[None, :], fs, denoiser, progress)[0]
    if array.shape[1] > array.shape[0]:
        raise SigvaeError(
            f"array has shape {array.shape}: more leads than samples; pass [samples, leads] "
            "(transpose a [leads, samples] array)"
        )
    cols = list(range(array.shape[1])) if leads is None else _as_list(leads)
    out = array.astype(np.float64, copy=True)
    out[:, cols] = _run(array[:, cols].T, fs, denoiser, progress).T
    return out


def _denoise_signal(signal: Signal, denoiser, leads, progress) -> Signal:
    try:
        chosen, notes = choose_leads(signal.channels, signal.units, _as_list(leads) or None)
    except KeyError as exc:
        raise SigvaeError(f"{signal.name}: no channel(s) {exc.args[0]}") from None
    data = np.array(signal.data, dtype=np.float64)
    if chosen:
        data[chosen] = _run(data[chosen], signal.fs, denoiser, progress, signal.name)
    meta = {
        **signal.meta,
        "ecg_denoise": {
            "model": denoiser.name,
            "weights_sha256": denoiser.sha256,
            "leads": [signal.channels[i] for i in chosen],
            "skipped": notes,
        },
    }
    return replace(signal, data=data, meta=meta)


def _run(values: np.ndarray, fs, denoiser, progress, what: str = "input") -> np.ndarray:
    if fs is None:
        raise SigvaeError("fs (sampling frequency in Hz) is required for arrays and DataFrames")
    check_fits(values.shape[-1], float(fs), denoiser, what)
    return denoise_array(values, float(fs), denoiser, progress)


def _numeric(values, what: str) -> np.ndarray:
    array = np.asarray(values)
    if not np.issubdtype(array.dtype, np.number):
        raise SigvaeError(f"{what} must be numeric, got dtype {array.dtype}")
    return array.astype(np.float64, copy=False)


def _as_list(leads) -> list:
    if leads is None:
        return []
    return [leads] if isinstance(leads, (str, int)) else list(leads)
