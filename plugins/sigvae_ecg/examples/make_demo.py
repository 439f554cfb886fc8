"""Rebuild the bundled demo record ``noisy_100`` (run from the repository root):

    python plugins/sigvae_ecg/examples/make_demo.py

20 s of MIT-BIH Arrhythmia record 100 (both leads, from 00:05:00) with real electrode-motion
noise from the MIT-BIH Noise Stress Test Database record ``em`` (samples [0, 325000) only, the
half the data README allows for development) added at 6 dB power SNR per lead (means removed).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import wfdb

ROOT = Path(__file__).resolve().parents[3]
SHARED = ROOT / ".." / "shared" / "data" / "ecg"
HERE = Path(__file__).resolve().parent
START, SECONDS, SNR_DB, NOISE_START = 300 * 360, 20, 6.0, 120000


def main() -> None:
    rec = wfdb.rdrecord(str(SHARED / "mitdb" / "100"), sampfrom=START, sampto=START + SECONDS * 360)
    noise = wfdb.rdrecord(
        str(SHARED / "nstdb" / "em"), sampfrom=NOISE_START, sampto=NOISE_START + SECONDS * 360
    ).p_signal
    clean = rec.p_signal
    noisy = np.empty_like(clean)
    for lead in range(clean.shape[1]):
        c = clean[:, lead] - clean[:, lead].mean()
        n = noise[:, lead] - noise[:, lead].mean()
        noisy[:, lead] = clean[:, lead] + n * np.sqrt(
            np.sum(c**2) / (np.sum(n**2) * 10 ** (SNR_DB / 10))
        )
    wfdb.wrsamp(
        "noisy_100",
        fs=360,
        units=rec.units,
        sig_name=rec.sig_name,
        p_signal=noisy,
        fmt=["16", "16"],
        adc_gain=[200.0, 200.0],
        baseline=[0, 0],
        write_dir=str(HERE),
        comments=[
            "MIT-BIH Arrhythmia Database record 100, 00:05:00-00:05:20 (Moody & Mark 2001)",
            f"+ MIT-BIH NSTDB 'em' noise samples {NOISE_START}-{NOISE_START + SECONDS * 360} at "
            f"{SNR_DB:g} dB power SNR (Moody, Muldrow & Mark 1984)",
            "PhysioNet (Goldberger et al. 2000), ODC-By 1.0",
        ],
    )


if __name__ == "__main__":
    main()
