"""Splitting data into train/validation/test by group (record, subject, date) before any
windowing, as the data conventions require: examples of one recording never straddle splits."""

from __future__ import annotations

import numpy as np

from sigvae.data import Arrays, Signal
from sigvae.errors import ConfigError, DataError

SPLITS = ("train", "val", "test")


def group_names(data) -> list[str]:
    """The distinct groups of ``data`` in first-seen order."""
    if isinstance(data, list):
        names = [s.name for s in data]
    elif isinstance(data, Arrays):
        if data.groups is None:
            raise DataError("arrays have no groups; a reader must name the record of each row")
        names = [str(g) for g in data.groups]
    else:
        if "group" not in data.columns:
            raise DataError(
                "a table must have a 'group' column (record, subject or date) so "
                "that it can be split by group"
            )
        names = [str(g) for g in data["group"]]
    return list(dict.fromkeys(names))


def assign(groups: list[str], val, test, seed: int) -> dict[str, set[str]]:
    """Map each split to its set of groups; named groups must exist, fractions are drawn."""
    known = set(groups)
    chosen: dict[str, set[str]] = {}
    rng = np.random.default_rng(seed)
    pool = [g for g in groups]
    for split, spec in (("test", test), ("val", val)):
        if isinstance(spec, list):
            missing = [g for g in spec if g not in known]
            if missing:
                raise ConfigError(
                    f"split.{split}: unknown group(s) {missing[:5]} "
                    f"(known: {sorted(known)[:10]}...)"
                )
            chosen[split] = set(spec)
        else:
            n = int(round(spec * len(groups)))
            if spec > 0 and n == 0:
                n = 1
            remaining = [g for g in pool if all(g not in s for s in chosen.values())]
            picks = rng.permutation(len(remaining))[:n]
            chosen[split] = {remaining[i] for i in picks}
    if chosen["val"] & chosen["test"]:
        raise ConfigError(
            f"split: groups in both val and test: {sorted(chosen['val'] & chosen['test'])}"
        )
    chosen["train"] = known - chosen["val"] - chosen["test"]
    if not chosen["train"]:
        raise ConfigError("split: no groups left for training")
    return chosen


def split_data(data, val, test, seed: int) -> dict[str, object]:
    """``{"train": ..., "val": ..., "test": ...}``; empty splits are ``None``."""
    chosen = assign(group_names(data), val, test, seed)
    out: dict[str, object] = {}
    for split in SPLITS:
        members = chosen[split]
        if isinstance(data, list):
            part = [s for s in data if s.name in members] or None
        elif isinstance(data, Arrays):
            mask = np.isin(data.groups.astype(str), list(members))
            part = data.subset(mask) if mask.any() else None
        else:
            part = data[data["group"].astype(str).isin(members)]
            part = part if len(part) else None
        out[split] = part
    return out


def is_empty(data) -> bool:
    if data is None:
        return True
    if isinstance(data, list):
        return not data or all(isinstance(s, Signal) and s.n_samples == 0 for s in data)
    return len(data) == 0
