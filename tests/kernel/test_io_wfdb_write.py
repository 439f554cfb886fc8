"""write_wfdb round-trips what read_wfdb read, within the format's quantisation."""

from __future__ import annotations

import numpy as np
import pytest
import wfdb

from sigvae.data import Signal
from sigvae.errors import SigvaeError
from sigvae.io import read_wfdb, write_wfdb
from sigvae.io.wfdb_writer import WRITE_FORMATS, quantise

EDGE = ["test01_00s", "s0010_re", "03700181", "v102s", "3000003_0003", "100_3chan", "a103l"]


def assert_round_trip(original: Signal, header_path, exact_annotations=True):
    back = read_wfdb(header_path, annotations="*")
    assert back.channels == original.channels
    assert back.units == [u or "NU" for u in original.units]
    assert back.fs == original.fs
    assert back.n_samples == original.n_samples
    np.testing.assert_array_equal(np.isnan(back.data), np.isnan(original.data))
    gains = wfdb.rdheader(str(header_path.with_suffix(""))).adc_gain
    for row, (x, y, gain) in enumerate(zip(original.data, back.data, gains)):
        finite = np.isfinite(x)
        error = np.max(np.abs(x[finite] - y[finite]), initial=0.0)
        # half a code, plus float64 rounding (gains reach 1e9 in formats 24 and 32)
        assert error <= (0.5 + 1e-5) / gain, (original.channels[row], error, gain)
    if exact_annotations:
        assert sorted(back.annotations) == sorted(original.annotations)
        for ext, ann in original.annotations.items():
            for key in ("sample", "symbol", "aux_note", "chan"):
                np.testing.assert_array_equal(back.annotations[ext][key], ann[key])
    return back


@pytest.mark.data
@pytest.mark.parametrize("name", EDGE)
def test_edge_records_round_trip(shared_data, tmp_path, name):
    original = read_wfdb(shared_data / "ecg" / "edge" / name)
    path = write_wfdb(original, tmp_path, f"{name}_copy", comments=["made by a test"])
    assert path == tmp_path / f"{name}_copy.hea"
    back = assert_round_trip(original, path)
    assert back.meta["comments"] == ["made by a test"]


@pytest.mark.data
@pytest.mark.parametrize(
    "fmt, code_span", [("212", 4095), ("24", 2**24 - 1), ("32", 2**32 - 1), ("80", 255)]
)
def test_formats_round_trip_with_their_precision(shared_data, tmp_path, fmt, code_span):
    original = read_wfdb(shared_data / "ecg" / "edge" / "v102s")  # has NaNs
    back = assert_round_trip(original, write_wfdb(original, tmp_path, "out", fmt=fmt))
    span = np.nanmax(original.data, axis=1) - np.nanmin(original.data, axis=1)
    error = np.nanmax(np.abs(back.data - original.data), axis=1)
    # the data range fills the digital range (minus 2 codes of headroom), so the error is
    # at most half a code of the full span
    # (1e-4: the gain is rounded down to six significant digits, and float64 rounding)
    assert np.all(error <= 0.5 * span / (code_span - 3) * (1 + 1e-4))


@pytest.mark.data
def test_mitdb_with_annotations_and_ludb_extensions(shared_data, tmp_path):
    mitdb = read_wfdb(shared_data / "ecg" / "mitdb" / "100", stop=36000)
    assert_round_trip(mitdb, write_wfdb(mitdb, tmp_path, "m100"))
    ludb = read_wfdb(shared_data / "ecg" / "ludb" / "1", annotations="*")
    back = assert_round_trip(ludb, write_wfdb(ludb, tmp_path, "ludb1"))
    assert "v1" in back.annotations  # wfdb.wrann alone refuses extensions with digits


def test_special_channels_round_trip(tmp_path):
    """A constant channel, an all-NaN channel, a small swing on a large offset, float32."""
    rng = np.random.default_rng(1)
    data = np.stack(
        [
            np.full(500, 3.25),
            np.full(500, np.nan),
            1000.0 + 1e-3 * rng.standard_normal(500),
            rng.standard_normal(500),
        ]
    ).astype(np.float32)
    data[3, 10:20] = np.nan
    original = Signal(
        data, 173.61, ["flat", "gone", "offset", "noisy lead"], ["mV", "", "uV", "mV"]
    )
    back = assert_round_trip(original, write_wfdb(original, tmp_path, "special"))
    assert back.fs == 173.61 and back.units[1] == "NU"
    assert np.all(np.isnan(back.data[1]))
    assert np.std(back.data[2] - 1000.0) > 0  # the 1e-3 swing survives the 1000 offset


def test_existing_output_is_refused_and_left_intact(tmp_path):
    signal = Signal(np.zeros((1, 100)), 100.0, ["a"], ["mV"])
    write_wfdb(signal, tmp_path, "rec")
    before = (tmp_path / "rec.dat").read_bytes()
    louder = Signal(np.ones((1, 100)), 100.0, ["a"], ["mV"])
    with pytest.raises(SigvaeError, match=r"rec\.hea: already exists"):
        write_wfdb(louder, tmp_path, "rec")
    assert (tmp_path / "rec.dat").read_bytes() == before
    write_wfdb(louder, tmp_path, "rec", overwrite=True)
    np.testing.assert_allclose(read_wfdb(tmp_path / "rec").data, 1.0)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rec.dat", "rec.hea"]


def test_failure_while_writing_leaves_no_files(tmp_path, monkeypatch):
    signal = Signal(np.zeros((1, 100)), 100.0, ["a"], ["mV"])
    signal.annotations["atr"] = {"sample": np.array([5]), "symbol": np.array(["N"])}

    def broken(*args, **kwargs):
        raise ValueError("simulated failure")

    monkeypatch.setattr(wfdb, "wrann", broken)
    with pytest.raises(SigvaeError, match="simulated failure"):
        write_wfdb(signal, tmp_path, "rec")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "channels, units, name, fmt, reason",
    [
        (["a", "a"], ["mV", "mV"], "rec", None, "duplicate channel names"),
        (["a", "b"], ["m V", "mV"], "rec", None, "may not contain spaces"),
        (["a", "b"], ["mV", "mV"], "bad name", None, "invalid WFDB record name"),
        (["a", "b"], ["mV", "mV"], "rec", "61", "cannot write WFDB format '61'"),
    ],
)
def test_unwritable_inputs(tmp_path, channels, units, name, fmt, reason):
    signal = Signal(np.zeros((2, 10)), 100.0, channels, units)
    with pytest.raises(SigvaeError, match=reason):
        write_wfdb(signal, tmp_path, name, fmt=fmt)
    assert list(tmp_path.iterdir()) == []


def test_edf_text_annotations_are_not_written_as_wfdb(tmp_path):
    signal = Signal(np.zeros((1, 100)), 100.0, ["a"], ["mV"])
    signal.annotations["edf"] = {"sample": np.array([1]), "text": np.array(["T0"])}
    write_wfdb(signal, tmp_path, "rec")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rec.dat", "rec.hea"]


@pytest.mark.parametrize("fmt", WRITE_FORMATS)
def test_our_encoding_matches_wfdb_byte_for_byte(tmp_path, fmt):
    """The NumPy encoder writes the same signal file and header fields as wfdb.wrsamp."""
    rng = np.random.default_rng(2)
    data = rng.normal(size=(3, 333)) * [[1.0], [50.0], [0.01]]  # 999 samples: odd for 212
    data[1, 5] = np.nan
    signal = Signal(data, 250.0, ["I", "BP art", "x"], ["mV", "mmHg", "V"])
    ours = write_wfdb(signal, tmp_path / "ours", "rec", fmt=fmt)
    gains, baselines, digital = quantise(signal.data, fmt)
    theirs = tmp_path / "theirs"
    theirs.mkdir()
    wfdb.wrsamp(
        "rec", fs=250, units=signal.units, sig_name=signal.channels, d_signal=digital,
        fmt=[fmt] * 3, adc_gain=gains, baseline=baselines, write_dir=str(theirs),
    )  # fmt: skip
    assert (tmp_path / "ours" / "rec.dat").read_bytes() == (theirs / "rec.dat").read_bytes()
    a, b = wfdb.rdheader(str(ours.with_suffix(""))), wfdb.rdheader(str(theirs / "rec"))
    for field in (
        "fs",
        "sig_len",
        "fmt",
        "adc_gain",
        "baseline",
        "units",
        "sig_name",
        "adc_res",
        "init_value",
    ):
        assert getattr(a, field) == getattr(b, field), field
    assert [c % 65536 for c in a.checksum] == [c % 65536 for c in b.checksum]
