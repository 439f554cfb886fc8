"""CVAE-GAN (Bao, Chen, Wen, Li & Hua 2017, "CVAE-GAN: fine-grained image generation through
asymmetric training", section 3 and algorithm 1), for class-conditional signals.

Networks: encoder E(x, c), generator G(z, c) (the decoder), discriminator D and classifier C,
both with a feature layer ``f_D``, ``f_C`` (the last hidden layer of their trunks). With ``x' = G(E(x, c), c)`` and ``x_p = G(z_p, c)``:

* ``L_KL``  = KL(q(z|x,c) || N(0, I))
* ``L_G``   = -log p(x|z,c) + 1/2 ||f_D(x) - f_D(x')||^2 + 1/2 ||f_C(x) - f_C(x')||^2
  (the paper's pixel L2 is the Gaussian likelihood; any likelihood is allowed here)
* ``L_GD``  = 1/2 ||mean f_D(x) - mean f_D(x_p)||^2           (mean feature matching)
* ``L_GC``  = 1/2 sum_c ||mean_c f_C(x) - mean_c f_C(x_p)||^2  (per class in the batch)
* ``L_D``   = -log D(x) - log(1 - D(x')) - log(1 - D(x_p));  ``L_C`` = -log P(c|x)

Phases (each steps its own network): ``enc`` lambda_kl L_KL + lambda_g L_G; ``gen`` lambda_g L_G
+ lambda_gd L_GD + lambda_gc L_GC; ``disc`` L_D; ``cls`` L_C. The class is ``argmax(cond)``.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch.distributions import Distribution, Independent, Normal

from sigvae.errors import ConfigError
from sigvae.nn.compose import GaussianLatentModel, x_shape_of
from sigvae.nn.divergences import kl_diag_gaussian_standard
from sigvae.nn.model import LossOutput, reconstruction_target
from sigvae_vae.family2.base import discriminator_loss, per_example_sq
from sigvae_vae.family2.params import CVAEGANParams
from sigvae_vae.family2.vae_gan import FeatureDiscriminator


def _class_means(feats: torch.Tensor, labels: torch.Tensor, classes: int) -> torch.Tensor:
    """Mean feature per class ``[classes, F]`` (zero rows for classes absent in the batch)."""
    onehot = F.one_hot(labels, classes).to(feats.dtype)
    return onehot.T @ feats / onehot.sum(0).clamp_min(1.0)[:, None]


class CVAEGAN(GaussianLatentModel):
    """``cvae-gan``."""

    def __init__(self, params: CVAEGANParams, data_info: dict) -> None:
        super().__init__(params, data_info, conditional=True)
        x_shape = x_shape_of(self.data_info)
        self.discriminator = FeatureDiscriminator(params.discriminator or params.encoder, x_shape)
        self.classifier = FeatureDiscriminator(
            params.classifier or params.encoder, x_shape, self.cond_dim
        )

    def optimizer_groups(self) -> dict[str, list]:
        return {
            "enc": list(self.encoder.parameters()),
            "gen": list(self.decoder.parameters()) + list(self.likelihood.parameters()),
            "disc": list(self.discriminator.parameters()),
            "cls": list(self.classifier.parameters()),
        }

    def prior(self, cond: torch.Tensor | None = None) -> Distribution:
        """N(0, I), one per row of ``cond`` (so ``sample(n, cond)`` draws one per class row)."""
        if cond is None:
            raise ConfigError("cvae-gan needs cond (one-hot classes) to sample or score")
        like = next(self.parameters())
        zeros = torch.zeros(cond.shape[0], self.latent_dim, device=like.device, dtype=like.dtype)
        return Independent(Normal(zeros, torch.ones_like(zeros)), 1)

    def loss(self, batch: dict[str, torch.Tensor], phase: str = "main") -> LossOutput:
        x, cond, real = batch["x"], batch["cond"], reconstruction_target(batch)
        labels = cond.reshape(cond.shape[0], -1).argmax(dim=1)
        if phase == "cls":
            total = F.cross_entropy(self.classifier(real)[1], labels)
            return LossOutput(total, {})
        q = self.encode(x, cond)
        z = q.rsample()
        lik = self.decode(z, cond)
        x_rec = lik.mean
        x_prior = self.decode(torch.randn_like(z), cond).mean
        if phase == "disc":
            fake = torch.cat([x_rec, x_prior]).detach()
            return LossOutput(
                discriminator_loss(self.discriminator(real)[1], self.discriminator(fake)[1]), {}
            )
        fd_real, fc_real = self.discriminator(real)[0], self.classifier(real)[0]
        recon = -lik.log_prob(real)
        pair = (
            recon
            + per_example_sq(fd_real, self.discriminator(x_rec)[0])
            + per_example_sq(fc_real, self.classifier(x_rec)[0])
        ).mean()
        p = self.params
        if phase == "enc":
            kl = kl_diag_gaussian_standard(q).mean()
            total = p.lambda_kl * kl + p.lambda_g * pair
            return LossOutput(
                total, {"kl": kl.detach(), "recon": recon.mean().detach(), "l_g": pair.detach()}
            )
        fd_prior, fc_prior = self.discriminator(x_prior)[0], self.classifier(x_prior)[0]
        l_gd = 0.5 * (fd_real.mean(0) - fd_prior.mean(0)).pow(2).sum()
        classes = self.cond_dim
        l_gc = (
            0.5
            * (_class_means(fc_real, labels, classes) - _class_means(fc_prior, labels, classes))
            .pow(2)
            .sum()
        )
        total = p.lambda_g * pair + p.lambda_gd * l_gd + p.lambda_gc * l_gc
        return LossOutput(
            total, {"l_g": pair.detach(), "l_gd": l_gd.detach(), "l_gc": l_gc.detach()}
        )
