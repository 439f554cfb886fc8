"""Resampling, filtering, the window engine and lead selection."""

from __future__ import annotations

import numpy as np
import pytest
from sigvae_ecg.engine import denoise_1d, window_grid
from sigvae_ecg.filters import BandpassStep, ResampleStep, bandpass, fill_nan, resample
from sigvae_ecg.leads import choose_leads, is_ecg
from sigvae_ecg.params import BandpassParams, ResampleParams
from sigvae_ecg.windows import taper

from sigvae.data import Signal


def tone(f: float, fs: float, seconds: float) -> np.ndarray:
    return np.sin(2 * np.pi * f * np.arange(int(seconds * fs)) / fs)


@pytest.mark.parametrize("fs_from", [125.0, 250.0, 500.0, 1000.0, 173.61])
def test_resample_round_trip_keeps_length_and_shape(fs_from):
    x = tone(5.0, fs_from, 4.0)
    y = resample(x, fs_from, 360.0)
    assert y.shape[-1] == round(len(x) * 360 / fs_from)
    back = resample(y, 360.0, fs_from, len(x))[0]
    assert back.shape == x.shape
    inner = slice(len(x) // 10, -len(x) // 10)
    np.testing.assert_allclose(back[inner], x[inner], atol=2e-2)


def test_resample_step_keeps_nan_gaps_and_moves_annotations():
    data = tone(3.0, 500.0, 4.0)
    data[1000:1100] = np.nan
    sig = Signal(
        data, 500.0, ["II"], ["mV"], annotations={"atr": {"sample": np.array([500, 1500])}}
    )
    out = ResampleStep(ResampleParams(fs=360.0)).transform([sig])[0]
    assert out.fs == 360.0 and out.n_samples == 1440
    gap = np.isnan(out.data[0])
    assert gap.sum() == pytest.approx(72, abs=2) and gap[720:790].all()
    assert list(out.annotations["atr"]["sample"]) == [360, 1080]


def test_bandpass_removes_wander_and_mains_but_keeps_ecg_band():
    fs = 360.0
    ecg_band = tone(10.0, fs, 20.0)
    noisy = ecg_band + 2 * tone(0.1, fs, 20.0) + tone(50.0, fs, 20.0) + tone(60.0, fs, 20.0)
    out = bandpass(noisy[None], fs, BandpassParams())[0]
    inner = slice(1000, -1000)
    assert np.abs(out[inner] - ecg_band[inner]).max() < 0.1
    step_out = BandpassStep(BandpassParams()).transform([Signal(noisy, fs, ["I"], ["mV"])])
    np.testing.assert_allclose(step_out[0].data[0], out)


def test_fill_nan_interpolates_and_reports_the_mask():
    x = np.array([[0.0, np.nan, 2.0, np.nan], [np.nan] * 4])
    filled, mask = fill_nan(x)
    np.testing.assert_allclose(filled, [[0, 1, 2, 2], [0, 0, 0, 0]])
    assert mask.sum() == 6


def test_taper_weights_add_up_to_one_under_overlap():
    w = taper(512, 128)
    hop = 512 - 128
    total = np.zeros(4 * hop + 512)
    for k in range(5):
        total[k * hop : k * hop + 512] += w
    np.testing.assert_allclose(total[512 - hop + 128 : 4 * hop], 1.0)


@pytest.mark.parametrize("n", [512, 513, 2000, 10007])
def test_engine_with_identity_model_returns_the_input_without_its_offset(n):
    t = np.arange(n)
    wave = np.sin(2 * np.pi * t / 36.0)
    y = denoise_1d(wave + 7.0, lambda z: z, window=512, hop=384, batch=5)
    # the model sees each window centred; only the (tiny) window means of the wave are lost
    np.testing.assert_allclose(y, wave, atol=0.05)
    left, right, count = window_grid(n, 512, 384)
    assert left + n + right == (count - 1) * 384 + 512


def test_engine_cross_fades_window_outputs_in_physical_units():
    x = np.sin(np.arange(4000) / 5.0) * 3.0
    halved = denoise_1d(x, lambda z: 0.5 * z, window=512, hop=384)
    np.testing.assert_allclose(halved, 0.5 * x, atol=0.05)
    flat = denoise_1d(np.full(3000, 4.2), lambda z: z * 0 + 9.0, window=512, hop=384)
    np.testing.assert_allclose(flat, 4.2)  # a flat window is left as it is


def test_lead_selection():
    assert is_ecg("MLII", "mV") and is_ecg("V5", "mV") and is_ecg("ECG 2", "mV")
    assert not is_ecg("ABP", "mmHg") and not is_ecg("RESP", "mV") and not is_ecg("PLETH", "NU")
    assert not is_ecg("Fp1", "uV") and is_ecg("chest", "uV") and not is_ecg("chest", "NU")
    chosen, notes = choose_leads(["II", "V", "PLETH", "RESP"], ["mV", "mV", "NU", "NU"], None)
    assert chosen == [0, 1] and len(notes) == 2 and "PLETH" in notes[0]
    chosen, _ = choose_leads(["II", "PLETH"], ["mV", "NU"], ["PLETH"])
    assert chosen == [1]
    with pytest.raises(KeyError):
        choose_leads(["II"], ["mV"], ["V9"])
