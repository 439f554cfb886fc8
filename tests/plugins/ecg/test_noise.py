"""Noise generators, SNR scaling and the ecg-noise preprocessor."""

from __future__ import annotations

import numpy as np
import pytest
from ecg_helpers import synthetic_ecg
from sigvae_ecg import metrics
from sigvae_ecg import noise as nz
from sigvae_ecg.noise_step import NoiseStep
from sigvae_ecg.params import NoiseParams

from sigvae.data import Arrays
from sigvae.errors import ConfigError

SYNTHETIC = {k: 1.0 for k in nz.SYNTHETIC_KINDS}


def windows(n: int = 40, length: int = 512) -> np.ndarray:
    ecg = synthetic_ecg(n * length / 360 + 1, 360)
    return np.stack([ecg[i * length : (i + 1) * length] for i in range(n)])[:, None, :]


@pytest.mark.parametrize("snr", [-6.0, 0.0, 12.5, 24.0])
def test_scale_to_snr_hits_the_power_snr(snr):
    rng = np.random.default_rng(1)
    clean = windows(1)[0, 0] + 5.0  # an offset must not count
    noise = rng.standard_normal(512) * 7 + 2
    scaled = nz.scale_to_snr(clean, noise, snr)
    assert metrics.snr_db(clean, clean + scaled)[0] == pytest.approx(snr, abs=1e-9)


def test_deepfilter_scaling_sets_the_peak_to_peak_ratio():
    clean = windows(1)[0, 0]
    noise = np.sin(np.linspace(0, 3, 512)) * 9
    scaled = nz.scale_deepfilter(clean, noise, 0.7)
    assert np.ptp(scaled) / np.ptp(clean) == pytest.approx(0.7)


@pytest.mark.parametrize("kind", nz.SYNTHETIC_KINDS)
def test_synthetic_kinds_are_finite_and_not_zero(kind):
    rng = np.random.default_rng(2)
    clean = windows(1)[0, 0]
    out = nz.draw(kind, clean, 360.0, None, rng)
    assert out.shape == clean.shape and np.isfinite(out).all() and np.ptp(out) > 0


def test_powerline_sits_at_50_or_60_hz():
    rng = np.random.default_rng(3)
    x = nz.powerline(3600, 360.0, rng)
    peak = np.fft.rfftfreq(3600, 1 / 360)[np.argmax(np.abs(np.fft.rfft(x)))]
    assert min(abs(peak - 50), abs(peak - 60)) < 0.5


def step(**overrides) -> NoiseStep:
    return NoiseStep(NoiseParams(kinds=SYNTHETIC, **overrides))


def test_noise_step_makes_noisy_x_and_clean_target_at_the_drawn_snr():
    clean = windows()
    train = Arrays(x=clean.astype(np.float32), groups=np.array(["a"] * len(clean)))
    s = step(copies=3, normalize=False).fit(train)
    out = s.transform(train)
    assert out.x.shape == (3 * len(clean), 1, 512) and out.target.shape == out.x.shape
    assert list(out.groups) == ["a"] * len(out)
    snr = metrics.snr_db(out.target, out.x)
    assert snr.min() >= -6 - 1e-3 and snr.max() <= 24 + 1e-3
    assert np.ptp(snr) > 10  # drawn across the range, not fixed


def test_training_draws_change_while_other_splits_are_fixed():
    clean = windows()
    train = Arrays(x=clean[:20].astype(np.float32))
    val = Arrays(x=clean[20:].astype(np.float32))
    s = step().fit(train)
    a, b = s.transform(train), s.transform(train)
    assert not np.allclose(a.x, b.x)
    v1, v2 = s.transform(val), s.transform(val)
    np.testing.assert_array_equal(v1.x, v2.x)
    v3 = step().fit(train).transform(val)  # another run with the same seed
    np.testing.assert_array_equal(v1.x, v3.x)


def test_normalization_uses_the_noisy_window_for_both_fields():
    clean = windows(10)
    s = step(normalize=False)
    raw = s.fit(Arrays(x=clean)).transform(Arrays(x=clean))
    s2 = step(normalize=True)
    norm = s2.fit(Arrays(x=clean)).transform(Arrays(x=clean))
    np.testing.assert_allclose(norm.x.mean(axis=-1), 0, atol=1e-5)
    np.testing.assert_allclose(norm.x.std(axis=-1), 1, atol=1e-4)
    std = raw.x.std(-1, keepdims=True)
    np.testing.assert_allclose(norm.target, raw.target / std, atol=1e-4)  # scaled, not shifted


def test_rate_mismatch_is_a_config_error():
    data = Arrays(x=windows(2), info={"fs": 500.0})
    with pytest.raises(ConfigError, match="500"):
        step().fit(data)


def test_nstdb_training_noise_reads_only_the_first_half(shared_data):
    bank = nz.load_nstdb(shared_data / "ecg" / "nstdb", nz.TRAIN_SEGMENT)
    assert set(bank) == {"bw", "em", "ma"}
    assert all(v.shape == (2, 325000) for v in bank.values())
    rng = np.random.default_rng(0)
    mix = nz.nstdb_mix(bank, 512, rng)
    assert np.isfinite(mix).all() and np.ptp(mix) > 0


def test_inverse_transform_restores_physical_units_for_metrics():
    from sigvae_ecg.evaluators import build, noisy_input

    clean = windows(12)
    train = Arrays(x=clean)
    s = step(normalize=True).fit(train)
    raw = step(normalize=False).fit(train).transform(Arrays(x=clean[:6]))
    held_out = s.transform(Arrays(x=clean[:6]))
    back = s.inverse_transform(held_out.with_fields(x=held_out.target, target=None))
    np.testing.assert_allclose(back.x, clean[:6], atol=1e-4)
    np.testing.assert_allclose(noisy_input({"arrays": held_out}), raw.x, atol=1e-3)
    gain = build("snr-improvement").evaluate(back.x, back.x + 0.01, arrays=held_out)
    assert gain["snr_improvement_db"] > 10


def test_polarity_flips_only_training_windows():
    clean = windows(30)
    train, val = Arrays(x=clean[:20]), Arrays(x=clean[20:])
    s = step(flip=1.0, normalize=False).fit(train)
    np.testing.assert_allclose(s.transform(train).target, -clean[:20])
    np.testing.assert_allclose(s.transform(val).target, clean[20:])
