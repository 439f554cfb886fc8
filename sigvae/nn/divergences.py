"""KL divergences between posteriors and priors, per example and summed over latent dims.

Analytic forms for diagonal Gaussians (Kingma & Welling 2014, appendix B):

* ``KL(N(m, s^2) || N(0, 1)) = 1/2 * sum(m^2 + s^2 - 1 - log s^2)``
* ``KL(N(m1, s1^2) || N(m2, s2^2)) = sum(log(s2/s1) + (s1^2 + (m1 - m2)^2) / (2 s2^2) - 1/2)``

and a Monte-Carlo estimate ``E_q[log q(z) - log p(z)]`` for any pair with ``log_prob``.
"""

from __future__ import annotations

import torch
from torch.distributions import Distribution, Independent, Normal

from sigvae.nn.gaussians import DiagonalNormal


def _normal(d: Distribution) -> Normal:
    base = d.base_dist if isinstance(d, Independent) else d
    if not isinstance(base, Normal):
        raise TypeError(f"expected a (diagonal) Normal distribution, got {type(base).__name__}")
    return base


def _sum_event(values: torch.Tensor, d: Distribution) -> torch.Tensor:
    """Sum the per-dimension KL over the event dims of ``d`` (1 per latent axis)."""
    event_dims = d.reinterpreted_batch_ndims if isinstance(d, Independent) else 0
    return values.sum(dim=tuple(range(-event_dims, 0))) if event_dims else values


def kl_diag_gaussian_standard(q: Distribution) -> torch.Tensor:
    """``KL(q || N(0, I))`` for a diagonal Gaussian ``q``."""
    n = _normal(q)
    var = n.scale.square()
    # a posterior built from a log-variance carries log(std): no log of var needed
    log_var = 2.0 * q.log_scale if isinstance(q, DiagonalNormal) else var.log()
    return _sum_event(0.5 * (n.loc.square() + var - 1.0 - log_var), q)


def kl_diag_gaussians(q: Distribution, p: Distribution) -> torch.Tensor:
    """``KL(q || p)`` for two diagonal Gaussians (``p`` broadcasts against ``q``)."""
    nq, np_ = _normal(q), _normal(p)
    ratio = (nq.scale / np_.scale).pow(2)
    gap = ((nq.loc - np_.loc) / np_.scale).pow(2)
    return _sum_event(0.5 * (ratio + gap - 1.0 - ratio.log()), q)


def kl_monte_carlo(
    q: Distribution, p: Distribution, samples: int = 1, z: torch.Tensor | None = None
) -> torch.Tensor:
    """``mean_k [log q(z_k) - log p(z_k)]`` with ``z_k ~ q`` (reparameterised when possible),
    or at the given samples ``z`` of shape ``[K, B, ...]``."""
    if z is None:
        z = q.rsample((samples,)) if q.has_rsample else q.sample((samples,))
    return (q.log_prob(z) - p.log_prob(z)).mean(dim=0)


def kl_divergence(q: Distribution, p: Distribution, samples: int = 1) -> torch.Tensor:
    """Analytic KL when torch knows the pair, else the Monte-Carlo estimate."""
    try:
        return torch.distributions.kl_divergence(q, p)
    except NotImplementedError:
        return kl_monte_carlo(q, p, samples)
