"""Variational Deep Embedding, VaDE (Jiang, Zheng, Tan, Tang & Zhou 2017).

Generative model: ``c ~ Cat(pi)``, ``z ~ N(mu_c, diag sigma_c^2)``, ``x ~ p(x|z)``. With
``q(z|x)`` a diagonal Gaussian and ``q(c|x) = gamma = p(c|z)`` at a sample of ``z`` (their
eq. 16), the ELBO per example is (their eq. 17, written with KLs)::

    log p(x|z) - sum_c gamma_c KL(q(z|x) || N(mu_c, sigma_c^2)) - KL(gamma || pi)

``cluster_probs(x)`` (gamma at the posterior mean) and ``cluster(x)`` expose the assignments.
VaDE pre-trains the autoencoder and fits a GMM to its codes before training; here the first
``pretrain_steps`` training steps use the plain VAE loss (N(0, I) prior), then the mixture is
set by k-means on the next batch's posterior means and the VaDE loss takes over. The step
count is a buffer, so resumed training does not pre-train again.
"""

from __future__ import annotations

import math

import torch
from torch import nn
from torch.distributions import Categorical, Distribution, Independent, MixtureSameFamily, Normal

from sigvae.nn.compose import GaussianLatentModel
from sigvae.nn.divergences import kl_diag_gaussian_standard
from sigvae.nn.model import LossOutput, reconstruction_target
from sigvae_vae.params import VaDEParams


def _kl_to_each_component(q: Independent, mu_c: torch.Tensor, logvar_c: torch.Tensor):
    """``KL(q(z|x) || N(mu_c, sigma_c^2))`` for every example and component: ``[B, K]``."""
    mu, var = q.base_dist.loc.unsqueeze(1), q.base_dist.scale.pow(2).unsqueeze(1)
    var_c = logvar_c.exp()
    terms = logvar_c - var.log() + (var + (mu - mu_c).pow(2)) / var_c - 1.0
    return 0.5 * terms.sum(-1)


@torch.no_grad()
def kmeans(points: torch.Tensor, k: int, restarts: int = 5, iterations: int = 20):
    """k-means on ``points [N, d]``, the best of ``restarts`` k-means++ seedings (Arthur &
    Vassilvitskii 2007): ``(means [k, d], per-cluster log-variances [k, d])``. Clusters with
    fewer than two points get the pooled variance."""
    best, best_inertia = None, float("inf")
    for _ in range(restarts):
        means = _lloyd(points, _kmeans_pp(points, k), iterations)
        inertia = torch.cdist(points, means).pow(2).min(1).values.sum().item()
        if inertia < best_inertia:
            best, best_inertia = means, inertia
    label = torch.cdist(points, best).argmin(1)
    logvars = points.var(0).clamp_min(1e-3).log().expand(k, -1).clone()
    for c in range(k):
        if (label == c).sum() > 1:
            logvars[c] = points[label == c].var(0).clamp_min(1e-3).log()
    return best, logvars


def _kmeans_pp(points: torch.Tensor, k: int) -> torch.Tensor:
    chosen = [int(torch.randint(points.shape[0], ()))]
    for _ in range(1, k):
        d2 = torch.cdist(points, points[chosen]).pow(2).min(1).values
        chosen.append(int(torch.multinomial(d2 + 1e-12, 1)))
    return points[chosen].clone()


def _lloyd(points: torch.Tensor, means: torch.Tensor, iterations: int) -> torch.Tensor:
    for _ in range(iterations):
        label = torch.cdist(points, means).argmin(1)
        for c in range(means.shape[0]):
            if (label == c).any():
                means[c] = points[label == c].mean(0)
    return means


class VaDE(GaussianLatentModel):
    """``vade``."""

    def __init__(self, params: VaDEParams, data_info: dict) -> None:
        super().__init__(params, data_info)
        k, d = params.clusters, params.latent_dim
        self.pi_logits = nn.Parameter(torch.zeros(k))
        self.cluster_means = nn.Parameter(torch.randn(k, d))
        self.cluster_logvars = nn.Parameter(torch.zeros(k, d))
        self.pretrain_steps = params.pretrain_steps
        self.register_buffer("steps_seen", torch.tensor(0))

    def prior(self, cond: torch.Tensor | None = None) -> Distribution:
        """The marginal mixture ``p(z) = sum_c pi_c N(mu_c, sigma_c^2)``."""
        parts = Normal(self.cluster_means, (0.5 * self.cluster_logvars).exp(), validate_args=False)
        return MixtureSameFamily(
            Categorical(logits=self.pi_logits), Independent(parts, 1), validate_args=False
        )

    def _log_pz_given_c(self, z: torch.Tensor) -> torch.Tensor:
        """``log p(z|c)`` for every component: ``[..., K]``."""
        z = z.unsqueeze(-2)
        var = self.cluster_logvars.exp()
        per_dim = -0.5 * (
            math.log(2 * math.pi) + self.cluster_logvars + (z - self.cluster_means).pow(2) / var
        )
        return per_dim.sum(-1)

    def responsibilities(self, z: torch.Tensor) -> torch.Tensor:
        """``gamma = p(c|z)``."""
        return torch.softmax(torch.log_softmax(self.pi_logits, -1) + self._log_pz_given_c(z), -1)

    @torch.no_grad()
    def _initialise_from(self, q: Independent) -> None:
        means, logvars = kmeans(q.base_dist.loc, self.cluster_means.shape[0])
        self.cluster_means.copy_(means)
        # a cluster of posteriors spreads by its means' variance plus their own variance
        posterior_var = q.base_dist.scale.pow(2).mean(0)
        self.cluster_logvars.copy_((logvars.exp() + posterior_var).log())

    def vade_elbo(self, x, cond=None, target=None):
        """Per-example VaDE ELBO (eq. 17) and its parts, one reparameterised sample."""
        q = self.encode(x, cond)
        z = q.rsample()
        log_px = self.decode(z, cond).log_prob(x if target is None else target)
        gamma = self.responsibilities(z)
        log_pi = torch.log_softmax(self.pi_logits, -1)
        kl_z = (gamma * _kl_to_each_component(q, self.cluster_means, self.cluster_logvars)).sum(-1)
        kl_c = (gamma * (torch.log(gamma.clamp_min(1e-12)) - log_pi)).sum(-1)
        return log_px - kl_z - kl_c, log_px, kl_z, kl_c

    def loss(self, batch: dict[str, torch.Tensor], phase: str = "main") -> LossOutput:
        target = reconstruction_target(batch)
        if self.training:
            self.steps_seen += 1
            if int(self.steps_seen) <= self.pretrain_steps:
                return self._pretrain_loss(batch["x"], batch.get("cond"), target)
            if int(self.steps_seen) == self.pretrain_steps + 1:
                self._initialise_from(self.encode(batch["x"], batch.get("cond")))
        elbo, log_px, kl_z, kl_c = self.vade_elbo(batch["x"], batch.get("cond"), target)
        terms = {
            "recon": -log_px.mean().detach(),
            "kl_z": kl_z.mean().detach(),
            "kl_c": kl_c.mean().detach(),
        }
        return LossOutput(-elbo.mean(), terms)

    def _pretrain_loss(self, x, cond, target) -> LossOutput:
        """Plain VAE loss with an N(0, I) prior: shapes the codes before the mixture exists."""
        q = self.encode(x, cond)
        log_px = self.decode(q.rsample(), cond).log_prob(target)
        kl = kl_diag_gaussian_standard(q)
        # the same terms as the VaDE loss (the trainer requires it); no cluster term yet
        terms = {
            "recon": -log_px.mean().detach(),
            "kl_z": kl.mean().detach(),
            "kl_c": torch.zeros((), device=kl.device),
        }
        return LossOutput(-(log_px - kl).mean(), terms)

    def elbo(self, x, cond=None, target=None) -> torch.Tensor:
        return self.vade_elbo(x, cond, target)[0]

    @torch.no_grad()
    def cluster_probs(self, x: torch.Tensor, cond: torch.Tensor | None = None) -> torch.Tensor:
        """``[B, K]`` cluster responsibilities at the posterior mean."""
        return self.responsibilities(self.embed(x, cond))

    @torch.no_grad()
    def cluster(self, x: torch.Tensor, cond: torch.Tensor | None = None) -> torch.Tensor:
        """The most likely cluster of each example."""
        return self.cluster_probs(x, cond).argmax(-1)
