"""Wasserstein autoencoder (Tolstikhin, Bousquet, Gelly & Schoelkopf 2018, algorithms 1-2)::

    L = E[c(x, G(f(x)))] + lambda * D_Z(Q_Z, P_Z)

with a deterministic encoder f, the cost c = -log p(x|z) of the chosen likelihood (a Gaussian
of fixed sigma is the paper's squared error up to a constant) and D_Z either the unbiased MMD
with the inverse multiquadric kernel summed over scales (WAE-MMD) or an adversarial estimate
from a code discriminator (WAE-GAN). WAE-GAN runs two phases per batch: ``main`` (encoder and
decoder: reconstruction + lambda * -log D(f(x))) and ``disc`` (the discriminator tells prior
draws from codes). Both report the MMD of the batch codes to prior draws.
"""

from __future__ import annotations

import torch

from sigvae.nn.model import LossOutput, reconstruction_target
from sigvae_vae.family2.base import (
    CodeAutoencoder,
    batch_mmd,
    code_critic,
    discriminator_loss,
    generator_loss,
)
from sigvae_vae.family2.params import WAEParams

MULTISCALE = (0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0)


class WAE(CodeAutoencoder):
    """``wae``: WAE-MMD or WAE-GAN."""

    def __init__(self, params: WAEParams, data_info: dict) -> None:
        super().__init__(params, data_info)
        self.scales = MULTISCALE if params.multiscale else (1.0,)
        if params.penalty == "gan":
            self.critic = code_critic(params.latent_dim, params.disc_hidden)

    def optimizer_groups(self) -> dict[str, list]:
        if self.params.penalty == "mmd":
            return super().optimizer_groups()
        critic = set(map(id, self.critic.parameters()))
        main = [p for p in self.parameters() if id(p) not in critic]
        return {"main": main, "disc": list(self.critic.parameters())}

    def _mmd(self, z: torch.Tensor, z_prior: torch.Tensor) -> torch.Tensor:
        p = self.params
        return batch_mmd(z, z_prior, p.kernel, p.kernel_scale, scales=self.scales)

    def loss(self, batch: dict[str, torch.Tensor], phase: str = "main") -> LossOutput:
        z = self.codes(batch["x"])
        z_prior = self.prior_samples(z)
        if phase == "disc":
            z = z.detach()
            total = discriminator_loss(self.critic(z_prior), self.critic(z))
            return LossOutput(total, {"mmd": self._mmd(z, z_prior).detach()})
        recon = -self.decode(z).log_prob(reconstruction_target(batch)).mean()
        mmd = self._mmd(z, z_prior)
        penalty = mmd if self.params.penalty == "mmd" else generator_loss(self.critic(z))
        total = recon + self.params.lam * penalty
        return LossOutput(total, {"recon": recon.detach(), "mmd": mmd.detach()})
