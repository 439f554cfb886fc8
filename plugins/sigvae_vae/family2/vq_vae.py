"""VQ-VAE (van den Oord, Vinyals & Kavukcuoglu 2017, eq. 3)::

    L = -log p(x | z_q) + ||sg(z_e) - e||^2 + beta ||z_e - sg(e)||^2

The encoder output is read as a sequence of ``tokens`` vectors z_e of width ``latent_dim``;
each is replaced by its nearest code e (z_q); the decoder sees ``z_e + sg(z_q - z_e)``, the
straight-through estimator, so the reconstruction gradient reaches the encoder unchanged.

Phases (each steps only its own parameters): ``main`` (encoder, decoder: reconstruction +
commitment; in EMA mode the codebook follows the EMA update of :mod:`.codebook` here, in
training mode only) and ``codebook`` (without EMA: the codebook loss ||sg(z_e) - e||^2), both
from one encoder pass (the Trainer's joint step routes each loss into its own group). The
autoregressive code prior is a separate stage, as in the paper (sec. 3.2): it is fitted by
maximum likelihood on the detached code sequences each epoch produced, at the end of that
epoch (:class:`.code_prior.DeferredPriorFit`: its own Adam, at the Trainer's learning rate),
so the VQ-VAE's steps do not pay for it; ``prior_fit.seconds`` is its time. Dead codes restart
at the end of every epoch. The loss reports the batch's codebook ``perplexity`` and ``codes_used``.

With the one-hot posterior q(k|x) and code prior p(k), ``KL = -log p(k)``, so
``elbo = log p(x|z_q) + log p(k)`` (``-T log K`` for the uniform prior); q is deterministic, so
the importance-sampled ``log_likelihood`` equals it (a lower bound on log p(x)).
"""

from __future__ import annotations

import torch
from torch.distributions import Distribution

from sigvae.nn.compose import build_autoencoder
from sigvae.nn.gaussians import squared_distance
from sigvae.nn.model import LossOutput, Model, UndefinedQuantity, reconstruction_target
from sigvae.training import sum_over_ranks_
from sigvae_vae.family2.base import PointMass
from sigvae_vae.family2.code_prior import (
    AutoregressiveCodePrior,
    DeferredPriorFit,
    UniformCodePrior,
)
from sigvae_vae.family2.codebook import Codebook, counts_perplexity
from sigvae_vae.family2.params import VQVAEParams

PRIOR_LR = 1e-3  # code-prior step size outside the Trainer (which passes its own rate)


class VQVAE(Model):
    """``vq-vae``."""

    joint_phases = True

    def __init__(self, params: VQVAEParams, data_info: dict) -> None:
        super().__init__(data_info)
        self.params = params
        self.tokens, self.code_dim = params.tokens, params.latent_dim
        width = params.tokens * params.latent_dim
        self.latent_shape = (width,)
        parts = build_autoencoder(params, self.data_info, encoder_out=width, decoder_in=width)
        self.encoder, self.decoder, self.likelihood = parts.encoder, parts.decoder, parts.likelihood
        self.codebook = Codebook(
            params.codebook_size, params.latent_dim, params.ema, params.ema_decay, params.ema_eps
        )
        if params.prior == "autoregressive":
            self.code_prior = AutoregressiveCodePrior(
                params.codebook_size, params.prior_hidden, params.tokens
            )
            # trained only by its own stage: frozen for the Trainer (and DDP) in between
            self.code_prior.requires_grad_(False)
            self.prior_fit = DeferredPriorFit(self.code_prior)
        else:
            self.code_prior = UniformCodePrior(params.codebook_size)
            self.prior_fit = None

    # --- quantisation ------------------------------------------------------------------------
    def encoder_outputs(self, x: torch.Tensor) -> torch.Tensor:
        """z_e as ``[B, tokens, latent_dim]``."""
        return self.encoder(x).reshape(x.shape[0], self.tokens, self.code_dim)

    def quantize(self, z_e: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Nearest codes ``(z_q [B, T, D], indices [B, T])``."""
        flat = z_e.reshape(-1, self.code_dim)
        indices = self.codebook.nearest(flat.detach())
        z_q = self.codebook.lookup(indices).reshape(z_e.shape)
        return z_q, indices.reshape(z_e.shape[:2])

    @torch.no_grad()
    def code_indices(self, x: torch.Tensor) -> torch.Tensor:
        """The code sequence of each example, ``[B, tokens]``."""
        return self.quantize(self.encoder_outputs(x))[1]

    # --- the model contract ------------------------------------------------------------------
    def encode(self, x: torch.Tensor, cond: torch.Tensor | None = None) -> Distribution:
        """The one-hot posterior as its quantised vectors, flattened ``[B, T * D]``."""
        return PointMass(self.quantize(self.encoder_outputs(x))[0].flatten(1))

    def decode(self, z: torch.Tensor, cond: torch.Tensor | None = None) -> Distribution:
        return self.likelihood(self.decoder(z))

    def prior(self, cond: torch.Tensor | None = None) -> Distribution:
        raise UndefinedQuantity(
            "the vq-vae prior is over code indices: use sample() or code_prior.log_prob(codes)"
        )

    def optimizer_groups(self) -> dict[str, list]:
        own = {id(p) for p in self.codebook.parameters()} | {
            id(p) for p in self.code_prior.parameters()
        }
        groups = {"main": [p for p in self.parameters() if id(p) not in own]}
        if not self.params.ema:
            groups["codebook"] = list(self.codebook.parameters())
        return groups

    def joint_loss(self, batch: dict[str, torch.Tensor]) -> dict[str, LossOutput]:
        return self._losses(batch, update=True)

    def _losses(self, batch: dict[str, torch.Tensor], update: bool) -> dict[str, LossOutput]:
        """Every phase's loss; ``update``: this call moves the codebook (EMA, usage counts),
        which must happen once per training step."""
        z_e = self.encoder_outputs(batch["x"])
        z_q, indices = self.quantize(z_e)
        flat = indices.flatten()
        # float once: the EMA, the usage counts and the perplexity all read it
        counts = torch.bincount(flat, minlength=self.params.codebook_size).float()
        if self.training and update:
            sum_over_ranks_(counts)  # under torchrun: the codebook learns from every rank
            outputs = z_e.detach().reshape(-1, self.code_dim)
            if self.params.ema:
                self.codebook.ema_update(outputs, flat, counts)
            self.codebook.record(outputs, flat, counts)
            if self.prior_fit is not None:
                self.prior_fit.collect(indices)
        z_st = z_e + (z_q - z_e).detach()  # straight-through
        recon = -self.decode(z_st.flatten(1)).log_prob(reconstruction_target(batch)).mean()
        # |z_e - sg(z_q)|^2 per example as one autograd node (sigvae.nn.gaussians)
        commitment = squared_distance(z_q.detach(), z_e, 2).mean()
        terms = {
            "recon": recon.detach(),
            "commitment": commitment.detach(),
            "perplexity": counts_perplexity(counts),
            "codes_used": torch.count_nonzero(counts).float(),
        }
        out = {"main": LossOutput(recon + self.params.commitment * commitment, terms)}
        if not self.params.ema:
            out["codebook"] = LossOutput(squared_distance(z_e.detach(), z_q, 2).mean(), {})
        return out

    def loss(self, batch: dict[str, torch.Tensor], phase: str = "main") -> LossOutput:
        return self._losses(batch, update=phase == "main")[phase]

    def training_state(self) -> dict:
        """The code prior's optimizer state, so a resumed run continues the prior stage
        exactly (training checkpoints only; exported weights do not carry it)."""
        return {} if self.prior_fit is None else {"prior_fit": self.prior_fit.state_dict()}

    def load_training_state(self, state: dict) -> None:
        if self.prior_fit is not None:
            self.prior_fit.load_state_dict(state.get("prior_fit") or {})

    def on_epoch_end(self, epoch: int, max_epochs: int) -> None:
        if self.prior_fit is not None:
            self.prior_fit.fit(PRIOR_LR if self.epoch_lr is None else self.epoch_lr)
        if self.params.restart_below > 0 and epoch < max_epochs - 1:
            self.codebook.restart_dead(self.params.restart_below)
        else:
            self.codebook.usage.zero_()

    # --- the uniform API ---------------------------------------------------------------------
    def elbo(self, x, cond=None, target=None) -> torch.Tensor:
        z_q, indices = self.quantize(self.encoder_outputs(x))
        log_px = self.decode(z_q.flatten(1)).log_prob(x if target is None else target)
        return log_px + self.code_prior.log_prob(indices)

    @torch.no_grad()
    def log_likelihood(self, x, cond=None, samples: int = 100, chunk: int = 64) -> torch.Tensor:
        return self.elbo(x)

    @torch.no_grad()
    def sample(self, n: int, cond: torch.Tensor | None = None) -> torch.Tensor:
        device = self.codebook.embedding.device
        codes = self.code_prior.sample(n, self.tokens, device)
        return self.decode(self.codebook.lookup(codes).flatten(1)).mean
