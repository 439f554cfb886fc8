"""Broken WFDB records give one-line DataErrors that name the file (issue 6's bad inputs).

Broken copies are built in tmp_path from real records; shared data is never touched.
"""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from sigvae.errors import DataError
from sigvae.io import read_wfdb, write_wfdb
from sigvae.io.channels import MissingChannelError

pytestmark = pytest.mark.data


@pytest.fixture
def small(shared_data, tmp_path):
    """A writable copy of edge/100_3chan (fmt 212, 999 samples x 3 channels: 4496 bytes)."""
    for suffix in (".hea", ".dat"):
        shutil.copy(shared_data / "ecg" / "edge" / f"100_3chan{suffix}", tmp_path)
    return tmp_path / "100_3chan"


def read_error(path, **kwargs) -> str:
    with pytest.raises(DataError) as info:
        read_wfdb(path, **kwargs)
    message = str(info.value)
    assert "\n" not in message
    return message


def edit_header(record, old, new):
    header = record.with_name(record.name + ".hea")
    text = header.read_text()
    assert old in text
    header.write_text(text.replace(old, new, 1))


def test_missing_header(tmp_path):
    message = read_error(tmp_path / "nothing.dat")
    assert "nothing.hea not found" in message and str(tmp_path) in message


def test_directory_instead_of_record(tmp_path):
    assert "is a directory" in read_error(tmp_path)


def test_missing_dat(small):
    small.with_suffix(".dat").unlink()
    message = read_error(small)
    assert "100_3chan.dat" in message and "missing" in message


def test_truncated_dat_by_one_byte(small):
    dat = small.with_name("100_3chan.dat")
    dat.write_bytes(dat.read_bytes()[:-1])
    message = read_error(small)
    assert "truncated" in message and "100_3chan.dat" in message and "999" in message


def test_header_longer_than_data(small):
    edit_header(small, "360.0 999", "360.0 1200")
    assert "truncated" in read_error(small)


def test_header_shorter_than_data(small):
    """wfdb alone would silently read the first 500 samples."""
    edit_header(small, "360.0 999", "360.0 500")
    message = read_error(small)
    assert "length mismatch" in message and "500" in message and "999" in message


def test_unknown_format(small):
    edit_header(small, "100_3chan.dat 212", "100_3chan.dat 999")
    message = read_error(small)
    assert "unsupported WFDB format '999'" in message and "100_3chan.hea" in message


@pytest.mark.parametrize(
    "text, reason",
    [
        ("", "empty WFDB header"),
        ("garbage here\n", "unreadable WFDB header"),
        ("rec 2 360 10\nrec.dat 16\n", "declares 2 signals (or segments) but describes 1"),
    ],
)
def test_malformed_header(tmp_path, text, reason):
    (tmp_path / "rec.hea").write_text(text)
    message = read_error(tmp_path / "rec")
    assert "rec.hea" in message and reason in message


def test_unknown_channel_lists_the_channels(small):
    with pytest.raises(MissingChannelError, match=r"no channel 'V1' \(channels: I, II, III\)"):
        read_wfdb(small, channels=["V1"])
    with pytest.raises(MissingChannelError, match="out of range"):
        read_wfdb(small, channels=[3])


def test_window_outside_the_record(small):
    assert "start 999 outside" in read_error(small, start=999)
    assert "stop 2000 invalid" in read_error(small, stop=2000)


def test_corrupt_annotation_file(small):
    small.with_name("100_3chan.atr").write_bytes(b"\xff" * 7)
    message = read_error(small)
    assert "100_3chan.atr" in message and "annotation" in message


def test_mitdb_copy_truncated_mid_file(shared_data, tmp_path):
    shutil.copy(shared_data / "ecg" / "mitdb" / "100.hea", tmp_path)
    data = (shared_data / "ecg" / "mitdb" / "100.dat").read_bytes()
    (tmp_path / "100.dat").write_bytes(data[: len(data) // 3])
    message = read_error(tmp_path / "100.hea")
    assert "truncated" in message and "650000" in message


def test_multi_segment_record_and_its_missing_segment(tmp_path):
    rng = np.random.default_rng(0)
    from sigvae.data import Signal

    first = Signal(rng.normal(size=(2, 1000)), 100.0, ["a", "b"], ["mV", "mV"])
    second = Signal(rng.normal(size=(2, 500)), 100.0, ["a", "b"], ["mV", "mV"])
    write_wfdb(first, tmp_path, "seg1")
    write_wfdb(second, tmp_path, "seg2")
    (tmp_path / "multi.hea").write_text("multi/2 2 100 1500\nseg1 1000\nseg2 500\n")
    signal = read_wfdb(tmp_path / "multi", channels=["b"])
    assert signal.channels == ["b"] and signal.n_samples == 1500
    expected = np.concatenate([first.data[1], second.data[1]])
    np.testing.assert_allclose(signal.data[0], expected, atol=1e-3)
    (tmp_path / "seg2.hea").unlink()
    assert "segment header seg2.hea" in read_error(tmp_path / "multi")
