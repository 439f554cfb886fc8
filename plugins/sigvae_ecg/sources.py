"""Records read piece by piece, so that a 24-hour record never has to fit in memory.

A source reads *frames*: one frame holds ``spf[c]`` samples of channel ``c`` (WFDB's samples
per frame; 1 for ordinary records). ``read(start, stop)`` returns each channel's samples of
frames ``[start, stop)`` in physical units, NaN where the recording marks a sample invalid.
``gains``/``baselines`` are the digital scaling the output writer reuses, so that channels
copied unchanged round-trip exactly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from sigvae.errors import DataError

EDF_SUFFIXES = (".edf", ".bdf", ".rec")
UNCALIBRATED_GAIN = 200.0


@dataclass
class RecordSource:
    name: str
    path: Path
    frame_fs: float
    n_frames: int
    channels: list[str]
    units: list[str]
    spf: list[int]
    gains: list[float]
    baselines: list[int]
    adc_bits: int
    comments: list[str] = field(default_factory=list)
    header_extra: str = ""

    def rate(self, channel: int) -> float:
        return self.frame_fs * self.spf[channel]

    def read(self, start: int, stop: int) -> list[np.ndarray]:
        raise NotImplementedError

    def close(self) -> None:
        """Release file handles (nothing to do for WFDB)."""


def open_record(path: str | Path) -> RecordSource:
    """A WFDB record (``name``, ``name.hea``, ``name.dat`` ...) or an EDF/BDF file."""
    path = Path(path)
    if path.suffix.lower() in EDF_SUFFIXES:
        return EdfSource.open(path)
    return WfdbSource.open(path)


class WfdbSource(RecordSource):
    @classmethod
    def open(cls, path: Path) -> WfdbSource:
        from sigvae.io.wfdb_checks import check_record, read_header, resolve_record

        record = resolve_record(path)
        header = read_header(record)
        hea = record.with_name(record.name + ".hea")
        if hasattr(header, "seg_name"):
            raise DataError("multi-segment WFDB records are not supported by ecg-denoise", path=hea)
        if not header.n_sig:
            raise DataError("record has no signals", path=hea)
        if header.sig_len is None:
            raise DataError("header gives no signal length", path=hea)
        check_record(record, header)
        extra = _base_datetime(header.base_time, header.base_date)
        src = cls(
            name=record.name,
            path=record,
            frame_fs=float(header.fs),
            n_frames=int(header.sig_len),
            channels=[n or f"ch{i}" for i, n in enumerate(header.sig_name)],
            units=[u or "NU" for u in header.units],
            spf=[int(s or 1) for s in header.samps_per_frame],
            gains=[float(g) if g else UNCALIBRATED_GAIN for g in header.adc_gain],
            baselines=[int(b or 0) for b in header.baseline],
            adc_bits=max(int(r or 12) for r in header.adc_res),
            comments=list(header.comments or []),
            header_extra=extra,
        )
        return src

    def read(self, start: int, stop: int) -> list[np.ndarray]:
        import wfdb

        try:
            rec = wfdb.rdrecord(
                str(self.path), sampfrom=start, sampto=stop, smooth_frames=False, return_res=64
            )
        except Exception as exc:  # anything wfdb raises on a record that passed the checks
            raise DataError(f"cannot read samples {start}-{stop}: {exc}", path=self.path) from None
        return [np.asarray(a, dtype=np.float64) for a in rec.e_p_signal]


class EdfSource(RecordSource):
    reader: object = None

    @classmethod
    def open(cls, path: Path) -> EdfSource:
        import pyedflib

        if not path.is_file():
            raise DataError("EDF file not found", path=path)
        try:
            reader = pyedflib.EdfReader(str(path))
        except Exception as exc:
            raise DataError(f"unreadable EDF file: {exc}", path=path) from None
        n = reader.signals_in_file
        labels = [s.strip() for s in reader.getSignalLabels()]
        if n == 0:
            reader.close()
            raise DataError("EDF file has no signals", path=path)
        rates = [float(reader.getSampleFrequency(i)) for i in range(n)]
        counts = [int(c) for c in reader.getNSamples()]
        frame_fs, spf = _frame_rate(rates, reader)
        gains, baselines = [], []
        for i in range(n):
            pmin, pmax = reader.getPhysicalMinimum(i), reader.getPhysicalMaximum(i)
            dmin, dmax = reader.getDigitalMinimum(i), reader.getDigitalMaximum(i)
            gain = (dmax - dmin) / (pmax - pmin) if pmax != pmin else 1.0
            gains.append(float(gain))
            baselines.append(int(round(dmax - gain * pmax)))
        src = cls(
            name=path.stem,
            path=path,
            frame_fs=frame_fs,
            n_frames=min(c // s for c, s in zip(counts, spf)),
            channels=labels,
            units=[reader.getPhysicalDimension(i).strip() or "NU" for i in range(n)],
            spf=spf,
            gains=gains,
            baselines=baselines,
            adc_bits=24 if path.suffix.lower() == ".bdf" else 16,
            comments=[f"converted from EDF {path.name}"],
        )
        src.reader = reader
        return src

    def read(self, start: int, stop: int) -> list[np.ndarray]:
        try:
            return [
                np.asarray(
                    self.reader.readSignal(i, start * k, (stop - start) * k), dtype=np.float64
                )
                for i, k in enumerate(self.spf)
            ]
        except Exception as exc:
            raise DataError(
                f"cannot read EDF samples {start}-{stop}: {exc}", path=self.path
            ) from None

    def close(self) -> None:
        if self.reader is not None:
            self.reader.close()
            self.reader = None


def _frame_rate(rates: list[float], reader) -> tuple[float, list[int]]:
    """One frame rate for channels of different rates: their common divisor when the rates are
    whole numbers, else one EDF data record per frame."""
    if len(set(rates)) == 1:
        return rates[0], [1] * len(rates)
    if all(float(r).is_integer() for r in rates):
        base = math.gcd(*(int(r) for r in rates))
        return float(base), [int(r) // base for r in rates]
    duration = reader.datarecord_duration
    return 1.0 / duration, [int(round(r * duration)) for r in rates]


def _base_datetime(base_time, base_date) -> str:
    """WFDB header start time ``HH:MM:SS[.mmm] [DD/MM/YYYY]`` (a date needs a time)."""
    if base_time is None:
        return ""
    text = base_time.strftime("%H:%M:%S")
    if base_time.microsecond:
        text += f".{base_time.microsecond // 1000:03d}"
    return text + (f" {base_date.strftime('%d/%m/%Y')}" if base_date is not None else "")
