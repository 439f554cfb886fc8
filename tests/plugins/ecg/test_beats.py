"""Single padded beats (DeepFilter protocol): cutting, the ecg-beats step, its pipeline."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from ecg_helpers import synthetic_ecg
from sigvae_ecg.beats import BeatStep, padded_beats
from sigvae_ecg.noise_step import NoiseStep
from sigvae_ecg.params import BeatParams, NoiseParams

import sigvae
from sigvae.data import Signal
from sigvae.errors import DataError

FS = 360.0
REPO = Path(__file__).resolve().parents[3]


def test_padded_beats_cut_between_lead_ins_and_pad_with_zeros():
    x = np.arange(3000, dtype=float)
    peaks = np.array([80, 500, 900, 1700, 2000])  # 90 samples before the first is < 0
    beats = padded_beats(x, peaks, FS, length=512, offset=16, lead_in=0.25)
    # beats [410, 810) and [1610, 1910); [810, 1610) is 800 samples (> 496): dropped
    assert beats.shape == (2, 512)
    first = beats[0]
    assert np.all(first[:16] == 0) and np.all(first[16 + 400 :] == 0)
    expected = x[410:810] - (x[410] + x[809]) / 2
    np.testing.assert_allclose(first[16:416], expected)
    assert first[16] + first[415] == pytest.approx(0.0)  # end-point mean removed


def test_padded_beats_skip_nan_and_return_empty_when_nothing_fits():
    x = np.ones(2000)
    x[600] = np.nan
    beats = padded_beats(x, np.array([300, 700, 1100]), FS)
    assert beats.shape == (1, 512)  # the beat holding the NaN is gone
    assert padded_beats(x, np.array([300]), FS).shape == (0, 512)


def annotated_signal(name: str = "rec") -> Signal:
    ecg = synthetic_ecg(20, FS)
    peaks = np.arange(200, len(ecg) - 200, 300)
    symbols = np.array(["N", "V"] * len(peaks))[: len(peaks)]
    data = np.stack([ecg, -ecg])
    ann = {"atr": {"sample": peaks, "symbol": symbols}}
    return Signal(data, FS, ["MLII", "V1"], ["mV", "mV"], name=name, annotations=ann)


def test_beat_step_uses_annotated_symbols_on_every_lead():
    sig = annotated_signal()
    out = BeatStep(BeatParams()).transform([sig])
    n_normal = (sig.annotations["atr"]["symbol"] == "N").sum()
    # a beat needs its own start and the next one: each N beat but possibly the last
    assert out.x.shape[1:] == (1, 512)
    assert 2 * (n_normal - 1) <= len(out) <= 2 * n_normal
    assert set(out.groups) == {"rec"}
    all_symbols = BeatStep(BeatParams(symbols=None)).transform([sig])
    assert len(all_symbols) > len(out)
    capped = BeatStep(BeatParams(per_record=5, leads=["MLII"])).transform([sig])
    assert len(capped) == 5


def test_beat_step_detects_peaks_without_annotations_and_checks_the_rate():
    ecg = synthetic_ecg(20, FS)
    sig = Signal(ecg[None], FS, ["ii"], ["mV"], name="ludb")
    out = BeatStep(BeatParams()).transform([sig])
    assert 15 <= len(out) <= 25  # about 70 bpm for 20 s
    slow = Signal(ecg[None], 250.0, ["ii"], ["mV"], name="slow")
    with pytest.raises(DataError, match="resample"):
        BeatStep(BeatParams()).transform([slow])


def test_deepfilter_noise_on_beats_keeps_the_peak_to_peak_ratio():
    beats = BeatStep(BeatParams()).transform([annotated_signal()])
    params = NoiseParams(
        kinds={"white": 1.0},
        protocol="deepfilter",
        ratio=(0.5, 0.5),
        normalize=False,
        second_kind=0.0,
    )
    noisy = NoiseStep(params).fit(beats).transform(beats)
    ratio = np.ptp(noisy.x - noisy.target, axis=-1) / np.ptp(noisy.target, axis=-1)
    np.testing.assert_allclose(ratio, 0.5, rtol=1e-4)


def test_the_deepfilter_pipeline_is_valid():
    pipeline = sigvae.load_pipeline(REPO / "pipelines" / "ecg_deepfilter.yaml")
    names = [spec.name for spec, _ in pipeline.resolved.steps]
    assert names == ["ecg-resample", "ecg-bandpass", "ecg-beats", "ecg-noise"]
    noise = pipeline.resolved.steps[-1][1]
    assert noise.protocol == "deepfilter" and set(noise.kinds) == {"bw"}
