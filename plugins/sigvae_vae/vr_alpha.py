"""Variational Renyi bounds (Li & Turner 2016): ``vr-alpha`` and ``vr-max``.

``L_alpha = 1/(1-alpha) log (1/K) sum_k w_k^(1-alpha)`` (eq. 11), reparameterised. It is
continuous and non-increasing in alpha (Theorem 1): alpha = 0 is the IWAE bound, alpha -> 1
the ELBO, and alpha < 0 goes above the IWAE bound (not a lower bound of log p(x) any more for
finite K: it is an approximation that can favour mass-covering posteriors). VR-max
(alpha -> -inf) back-propagates only through the sample with the largest weight.
"""

from __future__ import annotations

import torch

from sigvae.nn.compose import GaussianLatentModel
from sigvae.nn.model import LossOutput
from sigvae_vae.bounds import importance_log_weights, renyi_bound
from sigvae_vae.params import VRAlphaParams, VRMaxParams


class VRAlpha(GaussianLatentModel):
    """``vr-alpha``."""

    def __init__(self, params: VRAlphaParams, data_info: dict) -> None:
        super().__init__(params, data_info)
        self.alpha = float(params.alpha)
        self.samples = params.samples

    def loss(self, batch: dict[str, torch.Tensor], phase: str = "main") -> LossOutput:
        log_w, _ = importance_log_weights(self, batch, self.samples)
        bound = renyi_bound(log_w, self.alpha)
        return LossOutput(-bound.mean(), {"vr_bound": bound.mean().detach()})


class VRMax(GaussianLatentModel):
    """``vr-max``."""

    def __init__(self, params: VRMaxParams, data_info: dict) -> None:
        super().__init__(params, data_info)
        self.samples = params.samples

    def loss(self, batch: dict[str, torch.Tensor], phase: str = "main") -> LossOutput:
        log_w, _ = importance_log_weights(self, batch, self.samples)
        best = log_w.max(dim=0).values
        return LossOutput(-best.mean(), {"vr_max": best.mean().detach()})
