"""Registry specs of the kernel's readers and writers (returned by ``sigvae.builtin``'s hooks).

Light on purpose: only pydantic schemas here; the factories import the reading and writing
code (wfdb, pyedflib, pandas) when a component is built, so listing plugins stays fast.

Every factory is ``factory(params, base_dir=None)``: relative paths in ``params`` (readers)
or given to ``write`` (writers) are resolved against ``base_dir``, the directory of the YAML
pipeline. A reader's ``read()`` returns ``list[Signal]`` (kind ``"signals"``, one per record,
named after it) or a DataFrame (kind ``"frame"``); ``sources()`` lists its input files.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator

from sigvae.specs import Params, ReaderSpec, WriterSpec

Channels = list[str | int] | None


class _PathsParams(Params):
    paths: list[str] = Field(
        min_length=1, description="files or directories (a single string is accepted too)"
    )

    @field_validator("paths", mode="before")
    @classmethod
    def _one_path(cls, value):
        return [value] if isinstance(value, str) else value


class _SignalFileParams(_PathsParams):
    channels: Channels = Field(None, description="channel names or indices, in order (all)")
    dtype: Literal["float64", "float32"] = Field("float64", description="sample type")


class WfdbReaderParams(_SignalFileParams):
    """Read WFDB records (name, name.hea, name.dat, name.mat) or directories of them.

    Physical units, NaN kept, annotations (atr by default) attached; one Signal per record."""

    records: list[str] | None = Field(
        None, description="record names to read from each directory path (default: all)"
    )
    glob: str = Field("*", description="record-name pattern for directory paths, e.g. '1*'")
    annotations: list[str] | Literal["*"] = Field(
        ["atr"], description="annotation extensions to load when present; '*' for all"
    )
    start: int = Field(0, ge=0, description="first frame to read")
    stop: int | None = Field(None, gt=0, description="frame to stop before (end of record)")
    missing_channels: Literal["error", "skip"] = Field(
        "error", description="a record without a requested channel: fail, or skip it"
    )


class EdfReaderParams(_SignalFileParams):
    """Read EDF/EDF+/BDF files with pyedflib (selected channels must share one rate)."""

    glob: str = Field("*.edf", description="file-name pattern for directory paths")
    annotations: list[str] = Field(
        [], description="WFDB annotation files next to the EDF to load, e.g. ['qrs']"
    )
    missing_channels: Literal["error", "skip"] = Field(
        "error", description="a file without a requested channel: fail, or skip it"
    )


class NpyReaderParams(_PathsParams):
    """Read .npy arrays laid out [channels, samples] (1-D: one channel) as Signals."""

    glob: str = Field("*.npy", description="file-name pattern for directory paths")
    fs: float = Field(gt=0, description="sampling frequency in Hz (not stored in .npy)")
    channels: list[str] | None = Field(None, description="channel names (ch0, ch1, ...)")
    units: str | list[str] = Field("NU", description="one unit for all channels, or one each")


class TableReaderParams(Params):
    """Read one CSV (.csv, .txt, .tsv, optionally compressed) or Parquet file."""

    path: str = Field(description="the table file")
    index_col: int | str | None = Field(None, description="column to use as the index")
    parse_dates: bool | list[str] = Field(False, description="columns to parse as dates")


class WfdbWriterParams(Params):
    """Write each Signal as a WFDB record named <signal name><suffix> in a directory."""

    fmt: Literal["16", "212", "24", "32", "80"] = Field("16", description="WFDB sample format")
    suffix: str = Field("", description="appended to each record name")
    comments: list[str] = Field([], description="header comment lines")
    annotations: bool = Field(True, description="write WFDB annotation sets too")
    overwrite: bool = Field(False, description="replace existing files")


class TableWriterParams(Params):
    """Write a DataFrame as CSV or Parquet (chosen by the file suffix)."""

    overwrite: bool = Field(False, description="replace an existing file")


class WfdbWriter:
    def __init__(self, params: WfdbWriterParams, base_dir: Path | None = None) -> None:
        self.params, self.base_dir = params, base_dir

    def write(self, data, path) -> list[Path]:
        """Write every Signal in ``data`` into the directory ``path``; returns header paths."""
        from sigvae.io.readers import resolve
        from sigvae.io.wfdb_writer import write_wfdb

        p, directory = self.params, resolve(str(path), self.base_dir)
        signals = data if isinstance(data, list | tuple) else [data]
        return [
            write_wfdb(
                s, directory, f"{s.name}{p.suffix}", p.comments, p.fmt, p.overwrite, p.annotations
            )
            for s in signals
        ]


class TableWriter:
    def __init__(self, params: TableWriterParams, base_dir: Path | None = None) -> None:
        self.params, self.base_dir = params, base_dir

    def write(self, data, path) -> Path:
        from sigvae.io.readers import resolve
        from sigvae.io.tables import write_table

        return write_table(data, resolve(str(path), self.base_dir), self.params.overwrite)


def _reader(class_name: str):
    def factory(params, base_dir: Path | None = None):
        from sigvae.io import readers

        return getattr(readers, class_name)(params, base_dir)

    factory.__name__ = f"build_{class_name}"
    return factory


READER_SPECS = [
    ReaderSpec("wfdb", _reader("WfdbReader"), WfdbReaderParams, WfdbReaderParams.__doc__),
    ReaderSpec("edf", _reader("EdfReader"), EdfReaderParams, EdfReaderParams.__doc__),
    ReaderSpec("npy", _reader("NpyReader"), NpyReaderParams, NpyReaderParams.__doc__),
    ReaderSpec(
        "table",
        _reader("TableReader"),
        TableReaderParams,
        TableReaderParams.__doc__,
        returns="frame",
    ),
]

WRITER_SPECS = [
    WriterSpec("wfdb", WfdbWriter, WfdbWriterParams, WfdbWriterParams.__doc__),
    WriterSpec("table", TableWriter, TableWriterParams, TableWriterParams.__doc__, takes="frame"),
]
