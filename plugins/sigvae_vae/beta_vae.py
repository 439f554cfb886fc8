"""beta-VAE (Higgins et al. 2017) and the capacity schedule of Burgess et al. (2018).

Without a capacity the loss is ``-log p(x|z) + beta * KL``. With ``capacity_max`` it is
``-log p(x|z) + gamma * |KL - C|`` where ``C`` grows linearly from 0 to ``capacity_max`` over
``capacity_epochs`` (set by the trainer through :meth:`on_epoch_start`), so the encoder is
allowed an increasing information budget instead of a fixed penalty.
"""

from __future__ import annotations

import torch

from sigvae.nn.model import LossOutput, reconstruction_target
from sigvae_vae.params import BetaVAEParams
from sigvae_vae.vae import VAE, draw


class BetaVAE(VAE):
    """``beta-vae``."""

    def __init__(self, params: BetaVAEParams, data_info: dict) -> None:
        super().__init__(params, data_info)
        self.capacity_max = params.capacity_max
        self.capacity_epochs = params.capacity_epochs
        self.gamma = float(params.gamma)
        self.capacity = 0.0

    def on_epoch_start(self, epoch: int, max_epochs: int) -> None:
        if self.capacity_max is not None:
            self.capacity = self.capacity_max * min(1.0, epoch / self.capacity_epochs)

    def loss(self, batch: dict[str, torch.Tensor], phase: str = "main") -> LossOutput:
        if self.capacity_max is None:
            return super().loss(batch, phase)
        cond = batch.get("cond")
        q = self.encode(batch["x"], cond)
        z, log_q = draw(q)
        log_px = self.decode(z, cond).log_prob(reconstruction_target(batch))
        kl = self.kl(q, z, log_q, cond)
        # |E_batch KL - C| as in Burgess et al.: the batch-mean KL is pushed towards C
        total = -log_px.mean() + self.gamma * (kl.mean() - self.capacity).abs()
        terms = {
            "recon": -log_px.mean().detach(),
            "kl": kl.mean().detach(),
            "capacity": torch.tensor(self.capacity, device=total.device),
        }
        return LossOutput(total, terms)
