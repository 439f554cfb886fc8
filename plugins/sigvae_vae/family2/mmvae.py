"""MMVAE (Shi, Siddharth, Paige & Torr 2019, "Variational mixture-of-experts autoencoders for
multi-modal deep generative models", eqs. 3-4).

Each modality m (a group of channels of x [C, L]) has its own encoder q_m(z|x_m), decoder and
likelihood p_m(x_m|z); the joint posterior is the mixture of experts
``q(z|x_1:M) = 1/M sum_m q_m(z|x_m)`` and the objective the stratified importance-weighted bound

    L = 1/M sum_m E_{z_1:K ~ q_m} [ log 1/K sum_k p(z_k) prod_m' p_m'(x_m'|z_k) / q(z_k|x_1:M) ]

(K = ``samples``, reparameterised, standard gradients; the paper also uses DReG). Every expert
must explain every modality, which is what makes cross-modal generation work:
:meth:`MMVAE.cross_generate` encodes one modality and decodes all of them.
"""

from __future__ import annotations

import math

import torch
from torch import nn
from torch.distributions import Categorical, Distribution, Independent, MixtureSameFamily, Normal

from sigvae.errors import ConfigError
from sigvae.nn.compose import build_autoencoder, x_shape_of
from sigvae.nn.model import LossOutput, Model, log_mean_exp, reconstruction_target
from sigvae.nn.posteriors import diagonal_gaussian_head
from sigvae_vae.family2.params import MMVAEParams


class ModalityProduct(Distribution):
    """``prod_m p_m(x_m | z)`` over the channel groups of x: ``log_prob`` sums the modalities'
    log-likelihoods, ``mean`` assembles their means into one ``[B, C, L]`` tensor."""

    arg_constraints: dict = {}

    def __init__(self, parts: list[Distribution], groups: list[list[int]], channels: int):
        self.parts, self.groups, self.channels = parts, groups, channels
        first = parts[0].mean
        super().__init__(
            first.shape[:1], torch.Size([channels, *first.shape[2:]]), validate_args=False
        )

    def log_prob(self, value: torch.Tensor) -> torch.Tensor:
        return sum(p.log_prob(value[:, g]) for p, g in zip(self.parts, self.groups))

    def _assemble(self, pieces: list[torch.Tensor]) -> torch.Tensor:
        out = pieces[0].new_empty(pieces[0].shape[0], self.channels, *pieces[0].shape[2:])
        for piece, g in zip(pieces, self.groups):
            out[:, g] = piece
        return out

    @property
    def mean(self) -> torch.Tensor:
        return self._assemble([p.mean for p in self.parts])

    def sample(self, sample_shape=()) -> torch.Tensor:
        if tuple(sample_shape):
            raise ValueError("ModalityProduct.sample draws one sample per row")
        return self._assemble([p.sample() for p in self.parts])


def _groups(params: MMVAEParams, x_shape: tuple[int, ...]) -> list[list[int]]:
    if len(x_shape) != 2:
        raise ConfigError(f"mmvae needs x of shape [channels, length], got {list(x_shape)}")
    channels = x_shape[0]
    groups = params.modalities or [[c] for c in range(channels)]
    flat = [c for g in groups for c in g]
    if len(groups) < 2 or sorted(flat) != list(range(channels)) or any(not g for g in groups):
        raise ConfigError(
            f"mmvae modalities {groups} must split the {channels} channels of x into at least "
            "two non-empty groups, each channel in exactly one"
        )
    return [list(g) for g in groups]


class MMVAE(Model):
    """``mmvae``."""

    def __init__(self, params: MMVAEParams, data_info: dict) -> None:
        super().__init__(data_info)
        self.params = params
        self.latent_dim = params.latent_dim
        self.latent_shape = (params.latent_dim,)
        x_shape = x_shape_of(self.data_info)
        self.groups = _groups(params, x_shape)
        self.channels = x_shape[0]
        encoders, decoders, likelihoods = [], [], []
        for g in self.groups:
            parts = build_autoencoder(params, {"x_shape": [len(g), *x_shape[1:]]})
            encoders.append(parts.encoder)
            decoders.append(parts.decoder)
            likelihoods.append(parts.likelihood)
        self.encoders = nn.ModuleList(encoders)
        self.decoders = nn.ModuleList(decoders)
        self.likelihoods = nn.ModuleList(likelihoods)

    def experts(self, x: torch.Tensor) -> list[Independent]:
        """The unimodal posteriors ``q_m(z|x_m)``."""
        return [diagonal_gaussian_head(enc(x[:, g])) for enc, g in zip(self.encoders, self.groups)]

    @staticmethod
    def _mixture(experts: list[Independent]) -> MixtureSameFamily:
        loc = torch.stack([q.base_dist.loc for q in experts], dim=1)  # [B, M, D]
        scale = torch.stack([q.base_dist.scale for q in experts], dim=1)
        weights = Categorical(logits=torch.zeros(loc.shape[:2], device=loc.device))
        return MixtureSameFamily(weights, Independent(Normal(loc, scale, validate_args=False), 1))

    def encode(self, x: torch.Tensor, cond: torch.Tensor | None = None) -> Distribution:
        """The mixture of experts ``1/M sum_m q_m(z|x_m)``."""
        return self._mixture(self.experts(x))

    def decode(self, z: torch.Tensor, cond: torch.Tensor | None = None) -> Distribution:
        parts = [lik(dec(z)) for dec, lik in zip(self.decoders, self.likelihoods)]
        return ModalityProduct(parts, self.groups, self.channels)

    def _log_weights(self, experts, z: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        """``log p(x, z) - log q(z|x_1:M)`` for ``z`` [K, B, D] -> [K, B]."""
        k, b = z.shape[:2]
        log_q = torch.stack([q.log_prob(z) for q in experts]).logsumexp(0) - math.log(len(experts))
        log_px = self.decode(z.reshape(k * b, -1)).log_prob(
            target.repeat(k, *[1] * (target.dim() - 1))
        )
        return log_px.reshape(k, b) + self.prior().log_prob(z) - log_q

    def loss(self, batch: dict[str, torch.Tensor], phase: str = "main") -> LossOutput:
        experts = self.experts(batch["x"])
        target = reconstruction_target(batch)
        bounds = [
            log_mean_exp(self._log_weights(experts, q.rsample((self.params.samples,)), target), 0)
            for q in experts
        ]
        bound = torch.stack(bounds).mean(0)
        return LossOutput(-bound.mean(), {"bound": bound.mean().detach()})

    def elbo(self, x, cond=None, target=None) -> torch.Tensor:
        """The stratified ELBO: one reparameterised sample from each expert, averaged."""
        experts = self.experts(x)
        target = x if target is None else target
        return torch.stack(
            [self._log_weights(experts, q.rsample((1,)), target)[0] for q in experts]
        ).mean(0)

    @torch.no_grad()
    def cross_generate(self, x: torch.Tensor, source: int) -> torch.Tensor:
        """Every modality decoded from modality ``source`` alone (its posterior mean)."""
        if not 0 <= source < len(self.groups):
            raise ConfigError(f"source modality {source} out of range 0..{len(self.groups) - 1}")
        g = self.groups[source]
        z = diagonal_gaussian_head(self.encoders[source](x[:, g])).mean
        return self.decode(z).mean
