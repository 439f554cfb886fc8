"""Write a :class:`~sigvae.data.Signal` as a WFDB record that :func:`read_wfdb` reads back.

Round trip: the same channels in the same order, units, sampling frequency and length; values
within half a quantisation step. Each channel gets its own gain and baseline chosen from its
finite range so that the range fills the format's digital span (minus one code at each end), so
precision does not depend on the units. NaN is written as the format's invalid-sample code
(the lowest digital value, which WFDB readers turn back into NaN), so gaps survive.
Annotations that carry WFDB symbols (``sample`` + ``symbol``) are written as annotation files;
others (e.g. EDF+ text annotations) are not WFDB annotations and are left out.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import wfdb
from wfdb.io._signal import SAMPLE_VALUE_RANGE

from sigvae.data import Signal
from sigvae.errors import SigvaeError
from sigvae.io.atomic import atomic_write_files
from sigvae.io.wfdb_encode import encode_samples, header_text

WRITE_FORMATS = ("16", "212", "24", "32", "80")
DEFAULT_FORMAT = "16"
INT32_MAX = 2**31 - 1
_RECORD_NAME = re.compile(r"^[-\w]+$")
_SCRATCH_EXT = "sigvaescratch"


def write_wfdb(
    signal: Signal,
    directory: str | Path,
    record_name: str,
    comments: Sequence[str] = (),
    fmt: str | None = None,
    overwrite: bool = False,
    annotations: bool = True,
) -> Path:
    """Write ``signal`` as ``directory/record_name.hea`` + ``.dat`` (and one file per WFDB
    annotation set when ``annotations``); returns the header path.

    ``fmt`` is one of ``16`` (default), ``212``, ``24``, ``32``, ``80``. ``comments`` become
    header comment lines. Existing files are refused unless ``overwrite``; all files appear at
    once or not at all.
    """
    fmt = str(fmt or DEFAULT_FORMAT)
    directory = Path(directory)
    target = directory / f"{record_name}.hea"
    _check_writable(signal, record_name, fmt, target)
    gains, baselines, digital = quantise(signal.data, fmt)
    ann_sets = _wfdb_annotations(signal) if annotations else {}
    comment_lines = [line for text in comments for line in str(text).splitlines()]

    def write(tmp_dir: Path) -> None:
        units = [unit or "NU" for unit in signal.units]
        (tmp_dir / f"{record_name}.dat").write_bytes(encode_samples(digital, fmt))
        header = header_text(
            record_name, signal.fs, fmt, gains, baselines, units, signal.channels, digital,
            comment_lines,
        )  # fmt: skip
        (tmp_dir / f"{record_name}.hea").write_text(header)
        try:
            for ext, ann in ann_sets.items():
                # wfdb only accepts letters in extensions, but PhysioNet uses others (LUDB's
                # ".v1"); the extension is not stored in the file, so write then rename.
                wfdb.wrann(
                    record_name, _SCRATCH_EXT, write_dir=str(tmp_dir), fs=float(signal.fs), **ann
                )
                scratch = tmp_dir / f"{record_name}.{_SCRATCH_EXT}"
                scratch.rename(tmp_dir / f"{record_name}.{ext}")
        except (ValueError, TypeError) as exc:
            raise SigvaeError(f"cannot write WFDB record: {exc}", path=target) from None

    names = [f"{record_name}.hea", f"{record_name}.dat", *(f"{record_name}.{e}" for e in ann_sets)]
    atomic_write_files(directory, names, write, overwrite)
    return target


def _check_writable(signal: Signal, record_name: str, fmt: str, target: Path) -> None:
    if fmt not in WRITE_FORMATS:
        raise SigvaeError(f"cannot write WFDB format {fmt!r}; use one of {WRITE_FORMATS}")
    if not _RECORD_NAME.match(record_name):
        raise SigvaeError(
            f"invalid WFDB record name {record_name!r}: use letters, digits, '_' and '-'"
        )
    if signal.n_samples == 0:
        raise SigvaeError("signal has no samples to write", path=target)
    if len(set(signal.channels)) != len(signal.channels):
        raise SigvaeError(f"duplicate channel names {signal.channels}", path=target)
    bad_units = [unit for unit in signal.units if any(c.isspace() for c in unit)]
    if bad_units:
        raise SigvaeError(f"WFDB units may not contain spaces: {bad_units}", path=target)
    if not np.isfinite(signal.fs) or signal.fs <= 0:
        raise SigvaeError(
            f"sampling frequency must be positive and finite, got {signal.fs}", path=target
        )
    if any(not name.strip() for name in signal.channels):
        raise SigvaeError("WFDB channel names may not be empty", path=target)
    if any(not text.isprintable() for text in [*signal.channels, *signal.units]):
        raise SigvaeError("WFDB channel names and units must be printable, one line", path=target)


def quantise(data: np.ndarray, fmt: str) -> tuple[list[float], list[int], np.ndarray]:
    """Per-channel gains, baselines and the digital samples ``[samples, channels]``.

    physical = (digital - baseline) / gain (the WFDB definition). The gain is rounded down to
    six significant digits so that the header shows a readable number that is exactly the
    value used; NaN maps to the format's invalid code.
    """
    invalid, high = SAMPLE_VALUE_RANGE[fmt]
    low = invalid + 1
    gains, baselines = [], []
    digital = np.empty((data.shape[1], data.shape[0]), dtype=np.int64)
    for ch, values in enumerate(np.asarray(data, dtype=np.float64)):
        finite = values[np.isfinite(values)]
        gain, baseline = _gain_baseline(finite, low, high)
        scaled = np.round(values * gain + baseline)
        codes = np.clip(np.nan_to_num(scaled, nan=invalid), low, high).astype(np.int64)
        codes[~np.isfinite(values)] = invalid
        digital[:, ch] = codes
        gains.append(gain)
        baselines.append(baseline)
    return gains, baselines, digital


def _gain_baseline(finite: np.ndarray, low: int, high: int) -> tuple[float, int]:
    if finite.size == 0:
        return 1.0, 0
    lo, hi = float(finite.min()), float(finite.max())
    center = (lo + hi) / 2
    span = hi - lo if hi > lo else max(abs(center), 1.0)
    mid = (low + high) // 2
    gain = (high - low - 2) / span  # one code of headroom at each end for rounding
    if center != 0:
        gain = min(gain, (INT32_MAX - abs(mid)) / abs(center) / 2)  # baseline must fit int32
    gain = _round_down(gain)
    return gain, int(round(mid - center * gain))


def _round_down(value: float, digits: int = 6) -> float:
    exponent = math.floor(math.log10(value)) - (digits - 1)
    return float(f"{math.floor(value / 10**exponent)}e{exponent}")


def _wfdb_annotations(signal: Signal) -> dict[str, dict]:
    sets = {}
    for ext, ann in signal.annotations.items():
        if "sample" not in ann or "symbol" not in ann or not re.match(r"^\w+$", ext):
            continue
        sample = np.asarray(ann["sample"], dtype=np.int64)
        order = np.argsort(sample, kind="stable")
        fields = {
            "sample": sample[order],
            "symbol": [str(s) for s in np.asarray(ann["symbol"])[order]],
        }
        if "aux_note" in ann:
            fields["aux_note"] = [str(a) for a in np.asarray(ann["aux_note"])[order]]
        if "chan" in ann:
            fields["chan"] = np.asarray(ann["chan"], dtype=np.int64)[order]
        sets[ext] = fields
    return sets
