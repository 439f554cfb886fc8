"""Noise that ECG users meet, and how much of it to add.

Real noise comes from the MIT-BIH Noise Stress Test Database (Moody, Muldrow & Mark 1984):
``bw`` baseline wander, ``em`` electrode motion, ``ma`` muscle artefact, 2 channels each at
360 Hz. The data README binds us to samples ``[0, 325000)`` for training and validation;
``[325000, 650000)`` is kept for evaluation (:data:`TEST_SEGMENT`).

Synthetic kinds cover what the real records lack: white Gaussian, powerline (50/60 Hz with a
weak 3rd harmonic), sinusoidal baseline wander (0.05-0.5 Hz), impulse (salt-and-pepper
spikes) and Poisson (signal-dependent shot noise). Every generator returns noise of arbitrary
scale; :func:`scale_to_snr` (power SNR, means removed) or :func:`scale_deepfilter` (peak-to-peak
ratio, the DeepFilter protocol) sets its level.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from sigvae.errors import DataError

NSTDB_KINDS = ("bw", "em", "ma")
SYNTHETIC_KINDS = ("white", "powerline", "sine-bw", "impulse", "poisson")
ALL_KINDS = (*NSTDB_KINDS, "mix", *SYNTHETIC_KINDS)
NSTDB_FS = 360.0
TRAIN_SEGMENT = (0, 325000)
TEST_SEGMENT = (325000, 650000)


def load_nstdb(directory: str | Path, segment: tuple[int, int] = TRAIN_SEGMENT) -> dict:
    """``{kind: [2, n] float64}`` for bw/em/ma, samples ``segment`` only (read no further)."""
    import wfdb

    directory = Path(directory)
    start, stop = segment
    bank = {}
    for kind in NSTDB_KINDS:
        path = directory / kind
        if not path.with_suffix(".hea").is_file():
            raise DataError("NSTDB noise record not found (expected bw, em, ma)", path=path)
        rec = wfdb.rdrecord(str(path), sampfrom=start, sampto=stop)
        bank[kind] = np.ascontiguousarray(rec.p_signal.T, dtype=np.float64)
    return bank


def nstdb_piece(bank: dict, kind: str, length: int, rng: np.random.Generator) -> np.ndarray:
    """A random ``length``-sample stretch of one channel of NSTDB noise ``kind``."""
    record = bank[kind]
    channel = rng.integers(record.shape[0])
    start = rng.integers(record.shape[1] - length + 1)
    return record[channel, start : start + length].copy()


def nstdb_mix(bank: dict, length: int, rng: np.random.Generator) -> np.ndarray:
    """bw + em + ma with Dirichlet weights on their powers (each first scaled to unit power)."""
    weights = rng.dirichlet(np.ones(len(NSTDB_KINDS)))
    total = np.zeros(length)
    for w, kind in zip(weights, NSTDB_KINDS):
        piece = nstdb_piece(bank, kind, length, rng)
        piece -= piece.mean()
        total += np.sqrt(w) * piece / max(piece.std(), 1e-12)
    return total


def white(length: int, rng: np.random.Generator) -> np.ndarray:
    return rng.standard_normal(length)


def powerline(length: int, fs: float, rng: np.random.Generator) -> np.ndarray:
    """50 or 60 Hz mains with a small 3rd harmonic and a slowly drifting amplitude."""
    t = np.arange(length) / fs
    f = rng.choice([50.0, 60.0]) * (1 + rng.uniform(-0.005, 0.005))
    wave = np.sin(2 * np.pi * f * t + rng.uniform(0, 2 * np.pi))
    if 3 * f < fs / 2:
        wave += rng.uniform(0, 0.2) * np.sin(2 * np.pi * 3 * f * t + rng.uniform(0, 2 * np.pi))
    drift = 1 + 0.2 * np.sin(2 * np.pi * rng.uniform(0.05, 0.5) * t + rng.uniform(0, 2 * np.pi))
    return wave * drift


def sine_wander(length: int, fs: float, rng: np.random.Generator) -> np.ndarray:
    """One to three sinusoids between 0.05 and 0.5 Hz (breathing and slow electrode drift)."""
    t = np.arange(length) / fs
    out = np.zeros(length)
    for _ in range(rng.integers(1, 4)):
        f = rng.uniform(0.05, 0.5)
        out += rng.uniform(0.3, 1.0) * np.sin(2 * np.pi * f * t + rng.uniform(0, 2 * np.pi))
    return out


def impulse(length: int, rng: np.random.Generator) -> np.ndarray:
    """Salt-and-pepper: 0.2-3 % of samples get a spike of random sign and size."""
    out = np.zeros(length)
    hits = rng.random(length) < rng.uniform(0.002, 0.03)
    if not hits.any():
        hits[rng.integers(length)] = True
    out[hits] = rng.choice([-1.0, 1.0], hits.sum()) * rng.uniform(0.5, 1.0, hits.sum())
    return out


def poisson(clean: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Shot noise whose variance follows the signal: Poisson(lam * u) / lam - u, where ``u`` is
    ``clean`` shifted to be non-negative and scaled to [0, 1]."""
    span = clean.max() - clean.min()
    u = (clean - clean.min()) / span if span > 0 else np.zeros_like(clean)
    lam = 50.0
    return rng.poisson(lam * (u + 0.05)) / lam - (u + 0.05)


def draw(
    kind: str, clean: np.ndarray, fs: float, bank: dict | None, rng: np.random.Generator
) -> np.ndarray:
    """Unscaled noise of ``kind`` for the 1-D window ``clean``."""
    n = clean.shape[-1]
    if kind in NSTDB_KINDS or kind == "mix":
        if bank is None:
            raise DataError(f"noise kind {kind!r} needs the NSTDB records")
        return nstdb_mix(bank, n, rng) if kind == "mix" else nstdb_piece(bank, kind, n, rng)
    generators = {
        "white": lambda: white(n, rng),
        "powerline": lambda: powerline(n, fs, rng),
        "sine-bw": lambda: sine_wander(n, fs, rng),
        "impulse": lambda: impulse(n, rng),
        "poisson": lambda: poisson(clean, rng),
    }
    return generators[kind]()


def scale_to_snr(clean: np.ndarray, noise: np.ndarray, snr_db: float) -> np.ndarray:
    """``noise`` (mean removed) scaled so that 10 log10(P_clean / P_noise) = ``snr_db``, with
    both powers computed after removing the means. A zero noise stays zero."""
    c = clean - clean.mean()
    v = noise - noise.mean()
    p_noise = np.sum(v**2)
    if p_noise == 0:
        return v
    return v * np.sqrt(np.sum(c**2) / (p_noise * 10 ** (snr_db / 10)))


def scale_deepfilter(clean: np.ndarray, noise: np.ndarray, ratio: float) -> np.ndarray:
    """DeepFilter protocol: noise scaled so its peak-to-peak is ``ratio`` times the beat's."""
    span_noise = np.ptp(noise)
    if span_noise == 0:
        return noise - noise.mean()
    return noise * (ratio * np.ptp(clean) / span_noise)
