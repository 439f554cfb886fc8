"""``volsurf-pointwise``: the encoder reads the grid; the decoder maps ``(z, tau, delta)`` to
one vol, so a surface can be evaluated anywhere by batch inference (Bergeron et al. 2021, the
"pointwise" approach). Coordinates enter as ``log tau`` and ``N^-1(delta)``, which is close to
the log-moneyness per unit of total std and keeps the wings apart."""

from __future__ import annotations

import math

import torch

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


class PointwiseVAE(VolSurfVAE):
    registry_name = "volsurf-pointwise"

    def __init__(self, params, data_info: dict) -> None:
        super().__init__(params, data_info)
        widths = self.decoder_widths()
        self.decoder = torch.nn.Sequential(
            mlp_stack(params.latent_dim + 2, widths, params.activation),
            torch.nn.Linear(widths[-1], 1),
        )
        taus, deltas = self.grid.taus, self.grid.deltas
        self.coord_box = ((min(taus), max(taus)), (min(deltas), max(deltas)))

    def decode_at(self, z: torch.Tensor, coords: torch.Tensor) -> torch.Tensor:
        coords = coords.to(z.dtype)
        if coords.dim() == 2:
            coords = coords.expand(z.shape[0], *coords.shape)
        feats = coordinate_features(coords)  # [B, P, 2]
        zz = z[:, None, :].expand(-1, feats.shape[1], -1)
        raw = self.decoder(torch.cat([zz, feats], dim=-1)).squeeze(-1)
        return self.scale_out(raw)

    def extra_loss(self, z: torch.Tensor, batch) -> torch.Tensor | None:
        if self.params.arbitrage_penalty <= 0:
            return None
        prior_z = torch.randn_like(z)
        both = torch.cat([z, prior_z], dim=0)
        per_surface = arbitrage_penalty(self, both, self.params.collocation_points, self.coord_box)
        return self.params.arbitrage_penalty * per_surface.mean()
