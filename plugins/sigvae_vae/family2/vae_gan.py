"""VAE-GAN (Larsen, Sonderby, Larochelle & Winther 2016, "Autoencoding beyond pixels using a
learned similarity metric", section 2 and algorithm 1).

The decoder is the GAN's generator and the reconstruction is scored in the l-th layer of the
discriminator, ``Dis_l``: a Gaussian with identity covariance there,
``L_llike = 1/2 ||Dis_l(x) - Dis_l(x~)||^2``. With ``L_prior = KL(q(z|x) || p(z))`` and
``L_GAN = log Dis(x) + log(1 - Dis(Dec(z))) + log(1 - Dis(Dec(z_p)))`` the paper limits which
loss updates which network:

* encoder:        ``L_prior + L_llike``                       (phase ``enc``)
* decoder:        ``gamma * L_llike - L_GAN``                 (phase ``dec``; the generator side
  of L_GAN in its non-saturating form ``-log Dis(x~) - log Dis(x_p)``)
* discriminator:  ``-L_GAN``                                   (phase ``disc``)

Each phase steps only its own network, so no loss leaks into a network it must not train. All
three losses come from one forward pass (the Trainer's joint step routes each into its own
network's parameters): one encoder pass, the decoder at z and at a prior draw, and the
discriminator once at the data, the reconstruction and the prior sample. The discriminator sees the likelihood's mean of decoded codes and the clean ``target`` as real data
in denoising mode; Dis_l is the last hidden layer of the discriminator's trunk.

``pixel_weight`` > 0 adds ``pixel_weight * -log p(x|z)`` to the encoder and decoder losses (a
common stabiliser of VAE-GAN implementations, not in the paper); only then are ``elbo`` and
``log_likelihood`` defined. The ``enc`` phase always reports the pixel ``recon`` term.
"""

from __future__ import annotations

import torch
from torch import nn

from sigvae.nn.blocks import build_encoder
from sigvae.nn.compose import GaussianLatentModel, x_shape_of
from sigvae.nn.divergences import kl_diag_gaussian_standard
from sigvae.nn.model import LossOutput, UndefinedQuantity, reconstruction_target
from sigvae.nn.params import ArchParams
from sigvae_vae.family2.base import discriminator_loss, generator_loss, per_example_sq
from sigvae_vae.family2.params import VAEGANParams


class FeatureDiscriminator(nn.Module):
    """A discriminator (or classifier) of any block family: its trunk's last hidden layer is
    the feature layer Dis_l, a linear head maps it to ``out_features`` logits."""

    def __init__(self, arch: ArchParams, x_shape, out_features: int = 1):
        super().__init__()
        self.net = build_encoder(arch.arch, x_shape, out_features, **arch.block_kwargs())

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """``(features [B, F], logits [B, out_features])``."""
        feats = self.net.trunk(x)
        return feats, self.net.head(feats)


class VAEGAN(GaussianLatentModel):
    """``vae-gan``."""

    joint_phases = True

    def __init__(self, params: VAEGANParams, data_info: dict) -> None:
        super().__init__(params, data_info)
        arch = params.discriminator or params.encoder
        self.discriminator = FeatureDiscriminator(arch, x_shape_of(self.data_info))

    def optimizer_groups(self) -> dict[str, list]:
        return {
            "enc": list(self.encoder.parameters()),
            "dec": list(self.decoder.parameters()) + list(self.likelihood.parameters()),
            "disc": list(self.discriminator.parameters()),
        }

    def generate(self, z: torch.Tensor) -> torch.Tensor:
        """The decoder as generator: the likelihood's mean at ``z``."""
        return self.decode(z).mean

    def joint_loss(self, batch: dict[str, torch.Tensor]) -> dict[str, LossOutput]:
        real = reconstruction_target(batch)
        q = self.encode(batch["x"])
        z = q.rsample()
        likelihood = self.decode(z)
        x_rec, x_prior = likelihood.mean, self.generate(torch.randn_like(z))
        real_feats, real_logits = self.discriminator(real)
        rec_feats, rec_logits = self.discriminator(x_rec)
        _, prior_logits = self.discriminator(x_prior)
        llike = per_example_sq(real_feats, rec_feats).mean()
        pixel = -likelihood.log_prob(real).mean()
        extra = self.params.pixel_weight * pixel if self.params.pixel_weight else 0.0
        kl = kl_diag_gaussian_standard(q).mean()
        gan = generator_loss(rec_logits) + generator_loss(prior_logits)
        disc = discriminator_loss(real_logits, torch.cat([rec_logits, prior_logits]))
        enc_terms = {"kl": kl.detach(), "feature_recon": llike.detach(), "recon": pixel.detach()}
        return {
            "enc": LossOutput(kl + llike + extra, enc_terms),
            "dec": LossOutput(
                self.params.gamma * llike + gan + extra,
                {"feature_recon": llike.detach(), "generator": gan.detach()},
            ),
            "disc": LossOutput(disc, {"d_real": torch.sigmoid(real_logits).mean().detach()}),
        }

    def loss(self, batch: dict[str, torch.Tensor], phase: str = "main") -> LossOutput:
        return self.joint_loss(batch)[phase]

    def elbo(self, x, cond=None, target=None) -> torch.Tensor:
        if self.params.pixel_weight:
            return super().elbo(x, cond, target)
        raise UndefinedQuantity(
            "vae-gan scores reconstructions in a learned feature space (pixel_weight 0): "
            "no pixel-space ELBO"
        )

    def log_likelihood(self, x, cond=None, samples: int = 100, chunk: int = 64) -> torch.Tensor:
        if self.params.pixel_weight:
            return super().log_likelihood(x, cond, samples, chunk)
        raise UndefinedQuantity(
            "vae-gan scores reconstructions in a learned feature space (pixel_weight 0): "
            "no pixel-space log p(x)"
        )
