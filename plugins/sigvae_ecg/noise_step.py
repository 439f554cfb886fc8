"""The ``ecg-noise`` preprocessor: turns clean windows into (noisy ``x``, clean ``target``).

Training windows get fresh random noise on every call (and ``copies`` noisy versions each);
any other split gets one fixed draw seeded by ``seed`` and the data, so validation and test
metrics are reproducible. "Training data" is recognized as the data ``fit`` saw.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np

from sigvae.data import Arrays
from sigvae.errors import ConfigError, SigvaeError
from sigvae_ecg import noise as nz
from sigvae_ecg.params import NoiseParams
from sigvae_ecg.windows import zscore

SCALE_KEY = "ecg_window_scale"
REPO_ROOT = Path(__file__).resolve().parents[2]


def nstdb_dir(path: str) -> Path:
    """``path`` as given, or (when relative and absent) relative to the source checkout, so
    the default ``../shared/data/ecg/nstdb`` works from the repository root and elsewhere."""
    given = Path(path).expanduser()
    if given.is_absolute() or given.is_dir():
        return given
    return REPO_ROOT / given if (REPO_ROOT / given).is_dir() else given


def fingerprint(x: np.ndarray) -> int:
    """A cheap identity of an array of windows (shape and a few windows' bytes)."""
    h = hashlib.sha1(str(x.shape).encode())
    h.update(np.ascontiguousarray(x[:4]).tobytes())
    h.update(np.ascontiguousarray(x[-4:]).tobytes())
    return int.from_bytes(h.digest()[:8], "little")


class NoiseStep:
    """arrays -> arrays: adds ECG noise; see :class:`~sigvae_ecg.params.NoiseParams`."""

    def __init__(self, params: NoiseParams) -> None:
        self.params = params
        names = list(params.kinds)
        weights = np.array([params.kinds[k] for k in names], dtype=float)
        self.kinds = [k for k, w in zip(names, weights) if w > 0]
        self.weights = weights[weights > 0] / weights.sum()
        self.bank: dict | None = None
        self.train_id: int | None = None
        self.train_rng = np.random.default_rng(params.seed)

    def fit(self, data: Arrays) -> NoiseStep:
        fs = data.info.get("fs")
        if fs is not None and abs(float(fs) - self.params.fs) > 1e-6:
            raise ConfigError(f"ecg-noise: fs is {self.params.fs} Hz but the windows are {fs} Hz")
        if any(k in nz.NSTDB_KINDS or k == "mix" for k in self.kinds):
            self.bank = nz.load_nstdb(nstdb_dir(self.params.nstdb), nz.TRAIN_SEGMENT)
        self.train_id = fingerprint(data.x)
        return self

    def transform(self, data: Arrays) -> Arrays:
        if self.train_id is None:
            self.fit(data)
        clean = np.asarray(data.target if data.target is not None else data.x, dtype=np.float64)
        data_id = fingerprint(data.x)
        if data_id == self.train_id:
            rng, copies = self.train_rng, self.params.copies
        else:
            rng, copies = np.random.default_rng([self.params.seed, 1, data_id]), 1
        index = np.repeat(np.arange(len(data)), copies)
        clean = clean[index]
        if data_id == self.train_id:
            sign = np.where(rng.random(len(clean)) < self.params.flip, -1.0, 1.0)
            clean = clean * sign.reshape(-1, *([1] * (clean.ndim - 1)))
        noisy = self.corrupt(clean, rng)
        info = {**data.info, "fs": self.params.fs, "ecg_normalize": self.params.normalize}
        if self.params.normalize:
            noisy, mean, std = zscore(noisy)
            clean = clean / std
            info[SCALE_KEY] = (mean.astype(np.float32), std.astype(np.float32))
        picked = data.subset(index)
        return picked.with_fields(
            x=noisy.astype(np.float32), target=clean.astype(np.float32), info=info
        )

    def inverse_transform(self, data: Arrays) -> Arrays:
        """Model outputs and targets back to physical units: times each noisy window's std
        (kept in ``info``), so metrics are in the data's units. Targets were never shifted."""
        scale = data.info.get(SCALE_KEY)
        if scale is None:
            return data
        mean, std = scale
        if mean.shape[0] != len(data):
            raise SigvaeError(
                f"ecg-noise: cannot invert {len(data)} windows with statistics of {mean.shape[0]}"
            )
        return data.with_fields(x=data.x * std)

    def corrupt(self, clean: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """``clean`` ([..., L]) plus noise, each window and channel drawn independently."""
        flat = clean.reshape(-1, clean.shape[-1])
        noisy = np.empty_like(flat)
        for i, window in enumerate(flat):
            noisy[i] = window + self.one_noise(window, rng)
        return noisy.reshape(clean.shape)

    def one_noise(self, window: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        p = self.params
        kind = self.kinds[rng.choice(len(self.kinds), p=self.weights)]
        noise = nz.draw(kind, window, p.fs, self.bank, rng)
        if len(self.kinds) > 1 and rng.random() < p.second_kind:
            others = [k for k in self.kinds if k != kind]
            other = nz.draw(others[rng.integers(len(others))], window, p.fs, self.bank, rng)
            share = rng.uniform(0.2, 0.8)
            noise = np.sqrt(share) * _unit(noise) + np.sqrt(1 - share) * _unit(other)
        if p.protocol == "deepfilter":
            return nz.scale_deepfilter(window, noise, rng.uniform(*p.ratio))
        return nz.scale_to_snr(window, noise, rng.uniform(*p.snr_db))


def _unit(v: np.ndarray) -> np.ndarray:
    v = v - v.mean()
    return v / max(float(np.sqrt(np.mean(v**2))), 1e-12)
