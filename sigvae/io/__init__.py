"""Readers and writers between files and the kernel's data types.

* :func:`read_wfdb` / :func:`write_wfdb` - PhysioNet WFDB records (``wfdb``), round-tripping.
* :func:`read_edf` - EDF, EDF+ and BDF (``pyedflib``; no silent resampling).
* :func:`read_signal` - either of the above, chosen by the file name.
* :func:`read_table` / :func:`write_table` - CSV and Parquet DataFrames.
* :func:`read_npy` - ``.npy`` arrays (``[channels, samples]`` plus a caller-given ``fs``).
* :func:`atomic_write` / :func:`atomic_write_files` / :func:`atomic_write_text` - the
  temp-dir-then-rename helpers every writer uses; plugins that write files should use them too.

Names are imported lazily so that importing :mod:`sigvae.io` (or its ``specs``) does not pull
in wfdb, pyedflib or pandas; the registry lists readers without loading them.
"""

from __future__ import annotations

from sigvae.lazy import lazy_getattr

_LAZY = {
    "read_wfdb": "sigvae.io.wfdb_reader",
    "write_wfdb": "sigvae.io.wfdb_writer",
    "read_edf": "sigvae.io.edf",
    "read_signal": "sigvae.io.signals",
    "read_table": "sigvae.io.tables",
    "write_table": "sigvae.io.tables",
    "read_npy": "sigvae.io.arrays",
    "atomic_write": "sigvae.io.atomic",
    "atomic_write_files": "sigvae.io.atomic",
    "atomic_write_text": "sigvae.io.atomic",
}

__all__ = list(_LAZY)

__getattr__ = lazy_getattr("sigvae.io", _LAZY)
