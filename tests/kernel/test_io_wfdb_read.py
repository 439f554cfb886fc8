"""read_wfdb on real PhysioNet records, including the awkward ones in ecg/edge."""

from __future__ import annotations

import numpy as np
import pytest

from sigvae.io import read_signal, read_wfdb

pytestmark = pytest.mark.data

# name, fs, samples, channels, units: from the data README and the headers
EDGE = [
    ("test01_00s", 500, 4000, ["ECG 1", "ECG 2", "ECG 3", "ECG 4"], ["mV"] * 4),
    ("s0010_re", 1000, 38400, None, ["mV"] * 15),
    ("03700181", 125, 75000, ["MCL1", "ABP", "RESP"], ["mV", "mmHg", "mV"]),
    ("v102s", 250, 75000, ["II", "V", "PLETH", "RESP"], ["mV", "mV", "NU", "NU"]),
    ("3000003_0003", 125, 1028, ["II", "V"], ["mV", "mV"]),
    ("100_3chan", 360, 999, ["I", "II", "III"], ["mV"] * 3),
    ("a103l", 250, 82500, ["II", "V", "PLETH"], ["mV", "mV", "NU"]),
]


def decode_212(raw: bytes) -> np.ndarray:
    """Format 212 by hand (two 12-bit two's-complement samples in three bytes), independent
    of wfdb, to check the reader against the file's bytes."""
    raw = raw + bytes(-len(raw) % 3)  # an odd sample count leaves a two-byte tail
    b = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 3).astype(int)
    first = b[:, 0] | ((b[:, 1] & 0x0F) << 8)
    second = b[:, 2] | ((b[:, 1] & 0xF0) << 4)
    samples = np.stack([first, second], axis=1).reshape(-1)
    return np.where(samples >= 2048, samples - 4096, samples)


@pytest.mark.parametrize("name, fs, n, channels, units", EDGE)
def test_edge_records_read(shared_data, name, fs, n, channels, units):
    signal = read_wfdb(shared_data / "ecg" / "edge" / name)
    assert signal.name == name
    assert signal.fs == fs
    assert signal.n_samples == n
    assert signal.units == units
    if channels is not None:
        assert signal.channels == channels
    assert signal.data.dtype == np.float64
    assert signal.meta["source"].endswith(f"{name}.hea")


def test_fifteen_leads(shared_data):
    signal = read_wfdb(shared_data / "ecg" / "edge" / "s0010_re")
    assert signal.n_channels == 15
    assert signal.channels[:3] == ["i", "ii", "iii"] and signal.channels[-3:] == ["vx", "vy", "vz"]
    assert any("age: 81" in c for c in signal.meta["comments"])


@pytest.mark.parametrize("given", ["100_3chan", "100_3chan.hea", "100_3chan.dat"])
def test_physical_values_match_the_bytes_odd_length_212(shared_data, given):
    """fmt 212 with an odd number of samples; physical = (digital - baseline) / gain."""
    edge = shared_data / "ecg" / "edge"
    signal = read_wfdb(edge / given)
    digital = decode_212((edge / "100_3chan.dat").read_bytes())
    digital = digital[: 999 * 3].reshape(999, 3).T
    np.testing.assert_allclose(signal.data, (digital - 1024) / 200.0)


def test_nan_samples_are_the_invalid_codes(shared_data):
    """v102s: every NaN is a -2048 (invalid) sample in the file, and only those."""
    edge = shared_data / "ecg" / "edge"
    signal = read_wfdb(edge / "v102s")
    digital = decode_212((edge / "v102s.dat").read_bytes()).reshape(-1, 4).T
    np.testing.assert_array_equal(np.isnan(signal.data), digital == -2048)
    assert np.isnan(signal.data).sum() == 23


def test_fmt80_and_mat_records(shared_data):
    edge = shared_data / "ecg" / "edge"
    fmt80 = read_wfdb(edge / "3000003_0003.dat")
    raw = np.frombuffer((edge / "3000003_0003.dat").read_bytes(), dtype=np.uint8).astype(int)
    digital = (raw - 128).reshape(-1, 2).T  # format 80: offset binary
    np.testing.assert_allclose(fmt80.data[0], digital[0] / 29.0)
    mat = read_wfdb(edge / "a103l.mat")
    assert mat.name == "a103l" and mat.n_channels == 3
    assert mat.meta["comments"] == ["Asystole", "False alarm"]


def test_multi_frame_record_full_rate_or_averaged(shared_data):
    """03700181: MCL1 has 4 samples per frame. Alone it comes at 500 Hz; with the other
    channels each frame is averaged to 125 Hz and the note says so."""
    path = shared_data / "ecg" / "edge" / "03700181"
    everything = read_wfdb(path)
    mcl1 = read_wfdb(path, channels=["MCL1"])
    assert mcl1.fs == 500 and mcl1.n_samples == 4 * 75000
    assert everything.meta["smoothed"] == ["MCL1"]
    np.testing.assert_allclose(everything.data[0], mcl1.data[0].reshape(-1, 4).mean(axis=1))
    assert np.isnan(everything.data[2]).sum() == 4  # RESP is skewed by 4 frames


def test_nstdb_zero_gain_is_noted(shared_data):
    signal = read_wfdb(shared_data / "ecg" / "nstdb" / "em", stop=3600)
    assert signal.meta["uncalibrated"] == ["noise1", "noise2"]
    assert "200" in signal.meta["notes"][0]
    digital = decode_212((shared_data / "ecg" / "nstdb" / "em.dat").read_bytes()[:10800])
    np.testing.assert_allclose(signal.data, digital.reshape(-1, 2).T / 200.0)


def test_mitdb_annotations_and_window(shared_data):
    path = shared_data / "ecg" / "mitdb" / "100"
    whole = read_wfdb(path)
    atr = whole.annotations["atr"]
    assert whole.n_samples == 650000 and whole.channels == ["MLII", "V5"]
    assert len(atr["sample"]) == 2274 and len(atr["symbol"]) == 2274
    assert (atr["symbol"] == "N").sum() == 2239  # MIT-BIH 100: 2239 normal beats
    part = read_wfdb(path, channels=["V5", 0], start=3600, stop=7200)
    assert part.channels == ["V5", "MLII"] and part.n_samples == 3600
    np.testing.assert_array_equal(part.data[1], whole.data[0, 3600:7200])
    inside = (atr["sample"] >= 3600) & (atr["sample"] < 7200)
    np.testing.assert_array_equal(part.annotations["atr"]["sample"], atr["sample"][inside] - 3600)


def test_float32_and_all_annotations(shared_data):
    signal = read_wfdb(shared_data / "ecg" / "ludb" / "1", annotations="*", dtype="float32")
    assert signal.data.dtype == np.float32
    assert sorted(signal.annotations) == sorted(
        ["i", "ii", "iii", "avr", "avl", "avf", "v1", "v2", "v3", "v4", "v5", "v6"]
    )
    assert set(signal.annotations["ii"]["symbol"]) <= {"(", ")", "p", "N", "t"}


def test_read_signal_dispatches_on_suffix(shared_data):
    assert read_signal(shared_data / "ecg" / "edge" / "test01_00s.hea").fs == 500
    assert read_signal(shared_data / "fecg" / "adfecgdb" / "r01.edf", channels=[0]).fs == 1000


@pytest.mark.parametrize(
    "name, kwargs",
    [
        ("edge/03700181", {}),  # skewed RESP, 4 samples per frame averaged
        ("edge/03700181", {"channels": ["MCL1"]}),  # ... or expanded to 500 Hz
        ("edge/v102s", {}),  # NaNs
        ("mitdb/100", {"start": 1234, "stop": 9876}),
    ],
)
def test_block_reading_equals_one_read(shared_data, monkeypatch, name, kwargs):
    """Long records are read in blocks of frames; the seams must not show."""
    import sigvae.io.wfdb_reader as reader

    path = shared_data / "ecg" / name
    whole = read_wfdb(path, **kwargs)
    monkeypatch.setattr(reader, "BLOCK_FRAMES", 999)
    blocked = read_wfdb(path, **kwargs)
    assert blocked.data.flags["C_CONTIGUOUS"]
    np.testing.assert_array_equal(blocked.data, whole.data)
