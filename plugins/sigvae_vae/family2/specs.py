"""Registry specs of VAE family II. Light on purpose: importing this module imports no torch;
each factory imports its model module only when a model is built.

The plugin module adds these to its ``sigvae_models`` hook: ``return [..., *FAMILY2_SPECS]``.
"""

from __future__ import annotations

from sigvae.lazy import lazy_factory
from sigvae.specs import ModelSpec
from sigvae_vae.family2 import params as p

_DENOISE = "With a 'target' in the batch (denoising mode) the reconstruction term scores it."
_NO_LL = "Deterministic encoder: elbo and log_likelihood raise UndefinedQuantity."


# (name, module, class, params, doc): the first doc line is the one-line summary.
_MODELS = [
    (
        "info-vae",
        "info_vae",
        "InfoVAE",
        p.InfoVAEParams,
        "InfoVAE / MMD-VAE (Zhao et al. 2019): KL and aggregate-posterior MMD, alpha/lambda.\n\n"
        "Loss: -log p(x|z) + (1-alpha) KL(q(z|x)||p) + (alpha+lam-1) MMD(q(z), p(z)), MMD with an "
        f"rbf or inverse-multiquadric kernel, unbiased estimate over the batch. {_DENOISE}",
    ),
    (
        "wae",
        "wae",
        "WAE",
        p.WAEParams,
        "Wasserstein autoencoder (Tolstikhin et al. 2018) with MMD or adversarial latent penalty.\n\n"
        "Loss: -log p(x|f(x)) + lam * D(q(z), p(z)); penalty=gan adds a 'disc' phase training a "
        f"code discriminator. {_NO_LL} {_DENOISE}",
    ),
    (
        "itl-ae",
        "itl_ae",
        "ITLAE",
        p.ITLAEParams,
        "ITL autoencoder (Santana et al. 2016): Cauchy-Schwarz/Euclidean divergence to a prior.\n\n"
        "Loss: -log p(x|f(x)) + lam * D(q(z), p(z)) with D from Gaussian-KDE information "
        "potentials of the batch codes and prior draws (gaussian, laplace, swiss-roll, mixture "
        f"prior). {_NO_LL} {_DENOISE}",
    ),
    (
        "aae",
        "aae",
        "AAE",
        p.AAEParams,
        "Adversarial autoencoder (Makhzani et al. 2016): a code discriminator shapes q(z).\n\n"
        "Phases: main (reconstruction + adversarial_weight * -log D(z)), disc (prior draws vs "
        "codes). Deterministic, gaussian or universal (input-noise) posterior; elbo and "
        f"log_likelihood exist for the gaussian posterior only. {_DENOISE}",
    ),
    (
        "vae-gan",
        "vae_gan",
        "VAEGAN",
        p.VAEGANParams,
        "VAE-GAN (Larsen et al. 2016): reconstruction scored in a discriminator feature layer.\n\n"
        "Phases: enc (KL + feature reconstruction), dec (gamma * feature reconstruction + GAN "
        "generator loss), disc (real vs reconstructions and prior samples). Pixel-space elbo and "
        "log_likelihood raise UndefinedQuantity.",
    ),
    (
        "cvae-gan",
        "cvae_gan",
        "CVAEGAN",
        p.CVAEGANParams,
        "CVAE-GAN (Bao et al. 2017): conditional VAE-GAN with a classifier; cond = one-hot class.\n\n"
        "Phases: enc (lambda_kl KL + lambda_g L_G), gen (lambda_g L_G + lambda_gd L_GD + lambda_gc "
        f"L_GC), disc, cls. Needs 'cond' in every batch. {_DENOISE}",
    ),
    (
        "vq-vae",
        "vq_vae",
        "VQVAE",
        p.VQVAEParams,
        "VQ-VAE (van den Oord et al. 2017): codebook, straight-through, EMA, learned code prior.\n\n"
        "Loss: -log p(x|z_q) + commitment * |z_e - sg(z_q)|^2; the codebook follows EMA updates "
        "(or a 'codebook' phase), dead codes restart each epoch, the loss reports the codebook "
        "perplexity; an autoregressive prior over the code sequence, fitted as a separate "
        "stage at each epoch end on that epoch's codes (van den Oord et al. sec. 3.2), is used by "
        f"sample(). {_DENOISE}",
    ),
    (
        "beta-tcvae",
        "tc_vae",
        "BetaTCVAE",
        p.BetaTCVAEParams,
        "beta-TCVAE (Chen et al. 2018): ELBO split into MI, total correlation and dimension KL.\n\n"
        "Loss: -log p(x|z) + alpha MI + beta TC + gamma dim-KL, log q(z) from the minibatch "
        f"(stratified or weighted sampling). {_DENOISE}",
    ),
    (
        "factor-vae",
        "factor_vae",
        "FactorVAE",
        p.FactorVAEParams,
        "FactorVAE (Kim & Mnih 2018): TC penalty from a discriminator on permuted codes.\n\n"
        "Phases: main (-ELBO + gamma * TC estimate log D/(1-D)), disc (codes vs codes with every "
        f"dimension permuted across the batch). {_DENOISE}",
    ),
    (
        "dip-vae",
        "dip_vae",
        "DIPVAE",
        p.DIPVAEParams,
        "DIP-VAE (Kumar et al. 2018): covariance of the aggregate posterior pushed to identity.\n\n"
        "Loss: -ELBO + lambda_od sum_{i!=j} Cov_ij^2 + lambda_d sum_i (Cov_ii - 1)^2 with Cov of "
        f"the posterior means (i) or of the aggregate posterior (ii). {_DENOISE}",
    ),
    (
        "mmvae",
        "mmvae",
        "MMVAE",
        p.MMVAEParams,
        "MMVAE (Shi et al. 2019): per-modality encoders/decoders, mixture-of-experts posterior.\n\n"
        "Modalities are channel groups of x [C, L]; loss: the stratified importance-weighted MoE "
        f"bound with K samples per expert; cross_generate(x, source) decodes every modality from "
        f"one. {_DENOISE}",
    ),
    (
        "vfae",
        "vfae",
        "VFAE",
        p.VFAEParams,
        "Variational fair autoencoder (Louizos et al. 2016): latent invariant to a nuisance s.\n\n"
        "cond = [s, y]: s (one-hot nuisance or a 0/1 column) conditions encoder and decoder, MMD "
        "between codes of different nuisance groups; with label_dim > 0 a semi-supervised second "
        f"latent layer over the one-hot label y (all-zero rows are unlabelled). {_DENOISE}",
    ),
]

FAMILY2_SPECS: list[ModelSpec] = [
    ModelSpec(
        name=name, factory=lazy_factory(f"sigvae_vae.family2.{module}", cls), params=schema, doc=doc
    )
    for name, module, cls, schema, doc in _MODELS
]
