"""``volsurf-pointwise``: the encoder reads the grid; the decoder maps ``(z, tau, delta)`` to
one vol, so a surface can be evaluated anywhere by batch inference (Bergeron et al. 2021, the
"pointwise" approach). Coordinates enter as ``log tau`` and ``N^-1(delta)``, which is close to
the log-moneyness per unit of total std and keeps the wings apart."""

from __future__ import annotations

import math

import torch

from sigvae.nn.layers import activation as make_activation
from sigvae.nn.mlp import mlp_stack
from sigvae_volsurf.models.base import VolSurfVAE
from sigvae_volsurf.models.penalty import arbitrage_penalty

LOG_TAU_CENTRE, LOG_TAU_SCALE = math.log(0.3), 1.5


def coordinate_features(coords: torch.Tensor) -> torch.Tensor:
    """``(tau, delta) -> (scaled log tau, N^-1(delta))``."""
    tau, delta = coords[..., 0], coords[..., 1]
    return torch.stack(
        [(torch.log(tau) - LOG_TAU_CENTRE) / LOG_TAU_SCALE, torch.special.ndtri(delta)], dim=-1
    )


class FiLMDecoder(torch.nn.Module):
    """An MLP over the coordinates whose every hidden layer is scaled and shifted by functions
    of z (feature-wise linear modulation, Perez et al. 2018). The modulations are computed once
    per surface, so evaluating many points of one surface costs only the coordinate MLP."""

    def __init__(self, latent_dim: int, widths: list[int], activation: str) -> None:
        super().__init__()
        self.layers = torch.nn.ModuleList()
        width = 2
        for w in widths:
            self.layers.append(torch.nn.Linear(width, w))
            width = w
        self.film = torch.nn.Linear(latent_dim, 2 * sum(widths))
        self.act = make_activation(activation)
        self.out = torch.nn.Linear(width, 1)
        self.widths = widths

    def forward(self, z: torch.Tensor, feats: torch.Tensor) -> torch.Tensor:
        mods = self.film(z)[:, None, :]  # [B, 1, 2 * sum(widths)]
        h, start = feats, 0
        for layer, w in zip(self.layers, self.widths):
            scale, shift = mods[..., start : start + w], mods[..., start + w : start + 2 * w]
            h = self.act(layer(h) * (1.0 + scale) + shift)
            start += 2 * w
        return self.out(h).squeeze(-1)


class ConcatDecoder(torch.nn.Module):
    """An MLP on ``[z, coordinates]`` (Bergeron et al.'s pointwise decoder)."""

    def __init__(self, latent_dim: int, widths: list[int], activation: str) -> None:
        super().__init__()
        self.body = torch.nn.Sequential(
            mlp_stack(latent_dim + 2, widths, activation), torch.nn.Linear(widths[-1], 1)
        )

    def forward(self, z: torch.Tensor, feats: torch.Tensor) -> torch.Tensor:
        zz = z[:, None, :].expand(-1, feats.shape[1], -1)
        return self.body(torch.cat([zz, feats], dim=-1)).squeeze(-1)


class PointwiseVAE(VolSurfVAE):
    registry_name = "volsurf-pointwise"

    def __init__(self, params, data_info: dict) -> None:
        super().__init__(params, data_info)
        decoder = FiLMDecoder if params.decoder_style == "film" else ConcatDecoder
        self.decoder = decoder(params.latent_dim, self.decoder_widths(), params.activation)
        taus, deltas = self.grid.taus, self.grid.deltas
        self.coord_box = ((min(taus), max(taus)), (min(deltas), max(deltas)))

    def decode_at(self, z: torch.Tensor, coords: torch.Tensor) -> torch.Tensor:
        coords = coords.to(z.dtype)
        if coords.dim() == 2:
            coords = coords.expand(z.shape[0], *coords.shape)
        return self.scale_out(self.decoder(z, coordinate_features(coords)))

    def extra_loss(self, z: torch.Tensor, batch) -> torch.Tensor | None:
        """The arbitrage penalty where generated surfaces come from: the batch's posterior
        samples jittered like a KDE draw (half of ``penalty_surfaces``; the training latents
        spread far wider than the prior) and draws from the prior (the other half). Latents
        are detached: the penalty shapes the decoder, not the encoder."""
        if self.params.arbitrage_penalty <= 0:
            return None
        n = self.params.penalty_surfaces
        near = z.detach()[torch.randint(len(z), (n - n // 2,), device=z.device)]
        spread = z.detach().std(0) if len(z) > 1 else torch.ones_like(z[0])
        near = near + 0.5 * spread * torch.randn_like(near)
        latents = torch.cat([near, torch.randn(n // 2, z.shape[1], device=z.device)])
        per_surface = arbitrage_penalty(
            self, latents, self.params.collocation_points, self.coord_box
        )
        return self.params.arbitrage_penalty * per_surface.mean()
