"""The model contract every model plugin follows, and the uniform model API built on it.

A model is a :class:`torch.nn.Module` subclassing :class:`Model`. It implements

* ``encode(x, cond=None)`` -> the posterior ``q(z|x)`` as a torch ``Distribution`` whose
  ``log_prob`` returns one value per example (use ``Independent``),
* ``decode(z, cond=None)`` -> the likelihood ``p(x|z)``, likewise one ``log_prob`` per example,
* ``prior(cond=None)`` -> ``p(z)`` (models with a non-standard prior override it),
* ``loss(batch, phase="main")`` -> :class:`LossOutput`.

Loss convention (Pythae's): sum over features and latent dimensions, mean over the batch.
Denoising is a training mode of every model: when the batch has a ``target`` the
reconstruction term scores the likelihood of ``target``, not of the noisy ``x``.

Models with several optimizers (adversarial models, codebooks) override
:meth:`Model.optimizer_groups`; the one Trainer then runs one phase per group, in order, calling
``loss(batch, phase=name)`` and stepping only that group's optimizer. A model whose phases can
share one forward pass sets :attr:`Model.joint_phases` and implements :meth:`Model.joint_loss`
(see there).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import torch
from torch import nn
from torch.distributions import Distribution

from sigvae.errors import SigvaeError
from sigvae.nn.gaussians import StandardNormal, standard_normal_log_prob


class UndefinedQuantity(SigvaeError):
    """A model was asked for a quantity it does not define (for example the likelihood of a
    deterministic autoencoder)."""


@dataclass
class LossOutput:
    """``total`` is the scalar that is back-propagated; ``terms`` are scalars for logging."""

    total: torch.Tensor
    terms: dict[str, torch.Tensor] = field(default_factory=dict)


def standard_normal(shape: tuple[int, ...] | int, like: torch.Tensor) -> Distribution:
    """N(0, I) over a latent of ``shape``, on ``like``'s device and dtype."""
    shape = (shape,) if isinstance(shape, int) else tuple(shape)
    zeros = torch.zeros(shape, device=like.device, dtype=like.dtype)
    return StandardNormal(zeros, len(shape))


def log_mean_exp(values: torch.Tensor, dim: int = 0) -> torch.Tensor:
    """``log(mean(exp(values)))`` along ``dim``, computed stably."""
    return torch.logsumexp(values, dim=dim) - math.log(values.shape[dim])


def repeat_rows(t: torch.Tensor | None, k: int) -> torch.Tensor | None:
    """``[B, ...] -> [k * B, ...]``: ``t`` repeated ``k`` times along the batch dimension,
    sample-major, in the order of ``z.reshape(k * B, ...)`` for ``z [k, B, ...]``."""
    return None if t is None else t.repeat(k, *([1] * (t.dim() - 1)))


def reconstruction_target(batch: dict[str, torch.Tensor]) -> torch.Tensor:
    """What a reconstruction term scores: the clean ``target`` when the batch carries one
    (denoising mode, a training mode of every model), else ``x``."""
    target = batch.get("target")
    return batch["x"] if target is None else target


def sample_with_log_prob(
    q: Distribution, shape: tuple[int, ...] = (), reparameterized: bool = False
) -> tuple[torch.Tensor, torch.Tensor]:
    """Draws from ``q`` and their log-densities. Posteriors that produce both at once (normalising
    flows, whose density is only cheap at their own samples) expose ``rsample_and_log_prob``."""
    if hasattr(q, "rsample_and_log_prob"):
        z, log_q = q.rsample_and_log_prob(shape)
        return (z, log_q) if reparameterized else (z.detach(), log_q.detach())
    z = q.rsample(shape) if reparameterized else q.sample(shape)
    return z, q.log_prob(z)


class Model(nn.Module):
    """Base class of every sigvae model. ``data_info`` describes the data it was built for
    (``x_shape``, ``cond_dim``, ``has_target``) and is saved with its checkpoints."""

    #: Latent shape (set by subclasses); used by the default :meth:`prior`.
    latent_shape: tuple[int, ...] = ()

    def __init__(self, data_info: dict | None = None) -> None:
        super().__init__()
        self.data_info = dict(data_info or {})

    # --- what a model implements -------------------------------------------------------------
    def encode(self, x: torch.Tensor, cond: torch.Tensor | None = None) -> Distribution:
        raise UndefinedQuantity(f"{type(self).__name__} has no probabilistic encoder")

    def decode(self, z: torch.Tensor, cond: torch.Tensor | None = None) -> Distribution:
        raise UndefinedQuantity(f"{type(self).__name__} has no probabilistic decoder")

    def prior(self, cond: torch.Tensor | None = None) -> Distribution:
        """p(z); the default is a standard normal over :attr:`latent_shape`."""
        like = next(self.parameters())
        return standard_normal(self.latent_shape, like)

    def prior_log_prob(self, z: torch.Tensor, cond: torch.Tensor | None = None) -> torch.Tensor:
        """``log p(z)`` per example: the closed form for the default N(0, I) prior (no
        distribution built, a measurable saving per step), else ``prior(cond).log_prob(z)``.
        Models with a cheaper direct formula override this; it must equal the latter."""
        if type(self).prior is Model.prior:
            return standard_normal_log_prob(z, len(self.latent_shape))
        return self.prior(cond).log_prob(z)

    def loss(self, batch: dict[str, torch.Tensor], phase: str = "main") -> LossOutput:
        raise NotImplementedError

    # --- the uniform model API ---------------------------------------------------------------
    def elbo(
        self,
        x: torch.Tensor,
        cond: torch.Tensor | None = None,
        target: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """Per-example evidence lower bound in nats, one reparameterised sample."""
        q = self.encode(x, cond)
        z, log_q = sample_with_log_prob(q, reparameterized=True)
        recon = self.decode(z, cond).log_prob(x if target is None else target)
        return recon + self.prior_log_prob(z, cond) - log_q

    @torch.no_grad()
    def log_likelihood(
        self,
        x: torch.Tensor,
        cond: torch.Tensor | None = None,
        samples: int = 100,
        chunk: int = 64,
    ) -> torch.Tensor:
        """Per-example importance-sampled estimate of log p(x) with ``samples`` draws from
        q(z|x): ``log mean_k p(x, z_k) / q(z_k | x)``."""
        q = self.encode(x, cond)
        prior = self.prior(cond)
        weights = []
        for start in range(0, samples, chunk):
            k = min(chunk, samples - start)
            z, log_q = sample_with_log_prob(q, (k,))
            flat = z.reshape(k * x.shape[0], *z.shape[2:])
            log_px = self.decode(flat, repeat_rows(cond, k)).log_prob(repeat_rows(x, k))
            log_px = log_px.reshape(k, x.shape[0])
            weights.append(log_px + prior.log_prob(z) - log_q)
        return log_mean_exp(torch.cat(weights, dim=0), dim=0)

    @torch.no_grad()
    def embed(self, x: torch.Tensor, cond: torch.Tensor | None = None) -> torch.Tensor:
        """Posterior means: the compact features of ``x``."""
        return self.encode(x, cond).mean

    @torch.no_grad()
    def reconstruct(self, x: torch.Tensor, cond: torch.Tensor | None = None) -> torch.Tensor:
        """Mean of the likelihood decoded from the posterior mean (the denoised signal when the
        model was trained in denoising mode)."""
        return self.decode(self.embed(x, cond), cond).mean

    @torch.no_grad()
    def sample(self, n: int, cond: torch.Tensor | None = None) -> torch.Tensor:
        """``n`` draws from the model: the likelihood mean at prior samples."""
        z = self.prior(cond).sample(() if cond is not None else (n,))
        return self.decode(z, cond).mean

    # --- the trainer protocol ----------------------------------------------------------------
    def optimizer_groups(self) -> dict[str, list[nn.Parameter]]:
        """Parameter groups, one optimizer (and one training phase) each, run in this order."""
        return {"main": [p for p in self.parameters() if p.requires_grad]}

    #: True when :meth:`joint_loss` gives every group's loss from one shared forward pass.
    joint_phases: bool = False

    def joint_loss(self, batch: dict[str, torch.Tensor]) -> dict[str, LossOutput]:
        """Every optimizer group's loss from ONE forward pass, ``{group name: LossOutput}``
        (models with :attr:`joint_phases`). The Trainer back-propagates each group's total
        into that group's parameters only, so a group's loss may pass through other groups'
        networks without detaching them; then every optimizer steps. Unlike the phased step,
        every group's gradient is taken at the parameters from before this step's updates
        (simultaneous updates, as Pythae's multi-optimizer trainers do)."""
        raise NotImplementedError(f"{type(self).__name__} sets joint_phases but has no joint_loss")

    #: The learning rate of the current epoch, set by the Trainer before :meth:`on_epoch_start`
    #: (None outside the Trainer): a model that fits a separate stage itself, such as the
    #: VQ-VAE's code prior, steps it at the rate the Trainer's optimizers use.
    epoch_lr: float | None = None

    def on_epoch_start(self, epoch: int, max_epochs: int) -> None:
        """Called before each epoch (schedules such as a KL capacity or warm-up)."""

    def on_epoch_end(self, epoch: int, max_epochs: int) -> None:
        """Called after each epoch (for example codebook dead-code restarts)."""

    def training_state(self) -> dict:
        """State a model keeps for its own training outside its weights and the Trainer's
        optimizers (for example the optimizer of a stage it fits itself). Training checkpoints
        (``last.pt``) store it and ``resume`` hands it back through
        :meth:`load_training_state`; exported weights do not carry it. Tensors, numbers,
        strings and containers of them only (checkpoints load with ``weights_only=True``)."""
        return {}

    def load_training_state(self, state: dict) -> None:
        """Restore what :meth:`training_state` returned (called on ``resume``)."""
