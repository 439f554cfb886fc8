"""The minibatch estimates of log q(z) and log prod_j q(z_j) of beta-TCVAE as one fused
computation over the ``[M, M, D]`` pairwise Gaussian log-densities, with a hand-written
backward pass.

Forward (Chen et al. 2018, eq. 5 and the stratified variant), with ``u_ikd = (z_id - mu_kd) /
s_kd`` and ``P_ikd = -u_ikd^2 / 2 - log s_kd - log(2 pi) / 2 = log q(z_id | x_k)``::

    log q(z_i)          = logsumexp_k (w_ik + sum_d P_ikd)
    log prod_d q(z_id)  = sum_d logsumexp_k (w_ik + P_ikd)

Backward: with upstream gradients ``g_J`` and ``g_M`` ([M] each), ``A = softmax_k(w + sum_d P)``
and ``S_ikd = softmax_k(w_ik + P_ikd)``, ``dL/dP_ikd = G_ikd = g_J[i] A_ik + g_M[i] S_ikd`` and
by the chain rule through ``u``: ``dz_id = -sum_k G u r``, ``dmu_kd = r_kd sum_i G u``,
``dlog s_kd = sum_i G (u^2 - 1)`` (``r = 1/s``). Autograd would keep and revisit about twice
as many ``[M, M, D]`` intermediates; the result is the same (checked by gradcheck in the tests).
Timed alone at the family benchmark's size (M = 128, D = 16; forward and backward; old and new
alternating), this layout took about 13 % less time than an ``[i, k, d]`` one.
"""

from __future__ import annotations

import torch

from sigvae.nn.gaussians import HALF_LOG_2PI


class _PairwiseLogQ(torch.autograd.Function):
    """The ``[M, M, D]`` tensors are laid out ``[i, d, k]``: the sum over ``k`` of every
    per-dimension log-sum-exp then runs over contiguous memory (a max over the middle axis of
    an ``[i, k, d]`` layout took 20 times longer than over the last), and the weighted sum over
    ``k`` is one matrix-vector product per example."""

    @staticmethod
    def forward(ctx, z, mu, log_std, log_w):
        inv_t = torch.exp(-log_std).t().contiguous()  # r_dk = 1 / s_kd
        u = (z[:, :, None] - mu.t()[None]).mul_(inv_t)  # u_idk
        bias = (-(log_std + HALF_LOG_2PI)).t().contiguous()  # [D, M]
        pairwise = torch.addcmul(bias, u, u, value=-0.5)  # P_idk
        scores = log_w + pairwise.sum(1)  # [M, M]
        log_qz = torch.logsumexp(scores, dim=1)
        attention = torch.exp(scores - log_qz[:, None])  # A = softmax_k
        # per-dimension logsumexp over k, the weights applied after the exponential
        top = pairwise.amax(dim=2, keepdim=True)  # [M, D, 1]
        scaled = pairwise.sub_(top).exp_()  # exp(P - max), in place of P
        weights = log_w.exp()  # [M, M]
        mass = torch.bmm(scaled, weights[:, :, None])  # [M, D, 1]
        log_marginals = mass.log() + top
        # S = w * exp(P - max) / mass, normalised over k
        soft = scaled.mul_(weights[:, None, :]).div_(mass)
        ctx.save_for_backward(u, soft, attention, inv_t)
        return log_qz, log_marginals.sum((1, 2))

    @staticmethod
    def backward(ctx, grad_qz, grad_marginals):
        u, soft, attention, inv_t = ctx.saved_tensors
        # G = g_J A + g_M S (new tensors: saved ones stay intact for a repeated backward)
        grad_p = torch.addcmul(
            (grad_qz[:, None] * attention)[:, None, :], soft, grad_marginals[:, None, None]
        )
        grad_ls = -grad_p.sum(0)  # the -1 of dP/dlog s, [D, M]
        gu = grad_p.mul_(u)  # G u, in place of G
        grad_mu = gu.sum(0) * inv_t
        grad_ls = grad_ls + (gu * u).sum(0)
        grad_z = -gu.mul_(inv_t).sum(2)  # [M, D]
        return grad_z, grad_mu.t(), grad_ls.t(), None


def batch_log_q(
    z: torch.Tensor, mu: torch.Tensor, log_std: torch.Tensor, log_w: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """``(log q(z_i), log prod_d q(z_id))`` per example, ``[M]`` each, for codes ``z`` [M, D]
    of the diagonal Gaussians ``N(mu, exp(log_std)^2)`` [M, D] with the ``[M, M]`` log
    importance weights ``log_w``. Computed in fp32 at least (outside autocast), as the
    log-sum-exps of small densities need it."""
    dtype = torch.promote_types(z.dtype, torch.float32)
    with torch.autocast(z.device.type, enabled=False):
        args = (t.to(dtype) for t in (z, mu, log_std, log_w))
        return _PairwiseLogQ.apply(*args)
