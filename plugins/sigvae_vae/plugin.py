"""Registers the VAE family with sigvae. Light on purpose: no torch at import time; each
factory imports its model module when a model is actually built."""

from __future__ import annotations

from sigvae import hookimpl
from sigvae.specs import ModelSpec
from sigvae_vae import params as p


def _build_vae(params: p.VAEParams, data_info: dict):
    from sigvae_vae.vae import VAE

    return VAE(params, data_info)


@hookimpl
def sigvae_models() -> list[ModelSpec]:
    return [
        ModelSpec(
            name="vae",
            factory=_build_vae,
            params=p.VAEParams,
            doc="Variational autoencoder (Kingma & Welling 2014) with any encoder/decoder "
            "architecture, a beta-weighted KL and an optional STL gradient estimator.\n\n"
            "Loss: -E_q[log p(x|z)] + beta * KL(q(z|x) || N(0, I)), summed over features and "
            "latent dims, averaged over the batch. With a 'target' in the batch (denoising "
            "mode) the reconstruction term scores the clean target.",
        ),
    ]
