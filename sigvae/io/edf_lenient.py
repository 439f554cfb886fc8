"""A lenient reader for 16-bit EDF/EDF+C files that pyedflib refuses.

EDFlib (inside pyedflib) rejects a whole EDF+ file when one data record lacks its time-keeping
annotation, which is what zero-padded "repaired" files look like (the PhysioNet EEG Motor
Movement/Imagery runs 1-2: the padded last record is all zeros). Everything else in such a file
is valid, so :func:`read_edf` falls back to this parser, which checks the header field by field
(so a truly broken file gets a precise reason) and tolerates empty annotation blocks.
Layout and scaling follow the EDF and EDF+ specifications (Kemp et al. 1992; Kemp & Olivan
2003): physical = (digital - dmin) * (pmax - pmin) / (dmax - dmin) + pmin.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from sigvae.errors import DataError

ANNOTATION_LABEL = "EDF Annotations"
# (name, width) of the per-signal header fields, in file order
SIGNAL_FIELDS = (
    ("label", 16), ("transducer", 80), ("dimension", 8), ("pmin", 8), ("pmax", 8),
    ("dmin", 8), ("dmax", 8), ("prefilter", 80), ("n_samples", 8), ("reserved", 32),
)  # fmt: skip


def read_edf_header(path: Path) -> dict:
    """The EDF main and signal headers, each field checked; raises DataError with the reason."""
    with open(path, "rb") as handle:
        head = handle.read(256)
        if len(head) < 256 or head[:8] != b"0       ":
            raise DataError("not a 16-bit EDF file (bad version field)", path=path)
        n_signals = _number(path, head[252:256], "number of signals", int)
        header_bytes = _number(path, head[184:192], "header size", int)
        if n_signals < 1 or header_bytes != 256 * (n_signals + 1):
            raise DataError(
                f"header size {header_bytes} does not fit {n_signals} signals", path=path
            )
        block = handle.read(256 * n_signals)
    if len(block) < 256 * n_signals:
        raise DataError("truncated EDF header", path=path)
    signals: dict[str, list] = {}
    offset = 0
    for name, width in SIGNAL_FIELDS:
        raw = [block[offset + i * width : offset + (i + 1) * width] for i in range(n_signals)]
        signals[name] = [r.decode("latin-1").strip() for r in raw]
        offset += width * n_signals
    for name, kind in (("pmin", float), ("pmax", float), ("dmin", int), ("dmax", int)):
        signals[name] = [_number(path, v.encode(), name, kind) for v in signals[name]]
    signals["n_samples"] = [_number(path, v.encode(), "samples", int) for v in signals["n_samples"]]
    return {
        "start": _start(head),
        "reserved": head[192:236].decode("latin-1").strip(),
        "n_records": _number(path, head[236:244], "number of data records", int),
        "record_seconds": _number(path, head[244:252], "data record duration", float),
        "header_bytes": header_bytes,
        "signals": signals,
    }


def read_edf_lenient(path: Path) -> tuple[dict, np.ndarray, list[tuple[float, float, str]]]:
    """``(header, one digital sample array per signal, [(onset, duration, text), ...])``.

    Data records are read in full; annotation blocks without a time-keeping TAL are tolerated.
    Only continuous files (EDF or EDF+C) are accepted.
    """
    header = read_edf_header(path)
    if header["reserved"].startswith("EDF+D"):
        raise DataError("discontinuous EDF+D files are not supported", path=path)
    counts = header["signals"]["n_samples"]
    record_values = sum(counts)
    size = path.stat().st_size - header["header_bytes"]
    n_records = header["n_records"]
    if n_records < 0:
        n_records = size // (2 * record_values)
    if size < n_records * 2 * record_values:
        raise DataError(
            f"truncated: header says {n_records} data records, the file holds "
            f"{size // (2 * record_values)}",
            path=path,
        )
    raw = np.fromfile(path, dtype="<i2", count=n_records * record_values,
                      offset=header["header_bytes"]).reshape(n_records, record_values)  # fmt: skip
    bounds = np.cumsum([0, *counts])
    per_signal = [raw[:, bounds[i] : bounds[i + 1]].reshape(-1) for i in range(len(counts))]
    labels = header["signals"]["label"]
    annotations: list[tuple[float, float, str]] = []
    for i, label in enumerate(labels):
        if label == ANNOTATION_LABEL:
            annotations.extend(_parse_tals(per_signal[i].astype("<i2").tobytes(), path))
    return header, per_signal, annotations


def physical(header: dict, index: int, digital: np.ndarray, dtype: str) -> np.ndarray:
    """Scale one signal's digital samples to physical units (EDF's linear map)."""
    s = header["signals"]
    dmin, dmax, pmin, pmax = s["dmin"][index], s["dmax"][index], s["pmin"][index], s["pmax"][index]
    gain = (pmax - pmin) / (dmax - dmin) if dmax != dmin else 1.0
    return ((digital.astype(np.float64) - dmin) * gain + pmin).astype(dtype, copy=False)


def _parse_tals(blob: bytes, path: Path) -> list[tuple[float, float, str]]:
    """Annotations from the concatenated annotation blocks; time-keeping TALs are skipped."""
    found = []
    for tal in blob.split(b"\x00"):
        if not tal.startswith((b"+", b"-")):
            continue  # padding, or the empty block of a zero-padded record
        parts = tal.split(b"\x14")
        onset_text, _, duration_text = parts[0].partition(b"\x15")
        try:
            onset = float(onset_text)
            duration = float(duration_text) if duration_text else float("nan")
        except ValueError:
            raise DataError(f"malformed EDF+ annotation {tal[:40]!r}", path=path) from None
        for text in parts[1:]:
            if text:
                found.append((onset, duration, text.decode("utf-8", errors="replace")))
    return found


def _start(head: bytes) -> str:
    """Start date and time as ``YYYY-MM-DD HH:MM:SS`` (EDF's two-digit years: 1985-2084)."""
    day, month, year = head[168:176].decode("latin-1").strip().split(".")
    clock = head[176:184].decode("latin-1").strip().replace(".", ":")
    year = int(year)
    return f"{year + (1900 if year >= 85 else 2000)}-{month}-{day} {clock}"


def _number(path: Path, raw: bytes, what: str, kind):
    text = raw.decode("latin-1").strip()
    try:
        return kind(float(text)) if kind is int and "." in text else kind(text)
    except ValueError:
        raise DataError(f"EDF header field '{what}' is not a number: {text!r}", path=path) from None
