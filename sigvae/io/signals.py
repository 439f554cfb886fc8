"""One entry point for a biosignal file of any supported kind, chosen by its name.

EDF/BDF files (``.edf``, ``.bdf``, ``.rec``) go to :func:`read_edf`; everything else is taken
as a WFDB record (``name``, ``name.hea``, ``name.dat``, ``name.mat``, ...), so a command such as
``sigvae ecg-denoise`` can accept either without asking the user which reader to use.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from sigvae.data import Signal
from sigvae.io.edf import EDF_SUFFIXES


def read_signal(path: str | Path, channels: Sequence[str | int] | None = None) -> Signal:
    """Read a WFDB record or an EDF file (by suffix) into a Signal."""
    if Path(path).suffix.lower() in EDF_SUFFIXES:
        from sigvae.io.edf import read_edf

        return read_edf(path, channels=channels)
    from sigvae.io.wfdb_reader import read_wfdb

    return read_wfdb(path, channels=channels)
