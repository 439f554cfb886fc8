"""VampPrior VAE (Tomczak & Welling 2018).

The prior is the mixture of the variational posteriors at ``K`` learned pseudo-inputs ``u_k``
(eq. 9): ``p(z) = 1/K sum_k q(z | u_k)``. It approximates the aggregate posterior, the prior
that maximises the ELBO. The KL has no closed form and is the single-sample
``log q(z|x) - log p(z)`` (or its STL version).

Per training step the batch and the pseudo-inputs go through the encoder as one batch (the
encoder treats rows independently unless it has batch normalisation, when they are encoded
apart), and the mixture density is one pair of small matrix products (:func:`mixture_log_prob`).
"""

from __future__ import annotations

import math

import torch
from torch import nn
from torch.distributions import Categorical, Distribution, Independent, MixtureSameFamily, Normal

from sigvae.nn.compose import x_shape_of
from sigvae.nn.model import LossOutput, reconstruction_target
from sigvae.nn.posteriors import detached
from sigvae_vae.params import VampVAEParams
from sigvae_vae.vae import VAE


def mixture_log_prob(z: torch.Tensor, loc: torch.Tensor, log_scale: torch.Tensor) -> torch.Tensor:
    """``log (1/C) sum_c N(z; loc_c, diag exp(2 log_scale_c))`` for ``z [..., D]`` and
    components ``loc, log_scale [C, D]``.

    The quadratic form is expanded, ``sum_d (z_d - m_cd)^2 p_cd = (z^2) p^T - 2 z (m p)^T
    + sum_d m_cd^2 p_cd`` with ``p = 1 / s^2``, so that ``[..., C, D]`` never materialises: two
    ``[.., D] x [D, C]`` products. They run in float64, because the three terms can be large and
    nearly cancel when a component is narrow and ``z`` lies near its mean."""
    flat = z.reshape(-1, z.shape[-1]).double()
    precision = torch.exp(-2 * log_scale.double())  # [C, D]
    weighted = loc.double() * precision
    offset = (loc.double() * weighted).sum(-1)  # [C]
    quadratic = torch.addmm(offset, flat.square(), precision.T)
    quadratic = torch.addmm(quadratic, flat, weighted.T, alpha=-2.0)
    log_norm = log_scale.double().sum(-1) + 0.5 * z.shape[-1] * math.log(2 * math.pi)
    per_component = -0.5 * quadratic - log_norm  # [N, C]
    mixed = torch.logsumexp(per_component, dim=-1) - math.log(loc.shape[0])
    return mixed.to(z.dtype).reshape(z.shape[:-1])


class VampVAE(VAE):
    """``vamp-vae``."""

    def __init__(self, params: VampVAEParams, data_info: dict) -> None:
        super().__init__(params, data_info)
        shape = (params.components, *x_shape_of(self.data_info))
        self.pseudo_inputs = nn.Parameter(torch.randn(shape) * params.pseudo_init_std)
        self._rows_independent = not any(
            isinstance(m, nn.modules.batchnorm._BatchNorm) for m in self.encoder.modules()
        )

    def prior(self, cond: torch.Tensor | None = None) -> Distribution:
        components = self.encode(self.pseudo_inputs).base_dist
        k = self.pseudo_inputs.shape[0]
        weights = Categorical(logits=torch.zeros(k, device=components.loc.device))
        mixed = Independent(Normal(components.loc, components.scale, validate_args=False), 1)
        return MixtureSameFamily(weights, mixed, validate_args=False)

    def prior_log_prob(self, z: torch.Tensor, cond: torch.Tensor | None = None) -> torch.Tensor:
        """``log p(z) = logsumexp_k log q(z | u_k) - log K``, the mixture density of
        :meth:`prior` without building the mixture distribution."""
        components = self.encode(self.pseudo_inputs)  # batch [K], event [D]
        return mixture_log_prob(z, components.base_dist.loc, components.log_scale)

    def _encode_with_components(self, x: torch.Tensor) -> tuple[Distribution, Distribution]:
        """``q(z|x)`` and the prior's components ``q(z|u_k)``, from one encoder pass."""
        pseudo = self.pseudo_inputs.to(x.dtype)
        if not self._rows_independent:
            return self.encode(x), self.encode(pseudo)
        features = self.encoder(torch.cat([x, pseudo]))
        return self.posterior(features[: x.shape[0]]), self.posterior(features[x.shape[0] :])

    def loss(self, batch: dict[str, torch.Tensor], phase: str = "main") -> LossOutput:
        """:meth:`VAE.loss` with the Monte Carlo KL ``log q(z|x) - log p(z)``."""
        q, components = self._encode_with_components(batch["x"])
        z, log_q = q.rsample_with_log_prob()
        if self.estimator == "stl":
            log_q = detached(q).log_prob(z)
        log_pz = mixture_log_prob(z, components.base_dist.loc, components.log_scale)
        log_px = self.decode(z).log_prob(reconstruction_target(batch))
        kl = log_q - log_pz
        return self.weighted_elbo_loss(log_px, kl, kl.mean().detach())

    def analytic_kl(self, q: Distribution, cond: torch.Tensor | None = None):
        return None
