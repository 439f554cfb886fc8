"""Variational fair autoencoder (Louizos, Swersky, Li, Welling & Zemel 2016, "The variational
fair autoencoder", ICLR; eqs. 3-5 and 9).

``cond = [s, y]``: the nuisance ``s`` (one-hot groups, or one 0/1 column) and, when
``label_dim > 0``, a one-hot label ``y`` (an all-zero label row marks an unlabelled example).

Generative model: ``z2 ~ N(0, I)``, ``z1 ~ p(z1|z2, y)``, ``x ~ p(x|z1, s)``; inference
``q(z1|x, s)``, ``q(z2|z1, y)``, ``q(y|z1)``. Because the decoder is told s, the latent z1 need
not carry it, and an MMD penalty between the codes of different nuisance groups removes what is
left (mean over the pairs of groups present in the batch). Bound on labelled examples::

    log p(x|z1,s) + log p(z1|z2,y) + log p(z2) + log p(y) - log q(z1|x,s) - log q(z2|z1,y)

on unlabelled ones the expectation over ``q(y|z1)`` of the same plus its entropy (Kingma et al.
2014's M2 construction). Loss: ``-bound + alpha * -log q(y|z1) [labelled] + beta * MMD``.
Without a label (``label_dim = 0``) the model is a VAE with an N(0, I) prior on z1 and the MMD.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch.distributions import Distribution, Independent, Normal

from sigvae.errors import ConfigError
from sigvae.nn.blocks import build_decoder, build_encoder
from sigvae.nn.compose import x_shape_of
from sigvae.nn.divergences import kl_diag_gaussian_standard
from sigvae.nn.likelihoods import build_likelihood
from sigvae.nn.model import LossOutput, Model, UndefinedQuantity, reconstruction_target
from sigvae.nn.posteriors import diagonal_gaussian_head
from sigvae_vae.family2.base import batch_mmd
from sigvae_vae.family2.params import VFAEParams


def nuisance_groups(s: torch.Tensor) -> torch.Tensor:
    """Group index of each row: ``argmax`` of one-hot columns, or ``s > 0.5`` for one column."""
    s = s.reshape(s.shape[0], -1)
    return (s[:, 0] > 0.5).long() if s.shape[1] == 1 else s.argmax(dim=1)


def group_mmd(z: torch.Tensor, groups: torch.Tensor, kernel: str, scale) -> torch.Tensor:
    """Mean unbiased MMD^2 over the pairs of groups with at least two codes each."""
    present = [g for g in torch.unique(groups).tolist() if int((groups == g).sum()) >= 2]
    pairs = [(a, b) for i, a in enumerate(present) for b in present[i + 1 :]]
    if not pairs:
        return z.new_zeros(())
    values = [batch_mmd(z[groups == a], z[groups == b], kernel, scale) for a, b in pairs]
    return torch.stack(values).mean()


class VFAE(Model):
    """``vfae``."""

    def __init__(self, params: VFAEParams, data_info: dict) -> None:
        super().__init__(data_info)
        self.params = params
        self.latent_dim = params.latent_dim
        self.latent_shape = (params.latent_dim,)
        cond_dim = int(self.data_info.get("cond_dim") or 0)
        self.label_dim = params.label_dim
        self.s_dim = cond_dim - params.label_dim
        if self.s_dim < 1:
            raise ConfigError(
                f"vfae needs cond = [nuisance s, label y]: cond_dim {cond_dim} leaves no nuisance "
                f"columns after label_dim {params.label_dim}"
            )
        x_shape = x_shape_of(self.data_info)
        enc, dec = params.encoder, params.decoder_arch()
        d1, d2, y = params.latent_dim, params.latent2_dim, params.label_dim
        self.likelihood = build_likelihood(
            params.likelihood, x_shape, params.sigma, params.learn_sigma
        )
        self.encoder = build_encoder(
            enc.arch, x_shape, 2 * d1, cond_dim=self.s_dim, **enc.block_kwargs()
        )
        self.decoder = build_decoder(
            dec.arch,
            d1 + self.s_dim,
            x_shape,
            self.likelihood.out_channels_factor,
            **dec.block_kwargs(),
        )
        if y:
            aux = {"hidden": params.aux_hidden, "activation": enc.activation}
            self.encoder2 = build_encoder("mlp", (d1,), 2 * d2, cond_dim=y, **aux)
            self.prior1 = build_encoder("mlp", (d2,), 2 * d1, cond_dim=y, **aux)
            self.classifier = build_encoder("mlp", (d1,), y, **aux)

    def _split(self, cond: torch.Tensor | None) -> tuple[torch.Tensor, torch.Tensor | None]:
        if cond is None:
            raise ConfigError("vfae needs cond = [nuisance s, label y] in every call")
        cond = cond.reshape(cond.shape[0], -1)
        return cond[:, : self.s_dim], (cond[:, self.s_dim :] if self.label_dim else None)

    def encode(self, x: torch.Tensor, cond: torch.Tensor | None = None) -> Distribution:
        """``q(z1 | x, s)``: the fair representation."""
        s, _ = self._split(cond)
        return diagonal_gaussian_head(self.encoder(x, s))

    def decode(self, z: torch.Tensor, cond: torch.Tensor | None = None) -> Distribution:
        s, _ = self._split(cond)
        return self.likelihood(self.decoder(torch.cat([z, s.to(z.dtype)], dim=-1)))

    def prior(self, cond: torch.Tensor | None = None) -> Distribution:
        if self.label_dim:
            raise UndefinedQuantity("with a label the prior of z1 is a continuous mixture")
        like = next(self.parameters())
        rows = (cond.shape[0],) if cond is not None else ()
        zeros = torch.zeros(*rows, self.latent_dim, device=like.device, dtype=like.dtype)
        return Independent(Normal(zeros, torch.ones_like(zeros)), 1)

    def _label_bounds(self, z1: torch.Tensor, log_q1: torch.Tensor) -> torch.Tensor:
        """``[Y, B]``: the z1/z2/y part of the bound for every possible label."""
        eye = torch.eye(self.label_dim, device=z1.device, dtype=z1.dtype)
        rows = []
        for k in range(self.label_dim):
            y = eye[k].expand(z1.shape[0], -1)
            q2 = diagonal_gaussian_head(self.encoder2(z1, y))
            z2 = q2.rsample()
            p1 = diagonal_gaussian_head(self.prior1(z2, y))
            log_p2 = Normal(0.0, 1.0).log_prob(z2).sum(-1)
            rows.append(p1.log_prob(z1) + log_p2 - q2.log_prob(z2) - log_q1)
        return torch.stack(rows) - math.log(self.label_dim)  # log p(y), uniform

    def _bound(self, x, cond, target) -> tuple[torch.Tensor, ...]:
        """Per-example bound, log p(x|z1,s), classifier loss [B] (0 where unlabelled), z1, s."""
        s, y = self._split(cond)
        q1 = self.encode(x, cond)
        z1 = q1.rsample()
        log_px = self.decode(z1, cond).log_prob(target)
        if not self.label_dim:
            bound = log_px - kl_diag_gaussian_standard(q1)
            return bound, log_px, torch.zeros_like(log_px), z1, s
        per_label = self._label_bounds(z1, q1.log_prob(z1))  # [Y, B]
        logits = self.classifier(z1)
        labelled = y.sum(dim=1) > 0
        true = y.argmax(dim=1)
        probs = F.softmax(logits, dim=1)
        entropy = -(probs * F.log_softmax(logits, dim=1)).sum(dim=1)
        unlabelled = (probs.T * per_label).sum(0) + entropy
        known = per_label.gather(0, true[None]).squeeze(0)
        bound = log_px + torch.where(labelled, known, unlabelled)
        ce = F.cross_entropy(logits, true, reduction="none") * labelled.to(logits.dtype)
        return bound, log_px, ce, z1, s

    def loss(self, batch: dict[str, torch.Tensor], phase: str = "main") -> LossOutput:
        target = reconstruction_target(batch)
        bound, log_px, ce, z1, s = self._bound(batch["x"], batch.get("cond"), target)
        p = self.params
        mmd = group_mmd(z1, nuisance_groups(s), p.kernel, p.kernel_scale)
        total = -bound.mean() + p.classifier_weight * ce.mean() + p.mmd_weight * mmd
        terms = {
            "recon": -log_px.mean().detach(),
            "bound": bound.mean().detach(),
            "mmd": mmd.detach(),
        }
        if self.label_dim:
            terms["classifier"] = ce.mean().detach()
        return LossOutput(total, terms)

    def elbo(self, x, cond=None, target=None) -> torch.Tensor:
        return self._bound(x, cond, x if target is None else target)[0]

    def log_likelihood(self, x, cond=None, samples: int = 100, chunk: int = 64) -> torch.Tensor:
        if self.label_dim:
            raise UndefinedQuantity(
                "vfae with a label: log p(x|s) needs z2 integrated out; use elbo()"
            )
        return super().log_likelihood(x, cond, samples, chunk)

    @torch.no_grad()
    def sample(self, n: int, cond: torch.Tensor | None = None) -> torch.Tensor:
        """One draw per row of ``cond`` (required: the decoder needs s); unlabelled rows get
        a uniformly drawn label."""
        s, y = self._split(cond)
        like = next(self.parameters())
        if not self.label_dim:
            z1 = torch.randn(s.shape[0], self.latent_dim, device=like.device, dtype=like.dtype)
        else:
            missing = y.sum(dim=1) <= 0
            drawn = F.one_hot(torch.randint(0, self.label_dim, (s.shape[0],)), self.label_dim)
            y = torch.where(missing[:, None], drawn.to(y), y)
            z2 = torch.randn(
                s.shape[0], self.params.latent2_dim, device=like.device, dtype=like.dtype
            )
            z1 = diagonal_gaussian_head(self.prior1(z2, y)).sample()
        return self.decode(z1, cond).mean
