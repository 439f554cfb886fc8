"""The temp-dir-then-rename helpers: all or nothing, and no silent overwrite."""

from __future__ import annotations

import pytest

from sigvae.errors import SigvaeError
from sigvae.io import atomic_write, atomic_write_files, atomic_write_text


def _leftovers(directory):
    return sorted(p.name for p in directory.iterdir())


def test_atomic_write_creates_file_and_missing_directory(tmp_path):
    target = tmp_path / "new" / "out.txt"
    seen = []

    def writer(tmp):
        seen.append(tmp)
        tmp.write_text("hello")

    assert atomic_write(target, writer) == target
    assert target.read_text() == "hello"
    assert seen[0].name == "out.txt" and seen[0].parent != target.parent
    assert _leftovers(target.parent) == ["out.txt"]


def test_existing_file_is_refused_and_kept(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("original")
    with pytest.raises(SigvaeError, match="out.txt: already exists"):
        atomic_write(target, lambda tmp: tmp.write_text("new"))
    assert target.read_text() == "original"
    atomic_write(target, lambda tmp: tmp.write_text("new"), overwrite=True)
    assert target.read_text() == "new"


def test_failing_writer_leaves_nothing_behind(tmp_path):
    (tmp_path / "a.dat").write_text("old")

    def writer(tmp_dir):
        (tmp_dir / "a.dat").write_text("half")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        atomic_write_files(tmp_path, ["a.dat", "a.hea"], writer, overwrite=True)
    assert _leftovers(tmp_path) == ["a.dat"]
    assert (tmp_path / "a.dat").read_text() == "old"


def test_every_expected_file_must_be_written(tmp_path):
    with pytest.raises(SigvaeError, match="did not produce b.txt"):
        atomic_write_files(tmp_path, ["a.txt", "b.txt"], lambda d: (d / "a.txt").write_text("x"))
    assert _leftovers(tmp_path) == []


def test_one_existing_file_of_several_refuses_all(tmp_path):
    (tmp_path / "b.txt").write_text("keep")

    def writer(tmp_dir):
        for name in ("a.txt", "b.txt"):
            (tmp_dir / name).write_text(name)

    with pytest.raises(SigvaeError, match="b.txt"):
        atomic_write_files(tmp_path, ["a.txt", "b.txt"], writer)
    assert _leftovers(tmp_path) == ["b.txt"]


def test_atomic_write_text_overwrites_by_default_but_can_refuse(tmp_path):
    target = tmp_path / "metrics.json"
    atomic_write_text(target, "1")
    atomic_write_text(target, "2")
    assert target.read_text() == "2"
    with pytest.raises(SigvaeError, match="already exists"):
        atomic_write_text(target, "3", overwrite=False)
