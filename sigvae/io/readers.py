"""Reader objects behind the registry's ``wfdb``, ``edf``, ``npy`` and ``table`` readers.

Each is built from validated params (see :mod:`sigvae.io.specs`) and a ``base_dir`` against
which relative paths are resolved (the pipeline passes the YAML file's directory).
``sources()`` lists the files that ``read()`` will read, so a pipeline can check its inputs
before any work; both raise :class:`~sigvae.errors.DataError` for a missing path or an empty
selection. Signals are named after their record, and two records with one name are an error,
because splits are made by record name.
"""

from __future__ import annotations

import warnings
from pathlib import Path

from sigvae.errors import DataError
from sigvae.io.channels import MissingChannelError


class SkippedRecordWarning(UserWarning):
    """A record was left out because it lacks a requested channel (``missing_channels: skip``)."""


def resolve(path: str, base_dir: Path | None) -> Path:
    """``path`` with ``~`` expanded, relative to ``base_dir`` (default: the working directory)."""
    candidate = Path(path).expanduser()
    if not candidate.is_absolute() and base_dir is not None:
        candidate = Path(base_dir) / candidate
    return candidate


def wfdb_records_in(directory: Path, pattern: str) -> list[Path]:
    """Records (paths without extension) of every ``.hea`` in ``directory`` whose record name
    matches ``pattern``, leaving out the segments and layouts of multi-segment records."""
    from sigvae.io.wfdb_checks import header_lines

    headers = sorted(directory.glob(f"{pattern}.hea"))
    segments: set[str] = set()
    for header in sorted(directory.glob("*.hea")):
        lines = header_lines(header.with_suffix(""))
        if lines and "/" in lines[0][0]:  # "name/segments ...": a multi-segment record
            segments.update(tokens[0] for tokens in lines[1:])
    return [h.with_suffix("") for h in headers if h.stem not in segments]


class _FileReader:
    """Shared path expansion: files as given, directories searched by ``glob``/``records``."""

    what = "files"

    def __init__(self, params, base_dir: Path | None = None) -> None:
        self.params = params
        self.base_dir = Path(base_dir) if base_dir is not None else None
        self.skipped: list[str] = []

    def _in_directory(self, directory: Path) -> list[Path]:
        return sorted(p for p in directory.glob(self.params.glob) if p.is_file())

    def _check(self, path: Path) -> Path:
        """``path`` itself when it names a readable input, else a DataError."""
        if not path.is_file():
            raise DataError(f"not found (expected one of the {self.what})", path=path)
        return path

    def sources(self) -> list[Path]:
        """Every input ``read()`` will read, checked to exist, in order."""
        found: list[Path] = []
        records = getattr(self.params, "records", None)
        for given in self.params.paths:
            path = resolve(given, self.base_dir)
            if path.is_dir() and records:
                found.extend(self._check(path / name) for name in records)
            elif path.is_dir():
                matches = self._in_directory(path)
                if not matches:
                    raise DataError(f"no {self.what} matching {self.params.glob!r}", path=path)
                found.extend(matches)
            else:
                found.append(self._check(path))
        return found

    def _read_one(self, path: Path):
        raise NotImplementedError

    def read(self) -> list:
        signals, names = [], {}
        for path in self.sources():
            try:
                signal = self._read_one(path)
            except MissingChannelError as exc:
                if getattr(self.params, "missing_channels", "error") != "skip":
                    raise
                self.skipped.append(str(exc))
                warnings.warn(f"skipped: {exc}", SkippedRecordWarning, stacklevel=2)
                continue
            if signal.name in names:
                raise DataError(
                    f"two records named {signal.name!r} ({names[signal.name]} and {path}); "
                    "record names must be unique because splits are made by record",
                    path=path,
                )
            names[signal.name] = path
            signals.append(signal)
        if not signals:
            raise DataError(f"every record was skipped: {'; '.join(self.skipped)}")
        return signals


class WfdbReader(_FileReader):
    what = "WFDB records"

    def _in_directory(self, directory: Path) -> list[Path]:
        return wfdb_records_in(directory, self.params.glob)

    def _check(self, path: Path) -> Path:
        from sigvae.io.wfdb_checks import resolve_record

        resolve_record(path)
        return path

    def _read_one(self, path: Path):
        from sigvae.io.wfdb_reader import read_wfdb

        p = self.params
        return read_wfdb(path, p.channels, p.annotations, p.start, p.stop, p.dtype)


class EdfReader(_FileReader):
    what = "EDF files"

    def _read_one(self, path: Path):
        from sigvae.io.edf import read_edf

        p = self.params
        return read_edf(path, p.channels, p.annotations, p.dtype)


class NpyReader(_FileReader):
    what = ".npy files"

    def _read_one(self, path: Path):
        from sigvae.io.arrays import read_npy

        p = self.params
        return read_npy(path, fs=p.fs, channels=p.channels, units=p.units)


class TableReader:
    """One CSV or Parquet file as a DataFrame."""

    def __init__(self, params, base_dir: Path | None = None) -> None:
        self.params = params
        self.path = resolve(params.path, base_dir)

    def sources(self) -> list[Path]:
        if not self.path.is_file():
            raise DataError("table file not found", path=self.path)
        return [self.path]

    def read(self):
        from sigvae.io.tables import read_table

        return read_table(self.path, self.params.index_col, self.params.parse_dates)
