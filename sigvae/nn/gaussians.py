"""Diagonal Gaussians that are still ``Independent(Normal(loc, scale), n)`` for every user
(``mean``, ``rsample``, ``base_dist``, ``torch.distributions.kl_divergence`` all work), but whose
``log_prob`` is one fused closed form instead of torch's generic per-element path.

Why: the models score a batch several times per training step, and torch's
``Normal.log_prob`` recomputes ``scale ** 2`` and ``log(scale)`` element by element (and a
fixed-scale likelihood first expands the scalar scale to the whole batch). The densities are

* ``log N(x; m, s^2) = -1/2 ((x - m) / s)^2 - log s - 1/2 log(2 pi)`` (summed over the event),
* with one shared scalar ``s``: ``-sum (x - m)^2 / (2 s^2) - D (log s + 1/2 log(2 pi))``,
* ``N(0, I)``: ``-1/2 sum z^2 - D/2 log(2 pi)``,

equal to torch's up to float rounding (tests/kernel/test_nn_gaussians.py checks this).
"""

from __future__ import annotations

import math

import torch
from torch.distributions import Distribution, Independent, Normal

HALF_LOG_2PI = 0.5 * math.log(2.0 * math.pi)


def normal(loc: torch.Tensor, scale: torch.Tensor) -> Normal:
    """``Normal(loc, scale)`` without argument validation; when both already share a shape the
    broadcast that ``Normal.__init__`` performs (a measurable cost per step) is skipped."""
    if loc.shape != scale.shape:
        return Normal(loc, scale, validate_args=False)
    base = Normal.__new__(Normal)
    base.loc, base.scale = loc, scale
    Distribution.__init__(base, loc.shape, validate_args=False)
    return base


def _sum_last(values: torch.Tensor, dims: int) -> torch.Tensor:
    return values.sum(dim=tuple(range(-dims, 0))) if dims else values


class DiagonalNormal(Independent):
    """``Independent(Normal(loc, scale), event_dims)``; ``log_scale`` may be passed when the
    caller already has it (a posterior built from a log-variance), saving a ``log``."""

    def __init__(
        self,
        loc: torch.Tensor,
        scale: torch.Tensor,
        event_dims: int,
        log_scale: torch.Tensor | None = None,
    ) -> None:
        super().__init__(normal(loc, scale), event_dims, validate_args=False)
        self._log_scale = log_scale

    @property
    def log_scale(self) -> torch.Tensor:
        """``log(scale)`` per element (the stored one when given)."""
        return self.base_dist.scale.log() if self._log_scale is None else self._log_scale

    def _event_size(self) -> int:
        return math.prod(self.event_shape)

    def log_prob(self, value: torch.Tensor) -> torch.Tensor:
        base = self.base_dist
        standardized = (value - base.loc) / base.scale
        per_element = standardized.square().mul(-0.5) - self.log_scale
        dims = self.reinterpreted_batch_ndims
        return _sum_last(per_element, dims) - HALF_LOG_2PI * self._event_size()

    def detached(self) -> DiagonalNormal:
        """The same distribution with its parameters cut from the graph (see
        :func:`sigvae.nn.posteriors.detached`)."""
        log_scale = None if self._log_scale is None else self._log_scale.detach()
        base = self.base_dist
        return DiagonalNormal(
            base.loc.detach(), base.scale.detach(), self.reinterpreted_batch_ndims, log_scale
        )


class SharedScaleNormal(DiagonalNormal):
    """A diagonal Gaussian whose every element has the same scale ``sigma`` (a 0-d tensor):
    the fixed-sigma likelihood. ``log_prob`` is one sum of squares and a constant."""

    def __init__(self, loc: torch.Tensor, sigma: torch.Tensor, event_dims: int) -> None:
        super().__init__(loc, sigma.to(loc.dtype).expand_as(loc), event_dims)
        self._sigma = sigma.to(loc.dtype)

    def log_prob(self, value: torch.Tensor) -> torch.Tensor:
        dims = self.reinterpreted_batch_ndims
        squares = _sum_last((value - self.base_dist.loc).square(), dims)
        constant = self._event_size() * (self._sigma.log() + HALF_LOG_2PI)
        return squares * (-0.5 / self._sigma.square()) - constant

    def detached(self) -> SharedScaleNormal:
        return SharedScaleNormal(
            self.base_dist.loc.detach(), self._sigma.detach(), self.reinterpreted_batch_ndims
        )


class StandardNormal(DiagonalNormal):
    """``N(0, I)`` over ``event_dims`` trailing dims of ``zeros``' shape."""

    def __init__(self, zeros: torch.Tensor, event_dims: int) -> None:
        super().__init__(zeros, torch.ones_like(zeros), event_dims, log_scale=zeros)

    def log_prob(self, value: torch.Tensor) -> torch.Tensor:
        dims = self.reinterpreted_batch_ndims
        return _sum_last(value.square(), dims).mul(-0.5) - HALF_LOG_2PI * self._event_size()
