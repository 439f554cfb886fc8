"""Likelihoods ``p(x|z)``: map the decoder output to a distribution over one example.

Every likelihood returns ``Independent(base, len(x_shape))`` (Gaussians as the
:mod:`sigvae.nn.gaussians` subclasses with a fused ``log_prob``) so ``log_prob(x)`` is one value
per example, summed over features (the loss convention). ``out_channels_factor`` says how many
stacked copies of ``x`` the decoder must produce (2 when it also predicts the scale).

Output activations are explicit: the Bernoulli decoder outputs logits and its ``mean`` is
``sigmoid(logits)``; nothing is squashed silently.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import nn
from torch.distributions import Bernoulli, Distribution, Independent, Laplace

from sigvae.errors import ConfigError
from sigvae.nn.gaussians import DiagonalNormal, SharedScaleNormal

LIKELIHOODS = ("gaussian", "bernoulli", "laplace")
SCALE_MODES = ("none", "shared", "feature", "example")


def full_precision(t: torch.Tensor) -> torch.Tensor:
    """fp16/bf16 -> fp32; other dtypes (fp32, fp64) unchanged."""
    return t.float() if t.dtype in (torch.float16, torch.bfloat16) else t


def _inverse_softplus(y: float) -> float:
    return y + math.log(-math.expm1(-y))


class Likelihood(nn.Module):
    """Base: ``forward(decoder_out) -> Distribution`` with one ``log_prob`` per example."""

    out_channels_factor: int = 1

    def __init__(self, x_shape: Sequence[int]) -> None:
        super().__init__()
        self.x_shape = tuple(int(s) for s in x_shape)

    def split(self, out: torch.Tensor) -> list[torch.Tensor]:
        """The decoder output cut into ``out_channels_factor`` tensors of shape x (in fp32
        when it comes from a half-precision autocast region: densities need the range)."""
        out = full_precision(out)
        if self.out_channels_factor == 1:
            return [out]
        # the channel axis counted from the end, so leading sample axes ([K, B, ...]) pass
        return list(out.chunk(self.out_channels_factor, dim=-len(self.x_shape)))

    def _independent(self, base: Distribution) -> Distribution:
        return Independent(base, len(self.x_shape))


class BernoulliLikelihood(Likelihood):
    """Bernoulli with the decoder output as logits (for data in [0, 1])."""

    def forward(self, out: torch.Tensor) -> Distribution:
        return self._independent(Bernoulli(logits=full_precision(out), validate_args=False))


class LocationScaleLikelihood(Likelihood):
    """Gaussian (scale = std) or Laplace (scale = b) with a fixed or learned scale.

    ``scale_mode``: ``none`` keeps ``sigma`` fixed; ``shared`` learns one scalar; ``feature``
    learns one scale per feature; ``example`` has the decoder predict a scale for every feature
    of every example (heteroscedastic). Learned scales are ``softplus(raw) + min_sigma``."""

    def __init__(
        self,
        family: str,
        x_shape: Sequence[int],
        sigma: float = 1.0,
        scale_mode: str = "none",
        min_sigma: float = 1e-3,
    ) -> None:
        super().__init__(x_shape)
        if scale_mode not in SCALE_MODES:
            raise ConfigError(
                f"unknown learn_sigma {scale_mode!r}; known: {', '.join(SCALE_MODES)}"
            )
        if not sigma > 0:
            raise ConfigError(f"sigma must be positive, got {sigma}")
        self.family = family
        self.scale_mode = scale_mode
        self.min_sigma = float(min_sigma)
        self.out_channels_factor = 2 if scale_mode == "example" else 1
        raw = _inverse_softplus(max(sigma - self.min_sigma, 1e-6))
        if scale_mode == "none":
            self.register_buffer("sigma", torch.tensor(float(sigma)))
            self._sigma_cache: tuple[tuple, float] | None = None
        elif scale_mode == "shared":
            self.raw_sigma = nn.Parameter(torch.tensor(raw))
        elif scale_mode == "feature":
            self.raw_sigma = nn.Parameter(torch.full(self.x_shape, raw))
        else:
            self.register_buffer("raw_offset", torch.tensor(raw))

    def fixed_sigma(self) -> float:
        """The fixed ``sigma`` as a Python number, read from the buffer only when the buffer
        changed (``load_state_dict`` and ``.to`` bump its version or move it), so the hot
        path neither syncs a device nor builds ``log sigma`` tensors."""
        if self.sigma.is_inference():  # made under torch.inference_mode: no version counter
            return float(self.sigma)
        key = (self.sigma._version, self.sigma.data_ptr(), self.sigma.device, self.sigma.dtype)
        if self._sigma_cache is None or self._sigma_cache[0] != key:
            self._sigma_cache = (key, float(self.sigma))
        return self._sigma_cache[1]

    def scale(self, out_scale: torch.Tensor | None, like: torch.Tensor) -> torch.Tensor:
        if self.scale_mode == "none":
            return self.sigma.to(like.dtype).expand_as(like)
        if self.scale_mode == "example":
            raw = out_scale + self.raw_offset  # a zero decoder output means the initial sigma
        else:
            raw = self.raw_sigma.expand_as(like)
        return F.softplus(raw) + self.min_sigma

    def forward(self, out: torch.Tensor) -> Distribution:
        parts = self.split(out)
        loc = parts[0]
        if self.family == "gaussian" and self.scale_mode == "none":
            return SharedScaleNormal(loc, self.sigma, len(self.x_shape), self.fixed_sigma())
        scale = self.scale(parts[1] if len(parts) > 1 else None, loc)
        if self.family == "gaussian":
            return DiagonalNormal(loc, scale, len(self.x_shape))
        return self._independent(Laplace(loc, scale, validate_args=False))


def build_likelihood(
    name: str,
    x_shape: Sequence[int],
    sigma: float = 1.0,
    learn_sigma: str = "none",
    min_sigma: float = 1e-3,
) -> Likelihood:
    """The likelihood ``name`` over examples of ``x_shape``; read its ``out_channels_factor``
    to size the decoder."""
    if name == "bernoulli":
        return BernoulliLikelihood(x_shape)
    if name in ("gaussian", "laplace"):
        return LocationScaleLikelihood(name, x_shape, sigma, learn_sigma, min_sigma)
    raise ConfigError(f"unknown likelihood {name!r}; known: {', '.join(LIKELIHOODS)}")
