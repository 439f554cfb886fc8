"""``volsurf-grid``: a VAE whose decoder maps z to the whole flattened grid at once
(Bergeron et al. 2021, the "grid-based" approach). It can only be evaluated on its grid."""

from __future__ import annotations

import torch

from sigvae.errors import SigvaeError
from sigvae.nn.mlp import mlp_stack
from sigvae_volsurf.models.base import VolSurfVAE


class GridVAE(VolSurfVAE):
    registry_name = "volsurf-grid"

    def __init__(self, params, data_info: dict) -> None:
        super().__init__(params, data_info)
        widths = self.decoder_widths()
        self.decoder = torch.nn.Sequential(
            mlp_stack(params.latent_dim, widths, params.activation),
            torch.nn.Linear(widths[-1], self.grid.size),
        )

    def decode_grid(self, z: torch.Tensor) -> torch.Tensor:
        return self.scale_out(self.decoder(z))

    def decode_at(self, z: torch.Tensor, coords: torch.Tensor) -> torch.Tensor:
        grid = self.decode_grid(z)
        coords = coords.to(grid.dtype)
        flat = coords if coords.dim() == 2 else coords.reshape(-1, 2)
        dist = (flat[:, None, :] - self.grid_coords[None, :, :].to(grid.dtype)).abs().amax(-1)
        best, index = dist.min(dim=1)
        if (best > 1e-4).any():
            raise SigvaeError(
                "the grid VAE can only evaluate its own grid points; use the pointwise model "
                "for other maturities or deltas"
            )
        if coords.dim() == 2:
            return grid[:, index]
        return torch.gather(grid, 1, index.reshape(coords.shape[:2]))
