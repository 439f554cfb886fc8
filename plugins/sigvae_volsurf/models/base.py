"""What the grid and pointwise VAEs share: log-vol scaling, the grid encoder, the Gaussian
likelihood in vol units, masked losses and a bank of training latents for KDE generation.

The encoder always reads the full training grid (flattened, in log-vol, centred and scaled).
With ``amortised_start`` a second network reads a randomly masked grid (scaled log-vols where
observed, zeros elsewhere, plus the mask) and is trained to predict the full surface's posterior
mean (a detached target, so it does not change the VAE): an amortised first guess for
completion, which then needs one short local refinement instead of many global starts.
The likelihood is Gaussian in vol units with a fixed std (``noise_bp`` basis points), so the
reconstruction term is a squared error in vols; grid points missing from a quote set
(``batch["mask"] == 0``) do not count. Loss: sum over points and latent dims, mean over the batch.
"""

from __future__ import annotations

import torch
from torch.distributions import Distribution, Independent, Normal

from sigvae.errors import ConfigError
from sigvae.nn.blocks import build_encoder
from sigvae.nn.divergences import kl_diag_gaussian_standard
from sigvae.nn.model import LossOutput, Model
from sigvae.nn.posteriors import diagonal_gaussian_head


class VolSurfVAE(Model):
    """Base class; subclasses implement :meth:`decode_at` (vols at coordinates)."""

    registry_name = ""

    def __init__(self, params, data_info: dict) -> None:
        super().__init__(data_info)
        self.params = params
        self.grid = params.grid()
        x_shape = list(self.data_info.get("x_shape") or [self.grid.size])
        if x_shape != [self.grid.size]:
            raise ConfigError(
                f"{self.registry_name}: data has shape {x_shape} but the grid "
                f"{len(self.grid.tenors)} tenors x {len(self.grid.deltas)} deltas has "
                f"{self.grid.size} points; give the model the same tenors and deltas as the data"
            )
        self.data_info.setdefault("x_shape", x_shape)
        self.latent_dim = params.latent_dim
        self.latent_shape = (params.latent_dim,)
        self.sigma = params.noise_bp * 1e-4
        self.encoder = build_encoder(
            "mlp",
            [self.grid.size],
            2 * params.latent_dim,
            hidden=params.hidden,
            activation=params.activation,
        )
        self.start_net = (
            build_encoder(
                "mlp",
                [2 * self.grid.size],
                params.latent_dim,
                hidden=params.hidden,
                activation=params.activation,
            )
            if params.amortised_start
            else None
        )
        self.register_buffer(
            "grid_coords", torch.tensor(self.grid.coordinates(), dtype=torch.float32)
        )
        self.register_buffer("bank", torch.zeros(params.latent_bank, params.latent_dim))
        self.register_buffer("bank_filled", torch.zeros((), dtype=torch.long))
        self.model_config = {
            "type": self.registry_name,
            "params": params.model_dump(mode="json"),
            "data_info": dict(self.data_info),
        }

    # --- scaling ---------------------------------------------------------------------------
    def scale_in(self, vols: torch.Tensor) -> torch.Tensor:
        return (
            torch.log(vols.clamp_min(1e-4)) - self.params.log_vol_centre
        ) / self.params.log_vol_scale

    def scale_out(self, raw: torch.Tensor) -> torch.Tensor:
        """Network output -> vols: the explicit ``exp`` output activation."""
        return torch.exp(raw * self.params.log_vol_scale + self.params.log_vol_centre)

    def decoder_widths(self) -> list[int]:
        return list(self.params.decoder_hidden or reversed(self.params.hidden))

    # --- the model contract ----------------------------------------------------------------
    def encode(self, x: torch.Tensor, cond: torch.Tensor | None = None) -> Distribution:
        return diagonal_gaussian_head(self.encoder(self.scale_in(x)))

    def decode_at(self, z: torch.Tensor, coords: torch.Tensor) -> torch.Tensor:
        """Vols ``[B, P]`` at ``coords`` ``[P, 2]`` or ``[B, P, 2]`` of ``(tau, delta)``."""
        raise NotImplementedError

    def decode_grid(self, z: torch.Tensor) -> torch.Tensor:
        return self.decode_at(z, self.grid_coords)

    def decode(self, z: torch.Tensor, cond: torch.Tensor | None = None) -> Distribution:
        mean = self.decode_grid(z)
        return Independent(Normal(mean, torch.full_like(mean, self.sigma)), 1)

    def loss(self, batch: dict[str, torch.Tensor], phase: str = "main") -> LossOutput:
        x = batch["x"]
        q = self.encode(x)
        z = q.rsample()
        mean = self.decode_grid(z)
        mask = batch.get("mask")
        sq = (mean - x) ** 2 if mask is None else mask * (mean - x) ** 2
        recon = 0.5 * sq.sum(-1) / self.sigma**2
        kl = kl_diag_gaussian_standard(q)
        total = (recon + self.params.beta * kl).mean()
        rmse_bp = 1e4 * torch.sqrt(sq.sum() / (x.numel() if mask is None else mask.sum()))
        terms = {
            "recon": recon.mean().detach(),
            "kl": kl.mean().detach(),
            "rmse_bp": rmse_bp.detach(),
        }
        if self.start_net is not None:
            start = self._start_loss(x, q.mean.detach(), mask)
            total = total + start
            terms["start"] = start.detach()
        extra = self.extra_loss(z, batch)
        if extra is not None:
            total = total + extra
            terms["penalty"] = extra.detach()
        if self.training:
            self._remember(q.mean.detach())
        return LossOutput(total, terms)

    def extra_loss(self, z: torch.Tensor, batch) -> torch.Tensor | None:
        """Additional training loss (the pointwise model's arbitrage penalty)."""
        return None

    # --- amortised completion start --------------------------------------------------------
    def _start_input(self, vols: torch.Tensor, seen: torch.Tensor) -> torch.Tensor:
        seen = seen.to(vols.dtype)
        return torch.cat([seen * self.scale_in(vols), seen], dim=-1)

    def _start_loss(self, x, target, mask) -> torch.Tensor:
        """Squared latent error of the start network on random subsets of 3 to all points."""
        b, g = x.shape
        count = torch.randint(3, g + 1, (b, 1), device=x.device)
        rank = torch.rand(b, g, device=x.device).argsort(-1).argsort(-1)
        seen = rank < count
        if mask is not None:
            seen = seen & (mask > 0)
        pred = self.start_net(self._start_input(x, seen))
        return ((pred - target) ** 2).sum(-1).mean()

    @torch.no_grad()
    def amortised_latents(self, coords, values, mask) -> torch.Tensor | None:
        """The start network's latent guess ``[B, L]`` from the observed points that lie on the
        grid (``coords`` ``[B, P, 2]``, ``values`` and ``mask`` ``[B, P]``); None without one."""
        if self.start_net is None:
            return None
        b, g = values.shape[0], self.grid.size
        grid = self.grid_coords.to(coords.dtype)
        dist = (coords[:, :, None, :] - grid[None, None]).abs().amax(-1)
        best, index = dist.min(-1)
        on = (best < 1e-6) & (mask > 0)
        index = torch.where(on, index, g)  # off-grid points land in a dropped extra column
        vols = torch.ones(b, g + 1, dtype=values.dtype).scatter(1, index, values)[:, :g]
        seen = torch.zeros(b, g + 1, dtype=torch.bool).scatter(1, index, on)[:, :g]
        return self.start_net(self._start_input(torch.where(seen, vols, 1.0), seen))

    # --- latents for generation ------------------------------------------------------------
    @torch.no_grad()
    def _remember(self, means: torch.Tensor) -> None:
        """Keep the latest posterior means in a ring buffer saved with the weights."""
        size = self.bank.shape[0]
        if size == 0:
            return
        means = means[-size:].float()
        start = int(self.bank_filled) % size
        idx = (torch.arange(len(means), device=means.device) + start) % size
        self.bank[idx] = means
        self.bank_filled += len(means)

    def training_latents(self) -> torch.Tensor:
        """The remembered posterior means of training surfaces (possibly empty)."""
        return self.bank[: min(int(self.bank_filled), self.bank.shape[0])]
