"""Latent priors of the divergence-regularised and adversarial autoencoders.

WAE, AAE and the ITL autoencoder only need samples from p(z) (the penalty compares codes with
prior samples), so the prior can be any distribution one can sample: besides N(0, I) a
unit-variance Laplace, and two 2-D toy priors used to show that the code distribution really
takes the prior's shape: a Swiss roll and a ring of eight Gaussians (Makhzani et al. 2016,
fig. 2).
"""

from __future__ import annotations

import math

import torch
from torch.distributions import (
    Categorical,
    Distribution,
    Independent,
    Laplace,
    MixtureSameFamily,
    Normal,
)

from sigvae.errors import ConfigError
from sigvae.nn.model import UndefinedQuantity

PRIORS = ("gaussian", "laplace", "swiss-roll", "mixture")
RING_COMPONENTS = 8
RING_RADIUS = 2.0
RING_STD = 0.25
SWISS_ROLL_NOISE = 0.05
# the priors' parameters are constants built here, so torch's argument checks would only re-check
# them on every training step (as elsewhere in sigvae, distributions skip them)
FIXED = {"validate_args": False}


class SwissRoll(Distribution):
    """A 2-D Swiss roll: ``t ~ U(1.5 pi, 4.5 pi)``, ``z = (t cos t, t sin t) / 7 + noise``
    (the curve of scikit-learn's ``make_swiss_roll`` scaled to about unit spread). Its density
    has no closed form, so ``log_prob`` is undefined."""

    arg_constraints: dict = {}
    has_rsample = False

    def __init__(self, like: torch.Tensor, batch_shape: tuple = ()) -> None:
        self._like = like
        super().__init__(torch.Size(batch_shape), torch.Size([2]), validate_args=False)

    def sample(self, sample_shape: torch.Size | tuple = ()) -> torch.Tensor:
        shape = torch.Size(sample_shape) + self.batch_shape
        like = self._like
        t = 1.5 * math.pi * (1.0 + 2.0 * torch.rand(shape, device=like.device, dtype=like.dtype))
        curve = torch.stack([t * torch.cos(t), t * torch.sin(t)], dim=-1) / 7.0
        return curve + SWISS_ROLL_NOISE * torch.randn_like(curve)

    def log_prob(self, value: torch.Tensor) -> torch.Tensor:
        raise UndefinedQuantity("the swiss-roll prior has no closed-form density")


def _ring(like: torch.Tensor, batch_shape: torch.Size) -> Distribution:
    angles = torch.arange(RING_COMPONENTS, device=like.device, dtype=like.dtype)
    angles = angles * (2.0 * math.pi / RING_COMPONENTS)
    centres = RING_RADIUS * torch.stack([angles.cos(), angles.sin()], dim=-1)
    centres = centres.expand(*batch_shape, RING_COMPONENTS, 2)
    weights = Categorical(logits=torch.zeros(centres.shape[:-1], device=like.device), **FIXED)
    parts = Independent(Normal(centres, torch.full_like(centres, RING_STD), **FIXED), 1, **FIXED)
    return MixtureSameFamily(weights, parts, **FIXED)


def latent_prior(name: str, dim: int, like: torch.Tensor, batch: int | None = None) -> Distribution:
    """p(z) over ``dim`` latent dims on ``like``'s device and dtype, with batch shape
    ``[batch]`` when given (one prior per example, as conditional models need)."""
    batch_shape = torch.Size([] if batch is None else [batch])
    if name in ("swiss-roll", "mixture") and dim != 2:
        raise ConfigError(f"prior {name!r} is 2-D but the latent has {dim} dims")
    if name == "swiss-roll":
        return SwissRoll(like, batch_shape)
    if name == "mixture":
        return _ring(like, batch_shape)
    zeros = torch.zeros((*batch_shape, dim), device=like.device, dtype=like.dtype)
    if name == "gaussian":
        return Independent(Normal(zeros, torch.ones_like(zeros), **FIXED), 1, **FIXED)
    if name == "laplace":
        scale = torch.full_like(zeros, 1.0 / math.sqrt(2.0))
        return Independent(Laplace(zeros, scale, **FIXED), 1, **FIXED)
    raise ConfigError(f"unknown prior {name!r}; known: {', '.join(PRIORS)}")
