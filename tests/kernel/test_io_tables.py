"""CSV/Parquet tables and .npy arrays."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sigvae.data import Signal
from sigvae.errors import DataError, SigvaeError
from sigvae.io import read_npy, read_table, write_table


@pytest.fixture
def frame():
    index = pd.Index(pd.date_range("2024-01-01", periods=4, name="date"))
    return pd.DataFrame(
        {"close": [1.5, 2.0, np.nan, 4.25], "volume": [10, 20, 30, 40]}, index=index
    )


@pytest.mark.parametrize("name", ["t.csv", "t.tsv", "t.csv.gz", "t.parquet"])
def test_table_round_trip(tmp_path, frame, name):
    path = write_table(frame, tmp_path / name)
    back = read_table(path, index_col="date", parse_dates=True)
    pd.testing.assert_frame_equal(back, frame, check_freq=False)


def test_default_index_is_not_written(tmp_path):
    plain = pd.DataFrame({"a": [1, 2], "b": ["x", "y"]})
    write_table(plain, tmp_path / "p.csv")
    assert (tmp_path / "p.csv").read_text().splitlines()[0] == "a,b"
    pd.testing.assert_frame_equal(read_table(tmp_path / "p.csv"), plain)


def test_write_table_refuses_existing_and_non_frames(tmp_path, frame):
    write_table(frame, tmp_path / "t.csv")
    with pytest.raises(SigvaeError, match="t.csv: already exists"):
        write_table(frame, tmp_path / "t.csv")
    write_table(frame.iloc[:1], tmp_path / "t.csv", overwrite=True)
    assert len(read_table(tmp_path / "t.csv")) == 1
    with pytest.raises(SigvaeError, match="can only write a DataFrame"):
        write_table([1, 2], tmp_path / "u.csv")


@pytest.mark.parametrize(
    "name, content, reason",
    [
        ("absent.csv", None, "table file not found"),
        ("t.xlsx", b"", "unknown table format '.xlsx'"),
        ("empty.csv", b"a,b\n", "has no rows"),
        ("blank.csv", b"", "cannot read csv table"),
        ("bad.parquet", b"not parquet at all", "cannot read parquet table"),
    ],
)
def test_bad_tables(tmp_path, name, content, reason):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(DataError) as info:
        read_table(path)
    assert reason in str(info.value) and name in str(info.value)
    assert "\n" not in str(info.value)


@pytest.mark.data
def test_real_price_tables(shared_data):
    vix = read_table(shared_data / "finance" / "vix" / "vix-daily.csv", "DATE", parse_dates=True)
    assert list(vix.columns) == ["OPEN", "HIGH", "LOW", "CLOSE"]
    assert vix.index[0] == pd.Timestamp("1990-01-02")
    stooq = read_table(shared_data / "finance" / "us_banks_daily" / "bac.us.txt", "Date")
    assert "Close" in stooq.columns and len(stooq) > 1000


def test_npy_array_and_signal(tmp_path):
    data = np.arange(12, dtype=np.float32).reshape(3, 4)
    np.save(tmp_path / "x.npy", data)
    np.testing.assert_array_equal(read_npy(tmp_path / "x.npy"), data)
    signal = read_npy(tmp_path / "x.npy", fs=250, channels=["a", "b", "c"], units="mV")
    assert isinstance(signal, Signal) and signal.name == "x" and signal.fs == 250
    assert signal.units == ["mV"] * 3 and signal.data.shape == (3, 4)
    np.save(tmp_path / "one.npy", np.zeros(10))
    one = read_npy(tmp_path / "one.npy", fs=100, mmap=True)
    assert one.channels == ["ch0"] and one.n_samples == 10


@pytest.mark.parametrize(
    "array, kwargs, reason",
    [
        (np.zeros((2, 3, 4)), {}, "got shape (2, 3, 4)"),
        (np.zeros((2, 5)), {"channels": ["a"]}, "2 channels (rows) but 1 names"),
        (np.array(["a", "b"]), {}, "must be numeric"),
    ],
)
def test_bad_npy_signals(tmp_path, array, kwargs, reason):
    np.save(tmp_path / "x.npy", array)
    with pytest.raises(DataError, match="x.npy") as info:
        read_npy(tmp_path / "x.npy", fs=100, **kwargs)
    assert reason in str(info.value)


def test_npy_refuses_pickles_and_other_files(tmp_path):
    np.save(tmp_path / "obj.npy", np.array([{"a": 1}], dtype=object), allow_pickle=True)
    with pytest.raises(DataError, match="obj.npy: unreadable .npy file"):
        read_npy(tmp_path / "obj.npy")
    (tmp_path / "x.txt").write_text("1 2 3")
    with pytest.raises(DataError, match="expected a .npy file"):
        read_npy(tmp_path / "x.txt")
    with pytest.raises(DataError, match="NumPy file not found"):
        read_npy(tmp_path / "absent.npy")
