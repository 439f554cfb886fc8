"""The VAE (Kingma & Welling 2014): diagonal-Gaussian posterior, N(0, I) prior, any blocks.

Loss per example: ``-log p(target|z) + beta * KL(q(z|x) || p(z))`` with one reparameterised
``z ~ q(z|x)`` (``target`` is ``x`` unless the batch carries a clean ``target``: denoising).

Estimators of the KL gradient:
* ``standard``: the analytic KL.
* ``stl`` (Roeder, Wu & Duvenaud 2017, "Sticking the landing"): the single-sample estimate
  ``log q(z|x) - log p(z)`` with the parameters of ``q`` stopped inside ``log q``, which drops
  the score-function term whose expectation is zero; its variance vanishes as ``q`` approaches
  the true posterior.
"""

from __future__ import annotations

import torch
from torch.distributions import Distribution

from sigvae.nn.compose import GaussianLatentModel
from sigvae.nn.divergences import kl_diag_gaussian_standard
from sigvae.nn.model import LossOutput
from sigvae.nn.posteriors import detached
from sigvae_vae.params import VAEParams


def reconstruction_target(batch: dict[str, torch.Tensor]) -> torch.Tensor:
    """What the likelihood scores: the clean ``target`` in denoising mode, else ``x``."""
    target = batch.get("target")
    return batch["x"] if target is None else target


class VAE(GaussianLatentModel):
    """``vae``: the plain VAE; the base of the likelihood-bound family."""

    def __init__(self, params: VAEParams, data_info: dict, conditional: bool = False) -> None:
        super().__init__(params, data_info, conditional=conditional)
        self.beta = float(params.beta)
        self.estimator = params.estimator

    def kl(self, q: Distribution, z: torch.Tensor, cond: torch.Tensor | None = None):
        """Per-example KL(q || p) as used in the loss: analytic, or STL's path-only sample."""
        if self.estimator == "stl":
            return detached(q).log_prob(z) - self.prior(cond).log_prob(z)
        return kl_diag_gaussian_standard(q)

    def kl_weight(self) -> float:
        """The weight on the KL term (constant here; schedules override it)."""
        return self.beta

    def loss(self, batch: dict[str, torch.Tensor], phase: str = "main") -> LossOutput:
        cond = batch.get("cond")
        q = self.encode(batch["x"], cond)
        z = q.rsample()
        log_px = self.decode(z, cond).log_prob(reconstruction_target(batch))
        kl = self.kl(q, z, cond)
        total = -(log_px - self.kl_weight() * kl).mean()
        with torch.no_grad():
            kl_exact = kl_diag_gaussian_standard(q).mean() if self.estimator == "stl" else kl.mean()
        terms = {
            "recon": -log_px.mean().detach(),
            "kl": kl_exact,
            "elbo": (log_px.mean() - kl_exact).detach(),
        }
        return LossOutput(total, terms)

    def elbo(self, x, cond=None, target=None) -> torch.Tensor:
        """Per-example ELBO: one-sample reconstruction term minus the analytic KL."""
        q = self.encode(x, cond)
        log_px = self.decode(q.rsample(), cond).log_prob(x if target is None else target)
        return log_px - kl_diag_gaussian_standard(q)
