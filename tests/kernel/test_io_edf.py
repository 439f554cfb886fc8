"""read_edf: real EDF+ files (ADFECGDB, EEGMMIDB), multi-rate files, broken files."""

from __future__ import annotations

import numpy as np
import pytest

from sigvae.errors import DataError
from sigvae.io import read_edf
from sigvae.io.edf_lenient import physical, read_edf_lenient


def write_two_rate_edf(path):
    from pyedflib import highlevel

    t = np.arange(1000) / 100
    signals = [100 * np.sin(2 * np.pi * t), 50 * np.cos(2 * np.pi * t[::2])]
    headers = [
        highlevel.make_signal_header("fast", "uV", 100, -200, 200),
        highlevel.make_signal_header("slow", "mV", 50, -100, 100),
    ]
    header = highlevel.make_header()
    header["annotations"] = [[1.5, 0.5, "event A"], [3.0, -1, "B"]]
    highlevel.write_edf(str(path), signals, headers, header)
    return signals


def test_different_rates_need_a_selection(tmp_path):
    path = tmp_path / "two_rates.edf"
    signals = write_two_rate_edf(path)
    with pytest.raises(DataError, match=r"different sampling rates \(100 Hz: fast; 50 Hz: slow\)"):
        read_edf(path)
    slow = read_edf(path, channels=["slow"])
    assert slow.fs == 50 and slow.n_samples == 500 and slow.units == ["mV"]
    np.testing.assert_allclose(slow.data[0], signals[1], atol=200 / 65535)
    edf = slow.annotations["edf"]
    np.testing.assert_array_equal(edf["sample"], [75, 150])  # onset x fs
    np.testing.assert_allclose(edf["duration"], [0.5, np.nan])
    assert list(edf["text"]) == ["event A", "B"]


def test_missing_and_non_edf_files(tmp_path):
    with pytest.raises(DataError, match="EDF file not found"):
        read_edf(tmp_path / "absent.edf")
    junk = tmp_path / "junk.edf"
    junk.write_bytes(b"this is not an EDF file" * 20)
    with pytest.raises(DataError) as info:
        read_edf(junk)
    assert "junk.edf" in str(info.value) and "\n" not in str(info.value)


@pytest.mark.data
def test_adfecgdb_r01(shared_data):
    path = shared_data / "fecg" / "adfecgdb" / "r01.edf"
    signal = read_edf(path, annotations=["qrs"])
    assert signal.name == "r01" and signal.fs == 1000 and signal.n_samples == 300000
    assert signal.channels == ["Direct_1", "Abdomen_1", "Abdomen_2", "Abdomen_3", "Abdomen_4"]
    assert signal.units == ["uV"] * 5
    # the EDF+ annotations and the WFDB .qrs file mark the same fetal beats; the .qrs file
    # truncated onset x fs (32.175 s -> 32174) where we round (32175), hence one sample
    difference = signal.annotations["edf"]["sample"] - signal.annotations["qrs"]["sample"]
    assert set(np.unique(difference)) <= {0, 1}
    assert len(signal.annotations["qrs"]["sample"]) == 644
    picked = read_edf(path, channels=["Abdomen_2", 0])
    np.testing.assert_array_equal(picked.data, signal.data[[2, 0]])


@pytest.mark.data
def test_eeg_motor_imagery_run(shared_data):
    signal = read_edf(shared_data / "neuro" / "eeg_mmidb_S001" / "S001R03.edf", dtype="float32")
    assert signal.n_channels == 64 and signal.fs == 160 and signal.n_samples == 20000
    assert signal.data.dtype == np.float32 and signal.units[0] == "uV"
    edf = signal.annotations["edf"]
    assert set(edf["text"]) == {"T0", "T1", "T2"} and len(edf["text"]) == 30
    np.testing.assert_array_equal(edf["sample"], np.round(edf["onset"] * 160))


@pytest.mark.data
def test_lenient_parser_agrees_with_pyedflib(shared_data):
    """On a file both can read, the fallback parser gives the same samples and annotations."""
    path = shared_data / "neuro" / "eeg_mmidb_S001" / "S001R04.edf"
    reference = read_edf(path)
    header, digital, found = read_edf_lenient(path)
    assert header["signals"]["label"][:64] == reference.channels
    ours = np.stack([physical(header, i, digital[i], "float64") for i in range(64)])
    np.testing.assert_allclose(ours, reference.data, rtol=0, atol=1e-9)
    onsets, durations, texts = zip(*found)
    np.testing.assert_allclose(onsets, reference.annotations["edf"]["onset"])
    np.testing.assert_allclose(durations, reference.annotations["edf"]["duration"])
    assert list(texts) == list(reference.annotations["edf"]["text"])


@pytest.mark.data
def test_zero_padded_run_that_pyedflib_refuses(shared_data):
    """Runs 1-2 end with a zero-padded record without its time-keeping annotation."""
    signal = read_edf(shared_data / "neuro" / "eeg_mmidb_S001" / "S001R01.edf")
    assert signal.n_channels == 64 and signal.n_samples == 61 * 160
    assert "lenient" in signal.meta["notes"][0]
    assert list(signal.annotations["edf"]["text"]) == ["T0"]


@pytest.mark.data
def test_truncated_edf_names_the_problem(shared_data, tmp_path):
    data = (shared_data / "neuro" / "eeg_mmidb_S001" / "S001R03.edf").read_bytes()
    cut = tmp_path / "cut.edf"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(
        DataError, match=r"cut.edf: unreadable EDF file: truncated: header says 125"
    ):
        read_edf(cut)
