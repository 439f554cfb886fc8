"""``standardize`` and ``flatten``: invertible arrays -> arrays steps."""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import Field

from sigvae.data import Arrays
from sigvae.specs import Params


class StandardizeParams(Params):
    over: Literal["global", "channel", "feature"] = Field(
        default="channel",
        description="statistics shared by everything ('global'), per channel (axis 1) or per "
        "feature (every position of an example)",
    )
    eps: float = Field(default=1e-8, gt=0, description="floor for the standard deviation")


class Standardize:
    """z-score with statistics fitted on the training split; ``target`` is scaled with the
    same statistics so denoising stays in one unit system."""

    def __init__(self, params: StandardizeParams) -> None:
        self.params = params
        self.mean_: np.ndarray | None = None
        self.std_: np.ndarray | None = None

    def _axes(self, x: np.ndarray) -> tuple[int, ...]:
        if self.params.over == "global":
            return tuple(range(x.ndim))
        if self.params.over == "channel":
            return tuple(i for i in range(x.ndim) if i != 1) if x.ndim > 2 else (0,)
        return (0,)

    def fit(self, arrays: Arrays) -> Standardize:
        x = arrays.target if arrays.target is not None else arrays.x
        axes = self._axes(x)
        self.mean_ = x.mean(axis=axes, keepdims=True)[0].astype(np.float32)
        self.std_ = np.maximum(x.std(axis=axes, keepdims=True)[0], self.params.eps).astype(
            np.float32
        )
        return self

    def _apply(self, arrays: Arrays, fn) -> Arrays:
        if self.mean_ is None:
            raise RuntimeError("standardize: fit() must be called before transform()")
        target = None if arrays.target is None else fn(arrays.target)
        return arrays.with_fields(x=fn(arrays.x), target=target)

    def transform(self, arrays: Arrays) -> Arrays:
        return self._apply(arrays, lambda a: ((a - self.mean_) / self.std_).astype(np.float32))

    def inverse_transform(self, arrays: Arrays) -> Arrays:
        return self._apply(arrays, lambda a: (a * self.std_ + self.mean_).astype(np.float32))


class FlattenParams(Params):
    """No parameters: every example becomes one feature vector."""


class Flatten:
    """``[n, c, l] -> [n, c*l]`` for MLP models; the inverse restores the shape."""

    def __init__(self, params: FlattenParams) -> None:
        self.shape_: tuple[int, ...] | None = None

    def fit(self, arrays: Arrays) -> Flatten:
        self.shape_ = arrays.x.shape[1:]
        return self

    def transform(self, arrays: Arrays) -> Arrays:
        flat = lambda a: None if a is None else a.reshape(len(a), -1)  # noqa: E731
        return arrays.with_fields(x=flat(arrays.x), target=flat(arrays.target))

    def inverse_transform(self, arrays: Arrays) -> Arrays:
        back = lambda a: None if a is None else a.reshape(len(a), *self.shape_)  # noqa: E731
        return arrays.with_fields(x=back(arrays.x), target=back(arrays.target))
