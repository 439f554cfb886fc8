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

    def rsample_with_log_prob(self, sample_shape=()) -> tuple[torch.Tensor, torch.Tensor]:
        """A reparameterised ``z = loc + scale * eps`` and ``log q(z)`` read off the noise:
        ``(z - loc) / scale`` is ``eps`` itself, so ``log q = -1/2 |eps|^2 - sum log s - const``.
        As a function of the parameters (``z`` substituted) it is the same expression as
        ``log_prob(z)``, hence the same value and gradient, without the ``[.., D]`` division
        and subtraction. (Scoring ``z`` under *detached* parameters, as STL/DReG do, is a
        different function: use :meth:`log_prob` there.)"""
        base = self.base_dist
        shape = torch.Size(sample_shape) + base.loc.shape
        eps = torch.randn(shape, dtype=base.loc.dtype, device=base.loc.device)
        z = torch.addcmul(base.loc, base.scale, eps)
        dims = self.reinterpreted_batch_ndims
        log_q = _sum_last(eps.square(), dims).mul(-0.5) - _sum_last(self.log_scale, dims)
        return z, log_q - HALF_LOG_2PI * self._event_size()

    def expand(self, batch_shape, _instance=None) -> DiagonalNormal:
        """The same distribution broadcast to ``batch_shape`` (still a ``DiagonalNormal``, so
        code written for ``Independent(Normal)`` keeps working)."""
        full = torch.Size(batch_shape) + self.event_shape
        base = self.base_dist
        log_scale = None if self._log_scale is None else self._log_scale.expand(full)
        return DiagonalNormal(
            base.loc.expand(full),
            base.scale.expand(full),
            self.reinterpreted_batch_ndims,
            log_scale,
        )

    def detached(self) -> DiagonalNormal:
        """The same distribution with its parameters cut from the graph (see
        :func:`sigvae.nn.posteriors.detached`)."""
        log_scale = None if self._log_scale is None else self._log_scale.detach()
        base = self.base_dist
        return DiagonalNormal(
            base.loc.detach(), base.scale.detach(), self.reinterpreted_batch_ndims, log_scale
        )


class _SquaredDistance(torch.autograd.Function):
    """``sum over the last dim of (value - loc)^2`` with a one-step backward
    ``d/d loc = -2 (value - loc) * grad`` (autograd's chain of ``sub``, ``pow`` and ``sum``
    backward nodes costs three passes over the ``[.., D]`` residual)."""

    @staticmethod
    def forward(ctx, loc: torch.Tensor, value: torch.Tensor) -> torch.Tensor:
        residual = value - loc
        ctx.save_for_backward(residual)
        ctx.shapes = (loc.shape, value.shape)
        return torch.linalg.vecdot(residual, residual)

    @staticmethod
    def backward(ctx, grad: torch.Tensor):
        (residual,) = ctx.saved_tensors
        loc_shape, value_shape = ctx.shapes
        if not ctx.needs_input_grad[1]:  # the usual case: only the decoder output learns
            d_loc = residual * (-2.0 * grad).unsqueeze(-1)
            return _reduced(d_loc, loc_shape), None
        d_value = residual * (2.0 * grad).unsqueeze(-1)
        d_loc = -d_value if ctx.needs_input_grad[0] else None
        return _reduced(d_loc, loc_shape), _reduced(d_value, value_shape)


def _reduced(grad: torch.Tensor | None, shape: torch.Size) -> torch.Tensor | None:
    """A gradient summed back to the shape of an input that was broadcast."""
    return grad if grad is None or grad.shape == shape else grad.sum_to_size(shape)


def squared_distance(loc: torch.Tensor, value: torch.Tensor, event_dims: int) -> torch.Tensor:
    """``sum (value - loc)^2`` over the ``event_dims`` trailing dims (broadcasting the rest)."""
    if event_dims == 0:
        return (value - loc).square()
    if event_dims > 1:
        loc, value = torch.broadcast_tensors(loc, value)
        loc, value = loc.flatten(-event_dims), value.flatten(-event_dims)
    if loc.dtype != value.dtype:
        common = torch.promote_types(loc.dtype, value.dtype)
        loc, value = loc.to(common), value.to(common)
    return _SquaredDistance.apply(loc, value)


class SharedScaleNormal(DiagonalNormal):
    """A diagonal Gaussian whose every element has the same scale ``sigma`` (a 0-d tensor):
    the fixed-sigma likelihood. ``log_prob`` is one sum of squares and a constant.

    ``sigma_value``, when the caller knows ``sigma`` as a Python number, lets ``log_prob`` use
    plain-number constants instead of computing ``log sigma`` and ``sigma^2`` as tensors."""

    def __init__(
        self,
        loc: torch.Tensor,
        sigma: torch.Tensor,
        event_dims: int,
        sigma_value: float | None = None,
    ) -> None:
        super().__init__(loc, sigma.to(loc.dtype).expand_as(loc), event_dims)
        self._sigma = sigma.to(loc.dtype)
        self._sigma_value = sigma_value

    def log_prob(self, value: torch.Tensor) -> torch.Tensor:
        dims = self.reinterpreted_batch_ndims
        squares = squared_distance(self.base_dist.loc, value, dims)
        if self._sigma_value is not None:
            sigma = self._sigma_value
            constant = self._event_size() * (math.log(sigma) + HALF_LOG_2PI)
            return squares.mul(-0.5 / (sigma * sigma)).sub(constant)
        constant = self._event_size() * (self._sigma.log() + HALF_LOG_2PI)
        return squares * (-0.5 / self._sigma.square()) - constant

    def detached(self) -> SharedScaleNormal:
        return SharedScaleNormal(
            self.base_dist.loc.detach(),
            self._sigma.detach(),
            self.reinterpreted_batch_ndims,
            self._sigma_value,
        )


def standard_normal_log_prob(z: torch.Tensor, event_dims: int) -> torch.Tensor:
    """``log N(z; 0, I)`` summed over the ``event_dims`` trailing dims (no distribution built)."""
    size = math.prod(z.shape[z.dim() - event_dims :])
    return _sum_last(z.square(), event_dims).mul(-0.5) - HALF_LOG_2PI * size


class StandardNormal(DiagonalNormal):
    """``N(0, I)`` over ``event_dims`` trailing dims of ``zeros``' shape."""

    def __init__(self, zeros: torch.Tensor, event_dims: int) -> None:
        super().__init__(zeros, torch.ones_like(zeros), event_dims, log_scale=zeros)

    def log_prob(self, value: torch.Tensor) -> torch.Tensor:
        return standard_normal_log_prob(value, self.reinterpreted_batch_ndims)
