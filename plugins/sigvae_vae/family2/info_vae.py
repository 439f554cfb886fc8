"""InfoVAE (Zhao, Song & Ermon 2019, "InfoVAE: Balancing learning and inference in variational
autoencoders", eq. 6 with D = MMD)::

    L = -E_q[log p(x|z)] + (1 - alpha) KL(q(z|x) || p(z)) + (alpha + lambda - 1) MMD(q(z), p(z))

``q(z)`` is the aggregate posterior, represented by one reparameterised code per example of the
batch and compared with as many prior draws through the unbiased MMD. ``alpha = 0, lambda = 1``
is the plain VAE; ``alpha = 1`` drops the per-example KL (the "MMD-VAE").
"""

from __future__ import annotations

import torch

from sigvae.nn.compose import GaussianLatentModel
from sigvae.nn.divergences import kl_diag_gaussian_standard
from sigvae.nn.model import LossOutput, reconstruction_target
from sigvae_vae.family2.base import batch_mmd
from sigvae_vae.family2.params import InfoVAEParams


class InfoVAE(GaussianLatentModel):
    """``info-vae``: Gaussian posterior, N(0, I) prior, KL and MMD weighted by alpha, lambda."""

    def __init__(self, params: InfoVAEParams, data_info: dict) -> None:
        super().__init__(params, data_info)
        self.kl_weight = 1.0 - params.alpha
        self.mmd_weight = params.alpha + params.lam - 1.0

    def loss(self, batch: dict[str, torch.Tensor], phase: str = "main") -> LossOutput:
        q = self.encode(batch["x"])
        z = q.rsample()
        log_px = self.decode(z).log_prob(reconstruction_target(batch))
        kl = kl_diag_gaussian_standard(q)
        mmd = batch_mmd(z, torch.randn_like(z), self.params.kernel, self.params.kernel_scale)
        total = -log_px.mean() + self.kl_weight * kl.mean() + self.mmd_weight * mmd
        terms = {"recon": -log_px.mean().detach(), "kl": kl.mean().detach(), "mmd": mmd.detach()}
        return LossOutput(total, terms)
