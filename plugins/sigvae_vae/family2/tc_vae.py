"""beta-TCVAE (Chen, Li, Grosse & Duvenaud 2018, "Isolating sources of disentanglement in
VAEs", eq. 2 and section 4)::

    KL term of the ELBO = I_q(z; n) + KL(q(z) || prod_j q(z_j)) + sum_j KL(q(z_j) || p(z_j))
    L = -log p(x|z) + alpha * MI + beta * TC + gamma * dim-KL

with ``z_i ~ q(z|x_i)`` and ``log q(z_i)``, ``log q(z_ij)`` estimated from the minibatch of M
examples out of N:

* ``mws`` (minibatch weighted sampling, eq. 5): ``log q(z_i) ~ logsumexp_k log q(z_i|x_k)
  - log(N M)``;
* ``mss`` (stratified): weight ``1/N`` on the example's own posterior and ``(N-1)/(N(M-1))``
  on each other batch member, an unbiased estimate of ``q(z_i) = 1/N sum_n q(z_i|x_n)`` when
  the batch is drawn without replacement.

Both estimates come from one ``[M, M, D]`` computation with a hand-written backward pass
(:mod:`.tc_estimator`). N is ``dataset_size`` or, when unset, the number of training examples counted in the last
completed epoch (the batch size until the first epoch ends).
"""

from __future__ import annotations

import math

import torch

from sigvae.nn.compose import GaussianLatentModel
from sigvae.nn.gaussians import HALF_LOG_2PI
from sigvae.nn.model import LossOutput, reconstruction_target
from sigvae_vae.family2.params import BetaTCVAEParams
from sigvae_vae.family2.tc_estimator import batch_log_q


def log_weight_matrix(
    m: int, n: int, estimator: str, device=None, dtype=torch.float32
) -> torch.Tensor:
    """``[M, M]`` log importance weights of ``q(z_i|x_k)`` in the estimate of ``q(z_i)``."""
    if estimator == "mws" or m == 1:
        return torch.full((m, m), -math.log(n * m), device=device, dtype=dtype)
    w = torch.full((m, m), math.log(n - 1) - math.log(n * (m - 1)), device=device, dtype=dtype)
    w.fill_diagonal_(-math.log(n))
    return w


def decomposed_kl(
    z: torch.Tensor,
    mu: torch.Tensor,
    std: torch.Tensor,
    n: int,
    estimator: str = "mss",
    log_std: torch.Tensor | None = None,
) -> dict[str, torch.Tensor]:
    """Per-example ``mi``, ``tc`` and ``dim_kl`` (``[M]`` each) for codes ``z`` [M, D] drawn
    from ``N(mu, std^2)`` [M, D], under an N(0, I) prior and a data set of ``n`` examples
    (``log_std``: ``log(std)`` when the caller has it)."""
    m = z.shape[0]
    n = max(int(n), m)
    log_std = std.log() if log_std is None else log_std
    log_w = log_weight_matrix(m, n, estimator, z.device, z.dtype)
    log_qz, log_qz_marginals = batch_log_q(z, mu, log_std, log_w)
    own = ((z - mu) / std).square().mul(-0.5) - (log_std + HALF_LOG_2PI)
    log_qz_x = own.sum(-1)  # log q(z_i | x_i)
    log_pz = z.square().sum(-1).mul(-0.5) - HALF_LOG_2PI * z.shape[-1]
    return {
        "mi": log_qz_x - log_qz,
        "tc": log_qz - log_qz_marginals,
        "dim_kl": log_qz_marginals - log_pz,
    }


class BetaTCVAE(GaussianLatentModel):
    """``beta-tcvae``."""

    def __init__(self, params: BetaTCVAEParams, data_info: dict) -> None:
        super().__init__(params, data_info)
        self.register_buffer("dataset_size", torch.tensor(float(params.dataset_size or 0)))
        self._counted = 0

    def on_epoch_start(self, epoch: int, max_epochs: int) -> None:
        self._counted = 0

    def on_epoch_end(self, epoch: int, max_epochs: int) -> None:
        if self.params.dataset_size is None and self._counted:
            self.dataset_size.fill_(float(self._counted))

    def loss(self, batch: dict[str, torch.Tensor], phase: str = "main") -> LossOutput:
        x = batch["x"]
        if self.training:
            self._counted += x.shape[0]
        q = self.encode(x)
        z = q.rsample()
        log_px = self.decode(z).log_prob(reconstruction_target(batch))
        n = max(int(self.dataset_size), self._counted, x.shape[0])
        base = q.base_dist
        log_std = getattr(q, "log_scale", None)
        parts = decomposed_kl(z, base.loc, base.scale, n, self.params.estimator, log_std)
        p = self.params
        penalty = p.alpha * parts["mi"] + p.beta * parts["tc"] + p.gamma * parts["dim_kl"]
        total = -(log_px - penalty).mean()
        terms = {"recon": -log_px.mean().detach()}
        terms.update({k: v.mean().detach() for k, v in parts.items()})
        return LossOutput(total, terms)
