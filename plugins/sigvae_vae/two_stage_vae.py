"""Two-stage VAE (Dai & Wipf 2019, "Diagnosing and enhancing VAE models").

Stage 1 is a VAE on x (with a learned decoder scale, their gamma). Its aggregate posterior
q(z) = E_x q(z|x) generally differs from N(0, I), so sampling z ~ N(0, I) gives poor signals.
Stage 2 is a small MLP VAE fitted on codes z ~ q(z|x); sampling goes ``u ~ N(0, I) -> z ->
x`` through both decoders.

The two stages are two optimizer groups, ``main`` (stage 1) and ``stage2``, trained by the one
Trainer in the same steps (Dai & Wipf train them one after the other): the stage-2 phase sees
detached stage-1 codes of the current weights, so by the end it fits the converged stage 1.
``elbo`` and ``log_likelihood`` are those of stage 1 with its N(0, I) prior; the second stage
changes only how samples are drawn.
"""

from __future__ import annotations

import torch

from sigvae.nn.model import LossOutput
from sigvae.nn.params import ArchParams
from sigvae_vae.params import TwoStageVAEParams, VAEParams
from sigvae_vae.vae import VAE


class TwoStageVAE(VAE):
    """``two-stage-vae``."""

    def __init__(self, params: TwoStageVAEParams, data_info: dict) -> None:
        super().__init__(params, data_info)
        stage2 = VAEParams(
            latent_dim=params.stage2_latent_dim or params.latent_dim,
            encoder=ArchParams(arch="mlp", hidden=params.stage2_hidden),
            likelihood="gaussian",
            learn_sigma="feature",
        )
        self.stage2 = VAE(stage2, {"x_shape": [params.latent_dim]})

    def optimizer_groups(self) -> dict[str, list[torch.nn.Parameter]]:
        second = {id(p) for p in self.stage2.parameters()}
        first = [p for p in self.parameters() if p.requires_grad and id(p) not in second]
        return {"main": first, "stage2": [p for p in self.stage2.parameters() if p.requires_grad]}

    def loss(self, batch: dict[str, torch.Tensor], phase: str = "main") -> LossOutput:
        if phase == "main":
            return super().loss(batch, phase)
        with torch.no_grad():
            codes = self.encode(batch["x"], batch.get("cond")).sample()
        return self.stage2.loss({"x": codes})

    @torch.no_grad()
    def sample(self, n: int, cond: torch.Tensor | None = None) -> torch.Tensor:
        """``u ~ N(0, I)``, ``z ~ p_2(z|u)``, ``x`` = stage-1 decoder mean at ``z``."""
        return self.decode(self.sample_codes(n), cond).mean

    @torch.no_grad()
    def sample_codes(self, n: int) -> torch.Tensor:
        """``n`` stage-1 codes drawn from the second stage's generative model (with its
        learned noise: the stage-2 data are full-dimensional, its scale does not vanish)."""
        u = self.stage2.prior().sample((n,))
        return self.stage2.decode(u).sample()
