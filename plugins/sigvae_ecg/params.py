"""Parameter schemas of the ECG plugin (pydantic only: imported by the light plugin module)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, PositiveFloat, PositiveInt, model_validator

from sigvae.specs import Params

NoiseKind = Literal["bw", "em", "ma", "mix", "white", "powerline", "sine-bw", "impulse", "poisson"]

DEFAULT_NOISE_MIX = {
    "bw": 1.0,
    "em": 1.5,
    "ma": 1.0,
    "mix": 1.5,
    "white": 0.5,
    "powerline": 0.5,
    "sine-bw": 0.5,
    "impulse": 0.5,
    "poisson": 0.5,
}


class ResampleParams(Params):
    fs: PositiveFloat = Field(360.0, description="target sampling frequency in Hz")


class BandpassParams(Params):
    low: float | None = Field(0.5, gt=0, description="high-pass corner in Hz (null: none)")
    high: float | None = Field(100.0, gt=0, description="low-pass corner in Hz (null: none)")
    order: PositiveInt = Field(2, le=8, description="Butterworth order (applied forward and back)")
    notch: list[PositiveFloat] = Field(
        default_factory=lambda: [50.0, 60.0],
        description="powerline frequencies removed with zero-phase notches (Q = 30)",
    )

    @model_validator(mode="after")
    def _corners(self) -> BandpassParams:
        if self.low is not None and self.high is not None and self.low >= self.high:
            raise ValueError(f"low ({self.low}) must be below high ({self.high})")
        return self


class NoiseParams(Params):
    kinds: dict[NoiseKind, float] = Field(
        default_factory=lambda: dict(DEFAULT_NOISE_MIX),
        description="noise kinds and their relative frequencies (weights >= 0)",
    )
    snr_db: tuple[float, float] = Field(
        (-6.0, 24.0), description="input power SNR range in dB (means removed), drawn uniformly"
    )
    protocol: Literal["snr", "deepfilter"] = Field(
        "snr",
        description="snr: power SNR from snr_db; deepfilter: noise peak-to-peak drawn as "
        "ratio times the window's (Romero et al. 2021)",
    )
    ratio: tuple[float, float] = Field((0.2, 2.0), description="deepfilter peak-to-peak ratios")
    second_kind: float = Field(
        0.2, ge=0, le=1, description="probability of adding a second, different noise kind"
    )
    nstdb: str = Field(
        "../shared/data/ecg/nstdb",
        description="directory of the NSTDB noise records bw/em/ma; only samples [0, 325000) "
        "are ever read",
    )
    fs: PositiveFloat = Field(360.0, description="sampling frequency of the windows in Hz")
    copies: PositiveInt = Field(
        1, le=32, description="noisy copies of each training window (val/test get one)"
    )
    flip: float = Field(
        0.0,
        ge=0,
        le=1,
        description="probability of inverting a training window's polarity (a lead can be "
        "recorded either way round); val/test windows are never flipped",
    )
    normalize: bool = Field(
        True,
        description="z-score each window with the noisy window's mean and std, applied to "
        "both x and target (what ecg_denoise does at inference)",
    )
    seed: int = Field(0, description="random seed (val/test draws are fixed by it)")

    @model_validator(mode="after")
    def _ranges(self) -> NoiseParams:
        if self.snr_db[0] > self.snr_db[1] or self.ratio[0] > self.ratio[1]:
            raise ValueError("ranges must be given as (low, high)")
        if any(w < 0 for w in self.kinds.values()) or sum(self.kinds.values()) <= 0:
            raise ValueError("kinds weights must be >= 0 with a positive sum")
        return self


class BeatParams(Params):
    """Single beats zero-padded to a window, as in the DeepFilter protocol (see ``beats.py``)."""

    fs: PositiveFloat = Field(360.0, description="sampling frequency the records must have (Hz)")
    length: PositiveInt = Field(512, description="window length in samples")
    offset: int = Field(16, ge=0, description="sample at which each beat starts in its window")
    lead_in: PositiveFloat = Field(
        0.25,
        description="a beat starts this many seconds before its R peak (and ends as much "
        "before the next R peak)",
    )
    annotation: str = Field("atr", description="beat annotation to take R peaks from, if read")
    symbols: list[str] | None = Field(
        default_factory=lambda: ["N"],
        description="annotation symbols kept (null: every beat symbol); records without the "
        "annotation use NeuroKit2's R-peak detector on peak_lead",
    )
    peak_lead: str = Field("ii", description="lead searched for R peaks when not annotated")
    leads: list[str] | None = Field(None, description="leads cut into beats (null: all)")
    per_record: PositiveInt | None = Field(
        None, description="keep at most this many beats per record (a random subset)"
    )
    seed: int = Field(0, description="seed of the per_record subset")


class ConvVAEParams(Params):
    """A fully convolutional VAE: the latent is a short multichannel sequence, not a vector."""

    hidden: list[PositiveInt] = Field(
        default_factory=lambda: [24, 32, 48, 64],
        min_length=1,
        description="encoder channels, input side first; the first layer divides the length "
        "by stem_stride, each further one by 2 (the decoder mirrors them)",
    )
    stem_stride: Literal[2, 4] = Field(
        4,
        description="stride of the first encoder layer (kernel 4*stride-1) and of the last "
        "decoder layer (kernel 4*stride): a learned filter bank that keeps full-rate work small",
    )
    kernel_size: PositiveInt = Field(7, description="kernel size of the inner layers (odd)")
    latent_channels: PositiveInt = Field(
        16,
        description="latent channels per position (latent length = L / (stem_stride * "
        "2^(len(hidden)-1)))",
    )
    beta: float = Field(1.0, ge=0.0, description="weight of the KL term (1: the ELBO)")
    deterministic: bool = Field(
        False,
        description="no posterior noise and no KL: the same network as a plain denoising "
        "autoencoder (the baseline that shows what the variational part is worth)",
    )
    likelihood: Literal["gaussian", "laplace"] = Field("gaussian", description="p(x|z)")
    sigma: PositiveFloat = Field(0.3, description="likelihood scale, or its initial value")
    learn_sigma: Literal["none", "shared"] = Field(
        "shared", description="learn one likelihood scale (shared) or keep sigma fixed (none)"
    )

    @model_validator(mode="after")
    def _odd(self) -> ConvVAEParams:
        if self.kernel_size % 2 == 0:
            raise ValueError("kernel_size must be odd")
        return self
