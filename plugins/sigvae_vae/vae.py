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
from sigvae.nn.model import LossOutput, reconstruction_target, sample_with_log_prob
from sigvae.nn.posteriors import detached, sample_and_standard_kl
from sigvae_vae.params import VAEParams


def draw(q: Distribution) -> tuple[torch.Tensor, torch.Tensor | None]:
    """A reparameterised ``z ~ q`` and, only where it comes for free with the sample (flows),
    ``log q(z)``; otherwise None, and :meth:`VAE.kl` scores ``z`` only if the KL needs it."""
    if hasattr(q, "rsample_and_log_prob"):
        return sample_with_log_prob(q, reparameterized=True)
    return q.rsample(), None


class VAE(GaussianLatentModel):
    """``vae``: the plain VAE; the base of the likelihood-bound family."""

    def __init__(self, params: VAEParams, data_info: dict, conditional: bool = False) -> None:
        super().__init__(params, data_info, conditional=conditional)
        self.beta = float(params.beta)
        self.estimator = params.estimator
        # the diagonal-Gaussian posterior with the analytic KL to N(0, I), as defined here and
        # not replaced by a subclass: sample and KL straight from the encoder output, no
        # distribution objects built (sample_and_standard_kl)
        cls = type(self)
        self._direct_head = self.estimator == "standard" and all(
            getattr(cls, name) is getattr(base, name)
            for name, base in (
                ("encode", GaussianLatentModel),
                ("posterior", GaussianLatentModel),
                ("analytic_kl", VAE),
                ("kl", VAE),
            )
        )

    def analytic_kl(self, q: Distribution, cond: torch.Tensor | None = None):
        """Closed-form per-example KL(q || p(z)), or None where there is none."""
        return kl_diag_gaussian_standard(q)

    def kl(self, q: Distribution, z: torch.Tensor, log_q: torch.Tensor | None, cond=None):
        """Per-example KL(q || p) as used in the loss: analytic when it exists, else the
        single-sample ``log q(z) - log p(z)`` (``log_q`` None: scored here); STL scores ``z``
        under the detached ``q``."""
        if self.estimator == "stl":
            return detached(q).log_prob(z) - self.prior_log_prob(z, cond)
        exact = self.analytic_kl(q, cond)
        if exact is not None:
            return exact
        return (q.log_prob(z) if log_q is None else log_q) - self.prior_log_prob(z, cond)

    def kl_weight(self) -> float:
        """The weight on the KL term (constant here; schedules override it)."""
        return self.beta

    def loss(self, batch: dict[str, torch.Tensor], phase: str = "main") -> LossOutput:
        cond = batch.get("cond")
        if self._direct_head:
            z, kl = sample_and_standard_kl(self.encoder(batch["x"], self._cond(cond)))
            log_px = self.decode(z, cond).log_prob(reconstruction_target(batch))
            return self.weighted_elbo_loss(log_px, kl, kl.detach().mean())
        q = self.encode(batch["x"], cond)
        z, log_q = draw(q)
        log_px = self.decode(z, cond).log_prob(reconstruction_target(batch))
        kl = self.kl(q, z, log_q, cond)
        with torch.no_grad():
            exact = self.analytic_kl(q, cond) if self.estimator == "stl" else None
            rate = (kl if exact is None else exact).mean()
        return self.weighted_elbo_loss(log_px, kl, rate)

    def weighted_elbo_loss(
        self, log_px: torch.Tensor, kl: torch.Tensor, rate: torch.Tensor
    ) -> LossOutput:
        """``-(log p(x|z) - w KL)`` averaged over the batch, with the logged terms; ``rate`` is
        the KL to report (the exact one when the loss uses an estimate)."""
        total = -(log_px - self.kl_weight() * kl).mean()
        with torch.no_grad():
            mean_log_px = log_px.mean()
            terms = {"recon": -mean_log_px, "kl": rate, "elbo": mean_log_px - rate}
        return LossOutput(total, terms)

    def elbo(self, x, cond=None, target=None) -> torch.Tensor:
        """Per-example ELBO: one-sample reconstruction term minus the KL (analytic when it
        exists)."""
        q = self.encode(x, cond)
        z, log_q = sample_with_log_prob(q, reparameterized=True)
        log_px = self.decode(z, cond).log_prob(x if target is None else target)
        exact = self.analytic_kl(q, cond)
        kl = exact if exact is not None else log_q - self.prior_log_prob(z, cond)
        return log_px - kl
