"""DIP-VAE (Kumar, Sattigeri & Balakrishnan 2018, "Variational inference of disentangled latent
concepts from unlabeled observations", eqs. 6-7)::

    L = -ELBO + lambda_od sum_{i != j} C_ij^2 + lambda_d sum_i (C_ii - 1)^2

DIP-VAE-I: ``C = Cov_p(x)[mu(x)]``, the covariance of the posterior means over the batch.
DIP-VAE-II: ``C = E_p(x)[Sigma(x)] + Cov_p(x)[mu(x)]``, the covariance of the aggregate
posterior.
"""

from __future__ import annotations

import torch

from sigvae.nn.compose import GaussianLatentModel
from sigvae.nn.divergences import kl_diag_gaussian_standard
from sigvae.nn.model import LossOutput, reconstruction_target
from sigvae_vae.family2.params import DIPVAEParams


def aggregate_covariance(mu: torch.Tensor, var: torch.Tensor | None = None) -> torch.Tensor:
    """``Cov[mu]`` over the batch (1/M normalisation), plus ``diag(mean var)`` when ``var``
    is given (DIP-VAE-II)."""
    centred = mu - mu.mean(dim=0, keepdim=True)
    cov = centred.T @ centred / mu.shape[0]
    if var is not None:
        cov = cov + torch.diag(var.mean(dim=0))
    return cov


class DIPVAE(GaussianLatentModel):
    """``dip-vae``."""

    def __init__(self, params: DIPVAEParams, data_info: dict) -> None:
        super().__init__(params, data_info)
        self.lambda_od = params.lambda_od
        if params.lambda_d is not None:
            self.lambda_d = params.lambda_d
        else:
            self.lambda_d = params.lambda_od * (10.0 if params.variant == "i" else 1.0)

    def loss(self, batch: dict[str, torch.Tensor], phase: str = "main") -> LossOutput:
        q = self.encode(batch["x"])
        z = q.rsample()
        log_px = self.decode(z).log_prob(reconstruction_target(batch))
        kl = kl_diag_gaussian_standard(q)
        base = q.base_dist
        var = base.scale.pow(2) if self.params.variant == "ii" else None
        cov = aggregate_covariance(base.loc, var)
        diag = torch.diagonal(cov)
        off = cov - torch.diag(diag)
        penalty = self.lambda_od * off.pow(2).sum() + self.lambda_d * (diag - 1.0).pow(2).sum()
        total = -(log_px - kl).mean() + penalty
        terms = {
            "recon": -log_px.mean().detach(),
            "kl": kl.mean().detach(),
            "dip": penalty.detach(),
        }
        return LossOutput(total, terms)
