"""Kernel steps: windowing by record, invertible scaling, table rows to arrays, and the split
by group that precedes them."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sigvae.data import Arrays, Signal
from sigvae.errors import ConfigError, DataError
from sigvae.pipeline.split import split_data
from sigvae.preprocess.scaling import Flatten, FlattenParams, Standardize, StandardizeParams
from sigvae.preprocess.tabular import FrameToArrays, FrameToArraysParams
from sigvae.preprocess.window import Window, WindowParams


def sig(name, n=100, ch=2, fs=100.0):
    data = np.arange(ch * n, dtype=float).reshape(ch, n)
    return Signal(data, fs, [f"c{i}" for i in range(ch)], ["mV"] * ch, name=name)


def test_window_all_and_each():
    arrays = Window(WindowParams(length=30, stride=20)).transform([sig("a"), sig("b", n=50)])
    # a: starts 0,20,40,60 (70 would overrun) -> 4; b: 0,20 -> 2
    assert arrays.x.shape == (6, 2, 30)
    assert list(arrays.groups) == ["a"] * 4 + ["b"] * 2
    np.testing.assert_array_equal(arrays.x[1, 0], np.arange(20, 50))
    each = Window(WindowParams(length=30, stride=20, channels="each")).transform([sig("a")])
    assert each.x.shape == (8, 1, 30)
    np.testing.assert_array_equal(each.x[1, 0], np.arange(100, 130))


def test_window_drops_nan_and_rejects_mixed_rates():
    s = sig("a")
    s.data[0, 5] = np.nan
    assert len(Window(WindowParams(length=10)).transform([s])) == 9
    with pytest.raises(DataError, match="different sampling rates"):
        Window(WindowParams(length=10)).transform([sig("a"), sig("b", fs=200.0)])
    with pytest.raises(DataError, match="no complete 500-sample window"):
        Window(WindowParams(length=500)).transform([sig("a")])


def test_standardize_round_trip_uses_train_stats():
    rng = np.random.default_rng(0)
    train = Arrays(x=rng.normal(3, 2, (500, 2, 8)).astype(np.float32))
    step = Standardize(StandardizeParams(over="channel")).fit(train)
    z = step.transform(train).x
    assert abs(z.mean()) < 1e-5 and abs(z.std() - 1) < 1e-3
    other = Arrays(x=np.full((3, 2, 8), 5.0, np.float32))
    back = step.inverse_transform(step.transform(other)).x
    np.testing.assert_allclose(back, other.x, rtol=1e-5)


def test_flatten_inverse():
    arrays = Arrays(x=np.arange(24, dtype=np.float32).reshape(2, 3, 4))
    step = Flatten(FlattenParams()).fit(arrays)
    flat = step.transform(arrays)
    assert flat.x.shape == (2, 12)
    np.testing.assert_array_equal(step.inverse_transform(flat).x, arrays.x)


def test_frame_to_arrays():
    frame = pd.DataFrame(
        {"group": ["a", "a", "b"], "u": [1.0, None, 3.0], "v": [4, 5, 6], "c": [0.0, 1.0, 1.0]}
    )
    step = FrameToArrays(FrameToArraysParams(cond=["c"])).fit(frame)
    arrays = step.transform(frame)
    assert step.columns_ == ["u", "v"]
    assert arrays.x.tolist() == [[1.0, 4.0], [3.0, 6.0]] and arrays.cond.tolist() == [[0.0], [1.0]]
    assert list(arrays.groups) == ["a", "b"]


def test_split_by_record_never_by_window():
    signals = [sig(n) for n in "abcdefghij"]
    parts = split_data(signals, val=["b"], test=0.2, seed=3)
    names = {k: {s.name for s in v} for k, v in parts.items()}
    assert names["val"] == {"b"} and len(names["test"]) == 2
    assert names["train"] | names["val"] | names["test"] == set("abcdefghij")
    assert not names["train"] & names["test"]
    with pytest.raises(ConfigError, match="unknown group"):
        split_data(signals, val=["zz"], test=0.0, seed=0)
    arrays = Arrays(x=np.zeros((6, 1)), groups=np.array(list("aabbcc")))
    parts = split_data(arrays, val=["a"], test=["c"], seed=0)
    assert len(parts["train"]) == 2 and set(parts["test"].groups) == {"c"}
