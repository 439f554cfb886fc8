"""PixelVAE for 1-D signals (the idea of Gulrajani et al. 2017 on sequences).

The decoder is autoregressive in time: ``p(x|z) = prod_t p(x_t | x_<t, z)``. A conditioning
map ``c(z) [H, L]`` comes from an ordinary decoder block (``decoder`` params, any family);
a stack of dilated causal convolutions with WaveNet-style gated units (van den Oord et al.
2016) reads the signal shifted by one step, adds ``c(z)`` in every layer, and outputs the
likelihood parameters of each ``x_t``. The receptive field is kept short on purpose: a weak
autoregressive decoder leaves the global shape to ``z`` (PixelVAE's remedy for posterior
collapse).

``decode(z)`` returns a distribution whose ``log_prob(x)`` is teacher-forced (one pass) and
whose ``mean`` / ``sample()`` generate step by step (L passes): the "mean" is the sequence of
conditional means, each given the previously generated steps.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn
from torch.distributions import Distribution

from sigvae.nn.blocks import build_decoder
from sigvae.nn.compose import x_shape_of
from sigvae.nn.layers import as_sequence, channels_and_length
from sigvae.nn.likelihoods import build_likelihood
from sigvae_vae.params import PixelVAEParams
from sigvae_vae.vae import VAE


class GatedCausalLayer(nn.Module):
    """``x + W_o * (tanh(W_f * x + V_f c) * sigmoid(W_g * x + V_g c))``, causal in time."""

    def __init__(self, channels: int, kernel: int, dilation: int) -> None:
        super().__init__()
        self.pad = (kernel - 1) * dilation
        self.conv = nn.Conv1d(channels, 2 * channels, kernel, dilation=dilation)
        self.cond = nn.Conv1d(channels, 2 * channels, 1)
        self.out = nn.Conv1d(channels, channels, 1)

    def forward(self, h: torch.Tensor, c: torch.Tensor) -> torch.Tensor:
        a = self.conv(F.pad(h, (self.pad, 0))) + self.cond(c)
        f, g = a.chunk(2, dim=1)
        return h + self.out(torch.tanh(f) * torch.sigmoid(g))


class CausalDecoder(nn.Module):
    """``(x_shifted [B, C, L], c [B, H, L]) -> likelihood parameters [B, factor * C, L]``."""

    def __init__(self, channels: int, factor: int, width: int, layers: int, kernel: int) -> None:
        super().__init__()
        self.inp = nn.Conv1d(channels, width, 1)
        self.layers = nn.ModuleList(GatedCausalLayer(width, kernel, 2**i) for i in range(layers))
        self.head = nn.Conv1d(width, factor * channels, 1)

    def forward(self, x: torch.Tensor, c: torch.Tensor) -> torch.Tensor:
        shifted = F.pad(x, (1, 0))[..., :-1]  # step t sees x_<t only
        h = self.inp(shifted)
        for layer in self.layers:
            h = layer(h, c)
        return self.head(F.gelu(h))


class AutoregressiveLikelihood(Distribution):
    """``p(x | z)`` of the PixelVAE decoder for a batch of conditioning maps."""

    arg_constraints: dict = {}
    has_rsample = False

    def __init__(self, model: PixelVAE, cond_map: torch.Tensor) -> None:
        self.model, self.cond_map = model, cond_map
        super().__init__(cond_map.shape[:1], torch.Size(model.x_shape), validate_args=False)

    def _step_distribution(self, x_seq: torch.Tensor) -> Distribution:
        return self.model.likelihood(self.model.causal(x_seq, self.cond_map))

    def log_prob(self, value: torch.Tensor) -> torch.Tensor:
        return self._step_distribution(as_sequence(value)).log_prob(as_sequence(value))

    def _generate(self, draw: bool) -> torch.Tensor:
        b = self.cond_map.shape[0]
        x = torch.zeros(b, self.model.channels, self.model.length, device=self.cond_map.device)
        for t in range(self.model.length):
            d = self._step_distribution(x)
            step = d.sample() if draw else d.mean
            x[..., t] = step[..., t]
        return x.reshape(b, *self.model.x_shape)

    @property
    def mean(self) -> torch.Tensor:
        return self._generate(draw=False)

    def sample(self, sample_shape=()) -> torch.Tensor:
        if tuple(sample_shape):
            raise ValueError("PixelVAE likelihood draws one sample per conditioning map")
        return self._generate(draw=True)


class PixelVAE(VAE):
    """``pixel-vae``."""

    def __init__(self, params: PixelVAEParams, data_info: dict) -> None:
        super().__init__(params, data_info)
        self.x_shape = x_shape_of(self.data_info)
        self.channels, self.length = channels_and_length(self.x_shape)
        # the likelihood scores per-step outputs laid out as [C, L] (a flat [D] is [1, D])
        shape = (self.channels, self.length)
        self.likelihood = build_likelihood(
            params.likelihood, shape, params.sigma, params.learn_sigma
        )
        dec = params.decoder_arch()
        self.decoder = build_decoder(
            dec.arch, params.latent_dim, (params.ar_channels, self.length), **dec.block_kwargs()
        )
        self.causal = CausalDecoder(
            self.channels,
            self.likelihood.out_channels_factor,
            params.ar_channels,
            params.ar_layers,
            params.ar_kernel,
        )

    def decode(self, z: torch.Tensor, cond: torch.Tensor | None = None) -> Distribution:
        cond_map = self.decoder(z).reshape(z.shape[0], -1, self.length)
        return AutoregressiveLikelihood(self, cond_map)
