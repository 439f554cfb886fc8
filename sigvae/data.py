"""The kernel's data types.

Three kinds of value travel between pipeline steps; each step declares which it takes and which
it returns (see :data:`DATA_KINDS`), and the pipeline checks the chain before anything runs.

* ``"signals"`` – a list of :class:`Signal` (one per record), for waveforms.
* ``"frame"`` – a :class:`pandas.DataFrame`, for tabular and finance data.
* ``"arrays"`` – an :class:`Arrays`, equal-length examples ready for training (``x`` and the
  optional ``target``, ``cond``, ``mask``), with the record (group) each example came from.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

DATA_KINDS = ("signals", "frame", "arrays")
BATCH_KEYS = ("x", "target", "cond", "mask")


@dataclass
class Signal:
    """One multichannel recording: ``data`` is ``[channels, samples]`` in physical ``units``.

    ``annotations`` maps an annotation name (``"atr"``, ``"qrs"``) to a dict with at least
    ``sample`` (int array of sample indices) and optionally ``symbol``/``label`` arrays.
    """

    data: np.ndarray
    fs: float
    channels: list[str]
    units: list[str]
    name: str = "record"
    annotations: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.data = np.asarray(self.data)
        if self.data.ndim == 1:
            self.data = self.data[None, :]
        if self.data.ndim != 2:
            raise ValueError(
                f"Signal data must be [channels, samples], got shape {self.data.shape}"
            )
        n_ch = self.data.shape[0]
        if len(self.channels) != n_ch or len(self.units) != n_ch:
            raise ValueError(
                f"{self.name}: {n_ch} channels but {len(self.channels)} names and "
                f"{len(self.units)} units"
            )
        if not self.fs > 0:
            raise ValueError(f"{self.name}: sampling frequency must be positive, got {self.fs}")

    @property
    def n_channels(self) -> int:
        return self.data.shape[0]

    @property
    def n_samples(self) -> int:
        return self.data.shape[1]

    @property
    def duration(self) -> float:
        return self.n_samples / self.fs

    def select(self, channels: list[str] | list[int]) -> Signal:
        """A copy restricted to the named (or indexed) channels, in the order given."""
        idx = [c if isinstance(c, int) else self.channels.index(c) for c in channels]
        return replace(
            self,
            data=self.data[idx],
            channels=[self.channels[i] for i in idx],
            units=[self.units[i] for i in idx],
        )

    def to_frame(self):
        """The samples as a DataFrame, one column per channel, indexed by time in seconds."""
        import pandas as pd

        t = np.arange(self.n_samples) / self.fs
        return pd.DataFrame(self.data.T, columns=self.channels, index=pd.Index(t, name="time"))


@dataclass
class Arrays:
    """Equal-length examples: ``x`` is ``[n, ...]``; optional ``target``, ``cond``, ``mask``
    have the same first dimension. ``groups`` names the record each example came from so that
    splits stay by record. ``info`` carries what later steps or inverse transforms need."""

    x: np.ndarray
    target: np.ndarray | None = None
    cond: np.ndarray | None = None
    mask: np.ndarray | None = None
    groups: np.ndarray | None = None
    info: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        n = len(self.x)
        for key in ("target", "cond", "mask", "groups"):
            value = getattr(self, key)
            if value is not None and len(value) != n:
                raise ValueError(f"Arrays.{key} has {len(value)} rows but x has {n}")

    def __len__(self) -> int:
        return len(self.x)

    def fields(self) -> Iterator[tuple[str, np.ndarray]]:
        """The batch fields present (``x`` first), as ``(name, array)`` pairs."""
        for key in BATCH_KEYS:
            value = getattr(self, key)
            if value is not None:
                yield key, value

    def subset(self, index: np.ndarray) -> Arrays:
        """The examples at ``index`` (an integer or boolean array)."""
        picked = {k: (None if v is None else v[index]) for k, v in self._columns().items()}
        return Arrays(**picked, info=dict(self.info))

    def _columns(self) -> Mapping[str, np.ndarray | None]:
        return {k: getattr(self, k) for k in (*BATCH_KEYS, "groups")}

    def with_fields(self, **changes: Any) -> Arrays:
        """A copy with some fields replaced."""
        return replace(self, **changes)
