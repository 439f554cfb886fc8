"""Checks a WFDB record before its samples are read, so that a bad record gives one clear line.

wfdb itself answers a missing ``.dat`` with a bare ``FileNotFoundError``, a truncated one with a
NumPy broadcasting error, an unknown format with ``KeyError: '999'``, and silently reads only
part of a data file whose header claims fewer samples than it holds. Here each of these becomes
a :class:`~sigvae.errors.DataError` that names the file and says what is wrong.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import wfdb
from wfdb.io._signal import BYTES_PER_SAMPLE, COMPRESSED_FMTS, DAT_FMTS

from sigvae.errors import DataError

NULL_FILE = "~"
_NUMBER = re.compile(r"^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?")


def resolve_record(path: str | Path) -> Path:
    """The record path without extension (``dir/name``) for ``name``, ``name.hea``, ``name.dat``
    or any signal file such as ``name.mat``; a missing header is a DataError."""
    given = Path(path)
    if given.is_dir():
        raise DataError("is a directory, not a WFDB record", path=given)
    if given.suffix == ".hea":
        record = given.with_suffix("")
    elif Path(f"{given}.hea").is_file() or not given.suffix:
        record = given  # record names may contain dots ("r01.edf" has a ".qrs" annotation)
    else:
        record = given.with_suffix("")
    header = header_path(record)
    if not header.is_file():
        raise DataError(f"WFDB header {header.name} not found", path=given)
    return record


def header_path(record: Path) -> Path:
    return record.with_name(record.name + ".hea")


def header_lines(record: Path) -> list[list[str]]:
    """The header's non-comment lines, split into fields."""
    text = header_path(record).read_text(errors="replace")
    return [
        ln.split() for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")
    ]


def read_header(record: Path):
    """wfdb's header object (single- or multi-segment), with parse errors as DataError."""
    hea = header_path(record)
    lines = header_lines(record)
    if not lines:
        raise DataError("empty WFDB header", path=hea)
    segments = lines[0][0].partition("/")[2]
    declared = segments or (lines[0][1] if len(lines[0]) > 1 else "0")
    if declared.isdigit() and len(lines) - 1 < int(declared):
        raise DataError(
            f"header declares {declared} signals (or segments) but describes {len(lines) - 1}",
            path=hea,
        )
    try:
        return wfdb.rdheader(str(record))
    except Exception as exc:  # wfdb raises many types for malformed text
        raise DataError(f"unreadable WFDB header: {type(exc).__name__}: {exc}", path=hea) from None


def zero_gain_channels(record: Path) -> list[int]:
    """Indices of signals whose header gain is 0 or absent: uncalibrated in WFDB's terms.

    wfdb (like the WFDB C library) replaces such a gain with 200 ADC units per physical unit
    without saying so; the raw header text is the only place where the difference shows.
    """
    lines = header_lines(record)
    if not lines or "/" in lines[0][0]:
        return []  # multi-segment: each segment has its own header
    uncalibrated = []
    for index, tokens in enumerate(lines[1:]):
        gain = _NUMBER.match(tokens[2]) if len(tokens) > 2 else None
        if gain is None or float(gain.group(0)) == 0.0:
            uncalibrated.append(index)
    return uncalibrated


def check_record(record: Path, header) -> None:
    """Check every signal file of the record (and of each segment of a multi-segment record)."""
    if hasattr(header, "seg_name"):
        for segment in header.seg_name:
            if segment == NULL_FILE:
                continue
            seg_record = record.with_name(segment)
            if not header_path(seg_record).is_file():
                raise DataError(
                    f"segment header {segment}.hea of multi-segment record not found",
                    path=header_path(record),
                )
            check_record(seg_record, read_header(seg_record))
        return
    _check_signal_files(record, header)


def _check_signal_files(record: Path, header) -> None:
    hea = header_path(record)
    if not header.n_sig:
        return
    files: dict[str, list[int]] = {}
    for index, name in enumerate(header.file_name):
        files.setdefault(name, []).append(index)
    for name, indices in files.items():
        if name == NULL_FILE:
            continue
        fmt = header.fmt[indices[0]]
        if fmt not in DAT_FMTS:
            raise DataError(
                f"unsupported WFDB format {fmt!r} for {name} (supported: {', '.join(DAT_FMTS)})",
                path=hea,
            )
        data_file = record.with_name(name)
        if not data_file.is_file():
            raise DataError(f"signal file {name} named in the header is missing", path=hea)
        if header.sig_len is None or fmt in COMPRESSED_FMTS:
            continue  # length inferred from the file, or not computable from its size
        _check_size(data_file, header, indices, fmt)


def _check_size(data_file: Path, header, indices: list[int], fmt: str) -> None:
    """Compare the file size with what the header's length implies.

    Allowed: exactly the header's frames, plus up to ``max(skew)`` extra frames (skewed
    signals store their samples later) and one frame of padding. Shorter is a truncated file;
    longer means the header length is wrong (wfdb would silently ignore the rest).
    """
    per_frame = sum(header.samps_per_frame[i] or 1 for i in indices)
    bytes_per_sample = BYTES_PER_SAMPLE[fmt]
    offset = header.byte_offset[indices[0]] or 0
    max_skew = max((header.skew[i] or 0) for i in indices)

    def size_for(frames: int) -> int:
        return offset + math.ceil(frames * per_frame * bytes_per_sample)

    actual = data_file.stat().st_size
    frames_in_file = max(actual - offset, 0) / (per_frame * bytes_per_sample)
    if actual < size_for(header.sig_len):
        raise DataError(
            f"truncated: header says {header.sig_len} samples per signal but the file holds "
            f"{math.floor(frames_in_file)} ({actual} bytes, expected {size_for(header.sig_len)})",
            path=data_file,
        )
    if actual > size_for(header.sig_len + max_skew + 1):
        raise DataError(
            f"header/data length mismatch: header says {header.sig_len} samples per signal but "
            f"the file holds {math.floor(frames_in_file)}",
            path=data_file,
        )
