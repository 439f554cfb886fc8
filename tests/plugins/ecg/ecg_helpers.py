"""Helpers shared by the ECG plugin tests (imported by module name: pytest puts this
directory on sys.path)."""

from __future__ import annotations

import numpy as np


def synthetic_ecg(seconds: float, fs: float, seed: int = 0) -> np.ndarray:
    """A clean-looking ECG from NeuroKit2's simulator (mV)."""
    import neurokit2 as nk

    return np.asarray(
        nk.ecg_simulate(duration=seconds, sampling_rate=int(fs), heart_rate=70, random_state=seed)
    )
