"""Read EDF, EDF+ and BDF files into a :class:`~sigvae.data.Signal` with pyedflib.

pyedflib rather than ``wfdb.rdedf``: wfdb resamples channels to a common rate without saying
so (it changes the ADFECGDB recordings), whereas a Signal must hold the recorded samples.

Channels recorded at different sampling rates cannot share one ``[channels, samples]`` array.
Choice made here: no resampling and no silent grouping. Without a selection, a file whose
channels differ in rate is an error that lists the rates and their channels; pick channels of
one rate with ``channels=``. EDF+ annotations go to ``Signal.annotations["edf"]`` with
``sample`` (onset at the returned rate), ``onset`` and ``duration`` in seconds (NaN where the
file gives none) and ``text``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from sigvae.data import Signal
from sigvae.errors import DataError
from sigvae.io.channels import channel_indices

EDF_SUFFIXES = (".edf", ".bdf", ".rec")
ANNOTATION_KEY = "edf"


def read_edf(
    path: str | Path,
    channels: Sequence[str | int] | None = None,
    annotations: Sequence[str] = (),
    dtype: str = "float64",
) -> Signal:
    """Read the EDF/EDF+/BDF file at ``path`` in physical units (the file's dimensions).

    ``channels`` selects signals by label or index, in the order given; all selected channels
    must share one sampling rate. ``annotations`` lists WFDB annotation files kept next to the
    EDF file (``r01.edf.qrs`` for ``("qrs",)``), loaded when present as in :func:`read_wfdb`.
    The Signal is named after the file without its suffix. A 16-bit EDF file that pyedflib
    refuses is read by :mod:`sigvae.io.edf_lenient` (noted in ``meta["notes"]``) when its
    header checks out, so the error for a broken file names the broken field.
    """
    path = Path(path)
    if not path.is_file():
        raise DataError("EDF file not found", path=path)
    try:
        content = _load_with_pyedflib(path, channels, dtype)
    except _Refused as refused:
        content = _load_leniently(path, channels, dtype, refused.reason)
    fs = content["fs"]
    signal = Signal(
        data=content["data"],
        fs=fs,
        channels=content["channels"],
        units=[unit or "NU" for unit in content["units"]],
        name=path.stem,
        meta={
            "source": str(path),
            "format": "edf",
            "record": path.stem,
            "start_datetime": content["start"],
            "prefilter": content["prefilter"],
            "notes": content["notes"],
        },
    )
    onsets, durations, texts = content["annotations"]
    if len(onsets):
        onsets = np.asarray(onsets, dtype=np.float64)
        durations = np.asarray(durations, dtype=np.float64)
        signal.annotations[ANNOTATION_KEY] = {
            "sample": np.round(onsets * fs).astype(np.int64),
            "onset": onsets,
            "duration": np.where(durations < 0, np.nan, durations),
            "text": np.asarray(texts, dtype=str),
        }
    for ext in annotations:
        from sigvae.io.wfdb_reader import read_wfdb_annotation  # wfdb only when asked for

        if path.with_name(f"{path.name}.{ext}").is_file():
            signal.annotations[ext] = read_wfdb_annotation(path, ext, fs=fs)
    return signal


class _Refused(Exception):
    """pyedflib could not open the file; ``reason`` is its message without the path."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _select(path: Path, labels: list[str], rates: list[float], channels) -> list[int]:
    if not labels:
        raise DataError("EDF file has no signals", path=path)
    index = channel_indices(labels, channels, path)
    _check_one_rate(path, [labels[i] for i in index], [rates[i] for i in index])
    return index


def _load_with_pyedflib(path: Path, channels, dtype: str) -> dict:
    import pyedflib

    try:
        reader = pyedflib.EdfReader(str(path))
    except Exception as exc:  # pyedflib reports malformed files as OSError with a reason
        raise _Refused(" ".join(str(exc).replace(f"{path}: ", "").split())) from None
    try:
        labels = [label.strip() for label in reader.getSignalLabels()]
        rates = [float(reader.getSampleFrequency(i)) for i in range(len(labels))]
        index = _select(path, labels, rates, channels)
        return {
            "channels": [labels[i] for i in index],
            "fs": rates[index[0]],
            "data": np.stack([reader.readSignal(i) for i in index]).astype(dtype, copy=False),
            "units": [reader.getPhysicalDimension(i).strip() for i in index],
            "prefilter": [reader.getPrefilter(i) for i in index],
            "start": str(reader.getStartdatetime()),
            "annotations": reader.readAnnotations(),
            "notes": [],
        }
    except DataError:
        raise
    except Exception as exc:
        raise DataError(
            f"cannot read EDF signals: {type(exc).__name__}: {exc}", path=path
        ) from None
    finally:
        reader.close()


def _load_leniently(path: Path, channels, dtype: str, refusal: str) -> dict:
    from sigvae.io.edf_lenient import ANNOTATION_LABEL, physical, read_edf_lenient

    try:
        header, digital, found = read_edf_lenient(path)
    except DataError as exc:
        raise DataError(
            f"unreadable EDF file: {exc} (pyedflib: {refusal})".replace(f"{path}: ", "", 1),
            path=path,
        ) from None
    info = header["signals"]
    if header["record_seconds"] <= 0:
        raise DataError("EDF data record duration must be positive", path=path)
    keep = [i for i, label in enumerate(info["label"]) if label != ANNOTATION_LABEL]
    labels = [info["label"][i] for i in keep]
    rates = [info["n_samples"][i] / header["record_seconds"] for i in keep]
    index = [keep[i] for i in _select(path, labels, rates, channels)]
    return {
        "channels": [info["label"][i] for i in index],
        "fs": info["n_samples"][index[0]] / header["record_seconds"],
        "data": np.stack([physical(header, i, digital[i], dtype) for i in index]),
        "units": [info["dimension"][i] for i in index],
        "prefilter": [info["prefilter"][i] for i in index],
        "start": header["start"],
        "annotations": tuple(zip(*found)) if found else ((), (), ()),
        "notes": [f"pyedflib refused the file ({refusal}); read by sigvae's lenient EDF parser"],
    }


def _check_one_rate(path: Path, labels: list[str], rates: list[float]) -> None:
    if len(set(rates)) == 1:
        return
    groups: dict[float, list[str]] = {}
    for label, rate in zip(labels, rates):
        groups.setdefault(rate, []).append(label)
    listing = "; ".join(f"{rate:g} Hz: {', '.join(names)}" for rate, names in groups.items())
    raise DataError(
        f"channels have different sampling rates ({listing}); select channels of one rate",
        path=path,
    )
