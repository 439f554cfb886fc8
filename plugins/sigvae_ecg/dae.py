"""``ecg-dae``: a plain (non-variational) convolutional denoising autoencoder.

It exists to show what the variational part of the default denoiser is worth: the same
encoder and decoder blocks as a ``vae`` with the same params, a deterministic code of
``latent_dim`` units instead of a Gaussian posterior, and the same likelihood as its loss
(with a fixed ``sigma`` that is the mean squared error up to constants). It is a baseline of
the ECG benchmark, registered so that the YAML pipeline can train it by name.
"""

from __future__ import annotations

import torch
from torch.distributions import Distribution

from sigvae.nn.compose import build_autoencoder
from sigvae.nn.model import LossOutput, Model, UndefinedQuantity
from sigvae.nn.params import AutoencoderParams


class ConvDAE(Model):
    def __init__(self, params: AutoencoderParams, data_info: dict) -> None:
        super().__init__(data_info)
        self.params = params
        parts = build_autoencoder(params, self.data_info, encoder_out=params.latent_dim)
        self.encoder, self.decoder, self.likelihood = parts.encoder, parts.decoder, parts.likelihood

    def encode(self, x: torch.Tensor, cond: torch.Tensor | None = None) -> Distribution:
        raise UndefinedQuantity("ecg-dae is deterministic: it has no posterior distribution")

    def decode(self, z: torch.Tensor, cond: torch.Tensor | None = None) -> Distribution:
        return self.likelihood(self.decoder(z))

    def prior(self, cond: torch.Tensor | None = None) -> Distribution:
        raise UndefinedQuantity("ecg-dae has no prior: it cannot sample or bound log p(x)")

    @torch.no_grad()
    def embed(self, x: torch.Tensor, cond: torch.Tensor | None = None) -> torch.Tensor:
        return self.encoder(x, None)

    @torch.no_grad()
    def reconstruct(self, x: torch.Tensor, cond: torch.Tensor | None = None) -> torch.Tensor:
        return self.decode(self.encoder(x, None)).mean

    def loss(self, batch: dict[str, torch.Tensor], phase: str = "main") -> LossOutput:
        target = batch.get("target")
        target = batch["x"] if target is None else target
        log_px = self.decode(self.encoder(batch["x"], None)).log_prob(target)
        total = -log_px.mean()
        return LossOutput(total, {"recon": total.detach()})


def build(params: AutoencoderParams, data_info: dict) -> ConvDAE:
    return ConvDAE(params, data_info)
