"""NumPy ``.npy`` files: a bare array, or a :class:`~sigvae.data.Signal` when ``fs`` is given.

Convention: a 2-D array is ``[channels, samples]`` (the Signal layout); a 1-D array is one
channel. A ``.npy`` file stores no sampling frequency, so the caller supplies ``fs`` (and,
optionally, channel names and units). Files are loaded with ``allow_pickle=False``: object
arrays, which would run code on load, are refused.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from sigvae.data import Signal
from sigvae.errors import DataError


def read_npy(
    path: str | Path,
    fs: float | None = None,
    channels: Sequence[str] | None = None,
    units: Sequence[str] | str = "NU",
    name: str | None = None,
    mmap: bool = False,
) -> np.ndarray | Signal:
    """The array in ``path``; with ``fs``, a Signal named ``name`` (default: the file stem).

    ``units`` is one unit for every channel or one per channel; ``channels`` defaults to
    ``ch0, ch1, ...``. ``mmap=True`` maps the file instead of reading it (large arrays).
    """
    path = Path(path)
    if not path.is_file():
        raise DataError("NumPy file not found", path=path)
    if path.suffix.lower() != ".npy":
        raise DataError("expected a .npy file", path=path)
    try:
        array = np.load(path, allow_pickle=False, mmap_mode="r" if mmap else None)
    except (ValueError, OSError, EOFError) as exc:
        raise DataError(f"unreadable .npy file: {' '.join(str(exc).split())}", path=path) from None
    if fs is None:
        return array
    if array.ndim not in (1, 2) or array.size == 0:
        raise DataError(
            f"a signal must be a non-empty [channels, samples] array, got shape {array.shape}",
            path=path,
        )
    if not np.issubdtype(array.dtype, np.number):
        raise DataError(f"a signal must be numeric, got dtype {array.dtype}", path=path)
    n_channels = 1 if array.ndim == 1 else array.shape[0]
    names = list(channels) if channels is not None else [f"ch{i}" for i in range(n_channels)]
    unit_list = [units] * n_channels if isinstance(units, str) else list(units)
    if len(names) != n_channels or len(unit_list) != n_channels:
        raise DataError(
            f"array has {n_channels} channels (rows) but {len(names)} names and "
            f"{len(unit_list)} units were given",
            path=path,
        )
    meta = {"source": str(path), "format": "npy", "record": path.stem, "notes": []}
    return Signal(array, float(fs), names, unit_list, name=name or path.stem, meta=meta)
