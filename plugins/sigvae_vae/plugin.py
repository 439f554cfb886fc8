"""Registers the VAE family with sigvae. Light on purpose: no torch at import time; each
factory imports its model module only when a model is actually built."""

from __future__ import annotations

from sigvae import hookimpl
from sigvae.lazy import lazy_factory
from sigvae.specs import ModelSpec
from sigvae_vae import params as p
from sigvae_vae.family2.specs import FAMILY2_SPECS

_NO_COND = "cond in the batch is ignored."
_DENOISE = "With a 'target' in the batch (denoising mode) the reconstruction term scores it."


# (name, module, class, params, doc): the first doc line is the one-line summary.
FAMILY_ONE = [
    (
        "vae",
        "vae",
        "VAE",
        p.VAEParams,
        "Variational autoencoder (Kingma & Welling 2014): any blocks, beta-weighted KL, STL.\n\n"
        "Loss: -E_q[log p(x|z)] + beta * KL(q(z|x) || N(0, I)), summed over features and "
        f"latent dims, averaged over the batch. {_DENOISE} {_NO_COND}",
    ),
    (
        "beta-vae",
        "beta_vae",
        "BetaVAE",
        p.BetaVAEParams,
        "beta-VAE (Higgins et al. 2017) with Burgess et al.'s (2018) KL capacity schedule.\n\n"
        "Without capacity_max: -log p(x|z) + beta * KL. With it: -log p(x|z) + gamma * "
        f"|KL - C|, C rising linearly to capacity_max over capacity_epochs. {_DENOISE}",
    ),
    (
        "cvae",
        "cvae",
        "CVAE",
        p.CVAEParams,
        "Conditional VAE (Sohn et al. 2015): encoder, decoder and optionally the prior see cond.\n\n"
        "Needs 'cond' in every batch (one-hot labels or continuous covariates); sample(n, cond) "
        f"draws one signal per row of cond. {_DENOISE}",
    ),
    (
        "iwae",
        "iwae",
        "IWAE",
        p.IWAEParams,
        "Importance-weighted autoencoder (Burda et al. 2016), standard/STL/DReG gradients.\n\n"
        f"Loss: -log mean_k p(x, z_k) / q(z_k|x) with K = samples. {_DENOISE} {_NO_COND}",
    ),
    (
        "vr-alpha",
        "vr_alpha",
        "VRAlpha",
        p.VRAlphaParams,
        "Variational Renyi bound (Li & Turner 2016): alpha = 0 is IWAE, alpha -> 1 the ELBO.\n\n"
        f"Loss: -1/(1-alpha) log mean_k w_k^(1-alpha). {_DENOISE} {_NO_COND}",
    ),
    (
        "vr-max",
        "vr_alpha",
        "VRMax",
        p.VRMaxParams,
        "VR-max (Li & Turner 2016): the Renyi bound at alpha -> -infinity, max_k log w_k.\n\n"
        f"Only the sample with the largest weight is back-propagated. {_DENOISE} {_NO_COND}",
    ),
    (
        "ar1-vae",
        "ar1_vae",
        "AR1VAE",
        p.AR1VAEParams,
        "VAE with an AR(1)-Gaussian posterior: covariance s^2 rho^|i-j| over the latent dims.\n\n"
        "Closed-form KL with det = s^(2d) (1 - rho^2)^(d - 1); sampling through the closed-form "
        f"Cholesky factor. {_DENOISE} {_NO_COND}",
    ),
    (
        "s-vae",
        "s_vae",
        "SVAE",
        p.SVAEParams,
        "Hyperspherical VAE (Davidson et al. 2018): von Mises-Fisher posterior, uniform prior.\n\n"
        "Reparameterised rejection sampler (Wood 1994); KL with log-space Bessel functions; "
        f"embed returns the unit mean direction. {_DENOISE} {_NO_COND}",
    ),
    (
        "vamp-vae",
        "vamp_vae",
        "VampVAE",
        p.VampVAEParams,
        "VampPrior VAE (Tomczak & Welling 2018): prior = mixture of posteriors at pseudo-inputs.\n\n"
        "p(z) = 1/K sum_k q(z | u_k) with K learned pseudo-inputs u_k; single-sample Monte-Carlo "
        f"KL. {_DENOISE} {_NO_COND}",
    ),
    (
        "vade",
        "vade",
        "VaDE",
        p.VaDEParams,
        "VaDE (Jiang et al. 2017): Gaussian-mixture prior in latent space; exposes clusters.\n\n"
        "cluster(x) and cluster_probs(x) give the assignments; sample(n) draws from the mixture; "
        f"log_likelihood uses the marginal mixture prior. {_DENOISE} {_NO_COND}",
    ),
    (
        "iaf-vae",
        "iaf_vae",
        "IAFVAE",
        p.IAFVAEParams,
        "VAE with an inverse autoregressive flow posterior (Kingma et al. 2016).\n\n"
        "T gated IAF steps (MADE networks with an encoder context) refine a diagonal Gaussian; "
        f"the KL is the single-sample log q(z|x) - log p(z). {_DENOISE} {_NO_COND}",
    ),
    (
        "delta-vae",
        "delta_vae",
        "DeltaVAE",
        p.DeltaVAEParams,
        "delta-VAE (Razavi et al. 2019): bounded posterior variance so KL >= delta (no collapse).\n\n"
        "Each posterior std lies in [sigma_min, sigma_max] with 1/2 (sigma_max^2 - 1 - log "
        f"sigma_max^2) = delta / latent_dim; the realised rate is logged. {_DENOISE} {_NO_COND}",
    ),
    (
        "two-stage-vae",
        "two_stage_vae",
        "TwoStageVAE",
        p.TwoStageVAEParams,
        "Two-stage VAE (Dai & Wipf 2019): a second VAE on the first one's codes, for sampling.\n\n"
        "Two optimizer groups (main, stage2) trained together by the one Trainer; sample(n) "
        "draws u ~ N(0, I) -> z -> x through both decoders; elbo and log_likelihood are stage "
        f"1's. {_DENOISE} {_NO_COND}",
    ),
    (
        "pixel-vae",
        "pixel_vae",
        "PixelVAE",
        p.PixelVAEParams,
        "PixelVAE for 1-D signals: a causal dilated-convolution decoder conditioned on z.\n\n"
        "p(x|z) = prod_t p(x_t | x_<t, z); log_prob is teacher-forced, reconstruct and sample "
        f"generate step by step (slow for long signals). {_DENOISE} {_NO_COND}",
    ),
    (
        "vrnn",
        "vrnn",
        "VRNN",
        p.VRNNParams,
        "VRNN (Chung et al. 2015): a latent per time step, learned prior p(z_t | h_{t-1}).\n\n"
        "Sequence ELBO = sum over time of log p(x_t | z_t, h_{t-1}) - KL(q_t || p_t); "
        "encode/decode/prior are undefined (sequential posterior); embed gives [B, latent_dim, "
        f"L]. {_DENOISE} {_NO_COND}",
    ),
]


@hookimpl
def sigvae_models() -> list[ModelSpec]:
    family_one = [
        ModelSpec(
            name=name, factory=lazy_factory(f"sigvae_vae.{module}", cls), params=schema, doc=doc
        )
        for name, module, cls, schema, doc in FAMILY_ONE
    ]
    return family_one + list(FAMILY2_SPECS)
