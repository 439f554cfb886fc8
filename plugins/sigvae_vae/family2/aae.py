"""Adversarial autoencoder (Makhzani, Shlens, Jaitly, Goodfellow & Frey 2016).

The aggregate posterior q(z) is matched to an arbitrary prior p(z) by a discriminator on codes.
Per batch the shared Trainer runs two phases, each stepping only its own parameters:

* ``main`` (encoder and decoder): the reconstruction phase plus, weighted by
  ``adversarial_weight``, the regularisation phase's generator loss ``-log D(z)`` on the codes;
* ``disc`` (discriminator): ``-log D(z_prior) - log(1 - D(z))``.

The paper alternates reconstruction and generator updates with separate optimizers; the shared
Trainer allows each parameter in one optimizer only, so the two encoder updates are summed into
one phase (as Pythae's AAE also does). Both phases come from one forward pass (the Trainer's
joint step): the discriminator's output at the codes serves the generator loss (its gradient
routed into the encoder only) and the discriminator loss (into the discriminator only).

Posteriors (section 2.1 of the paper): ``deterministic`` z = f(x); ``gaussian`` z ~ N(mu(x),
sigma(x)^2) reparameterised; ``universal`` z = f(x, eta) with input noise eta ~ N(0, I), the
noise mixed into the encoder features by a small MLP.

The discriminator is an MLP of ``disc_hidden`` ReLU units (the paper's experiments use ReLU
MLPs for every network; Pythae's default AAE discriminator is ReLU too), not the leaky-ReLU
critic the other family-II models share.
"""

from __future__ import annotations

import torch
from torch.distributions import Distribution

from sigvae.nn.blocks import build_encoder
from sigvae.nn.model import LossOutput, Model, reconstruction_target
from sigvae.nn.posteriors import diagonal_gaussian_head
from sigvae_vae.family2.base import (
    CodeAutoencoder,
    PointMass,
    code_critic,
    discriminator_loss,
    frozen,
    generator_loss,
)
from sigvae_vae.family2.params import AAEParams

EMBED_NOISE_DRAWS = 32  # the universal posterior's mean is estimated from this many draws


class AAE(CodeAutoencoder):
    """``aae``."""

    joint_phases = True

    def __init__(self, params: AAEParams, data_info: dict) -> None:
        width = params.encoder.hidden[-1]
        out = {"deterministic": params.latent_dim, "gaussian": 2 * params.latent_dim}
        super().__init__(params, data_info, encoder_out=out.get(params.posterior, width))
        self.posterior = params.posterior
        if params.posterior == "universal":
            self.noise_mixer = build_encoder(
                "mlp", (width + params.noise_dim,), params.latent_dim, hidden=[width]
            )
        self.critic = code_critic(params.latent_dim, params.disc_hidden, activation="relu")

    def optimizer_groups(self) -> dict[str, list]:
        critic = set(map(id, self.critic.parameters()))
        main = [p for p in self.parameters() if id(p) not in critic]
        return {"main": main, "disc": list(self.critic.parameters())}

    def encode(self, x: torch.Tensor, cond: torch.Tensor | None = None) -> Distribution:
        out = self.encoder(x)
        if self.posterior == "gaussian":
            return diagonal_gaussian_head(out)
        if self.posterior == "universal":
            noise = torch.randn(out.shape[0], self.params.noise_dim, device=out.device)
            out = self.noise_mixer(torch.cat([out, noise.to(out.dtype)], dim=-1))
        return PointMass(out)

    def codes(self, x: torch.Tensor, cond: torch.Tensor | None = None) -> torch.Tensor:
        return self.encode(x).rsample()

    @torch.no_grad()
    def embed(self, x: torch.Tensor, cond: torch.Tensor | None = None) -> torch.Tensor:
        if self.posterior != "universal":
            return self.encode(x).mean
        return torch.stack([self.codes(x) for _ in range(EMBED_NOISE_DRAWS)]).mean(dim=0)

    def elbo(self, x, cond=None, target=None) -> torch.Tensor:
        if self.posterior == "gaussian":
            return Model.elbo(self, x, cond, target)
        return super().elbo(x, cond, target)

    def log_likelihood(self, x, cond=None, samples: int = 100, chunk: int = 64) -> torch.Tensor:
        if self.posterior == "gaussian":
            return Model.log_likelihood(self, x, cond, samples, chunk)
        return super().log_likelihood(x, cond, samples, chunk)

    def joint_loss(self, batch: dict[str, torch.Tensor]) -> dict[str, LossOutput]:
        z = self.codes(batch["x"])
        real, fake = self.critic(self.prior_samples(z)), self.critic(z)
        recon = -self.decode(z).log_prob(reconstruction_target(batch)).mean()
        fool = generator_loss(fake)
        accuracy = 0.5 * ((real > 0).float().mean() + (fake < 0).float().mean())
        return {
            "main": LossOutput(
                recon + self.params.adversarial_weight * fool,
                {"recon": recon.detach(), "generator": fool.detach()},
            ),
            "disc": LossOutput(discriminator_loss(real, fake), {"accuracy": accuracy.detach()}),
        }

    def loss(self, batch: dict[str, torch.Tensor], phase: str = "main") -> LossOutput:
        if phase == "disc":
            with torch.no_grad():  # the codes are inputs here: no encoder graph
                z = self.codes(batch["x"])
            z_prior = self.prior_samples(z)
            real, fake = self.critic(z_prior), self.critic(z)
            total = discriminator_loss(real, fake)
            accuracy = 0.5 * ((real > 0).float().mean() + (fake < 0).float().mean())
            return LossOutput(total, {"accuracy": accuracy.detach()})
        z = self.codes(batch["x"])
        self.prior_samples(z)  # drawn and unused, so the random stream matches the disc phase
        recon = -self.decode(z).log_prob(reconstruction_target(batch)).mean()
        with frozen(self.critic):
            fool = generator_loss(self.critic(z))
        total = recon + self.params.adversarial_weight * fool
        return LossOutput(total, {"recon": recon.detach(), "generator": fool.detach()})
