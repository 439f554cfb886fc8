"""``ecg_denoise`` on arrays, DataFrames and Signals (tiny untrained model: shapes, types,
rates, NaN gaps and chunking are what is tested here, not denoising quality)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from ecg_helpers import synthetic_ecg
from sigvae_ecg import ecg_denoise
from sigvae_ecg.denoise import denoise_array

from sigvae.data import Signal
from sigvae.errors import SigvaeError


def test_array_in_array_out_at_any_rate(tiny_denoiser):
    for fs in (100.0, 250.0, 360.0, 1000.0):
        x = synthetic_ecg(6, fs)
        y = ecg_denoise(x, fs=fs, model=tiny_denoiser)
        assert isinstance(y, np.ndarray) and y.shape == x.shape and np.isfinite(y).all()
    two = np.stack([x, -x], axis=1)  # [samples, leads]
    y2 = ecg_denoise(two, fs=1000.0, model=tiny_denoiser, leads=[1])
    np.testing.assert_array_equal(y2[:, 0], two[:, 0])  # lead 0 not asked for
    assert not np.allclose(y2[:, 1], two[:, 1])


def test_dataframe_keeps_index_and_columns(tiny_denoiser):
    x = synthetic_ecg(5, 500)
    frame = pd.DataFrame({"I": x, "II": 0.5 * x}, index=pd.RangeIndex(10, 10 + len(x)))
    out = ecg_denoise(frame, fs=500, model=tiny_denoiser)
    assert list(out.columns) == ["I", "II"] and out.index.equals(frame.index)
    assert frame["I"].to_numpy() is not out["I"].to_numpy()
    np.testing.assert_array_equal(frame["I"].to_numpy(), x)  # input untouched


def test_signal_skips_non_ecg_channels(tiny_denoiser):
    x = synthetic_ecg(5, 250)
    sig = Signal(np.stack([x, x + 1]), 250.0, ["II", "RESP"], ["mV", "NU"], name="r")
    out = ecg_denoise(sig, model=tiny_denoiser)
    assert isinstance(out, Signal) and out.fs == 250.0 and out.channels == ["II", "RESP"]
    np.testing.assert_array_equal(out.data[1], sig.data[1])
    assert out.meta["ecg_denoise"]["leads"] == ["II"]
    assert "RESP" in out.meta["ecg_denoise"]["skipped"][0]


def test_nan_gaps_stay_nan_and_nothing_else_does(tiny_denoiser):
    x = synthetic_ecg(8, 360)
    x[700:900] = np.nan
    x[:5] = np.nan
    y = ecg_denoise(x, fs=360, model=tiny_denoiser)
    np.testing.assert_array_equal(np.isnan(y), np.isnan(x))


def test_chunked_processing_matches_one_pass(tiny_denoiser):
    x = synthetic_ecg(60, 360)[None]
    whole = denoise_array(x, 360.0, tiny_denoiser)
    from sigvae_ecg import denoise as dn

    pieces = np.concatenate(
        [
            c
            for *_, c in dn.denoise_stream(
                lambda a, b: x[:, a:b], x.shape[1], 360.0, tiny_denoiser, chunk=4000
            )
        ],
        axis=-1,
    )
    assert pieces.shape == whole.shape
    err = np.abs(pieces - whole).max() / np.ptp(whole)
    assert err < 0.05  # chunk seams change only the window grid, not the result


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"fs": None}, "fs .*required"),
        ({"fs": 90.0}, "below 100"),
    ],
)
def test_bad_arguments(tiny_denoiser, kwargs, message):
    with pytest.raises(SigvaeError, match=message):
        ecg_denoise(synthetic_ecg(5, 360), model=tiny_denoiser, **kwargs)


def test_too_short_and_wrong_orientation(tiny_denoiser):
    with pytest.raises(SigvaeError, match="shorter than one model window"):
        ecg_denoise(np.zeros(400), fs=360, model=tiny_denoiser)
    with pytest.raises(SigvaeError, match="transpose"):
        ecg_denoise(np.zeros((2, 5000)), fs=360, model=tiny_denoiser)
    with pytest.raises(SigvaeError, match="numeric"):
        ecg_denoise(np.array(["a"] * 1000), fs=360, model=tiny_denoiser)
