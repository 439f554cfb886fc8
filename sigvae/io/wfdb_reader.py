"""Read a PhysioNet WFDB record into a :class:`~sigvae.data.Signal` in physical units.

The samples come from wfdb's ``rdrecord`` (physical values; invalid samples become NaN and stay
NaN). Before reading, :mod:`sigvae.io.wfdb_checks` makes sure the header and its signal files
agree, so a broken record fails with one line naming the file instead of a NumPy traceback.

Conventions worth knowing:

* Uncalibrated channels (header gain 0 or absent, as in the NSTDB noise records) are scaled
  with 200 ADC units per physical unit, as wfdb and the WFDB C library do; the channels are
  listed in ``meta["uncalibrated"]`` and explained in ``meta["notes"]``.
* Records whose channels have several samples per frame (e.g. MIMIC ``212x4``): when every
  selected channel has the same count ``k``, the samples are returned at ``k`` times the frame
  rate with nothing lost; when the counts differ, each frame is averaged (wfdb's
  ``smooth_frames``) and ``meta["smoothed"]`` names the averaged channels.
* ``start``/``stop`` count frames of the header's sampling frequency; annotation sample indices
  are relative to ``start`` and expressed at the returned rate.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import wfdb

from sigvae.data import Signal
from sigvae.errors import DataError
from sigvae.io.channels import channel_indices
from sigvae.io.wfdb_checks import (
    check_record,
    header_path,
    read_header,
    resolve_record,
    zero_gain_channels,
)

DEFAULT_ANNOTATIONS = ("atr",)
ALL_ANNOTATIONS = "*"
UNCALIBRATED_GAIN = 200.0
BLOCK_FRAMES = 1 << 20


def read_wfdb(
    path: str | Path,
    channels: Sequence[str | int] | None = None,
    annotations: Sequence[str] | str = DEFAULT_ANNOTATIONS,
    start: int = 0,
    stop: int | None = None,
    dtype: str = "float64",
) -> Signal:
    """Read the WFDB record at ``path`` (``name``, ``name.hea``, ``name.dat`` or ``name.mat``).

    ``channels`` selects signals by name or index, in the order given (default: all).
    ``annotations`` lists annotation extensions to load when the file exists next to the
    record (default ``("atr",)``; ``"*"`` loads every annotation file of the record); each goes
    to ``Signal.annotations[ext]`` with ``sample``, ``symbol``, ``aux_note`` and ``chan`` arrays.
    ``dtype`` is ``"float64"`` or ``"float32"`` (half the memory for long records).
    """
    record = resolve_record(path)
    header = read_header(record)
    check_record(record, header)
    if not header.n_sig:
        raise DataError("record has no signals", path=header_path(record))
    names = [name or f"ch{i}" for i, name in enumerate(_signal_names(record, header))]
    index = channel_indices(names, channels, header_path(record))
    stop = _check_range(record, header, start, stop)
    multi_segment = hasattr(header, "seg_name")
    spf = [1 if multi_segment else (header.samps_per_frame[i] or 1) for i in index]
    frames = spf[0] if len(set(spf)) == 1 else 1
    fs = float(header.fs) * frames
    data, units = _read_blocks(record, header, index, spf, frames, start, stop, dtype)
    meta = _meta(record, header, index, names, start, frames)
    signal = Signal(
        data=data,
        fs=fs,
        channels=[names[i] for i in index],
        units=units,
        name=record.name,
        meta=meta,
    )
    for ext in _annotation_extensions(record, header, annotations):
        signal.annotations[ext] = read_wfdb_annotation(record, ext, start, stop, fs, frames)
    return signal


def _signal_names(record: Path, header) -> list[str]:
    """Signal names; a multi-segment record takes them from its layout (or first) segment."""
    if not hasattr(header, "seg_name"):
        return list(header.sig_name)
    first = next(name for name in header.seg_name if name != "~")
    return list(read_header(record.with_name(first)).sig_name)


def _check_range(record: Path, header, start: int, stop: int | None) -> int | None:
    length = header.sig_len
    if start < 0 or (length is not None and start >= length):
        raise DataError(f"start {start} outside the record (length {length})", path=record)
    if stop is not None and (stop <= start or (length is not None and stop > length)):
        raise DataError(f"stop {stop} invalid for start {start} and length {length}", path=record)
    return stop


def _read_blocks(record, header, index, spf, frames, start, stop, dtype):
    """``([channels, samples] array, units)``, read in blocks of frames so that the peak memory
    is the result plus one block (wfdb holds a digital and a physical copy of what it reads)."""
    end = stop if stop is not None else header.sig_len
    if end is None:  # header without a length: wfdb infers it from the file size
        rec = _read_samples(record, index, start, None, max(spf) > 1, dtype)
        data, units = _as_block(rec, spf, frames, dtype)
        return np.ascontiguousarray(data), units
    out = np.empty((len(index), (end - start) * frames), dtype=dtype)
    units = None
    for first in range(start, end, BLOCK_FRAMES):
        last = min(first + BLOCK_FRAMES, end)
        block, units = _as_block(
            _read_samples(record, index, first, last, max(spf) > 1, dtype), spf, frames, dtype
        )
        out[:, (first - start) * frames : (last - start) * frames] = block
    return out, units


def _as_block(rec, spf: list[int], frames: int, dtype: str):
    units = [unit or "NU" for unit in rec.units]
    if max(spf) == 1:
        return rec.p_signal.T, units
    # average in floating point (wfdb's smooth_frames truncates the mean of digital codes)
    data = [
        x if k == frames else x.reshape(-1, k).mean(axis=1) for x, k in zip(rec.e_p_signal, spf)
    ]
    return np.stack(data).astype(dtype, copy=False), units


def _read_samples(record: Path, index: list[int], start: int, stop, expand: bool, dtype: str):
    if dtype not in ("float64", "float32"):
        raise ValueError(f"dtype must be 'float64' or 'float32', got {dtype!r}")
    try:
        return wfdb.rdrecord(
            str(record),
            sampfrom=start,
            sampto=stop,
            channels=index,
            smooth_frames=not expand,
            return_res=64 if dtype == "float64" else 32,
        )
    except Exception as exc:  # anything wfdb raises on a record that passed the checks
        raise DataError(
            f"cannot read WFDB record: {type(exc).__name__}: {exc}", path=header_path(record)
        ) from None


def _meta(record: Path, header, index, names, start: int, frames: int) -> dict:
    meta: dict = {
        "source": str(header_path(record)),
        "format": "wfdb",
        "record": record.name,
        "comments": list(header.comments or []),
        "start": start,
        "frame_fs": float(header.fs),
        "notes": [],
    }
    if header.base_time is not None:
        meta["base_time"] = str(header.base_time)
    if header.base_date is not None:
        meta["base_date"] = str(header.base_date)
    uncalibrated = [names[i] for i in zero_gain_channels(record) if i in index]
    if uncalibrated:
        meta["uncalibrated"] = uncalibrated
        meta["notes"].append(
            f"header gain 0 (uncalibrated) for {', '.join(uncalibrated)}: scaled with "
            f"{UNCALIBRATED_GAIN:g} ADC units per unit, as wfdb and the WFDB library assume"
        )
    if frames > 1:
        meta["notes"].append(f"{frames} samples per frame: fs is {frames} x the frame rate")
    elif not hasattr(header, "seg_name"):
        smoothed = [names[i] for i in index if (header.samps_per_frame[i] or 1) > 1]
        if smoothed:
            meta["smoothed"] = smoothed
            meta["notes"].append(
                f"{', '.join(smoothed)} averaged over each frame to the frame rate "
                "(select only them to get every sample)"
            )
    return meta


def _annotation_extensions(record: Path, header, annotations) -> list[str]:
    if annotations == ALL_ANNOTATIONS:
        own = {".hea", *(f".{Path(n).suffix.lstrip('.')}" for n in _signal_files(header))}
        prefix = record.name + "."
        return sorted(
            p.name[len(prefix) :]
            for p in record.parent.glob(f"{glob_escape(record.name)}.*")
            if p.is_file() and p.name.startswith(prefix) and p.suffix not in own
        )
    if isinstance(annotations, str):
        annotations = [annotations]
    return [ext for ext in annotations if record.with_name(f"{record.name}.{ext}").is_file()]


def _signal_files(header) -> list[str]:
    return list(getattr(header, "file_name", None) or [])


def glob_escape(name: str) -> str:
    """``name`` with glob metacharacters escaped, for ``Path.glob``."""
    return "".join(f"[{c}]" if c in "*?[" else c for c in name)


def read_wfdb_annotation(
    record: Path,
    ext: str,
    start: int = 0,
    stop: int | None = None,
    fs: float = 0.0,
    frames: int = 1,
) -> dict:
    """The annotation file ``record.ext`` as ``sample``/``symbol``/``aux_note``/``chan`` arrays.

    Samples are relative to ``start`` and rescaled to ``fs`` when the file states its own rate,
    else multiplied by ``frames`` (annotation times count frames).
    """
    ann_file = record.with_name(f"{record.name}.{ext}")
    try:
        ann = wfdb.rdann(str(record), ext, sampfrom=start, sampto=stop, shift_samps=True)
    except Exception as exc:
        raise DataError(
            f"unreadable annotation file: {type(exc).__name__}: {exc}", path=ann_file
        ) from None
    sample = np.asarray(ann.sample, dtype=np.int64)
    scale = fs / float(ann.fs) if ann.fs and fs else float(frames)
    if scale != 1.0:
        sample = np.round(sample * scale).astype(np.int64)
    n = len(sample)
    return {
        "sample": sample,
        "symbol": np.asarray(ann.symbol if ann.symbol is not None else [""] * n, dtype=str),
        "aux_note": np.asarray(ann.aux_note if ann.aux_note is not None else [""] * n, dtype=str),
        "chan": np.asarray(ann.chan if ann.chan is not None else [0] * n, dtype=np.int64),
    }
