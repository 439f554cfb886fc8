"""The quality report (``<name>_denoised.json``) and the before/after plot of ``--plot``.

Quality is measured without a clean reference, on the same stretches before and after:

* NeuroKit2's ``ecg_quality``: ``averageQRS`` (mean beat-to-template correlation, 0-1) and the
  ``zhao2018`` class (Excellent / Barely acceptable / Unacceptable), on up to six 10-s stretches
  spread over the record (bounded time on long records);
* a beat-template SNR (signal averaging): R peaks are found on the denoised stretch, the median
  beat is the signal and what each beat differs from it is noise; power SNR in dB. The same
  peaks and window are used before and after, so the two numbers are comparable;
* ``removed_snr_db``: power of the denoised lead over power of what was removed, whole record
  (an estimate of the input SNR if the model removed exactly the noise).
"""

from __future__ import annotations

import numpy as np

STRETCH_S = 10.0
N_STRETCHES = 6


def stretch_plan(n_frames: int, frame_fs: float) -> list[tuple[int, int]]:
    """Up to :data:`N_STRETCHES` frame ranges of 10 s, evenly spread (the record if shorter)."""
    length = int(round(STRETCH_S * frame_fs))
    if n_frames <= length:
        return [(0, n_frames)]
    starts = np.linspace(0, n_frames - length, min(N_STRETCHES, n_frames // length)).astype(int)
    return [(int(s), int(s) + length) for s in starts]


def template_snr_db(x: np.ndarray, fs: float, peaks: np.ndarray) -> float | None:
    """Signal-averaging SNR of ``x`` around ``peaks`` (None with fewer than 3 full beats)."""
    before, after = int(0.25 * fs), int(0.45 * fs)
    peaks = peaks[(peaks >= before) & (peaks + after <= len(x))]
    if len(peaks) < 3 or not np.isfinite(x).all():
        return None
    beats = np.stack([x[p - before : p + after] for p in peaks])
    beats = beats - beats.mean(axis=1, keepdims=True)
    template = np.median(beats, axis=0)
    noise = np.sum((beats - template) ** 2)
    signal = len(beats) * np.sum(template**2)
    if noise <= 0 or signal <= 0:
        return None
    return float(10 * np.log10(signal / noise))


def stretch_quality(noisy: np.ndarray, clean: np.ndarray, fs: float) -> dict:
    """Quality numbers of one stretch before and after denoising."""
    import warnings

    import neurokit2 as nk

    from sigvae_ecg.rpeaks import detect_rpeaks

    out: dict = {}
    peaks = detect_rpeaks(clean, fs)
    for label, x in (("in", noisy), ("out", clean)):
        out[f"template_snr_db_{label}"] = template_snr_db(x, fs, peaks)
        if not np.isfinite(x).all() or np.ptp(x) == 0 or len(peaks) < 3:
            continue
        rate = int(round(fs))
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                avg = nk.ecg_quality(x, rpeaks=peaks, sampling_rate=rate, method="averageQRS")
                zhao = nk.ecg_quality(x, rpeaks=peaks, sampling_rate=rate, method="zhao2018")
        except (ValueError, IndexError, ZeroDivisionError, KeyError):
            continue
        out[f"average_qrs_{label}"] = float(np.nanmean(avg))
        out[f"zhao2018_{label}"] = str(zhao)
    return out


def summarize_lead(stretches: list[dict], removed: dict) -> dict:
    """Mean of each numeric quality over the stretches; the most common zhao2018 class."""
    summary: dict = {"stretches_evaluated": len(stretches)}
    keys = sorted({k for s in stretches for k in s})
    for key in keys:
        values = [s[key] for s in stretches if s.get(key) is not None]
        if key.startswith("zhao2018"):
            summary[key] = max(set(values), key=values.count) if values else None
        else:
            summary[key] = round(float(np.mean(values)), 3) if values else None
    signal, residual = removed["signal"], removed["removed"]
    summary["removed_snr_db"] = (
        round(float(10 * np.log10(signal / residual)), 3) if signal > 0 and residual > 0 else None
    )
    return summary


class RemovedPower:
    """Running sums for the whole-record power of the denoised lead and of what was removed
    (each with its mean removed, via sums of values and squares)."""

    def __init__(self) -> None:
        self.n = 0
        self.s = np.zeros(4)

    def add(self, noisy: np.ndarray, clean: np.ndarray) -> None:
        ok = np.isfinite(noisy) & np.isfinite(clean)
        d, r = clean[ok], noisy[ok] - clean[ok]
        self.n += int(ok.sum())
        self.s += [d.sum(), (d**2).sum(), r.sum(), (r**2).sum()]

    def result(self) -> dict:
        if self.n == 0:
            return {"signal": 0.0, "removed": 0.0}
        sd, sd2, sr, sr2 = self.s
        return {"signal": sd2 - sd**2 / self.n, "removed": sr2 - sr**2 / self.n}


def plot_before_after(path, leads: list[dict], fs_of: dict, title: str) -> None:
    """One panel per lead: the noisy stretch in grey, the denoised one on top."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(len(leads), 1, figsize=(12, 1.9 * len(leads) + 0.6), squeeze=False)
    for ax, lead in zip(axes[:, 0], leads):
        fs = fs_of[lead["name"]]
        t = np.arange(len(lead["noisy"])) / fs + lead["t0"]
        ax.plot(t, lead["noisy"], color="0.6", lw=0.8, label="input")
        ax.plot(t, lead["clean"], color="C3", lw=0.9, label="denoised")
        ax.set_ylabel(f"{lead['name']}\n[{lead['unit']}]")
        ax.margins(x=0)
    axes[0, 0].legend(loc="upper right", fontsize=8)
    axes[0, 0].set_title(title)
    axes[-1, 0].set_xlabel("time [s]")
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
