"""FactorVAE (Kim & Mnih 2018, "Disentangling by factorising", eq. 2 and algorithm 2)::

    L = -ELBO + gamma * TC(z),   TC ~ E_q(z)[log D(z) / (1 - D(z))]

The discriminator D tells codes ``z ~ q(z)`` from codes whose every dimension was permuted
independently across the batch (:func:`permute_dims`), which are samples of the product of the
marginals ``prod_j q(z_j)``. With two output logits ``log D/(1-D) = logit_0 - logit_1``.

Phases: ``main`` (encoder, decoder: -ELBO + gamma * TC estimate) and ``disc``
(discriminator: cross-entropy, codes class 0, permuted codes class 1). The paper permutes a
second, independent batch; here the first half of the batch gives the codes and the second half
the permuted codes (both halves when the batch has fewer than four examples), as Pythae's
FactorVAE does. Both phases come from one forward pass (the Trainer's joint step): the
discriminator runs once, on the first half's codes stacked over the permuted second half. The
first half's logits give both the TC estimate (gradient routed into the encoder) and the
discriminator's class-0 term (into the discriminator); one pass over the stacked rows reads
each of the discriminator's large weight matrices once instead of twice, the same numbers with
less memory traffic. The ELBO uses the whole batch.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from sigvae.nn.compose import GaussianLatentModel
from sigvae.nn.divergences import kl_diag_gaussian_standard
from sigvae.nn.model import LossOutput, reconstruction_target
from sigvae_vae.family2.base import code_critic, frozen
from sigvae_vae.family2.params import FactorVAEParams


def permute_dims(z: torch.Tensor) -> torch.Tensor:
    """Each column of ``z`` [B, D] shuffled by its own random permutation: the rows become
    draws from the product of the marginals (Kim & Mnih 2018, algorithm 1)."""
    order = torch.argsort(torch.rand(z.shape, device=z.device), dim=0)
    return z.gather(0, order)


def _halves(z: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """The codes scored as they are (whose logits also give the TC estimate) and the codes to
    permute: the two halves of the batch, or the whole batch twice under four examples."""
    half = z.shape[0] // 2 if z.shape[0] >= 4 else 0
    return (z[:half], z[half:]) if half else (z, z)


class FactorVAE(GaussianLatentModel):
    """``factor-vae``."""

    joint_phases = True

    def __init__(self, params: FactorVAEParams, data_info: dict) -> None:
        super().__init__(params, data_info)
        self.discriminator = code_critic(params.latent_dim, params.disc_hidden, out_features=2)

    def optimizer_groups(self) -> dict[str, list]:
        disc = set(map(id, self.discriminator.parameters()))
        main = [p for p in self.parameters() if id(p) not in disc]
        return {"main": main, "disc": list(self.discriminator.parameters())}

    def discriminator_terms(self, z: torch.Tensor) -> tuple[LossOutput, torch.Tensor]:
        """The discriminator's loss on codes ``z`` and its logits on the unpermuted part."""
        real, shuffled = _halves(z)
        logits = self.discriminator(torch.cat([real, permute_dims(shuffled)]))
        logits_real, logits_perm = logits[: real.shape[0]], logits[real.shape[0] :]
        zeros = torch.zeros(real.shape[0], dtype=torch.long, device=z.device)
        ones = torch.ones(shuffled.shape[0], dtype=torch.long, device=z.device)
        total = 0.5 * (F.cross_entropy(logits_real, zeros) + F.cross_entropy(logits_perm, ones))
        return LossOutput(total, {}), logits_real

    def joint_loss(self, batch: dict[str, torch.Tensor]) -> dict[str, LossOutput]:
        q = self.encode(batch["x"])
        z = q.rsample()
        log_px = self.decode(z).log_prob(reconstruction_target(batch))
        kl = kl_diag_gaussian_standard(q)
        disc, logits = self.discriminator_terms(z)
        tc = (logits[:, 0] - logits[:, 1]).mean()
        total = -(log_px - kl).mean() + self.params.gamma * tc
        terms = {"recon": -log_px.mean().detach(), "kl": kl.mean().detach(), "tc": tc.detach()}
        return {"main": LossOutput(total, terms), "disc": disc}

    def loss(self, batch: dict[str, torch.Tensor], phase: str = "main") -> LossOutput:
        if phase == "disc":
            with torch.no_grad():  # the codes are inputs here: no encoder graph
                z = self.encode(batch["x"]).rsample()
            return self.discriminator_terms(z)[0]
        q = self.encode(batch["x"])
        z = q.rsample()
        log_px = self.decode(z).log_prob(reconstruction_target(batch))
        kl = kl_diag_gaussian_standard(q)
        with frozen(self.discriminator):  # its weight gradients are not this phase's
            logits = self.discriminator(_halves(z)[0])
        tc = (logits[:, 0] - logits[:, 1]).mean()
        total = -(log_px - kl).mean() + self.params.gamma * tc
        terms = {"recon": -log_px.mean().detach(), "kl": kl.mean().detach(), "tc": tc.detach()}
        return LossOutput(total, terms)
