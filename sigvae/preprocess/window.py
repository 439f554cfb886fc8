"""``window``: cut recordings into equal-length examples (signals -> arrays)."""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import Field, model_validator

from sigvae.data import Arrays, Signal
from sigvae.errors import DataError
from sigvae.specs import Params


class WindowParams(Params):
    length: int = Field(gt=1, description="samples per window")
    stride: int | None = Field(default=None, gt=0, description="hop in samples (default: length)")
    channels: Literal["each", "all"] = Field(
        default="all",
        description="'all': one example per window with every channel; 'each': every channel "
        "becomes its own one-channel example (lead-agnostic models)",
    )
    select: list[str] | None = Field(default=None, description="channel names to keep")
    drop_nonfinite: bool = Field(default=True, description="drop windows containing NaN/inf")

    @model_validator(mode="after")
    def _default_stride(self):
        if self.stride is None:
            self.stride = self.length
        return self


class Window:
    """Stateless: windows each recording in turn; ``groups`` keeps the record name."""

    def __init__(self, params: WindowParams) -> None:
        self.params = params

    def transform(self, signals: list[Signal]) -> Arrays:
        p = self.params
        rates = {s.fs for s in signals}
        if len(rates) > 1:
            raise DataError(
                f"window: records have different sampling rates {sorted(rates)}; "
                "resample them first"
            )
        xs, groups = [], []
        for sig in signals:
            if p.select:
                missing = [c for c in p.select if c not in sig.channels]
                if missing:
                    raise DataError(f"record {sig.name}: no channel(s) {missing}")
                sig = sig.select(p.select)
            windows = _frames(sig.data.astype(np.float32), p.length, p.stride)
            if p.channels == "each":
                windows = windows.reshape(-1, 1, p.length)
            if p.drop_nonfinite and len(windows):
                windows = windows[np.isfinite(windows).all(axis=(1, 2))]
            xs.append(windows)
            groups += [sig.name] * len(windows)
        if p.channels == "all" and len({x.shape[1] for x in xs}) > 1:
            raise DataError(
                "window: records have different channel counts; use select or channels: each"
            )
        if not xs or not sum(len(x) for x in xs):
            raise DataError(f"window: no complete {p.length}-sample window in the data")
        return Arrays(
            x=np.concatenate(xs),
            groups=np.asarray(groups),
            info={"fs": signals[0].fs, "window": p.length},
        )


def _frames(data: np.ndarray, length: int, stride: int) -> np.ndarray:
    """``[n_windows, channels, length]`` views of ``data`` (``[channels, samples]``)."""
    n = 0 if data.shape[1] < length else 1 + (data.shape[1] - length) // stride
    if n == 0:
        return np.empty((0, data.shape[0], length), dtype=data.dtype)
    view = np.lib.stride_tricks.sliding_window_view(data, length, axis=1)[:, ::stride][:, :n]
    return np.ascontiguousarray(view.transpose(1, 0, 2))
