"""Information-theoretic-learning autoencoder (Santana, Emigh & Principe 2016, "Information
theoretic-learning auto-encoder", IJCNN)::

    L = -log p(x | f(x)) + lambda * D(q(z) || p(z))

No reparameterisation: the encoder f is deterministic and the regulariser compares the codes of
the batch with as many prior draws through the Cauchy-Schwarz or Euclidean divergence between
their Gaussian-kernel density estimates (quadratic information potentials, see
:mod:`sigvae_vae.family2.divergences`). The prior may be Gaussian, Laplace, a Swiss roll or a
ring of Gaussians; the bandwidth is a parameter (Silverman's rule when unset).
"""

from __future__ import annotations

import torch

from sigvae.nn.model import LossOutput, reconstruction_target
from sigvae_vae.family2.base import CodeAutoencoder
from sigvae_vae.family2.divergences import cauchy_schwarz_divergence, euclidean_divergence
from sigvae_vae.family2.params import ITLAEParams


class ITLAE(CodeAutoencoder):
    """``itl-ae``."""

    def __init__(self, params: ITLAEParams, data_info: dict) -> None:
        super().__init__(params, data_info)
        self.divergence = (
            cauchy_schwarz_divergence if params.divergence == "cs" else euclidean_divergence
        )

    def loss(self, batch: dict[str, torch.Tensor], phase: str = "main") -> LossOutput:
        z = self.codes(batch["x"])
        recon = -self.decode(z).log_prob(reconstruction_target(batch)).mean()
        if z.shape[0] < 2:  # no density estimate from one code
            div = z.new_zeros(())
        else:
            div = self.divergence(z, self.prior_samples(z), self.params.bandwidth)
        total = recon + self.params.lam * div
        return LossOutput(total, {"recon": recon.detach(), "divergence": div.detach()})
