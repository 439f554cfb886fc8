"""Atomic output: write into a temporary directory next to the target, then ``os.replace``.

Every sigvae writer goes through here so that an interrupted or failing write never leaves a
half-written file under the final name, and an existing output is never overwritten unless the
caller asked for it. The temporary directory sits in the destination directory so that
``os.replace`` is a rename on one file system (atomic per file on POSIX and Windows).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

from sigvae.errors import SigvaeError

TEMP_PREFIX = ".sigvae-tmp-"


def refuse_existing(paths: Iterable[Path], overwrite: bool) -> None:
    """Raise :class:`SigvaeError` naming the first of ``paths`` that exists, unless ``overwrite``."""
    if overwrite:
        return
    for path in paths:
        if path.exists() or path.is_symlink():
            raise SigvaeError(
                "already exists; use --overwrite (overwrite=True in Python) to replace it",
                path=path,
            )


def _flush_to_disk(path: Path) -> None:
    """fsync the file so that a crash right after the rename cannot leave it empty."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write_files(
    directory: str | os.PathLike,
    names: Iterable[str],
    writer_fn: Callable[[Path], None],
    overwrite: bool = False,
) -> list[Path]:
    """Have ``writer_fn(tmp_dir)`` create the files ``names`` in a temporary directory, then move
    each into ``directory``.

    Existing targets are refused before any work (and checked again just before the move, in
    case another process created one meanwhile). ``directory`` is created when missing. A file
    that ``writer_fn`` was expected to write but did not is an error; the temporary directory
    is removed whatever happens. Returns the final paths in the order of ``names``.
    """
    directory = Path(directory)
    names = list(names)
    targets = [directory / name for name in names]
    refuse_existing(targets, overwrite)
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SigvaeError(
            f"cannot create output directory: {exc.strerror}", path=directory
        ) from None
    tmp_dir = Path(tempfile.mkdtemp(prefix=TEMP_PREFIX, dir=directory))
    try:
        writer_fn(tmp_dir)
        missing = [name for name in names if not (tmp_dir / name).is_file()]
        if missing:
            raise SigvaeError(f"writer did not produce {', '.join(missing)}", path=directory)
        for name in names:
            _flush_to_disk(tmp_dir / name)
        refuse_existing(targets, overwrite)
        for name, target in zip(names, targets):
            os.replace(tmp_dir / name, target)
    finally:
        shutil.rmtree(tmp_dir, ignore_errors=True)
    return targets


def atomic_write(
    path: str | os.PathLike,
    writer_fn: Callable[[Path], None],
    overwrite: bool = False,
) -> Path:
    """Have ``writer_fn(tmp_path)`` write one file, then move it to ``path``.

    ``tmp_path`` has the same file name as ``path`` (so libraries that look at the suffix, such
    as pandas or NumPy, behave as they would on the real name) inside a temporary directory in
    the destination directory. Refuses an existing ``path`` unless ``overwrite``.
    """
    path = Path(path)
    atomic_write_files(path.parent, [path.name], lambda tmp: writer_fn(tmp / path.name), overwrite)
    return path


def atomic_write_text(path: str | os.PathLike, text: str, overwrite: bool = True) -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically.

    Overwrites by default: this is for bookkeeping files a caller owns and may rewrite (a run's
    ``metrics.json``); pass ``overwrite=False`` to refuse an existing file.
    """
    return atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"), overwrite)
