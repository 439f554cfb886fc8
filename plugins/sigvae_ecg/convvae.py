"""``ecg-conv-vae``: a small fully convolutional VAE for denoising windows ``[B, 1, L]``.

Why not a vector latent: a 512-sample ECG window squeezed through one latent vector loses
the exact timing and shape of each wave (the vector-latent ``vae`` scores lowest in
``benchmarks/results/ecg_variants.md``). Here the encoder downsamples by 2 per layer and the
posterior is a diagonal Gaussian over a short sequence (``latent_channels`` x L/32 with the
default four levels), so the code keeps *where* things happen, and the KL term (Kingma & Welling 2014)
limits how much of the noisy input gets through. The first encoder layer and the last decoder
layer work with stride 4 (a learned analysis/synthesis filter bank), so almost no computation
happens at the full sampling rate: fast on a CPU.

Loss per example: ``-log p(target | z) + beta * KL(q(z|x) || N(0, I))``, summed over samples
and latent units, averaged over the batch (denoising mode: ``target`` is the clean window).
With ``deterministic: true`` the same network is a plain denoising autoencoder.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.distributions import Distribution

from sigvae.errors import ConfigError
from sigvae.nn.compose import x_shape_of
from sigvae.nn.divergences import kl_diag_gaussian_standard
from sigvae.nn.likelihoods import build_likelihood
from sigvae.nn.model import LossOutput, Model, UndefinedQuantity, reconstruction_target
from sigvae.nn.posteriors import diagonal_gaussian
from sigvae_ecg.params import ConvVAEParams


def _encoder(channels: int, p: ConvVAEParams) -> nn.Sequential:
    stem = 4 * p.stem_stride - 1
    layers: list[nn.Module] = [nn.Conv1d(channels, p.hidden[0], stem, p.stem_stride, stem // 2)]
    layers.append(nn.ReLU())
    k = p.kernel_size
    for c_in, c_out in zip(p.hidden[:-1], p.hidden[1:]):
        layers += [nn.Conv1d(c_in, c_out, k, 2, k // 2), nn.ReLU()]
    layers.append(nn.Conv1d(p.hidden[-1], 2 * p.latent_channels, 3, 1, 1))
    return nn.Sequential(*layers)


def _decoder(channels: int, p: ConvVAEParams) -> nn.Sequential:
    widths, k, s = list(reversed(p.hidden)), p.kernel_size, p.stem_stride
    layers: list[nn.Module] = [nn.Conv1d(p.latent_channels, widths[0], 3, 1, 1), nn.ReLU()]
    for c_in, c_out in zip(widths[:-1], widths[1:]):
        layers += [nn.ConvTranspose1d(c_in, c_out, k, 2, k // 2, output_padding=1), nn.ReLU()]
    # (n - 1) * s - 2 * (3s / 2) + 4s = n * s: exactly stem_stride times longer
    layers.append(nn.ConvTranspose1d(widths[-1], channels, 4 * s, s, 3 * s // 2))
    return nn.Sequential(*layers)


class ConvVAE(Model):
    def __init__(self, params: ConvVAEParams, data_info: dict) -> None:
        super().__init__(data_info)
        channels, length = (x_shape_of(self.data_info) + (1,))[:2]
        scale = params.stem_stride * 2 ** (len(params.hidden) - 1)
        if length % scale:
            raise ConfigError(f"ecg-conv-vae: window length {length} is not a multiple of {scale}")
        self.params = params
        self.code_shape = (params.latent_channels, length // scale)
        self.latent_shape = (params.latent_channels * length // scale,)
        self.encoder = _encoder(channels, params)
        self.decoder = _decoder(channels, params)
        self.likelihood = build_likelihood(
            params.likelihood, (channels, length), params.sigma, params.learn_sigma
        )

    def _moments(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        mu, logvar = self.encoder(x).chunk(2, dim=1)
        return mu.flatten(1), logvar.flatten(1)

    def encode(self, x: torch.Tensor, cond: torch.Tensor | None = None) -> Distribution:
        if self.params.deterministic:
            raise UndefinedQuantity("a deterministic ecg-conv-vae has no posterior distribution")
        return diagonal_gaussian(*self._moments(x))

    def decode(self, z: torch.Tensor, cond: torch.Tensor | None = None) -> Distribution:
        return self.likelihood(self.decoder(z.reshape(z.shape[0], *self.code_shape)))

    @torch.no_grad()
    def embed(self, x: torch.Tensor, cond: torch.Tensor | None = None) -> torch.Tensor:
        return self._moments(x)[0]

    @torch.no_grad()
    def reconstruct(self, x: torch.Tensor, cond: torch.Tensor | None = None) -> torch.Tensor:
        return self.decode(self._moments(x)[0]).mean

    def loss(self, batch: dict[str, torch.Tensor], phase: str = "main") -> LossOutput:
        target = reconstruction_target(batch)
        if self.params.deterministic:
            log_px = self.decode(self._moments(batch["x"])[0]).log_prob(target)
            return LossOutput(-log_px.mean(), {"recon": -log_px.mean().detach()})
        q = diagonal_gaussian(*self._moments(batch["x"]))
        log_px = self.decode(q.rsample()).log_prob(target)
        kl = kl_diag_gaussian_standard(q)
        total = -(log_px - self.params.beta * kl).mean()
        terms = {
            "recon": -log_px.mean().detach(),
            "kl": kl.mean().detach(),
            "elbo": (log_px - kl).mean().detach(),
        }
        return LossOutput(total, terms)


def build(params: ConvVAEParams, data_info: dict) -> ConvVAE:
    return ConvVAE(params, data_info)
