"""VAE with an inverse autoregressive flow posterior (Kingma, Salimans, Jozefowicz, Chen,
Sutskever & Welling 2016).

The encoder gives ``mu, sigma`` and a context ``h``; ``z_0 = mu + sigma * eps`` and each of the
``T`` steps applies (their eqs. 10-14, the numerically stable LSTM-type update)::

    [m_t, s_t] = MADE_t(z_{t-1}, h),  g_t = sigmoid(s_t + 1),  z_t = g_t * z_{t-1} + (1 - g_t) * m_t
    log q(z_T|x) = sum_i [-eps_i^2 / 2 - log sigma_i - log(2 pi) / 2] - sum_t sum_i log g_t,i

MADE (Germain et al. 2015) masks make output ``i`` depend only on inputs ``< i``; the order is
reversed between steps. The density is cheap only at the flow's own samples, so the posterior
offers ``rsample_and_log_prob`` and ``log_prob`` of arbitrary points is undefined.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn
from torch.distributions import Distribution, constraints

from sigvae.nn.layers import activation
from sigvae.nn.likelihoods import full_precision
from sigvae.nn.model import UndefinedQuantity
from sigvae.nn.posteriors import LOGVAR_MAX, LOGVAR_MIN
from sigvae_vae.params import IAFVAEParams
from sigvae_vae.vae import VAE


class MaskedLinear(nn.Linear):
    def __init__(self, in_features: int, out_features: int, mask: torch.Tensor) -> None:
        super().__init__(in_features, out_features)
        self.register_buffer("mask", mask.to(self.weight.dtype))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.linear(x, self.weight * self.mask, self.bias)


class MADE(nn.Module):
    """``(z [.., d], h [.., c]) -> (m, s)``, each ``[.., d]``, output ``i`` seeing ``z_<i`` and
    all of ``h``."""

    def __init__(self, dim: int, context: int, hidden: list[int], act: str) -> None:
        super().__init__()
        self.dim = dim
        degrees_in = torch.arange(1, dim + 1)
        layers: list[nn.Module] = []
        previous = degrees_in
        width_in = dim
        for width in hidden:
            degrees = torch.arange(width) % max(dim - 1, 1) + (1 if dim > 1 else 0)
            mask = (degrees.unsqueeze(1) >= previous.unsqueeze(0)).float()
            layers.append(MaskedLinear(width_in, width, mask))
            previous, width_in = degrees, width
        self.hidden = nn.ModuleList(layers)
        self.context = nn.Linear(context, hidden[0]) if context > 0 else None
        out_mask = (degrees_in.unsqueeze(1) > previous.unsqueeze(0)).float().repeat(2, 1)
        self.out = MaskedLinear(width_in, 2 * dim, out_mask)
        self.act = activation(act)

    def forward(self, z: torch.Tensor, h: torch.Tensor | None) -> tuple[torch.Tensor, torch.Tensor]:
        a = self.hidden[0](z)
        if self.context is not None:
            a = a + self.context(h)
        a = self.act(a)
        for layer in self.hidden[1:]:
            a = self.act(layer(a))
        m, s = self.out(a).chunk(2, dim=-1)
        return m, s


class IAFPosterior(Distribution):
    """``q(z_T|x)``: a diagonal Gaussian pushed through the model's IAF steps."""

    arg_constraints: dict = {}
    support = constraints.real_vector
    has_rsample = True

    def __init__(self, mu, logvar, context, steps: nn.ModuleList) -> None:
        self.mu, self.logvar, self.context, self.steps = mu, logvar, context, steps
        super().__init__(mu.shape[:-1], mu.shape[-1:], validate_args=False)

    def flow(self, z: torch.Tensor, context: torch.Tensor | None):
        """``(z_T, sum_t sum_i log g_t,i)`` for base points ``z``."""
        log_gates = torch.zeros(z.shape[:-1], dtype=z.dtype, device=z.device)
        for i, made in enumerate(self.steps):
            if i > 0:
                z = z.flip(-1)
            m, s = made(z, context)
            gate = torch.sigmoid(s + 1.0)  # + 1: start close to the identity, as in the paper
            z = gate * z + (1 - gate) * m
            log_gates = log_gates + F.logsigmoid(s + 1.0).sum(-1)
        if len(self.steps) > 1 and len(self.steps) % 2 == 0:
            z = z.flip(-1)  # give back the original order of dimensions
        return z, log_gates

    def rsample_and_log_prob(self, sample_shape=()):
        shape = torch.Size(sample_shape) + self.mu.shape
        eps = torch.randn(shape, dtype=self.mu.dtype, device=self.mu.device)
        std = torch.exp(0.5 * self.logvar)
        context = (
            None
            if self.context is None
            else self.context.expand(*sample_shape, *self.context.shape)
        )
        z, log_gates = self.flow(self.mu + std * eps, context)
        log_q0 = (-0.5 * eps.pow(2) - 0.5 * self.logvar - 0.5 * math.log(2 * math.pi)).sum(-1)
        return z, log_q0 - log_gates

    def rsample(self, sample_shape=()) -> torch.Tensor:
        return self.rsample_and_log_prob(sample_shape)[0]

    def log_prob(self, value: torch.Tensor) -> torch.Tensor:
        raise UndefinedQuantity(
            "the IAF posterior's density is only available at its own samples "
            "(use rsample_and_log_prob)"
        )

    @property
    def mean(self) -> torch.Tensor:
        """The flow's image of the base mean (a central point, not the exact mean)."""
        return self.flow(self.mu, self.context)[0]


class IAFVAE(VAE):
    """``iaf-vae``."""

    def __init__(self, params: IAFVAEParams, data_info: dict) -> None:
        self.context_dim = params.context_dim
        super().__init__(params, data_info)
        act = params.encoder.activation
        self.steps = nn.ModuleList(
            MADE(self.latent_dim, self.context_dim, params.flow_hidden, act)
            for _ in range(params.flows)
        )

    def posterior_features(self, latent_dim: int) -> int:
        return 2 * latent_dim + self.context_dim

    def posterior(self, features: torch.Tensor) -> Distribution:
        features = full_precision(features)
        d = self.latent_dim
        mu, logvar = features[:, :d], features[:, d : 2 * d].clamp(LOGVAR_MIN, LOGVAR_MAX)
        context = features[:, 2 * d :] if self.context_dim else None
        return IAFPosterior(mu, logvar, context, self.steps)

    def analytic_kl(self, q: Distribution, cond: torch.Tensor | None = None):
        return None
