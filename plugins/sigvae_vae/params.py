"""Parameter schemas of the VAE family (pydantic only, no torch: the plugin module that
declares the specs imports this at start-up)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from sigvae.nn.params import AutoencoderParams, LikelihoodName, ScaleMode
from sigvae.specs import Params


class VAEParams(AutoencoderParams):
    """Kingma & Welling's VAE with an optional KL weight and gradient estimator."""

    beta: float = Field(
        1.0, ge=0.0, description="weight of the KL term; 1 gives the ELBO (beta-VAE for > 1)"
    )
    estimator: Literal["standard", "stl"] = Field(
        "standard",
        description="gradient estimator: standard (analytic KL) or stl (sticking the landing, "
        "Roeder et al. 2017: Monte-Carlo KL with the posterior parameters stopped in log q)",
    )


class BetaVAEParams(VAEParams):
    """beta-VAE (Higgins et al. 2017) with Burgess et al.'s (2018) capacity schedule."""

    beta: float = Field(4.0, ge=0.0, description="KL weight when no capacity is set (beta > 1)")
    capacity_max: float | None = Field(
        None,
        ge=0.0,
        description="Burgess capacity C_max in nats: when set the loss is "
        "recon + gamma * |KL - C| with C rising linearly from 0 to C_max",
    )
    capacity_epochs: int = Field(100, ge=1, description="epochs over which C grows to capacity_max")
    gamma: float = Field(100.0, gt=0.0, description="weight of |KL - C| (capacity mode only)")


class CVAEParams(VAEParams):
    """Conditional VAE (Sohn et al. 2015): encoder and decoder see ``cond``."""

    conditional_prior: bool = Field(
        False,
        description="learn p(z|cond) as a diagonal Gaussian from cond (else p(z) = N(0, I))",
    )
    prior_hidden: list[int] = Field(
        default_factory=lambda: [64],
        description="hidden widths of the conditional prior network",
    )


class IWAEParams(AutoencoderParams):
    """Importance-weighted autoencoder (Burda et al. 2016)."""

    samples: int = Field(5, ge=1, description="K, importance samples per example in the bound")
    estimator: Literal["standard", "stl", "dreg"] = Field(
        "standard",
        description="encoder gradient: standard, stl (Roeder et al. 2017; biased for K > 1) or "
        "dreg (doubly reparameterised, Tucker et al. 2019; unbiased)",
    )


class VRAlphaParams(AutoencoderParams):
    """Variational Renyi bound (Li & Turner 2016)."""

    alpha: float = Field(
        0.5, description="Renyi order: 0 gives the IWAE bound, 1 the ELBO, negative is tighter"
    )
    samples: int = Field(5, ge=1, description="K, importance samples per example in the bound")


class VRMaxParams(AutoencoderParams):
    """VR-max: the alpha -> -infinity limit of the Renyi bound (Li & Turner 2016)."""

    samples: int = Field(5, ge=1, description="K, samples per example; the best one is used")


class AR1VAEParams(VAEParams):
    """VAE whose posterior is an AR(1)-correlated Gaussian over the latent dimensions."""

    rho_max: float = Field(
        0.99, gt=0.0, lt=1.0, description="bound on |rho|, keeping the covariance well conditioned"
    )


class SVAEParams(VAEParams):
    """Hyperspherical VAE: von Mises-Fisher posterior, uniform prior on the sphere."""

    latent_dim: int = Field(
        8, ge=2, description="m: the latent lives on the unit sphere S^(m-1) in R^m"
    )
    kappa_min: float = Field(
        1.0, gt=0.0, description="smallest concentration: kappa = softplus(.) + kappa_min"
    )


class VampVAEParams(VAEParams):
    """VAE with a VampPrior: a mixture of the encoder's posteriors at learned pseudo-inputs."""

    components: int = Field(50, ge=1, description="K, the number of learned pseudo-inputs")
    pseudo_init_std: float = Field(
        1.0, gt=0.0, description="pseudo-inputs start as N(0, std^2) noise of the data's shape"
    )


class VaDEParams(AutoencoderParams):
    """VaDE: Gaussian-mixture prior in latent space, for clustering and generation."""

    clusters: int = Field(10, ge=1, description="K, the number of mixture components (clusters)")
    pretrain_steps: int = Field(
        200,
        ge=0,
        description="training steps of plain VAE loss before the mixture is initialised by "
        "k-means on a batch of codes (VaDE's pre-training)",
    )


class IAFVAEParams(VAEParams):
    """VAE whose diagonal-Gaussian posterior is refined by inverse autoregressive flow steps."""

    estimator: Literal["standard"] = Field(
        "standard", description="only standard: the flow's density is known at its own samples"
    )
    flows: int = Field(2, ge=0, description="T, the number of IAF steps (0: the plain VAE)")
    context_dim: int = Field(
        16, ge=0, description="width of the encoder context h fed to every flow step"
    )
    flow_hidden: list[int] = Field(
        default_factory=lambda: [64],
        min_length=1,
        description="hidden widths of each step's masked autoregressive network (MADE)",
    )


class DeltaVAEParams(VAEParams):
    """delta-VAE: the posterior variance is bounded so that KL >= delta by construction."""

    delta: float = Field(
        2.0, gt=0.0, description="committed rate: the smallest KL(q(z|x) || p(z)) in nats"
    )
    sigma_min: float = Field(
        1e-3, gt=0.0, lt=1.0, description="lower bound of the posterior standard deviations"
    )


class TwoStageVAEParams(VAEParams):
    """Two-stage VAE: a second VAE learns the distribution of the first one's codes."""

    learn_sigma: Literal["none", "shared", "feature", "example"] = Field(
        "shared",
        description="stage-1 decoder scale (Dai & Wipf learn it: gamma -> 0 sharpens the "
        "manifold); see AutoencoderParams",
    )
    stage2_latent_dim: int | None = Field(
        None, ge=1, description="latent size of the second VAE (default: latent_dim)"
    )
    stage2_hidden: list[int] = Field(
        default_factory=lambda: [128, 128],
        min_length=1,
        description="hidden widths of the second VAE's MLP encoder and decoder",
    )


class PixelVAEParams(VAEParams):
    """PixelVAE for 1-D signals: a causal convolutional decoder conditioned on z."""

    ar_channels: int = Field(32, ge=1, description="channels of the causal convolution stack")
    ar_layers: int = Field(
        4, ge=1, description="causal layers; dilation doubles per layer (1, 2, 4, ...)"
    )
    ar_kernel: int = Field(
        3, ge=2, description="causal kernel size; receptive field 1 + (k-1)(2^layers - 1)"
    )


class VRNNParams(Params):
    """VRNN: a latent variable per time step with a learned prior and a recurrent state."""

    latent_dim: int = Field(8, ge=1, description="latent dimensions per time step")
    hidden: int = Field(64, ge=1, description="recurrent state size and feature-network width")
    cell: Literal["gru", "lstm"] = Field("gru", description="recurrent cell")
    likelihood: LikelihoodName = Field(
        "gaussian", description="per-step p(x_t | z_t, h_{t-1}): gaussian, laplace or bernoulli"
    )
    sigma: float = Field(1.0, gt=0.0, description="fixed scale, or the initial value if learned")
    learn_sigma: ScaleMode = Field(
        "none",
        description="none, shared, feature (one per channel) or example (predicted per step)",
    )
    beta: float = Field(1.0, ge=0.0, description="weight of the summed per-step KL terms")
