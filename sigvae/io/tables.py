"""CSV and Parquet tables as pandas DataFrames (the kernel's ``"frame"`` kind).

The format follows the file name: ``.csv``, ``.txt`` (comma-separated, as Stooq's price files),
``.tsv``, each optionally compressed (``.gz``, ``.bz2``, ``.zip``, ``.xz``), and
``.parquet``/``.pq``. Writing is atomic; a CSV keeps the index only when it carries
information (a name, or anything other than the default ``0..n-1``), so reading it back needs
``index_col=0`` exactly when the index was written.
"""

from __future__ import annotations

from pathlib import Path

from sigvae.errors import DataError, SigvaeError
from sigvae.io.atomic import atomic_write

CSV_SUFFIXES = {".csv": ",", ".txt": ",", ".tsv": "\t"}
PARQUET_SUFFIXES = (".parquet", ".pq")
COMPRESSION_SUFFIXES = (".gz", ".bz2", ".zip", ".xz")


def table_format(path: Path) -> tuple[str, str | None]:
    """``("csv", separator)`` or ``("parquet", None)`` from the file name, else a DataError."""
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] in COMPRESSION_SUFFIXES:
        suffixes = suffixes[:-1]
    last = suffixes[-1] if suffixes else ""
    if last in CSV_SUFFIXES:
        return "csv", CSV_SUFFIXES[last]
    if last in PARQUET_SUFFIXES:
        return "parquet", None
    known = ", ".join([*CSV_SUFFIXES, *PARQUET_SUFFIXES])
    raise DataError(
        f"unknown table format {last or '(no suffix)'!r}; use one of {known}", path=path
    )


def read_table(
    path: str | Path,
    index_col: int | str | None = None,
    parse_dates: bool | list[str] = False,
):
    """Read a CSV or Parquet file into a DataFrame; an empty table is a DataError.

    ``index_col`` and ``parse_dates`` are passed to pandas for CSV files (Parquet stores its
    index and types itself, so only ``index_col`` applies: it moves that column to the index,
    and is a no-op when the stored index already has that name).
    """
    import pandas as pd

    path = Path(path)
    kind, sep = table_format(path)
    if not path.is_file():
        raise DataError("table file not found", path=path)
    try:
        if kind == "csv":
            frame = pd.read_csv(path, sep=sep, index_col=index_col, parse_dates=parse_dates)
        else:
            frame = pd.read_parquet(path)
            if index_col is not None and index_col != frame.index.name:
                column = frame.columns[index_col] if isinstance(index_col, int) else index_col
                frame = frame.set_index(column)
    except (ValueError, KeyError, IndexError, OSError, pd.errors.ParserError) as exc:
        reason = " ".join(str(exc).split()) or type(exc).__name__
        raise DataError(f"cannot read {kind} table: {reason}", path=path) from None
    if frame.empty:
        raise DataError(f"{kind} table has no rows or no columns", path=path)
    return frame


def write_table(frame, path: str | Path, overwrite: bool = False) -> Path:
    """Write ``frame`` as CSV or Parquet (by suffix), atomically; refuses an existing file
    unless ``overwrite``. Returns the path written."""
    import pandas as pd

    path = Path(path)
    kind, sep = table_format(path)
    if not isinstance(frame, pd.DataFrame):
        raise SigvaeError(f"can only write a DataFrame, got {type(frame).__name__}", path=path)
    default_index = isinstance(frame.index, pd.RangeIndex) and frame.index.name is None
    keep_index = not (default_index and frame.index.start == 0 and frame.index.step == 1)

    def write(tmp: Path) -> None:
        if kind == "csv":
            frame.to_csv(tmp, sep=sep, index=keep_index)
        else:
            frame.to_parquet(tmp)

    return atomic_write(path, write, overwrite)
