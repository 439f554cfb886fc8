"""Variational recurrent neural network, VRNN (Chung, Kastner, Dinh, Goel, Courville &
Bengio 2015): a dynamical VAE with one latent ``z_t`` per time step.

For ``x [B, C, L]`` (a flat ``[D]`` is one channel) and a recurrent state ``h``:

* prior ``p(z_t | h_{t-1}) = N(mu_0(h), diag sigma_0^2(h))`` (learned, their eq. 5)
* encoder ``q(z_t | x_t, h_{t-1})`` (eq. 9), decoder ``p(x_t | z_t, h_{t-1})`` (eq. 6)
* recurrence ``h_t = RNN([phi_x(x_t), phi_z(z_t)], h_{t-1})`` (eq. 7)

The sequence ELBO is ``sum_t [log p(x_t | z_t, h_{t-1}) - KL(q_t || p_t)]`` (eq. 10) with the
per-step KLs in closed form. The posterior is sequential (each ``q_t`` depends on earlier
samples), so ``encode`` / ``decode`` / ``prior`` are undefined; ``elbo``, ``log_likelihood``
(importance sampling over whole latent paths), ``embed`` (posterior means along the
posterior-mean path, ``[B, latent_dim, L]``), ``reconstruct`` and ``sample`` are provided.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.distributions import Distribution

from sigvae.nn.compose import x_shape_of
from sigvae.nn.divergences import kl_diag_gaussians
from sigvae.nn.layers import as_sequence, channels_and_length
from sigvae.nn.likelihoods import build_likelihood
from sigvae.nn.model import (
    LossOutput,
    Model,
    UndefinedQuantity,
    log_mean_exp,
    reconstruction_target,
    repeat_rows,
)
from sigvae.nn.posteriors import diagonal_gaussian, diagonal_gaussian_head, split_gaussian_params
from sigvae_vae.params import VRNNParams

_SEQUENTIAL = (
    "vrnn's posterior and prior are sequential (one z_t per step, each depending on earlier "
    "samples); use elbo, log_likelihood, embed, reconstruct or sample"
)


def _mlp(sizes: list[int]) -> nn.Sequential:
    layers: list[nn.Module] = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
        layers.append(nn.Linear(a, b))
        if i < len(sizes) - 2:
            layers.append(nn.GELU())
    return nn.Sequential(*layers)


class VRNN(Model):
    """``vrnn``."""

    def __init__(self, params: VRNNParams, data_info: dict) -> None:
        super().__init__(data_info)
        self.x_shape = x_shape_of(self.data_info)
        self.channels, self.length = channels_and_length(self.x_shape)
        c, h, d = self.channels, params.hidden, params.latent_dim
        self.latent_dim, self.hidden, self.beta = d, h, float(params.beta)
        self.latent_shape = (d, self.length)
        # one time step is [C, 1]; the same module scores all steps [C, L] element-wise
        self.likelihood = build_likelihood(
            params.likelihood, (c, 1), params.sigma, params.learn_sigma
        )
        factor = self.likelihood.out_channels_factor
        self.phi_x = nn.Sequential(_mlp([c, h, h]), nn.GELU())
        self.phi_z = nn.Sequential(nn.Linear(d, h), nn.GELU())
        self.prior_net = _mlp([h, h, 2 * d])
        self.encoder_net = _mlp([2 * h, h, 2 * d])
        self.decoder_net = _mlp([2 * h, h, factor * c])
        self.cell = params.cell
        self.rnn = (nn.LSTMCell if params.cell == "lstm" else nn.GRUCell)(2 * h, h)

    def encode(self, x, cond=None) -> Distribution:
        raise UndefinedQuantity(_SEQUENTIAL)

    def decode(self, z, cond=None) -> Distribution:
        raise UndefinedQuantity(_SEQUENTIAL)

    def prior(self, cond=None) -> Distribution:
        raise UndefinedQuantity(_SEQUENTIAL)

    def _initial_state(self, b: int, like: torch.Tensor):
        zeros = torch.zeros(b, self.hidden, dtype=like.dtype, device=like.device)
        return (zeros, zeros.clone()) if self.cell == "lstm" else zeros

    def _advance(self, state, fx: torch.Tensor, fz: torch.Tensor):
        new = self.rnn(torch.cat([fx, fz], -1), state)
        return new, (new[0] if self.cell == "lstm" else new)

    def step_terms(self, x: torch.Tensor, target: torch.Tensor | None = None, use_mean=False):
        """Unroll over time; returns per-step ``log p(target_t|.)``, ``KL_t`` and importance
        log-weights ``log p(x_t|.) + log p(z_t|.) - log q(z_t|.)`` (each ``[B, L]``), the
        posterior means ``[B, d, L]`` and decoder means ``[B, C, L]``.

        Only the encoder, ``phi_z`` and the cell run inside the time loop; ``phi_x`` runs before
        it and the prior and decoder networks after it, on all steps at once."""
        xs, ts = as_sequence(x), as_sequence(x if target is None else target)
        fx_all = self.phi_x(xs.transpose(1, 2))  # [B, L, H]
        state = self._initial_state(xs.shape[0], fx_all)
        h = state[0] if self.cell == "lstm" else state
        hs, qs, zs, fzs = [], [], [], []
        for t in range(self.length):
            fx = fx_all[:, t]
            q_params = self.encoder_net(torch.cat([fx, h], -1))
            mu, logvar = split_gaussian_params(q_params)
            q = diagonal_gaussian(mu, logvar)
            z = q.mean if use_mean else q.rsample()
            fz = self.phi_z(z)
            hs.append(h), qs.append(q_params), zs.append(z), fzs.append(fz)
            state, h = self._advance(state, fx, fz)
        h_prev, z = torch.stack(hs, 1), torch.stack(zs, 1)  # [B, L, .]
        q = diagonal_gaussian_head(torch.stack(qs, 1))
        prior = diagonal_gaussian_head(self.prior_net(h_prev))
        out = self.decoder_net(torch.cat([torch.stack(fzs, 1), h_prev], -1))  # [B, L, f*C]
        px = self.likelihood(out.transpose(1, 2)).base_dist  # over [B, C, L] element-wise
        log_px = px.log_prob(ts).sum(1)
        kl = kl_diag_gaussians(q, prior)
        log_w = log_px + prior.log_prob(z) - q.log_prob(z)
        return log_px, kl, log_w, q.mean.transpose(1, 2), px.mean

    def loss(self, batch: dict[str, torch.Tensor], phase: str = "main") -> LossOutput:
        log_px, kl, *_ = self.step_terms(batch["x"], reconstruction_target(batch))
        log_px, kl = log_px.sum(-1), kl.sum(-1)
        total = -(log_px - self.beta * kl).mean()
        terms = {"recon": -log_px.mean().detach(), "kl": kl.mean().detach()}
        return LossOutput(total, terms)

    def elbo(self, x, cond=None, target=None) -> torch.Tensor:
        log_px, kl, *_ = self.step_terms(x, target)
        return log_px.sum(-1) - kl.sum(-1)

    @torch.no_grad()
    def log_likelihood(self, x, cond=None, samples: int = 100, chunk: int = 64) -> torch.Tensor:
        """``log mean_k p(x, z^k) / q(z^k | x)`` over ``samples`` whole latent paths."""
        weights = []
        for start in range(0, samples, chunk):
            k = min(chunk, samples - start)
            log_w = self.step_terms(repeat_rows(x, k))[2].sum(-1)
            weights.append(log_w.reshape(k, x.shape[0]))
        return log_mean_exp(torch.cat(weights, 0), dim=0)

    @torch.no_grad()
    def embed(self, x, cond=None) -> torch.Tensor:
        return self.step_terms(x, use_mean=True)[3]

    @torch.no_grad()
    def reconstruct(self, x, cond=None) -> torch.Tensor:
        return self.step_terms(x, use_mean=True)[4].reshape(x.shape[0], *self.x_shape)

    @torch.no_grad()
    def sample(self, n: int, cond=None) -> torch.Tensor:
        """Run the generative model: ``z_t ~ p(z_t | h_{t-1})``, ``x_t`` = decoder mean, fed back."""
        like = next(self.parameters())
        state = self._initial_state(n, like)
        h = state[0] if self.cell == "lstm" else state
        out = []
        for _ in range(self.length):
            z = diagonal_gaussian_head(self.prior_net(h)).sample()
            fz = self.phi_z(z)
            x_t = self.likelihood(self.decoder_net(torch.cat([fz, h], -1)).unsqueeze(-1)).mean[
                ..., 0
            ]
            out.append(x_t)
            state, h = self._advance(state, self.phi_x(x_t), fz)
        return torch.stack(out, -1).reshape(n, *self.x_shape)
