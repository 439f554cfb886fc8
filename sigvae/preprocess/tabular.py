"""``frame-to-arrays``: rows of a table become examples (frame -> arrays)."""

from __future__ import annotations

import numpy as np
from pydantic import Field

from sigvae.data import Arrays
from sigvae.errors import DataError
from sigvae.specs import Params


class FrameToArraysParams(Params):
    columns: list[str] | None = Field(
        default=None, description="feature columns (default: every numeric column but group)"
    )
    cond: list[str] | None = Field(default=None, description="columns passed as the condition")
    dropna: bool = Field(default=True, description="drop rows with missing values")


class FrameToArrays:
    def __init__(self, params: FrameToArraysParams) -> None:
        self.params = params
        self.columns_: list[str] | None = None

    def fit(self, frame) -> FrameToArrays:
        p = self.params
        if p.columns is None:
            numeric = frame.select_dtypes("number").columns
            self.columns_ = [c for c in numeric if c != "group" and c not in (p.cond or [])]
        else:
            self.columns_ = list(p.columns)
        return self

    def transform(self, frame) -> Arrays:
        p = self.params
        wanted = self.columns_ + (p.cond or [])
        missing = [c for c in wanted if c not in frame.columns]
        if missing:
            raise DataError(f"frame-to-arrays: missing column(s) {missing}")
        if p.dropna:
            frame = frame.dropna(subset=wanted)
        if not len(frame):
            raise DataError("frame-to-arrays: no complete rows")
        cond = frame[p.cond].to_numpy(np.float32) if p.cond else None
        groups = frame["group"].astype(str).to_numpy() if "group" in frame else None
        return Arrays(
            x=frame[self.columns_].to_numpy(np.float32),
            cond=cond,
            groups=groups,
            info={"columns": self.columns_},
        )
