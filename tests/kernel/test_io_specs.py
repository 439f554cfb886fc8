"""The registry's readers and writers: params validation, path resolution, directories."""

from __future__ import annotations

import sys
import warnings

import numpy as np
import pytest

from sigvae import hookimpl
from sigvae.data import Signal
from sigvae.errors import ConfigError, DataError
from sigvae.io import read_wfdb, write_wfdb
from sigvae.io.readers import SkippedRecordWarning
from sigvae.io.specs import READER_SPECS, WRITER_SPECS
from sigvae.registry import Registry


class IoPlugin:
    @hookimpl
    def sigvae_readers(self):
        return READER_SPECS

    @hookimpl
    def sigvae_writers(self):
        return WRITER_SPECS


@pytest.fixture
def registry():
    return Registry([("io", IoPlugin())], autoload=False)


def make_records(directory, names, channels=("a", "b")):
    rng = np.random.default_rng(0)
    for name in names:
        signal = Signal(
            rng.normal(size=(len(channels), 200)), 100.0, list(channels), ["mV"] * len(channels)
        )
        write_wfdb(signal, directory, name)


def test_specs_are_registered_with_kinds(registry):
    readers = {s.name: s.returns for s in registry.specs("reader")}
    writers = {s.name: s.takes for s in registry.specs("writer")}
    assert readers == {"wfdb": "signals", "edf": "signals", "npy": "signals", "table": "frame"}
    assert writers == {"wfdb": "signals", "table": "frame"}
    assert all(s.summary for s in registry.specs("reader") + registry.specs("writer"))


def test_specs_module_is_light():
    """Listing readers must not import wfdb, pyedflib or pandas (sigvae --help stays fast)."""
    import subprocess

    code = (
        "import sys, sigvae.io.specs; "
        "print(sorted(m for m in ('wfdb', 'pyedflib', 'pandas') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_params_are_validated(registry):
    with pytest.raises(ConfigError, match="chanels: unknown key"):
        registry.build("reader", "wfdb", {"paths": ["x"], "chanels": ["a"]})
    with pytest.raises(ConfigError, match="paths"):
        registry.build("reader", "wfdb", {"paths": []})
    with pytest.raises(ConfigError, match="fs"):
        registry.build("reader", "npy", {"paths": "x.npy", "fs": 0})
    with pytest.raises(ConfigError, match="fmt"):
        registry.build("writer", "wfdb", {"fmt": "61"})


def test_wfdb_directory_relative_to_base_dir(registry, tmp_path):
    make_records(tmp_path / "db", ["r1", "r2", "s1"])
    reader = registry.build("reader", "wfdb", {"paths": "db", "glob": "r*"}, base_dir=tmp_path)
    assert [p.name for p in reader.sources()] == ["r1", "r2"]
    signals = reader.read()
    assert [s.name for s in signals] == ["r1", "r2"]
    picked = registry.build(
        "reader",
        "wfdb",
        {"paths": ["db"], "records": ["s1"], "channels": ["b"], "stop": 50},
        base_dir=tmp_path,
    ).read()
    assert picked[0].name == "s1" and picked[0].channels == ["b"] and picked[0].n_samples == 50
    one = registry.build("reader", "wfdb", {"paths": str(tmp_path / "db" / "r2.hea")}).read()
    np.testing.assert_array_equal(one[0].data, signals[1].data)


def test_empty_or_missing_inputs_are_data_errors(registry, tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataError, match="empty: no WFDB records matching"):
        registry.build("reader", "wfdb", {"paths": "empty"}, base_dir=tmp_path).read()
    with pytest.raises(DataError, match="no_such.hea not found"):
        registry.build("reader", "wfdb", {"paths": "no_such"}, base_dir=tmp_path).sources()
    make_records(tmp_path / "db", ["r1"])
    with pytest.raises(DataError, match="r9.hea not found"):
        registry.build(
            "reader", "wfdb", {"paths": "db", "records": ["r1", "r9"]}, base_dir=tmp_path
        ).read()
    with pytest.raises(DataError, match="no EDF files matching"):
        registry.build("reader", "edf", {"paths": "empty"}, base_dir=tmp_path).read()
    with pytest.raises(DataError, match="table file not found"):
        registry.build("reader", "table", {"path": "nope.csv"}, base_dir=tmp_path).sources()


def test_records_without_a_channel_can_be_skipped(registry, tmp_path):
    make_records(tmp_path, ["with_c"], channels=("a", "c"))
    make_records(tmp_path, ["without_c"], channels=("a", "b"))
    params = {"paths": ".", "channels": ["c"]}
    with pytest.raises(DataError, match="without_c.hea: no channel 'c'"):
        registry.build("reader", "wfdb", params, base_dir=tmp_path).read()
    reader = registry.build(
        "reader", "wfdb", {**params, "missing_channels": "skip"}, base_dir=tmp_path
    )
    with pytest.warns(SkippedRecordWarning, match="without_c"):
        signals = reader.read()
    assert [s.name for s in signals] == ["with_c"] and len(reader.skipped) == 1
    only_missing = registry.build(
        "reader",
        "wfdb",
        {"paths": "without_c", "channels": ["c"], "missing_channels": "skip"},
        base_dir=tmp_path,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SkippedRecordWarning)
        with pytest.raises(DataError, match="every record was skipped"):
            only_missing.read()


def test_duplicate_record_names_are_refused(registry, tmp_path):
    make_records(tmp_path / "x", ["rec"])
    make_records(tmp_path / "y", ["rec"])
    with pytest.raises(DataError, match="two records named 'rec'"):
        registry.build("reader", "wfdb", {"paths": ["x", "y"]}, base_dir=tmp_path).read()


def test_npy_and_table_readers(registry, tmp_path):
    np.save(tmp_path / "a.npy", np.zeros((2, 30)))
    np.save(tmp_path / "b.npy", np.ones(30))
    signals = registry.build("reader", "npy", {"paths": ".", "fs": 50}, base_dir=tmp_path).read()
    assert [(s.name, s.n_channels, s.fs) for s in signals] == [("a", 2, 50.0), ("b", 1, 50.0)]
    (tmp_path / "t.csv").write_text("d,x\n2024-01-01,1\n2024-01-02,2\n")
    frame = registry.build(
        "reader",
        "table",
        {"path": "t.csv", "index_col": "d", "parse_dates": True},
        base_dir=tmp_path,
    ).read()
    assert list(frame["x"]) == [1, 2] and str(frame.index.dtype).startswith("datetime64")


def test_writers(registry, tmp_path):
    signal = Signal(np.linspace(-1, 1, 100)[None], 100.0, ["a"], ["mV"], name="rec")
    writer = registry.build(
        "writer", "wfdb", {"suffix": "_out", "comments": ["hi"]}, base_dir=tmp_path
    )
    (path,) = writer.write([signal], "out")
    assert path == tmp_path / "out" / "rec_out.hea"
    back = read_wfdb(path)
    assert back.meta["comments"] == ["hi"] and np.abs(back.data - signal.data).max() < 1e-4
    table = registry.build("writer", "table", {}, base_dir=tmp_path)
    written = table.write(signal.to_frame(), "frame.parquet")
    assert written == tmp_path / "frame.parquet" and written.is_file()


@pytest.mark.data
def test_real_directories(registry, shared_data):
    ecg = shared_data / "ecg"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SkippedRecordWarning)
        mitdb = registry.build(
            "reader",
            "wfdb",
            {
                "paths": "mitdb",
                "glob": "10*",
                "channels": ["MLII"],
                "stop": 3600,
                "missing_channels": "skip",
            },
            base_dir=ecg,
        ).read()
    # 102 and 104 have no MLII lead
    assert [s.name for s in mitdb] == ["100", "101", "103", "105", "106", "107", "108", "109"]
    edge = registry.build("reader", "wfdb", {"paths": "edge", "stop": 500}, base_dir=ecg).read()
    assert len(edge) == 7
    eeg = registry.build(
        "reader",
        "edf",
        {"paths": "neuro/eeg_mmidb_S001", "glob": "S001R0[34].edf", "channels": ["Cz.."]},
        base_dir=shared_data,
    ).read()
    assert [(s.name, s.channels) for s in eeg] == [("S001R03", ["Cz.."]), ("S001R04", ["Cz.."])]
