"""Importance-weighted autoencoder (Burda, Grosse & Salakhutdinov 2016).

Loss: ``-log (1/K) sum_k w_k`` per example. Encoder-gradient estimators:

* ``standard``: plain reparameterisation of the bound.
* ``stl``: ``log q`` scored with stopped parameters (Roeder et al. 2017). Zero variance at
  the exact posterior, but biased for K > 1 (Tucker et al. 2019, section 4).
* ``dreg``: doubly reparameterised (Tucker, Lawson, Gu & Maddison 2019, eq. 7): the encoder
  gradient is ``sum_k w~_k^2 d log w_k / d z_k * d z_k / d phi`` with ``log q`` stopped,
  unbiased and with vanishing variance at the optimum; the decoder keeps the IWAE gradient
  ``sum_k w~_k grad log w_k``. Implemented by scaling the gradient reaching ``z_k`` by
  ``w~_k`` (a tensor hook), which leaves the decoder's gradient untouched.
"""

from __future__ import annotations

import math

import torch

from sigvae.nn.compose import GaussianLatentModel
from sigvae.nn.model import LossOutput
from sigvae_vae.bounds import (
    importance_log_weights,
    log_mean_exp_bound,
    normalized_weights,
    with_gradient_of,
)
from sigvae_vae.params import IWAEParams


class IWAE(GaussianLatentModel):
    """``iwae``."""

    def __init__(self, params: IWAEParams, data_info: dict) -> None:
        super().__init__(params, data_info)
        self.samples = params.samples
        self.estimator = params.estimator

    def loss(self, batch: dict[str, torch.Tensor], phase: str = "main") -> LossOutput:
        log_w, z = importance_log_weights(self, batch, self.samples, self.estimator != "standard")
        bound = log_mean_exp_bound(log_w, dim=0)
        detached_w = log_w.detach()
        if self.estimator == "standard":
            total = -bound.mean()
        else:
            weights = normalized_weights(detached_w, dim=0)
            if self.estimator == "dreg" and z.requires_grad:
                z.register_hook(lambda grad: grad * weights.unsqueeze(-1))
            surrogate = (weights * log_w).sum(0)
            total = -with_gradient_of(bound, surrogate).mean()
        # ESS = 1 / sum_k w~_k^2 = exp(2 logsumexp(log w) - logsumexp(2 log w))
        lse = bound.detach() + math.log(self.samples)
        ess = torch.exp(2 * lse - torch.logsumexp(2 * detached_w, dim=0))
        return LossOutput(total, {"iwae_bound": bound.mean().detach(), "ess": ess.mean()})
