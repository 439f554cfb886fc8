"""Parameter schemas of VAE family II (pydantic only, no torch: the plugin declares its specs
with these at start-up)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, PositiveInt, model_validator

from sigvae.nn.params import ArchParams, AutoencoderParams

KernelName = Literal["rbf", "imq"]
PriorName = Literal["gaussian", "laplace", "swiss-roll", "mixture"]

_KERNEL = "MMD kernel: rbf exp(-|a-b|^2/C) or imq (inverse multiquadric) C/(C+|a-b|^2)"
_SCALE = "kernel scale C; None = 2 * latent_dim (Tolstikhin et al. 2018 for a N(0, I) prior)"
_PRIOR = (
    "prior p(z): gaussian N(0, I), laplace (unit variance), swiss-roll (2-D only) or mixture "
    "(2-D only: 8 Gaussians on a circle, the adversarial-autoencoder demo)"
)
_DISC = "hidden widths of the MLP discriminator on latent codes"


def _two_d_prior(prior: str, latent_dim: int) -> None:
    if prior in ("swiss-roll", "mixture") and latent_dim != 2:
        raise ValueError(f"prior {prior!r} is 2-D: set latent_dim: 2 (got {latent_dim})")


class InfoVAEParams(AutoencoderParams):
    """InfoVAE (Zhao et al. 2019): -E log p(x|z) + (1-alpha) KL + (alpha+lam-1) MMD."""

    alpha: float = Field(
        0.0, le=1.0, description="InfoVAE alpha: the per-example KL is weighted by (1 - alpha)"
    )
    lam: float = Field(
        10.0,
        ge=0.0,
        description="InfoVAE lambda: the aggregate-posterior MMD is weighted by alpha + lam - 1 "
        "(Zhao et al. use 1000 on MNIST; the batch MMD's noise grows with it, so large values "
        "want large batches)",
    )
    kernel: KernelName = Field("rbf", description=_KERNEL)
    kernel_scale: float | None = Field(None, gt=0.0, description=_SCALE)

    @model_validator(mode="after")
    def _divergence_weight(self) -> InfoVAEParams:
        if self.alpha + self.lam - 1.0 < 0.0:
            raise ValueError("alpha + lam - 1 must be >= 0 (the MMD weight of InfoVAE)")
        return self


class WAEParams(AutoencoderParams):
    """Wasserstein autoencoder (Tolstikhin et al. 2018): deterministic encoder, latent penalty."""

    penalty: Literal["mmd", "gan"] = Field(
        "mmd", description="latent penalty: mmd (WAE-MMD) or gan (WAE-GAN, a code discriminator)"
    )
    lam: float = Field(10.0, ge=0.0, description="weight lambda of the latent penalty")
    kernel: KernelName = Field("imq", description=_KERNEL)
    kernel_scale: float | None = Field(None, gt=0.0, description=_SCALE)
    multiscale: bool = Field(
        True, description="sum the kernel over scales C * (0.1, 0.2, 0.5, 1, 2, 5, 10) (WAE code)"
    )
    prior: PriorName = Field("gaussian", description=_PRIOR)
    disc_hidden: list[PositiveInt] = Field(default_factory=lambda: [64, 64], description=_DISC)

    @model_validator(mode="after")
    def _prior_dim(self) -> WAEParams:
        _two_d_prior(self.prior, self.latent_dim)
        return self


class ITLAEParams(AutoencoderParams):
    """ITL autoencoder (Santana et al. 2016): deterministic codes, CS/ED divergence to a prior."""

    divergence: Literal["cs", "ed"] = Field(
        "cs", description="cs (Cauchy-Schwarz) or ed (Euclidean) divergence, Gaussian-KDE estimate"
    )
    prior: PriorName = Field("gaussian", description=_PRIOR)
    lam: float = Field(10.0, ge=0.0, description="weight of the divergence to the prior")
    bandwidth: float | None = Field(
        None, gt=0.0, description="KDE bandwidth; None = Silverman's rule on codes + prior samples"
    )

    @model_validator(mode="after")
    def _prior_dim(self) -> ITLAEParams:
        _two_d_prior(self.prior, self.latent_dim)
        return self


class AAEParams(AutoencoderParams):
    """Adversarial autoencoder (Makhzani et al. 2016)."""

    posterior: Literal["deterministic", "gaussian", "universal"] = Field(
        "deterministic",
        description="q(z|x): deterministic, gaussian (reparameterised) or universal "
        "(deterministic function of x and input noise)",
    )
    noise_dim: PositiveInt = Field(8, description="input-noise width of the universal posterior")
    prior: PriorName = Field("gaussian", description=_PRIOR)
    adversarial_weight: float = Field(
        1.0, ge=0.0, description="weight of the encoder's fool-the-discriminator loss"
    )
    disc_hidden: list[PositiveInt] = Field(default_factory=lambda: [64, 64], description=_DISC)

    @model_validator(mode="after")
    def _prior_dim(self) -> AAEParams:
        _two_d_prior(self.prior, self.latent_dim)
        return self


class VAEGANParams(AutoencoderParams):
    """VAE-GAN (Larsen et al. 2016): reconstruction scored in a discriminator feature layer."""

    gamma: float = Field(
        1.0,
        ge=0.0,
        description="weight of the feature reconstruction against the GAN loss "
        "in the decoder update (Larsen et al.'s gamma)",
    )
    discriminator: ArchParams | None = Field(
        None,
        description="discriminator blocks (its last hidden layer is Dis_l); None = the "
        "encoder's blocks",
    )
    pixel_weight: float = Field(
        0.0,
        ge=0.0,
        description="weight of an extra pixel-space -log p(x|z) in the encoder and "
        "decoder losses (0 = the paper's feature-only reconstruction)",
    )


class CVAEGANParams(AutoencoderParams):
    """CVAE-GAN (Bao et al. 2017): conditional VAE-GAN with a classifier; cond = one-hot class."""

    lambda_kl: float = Field(3.0, ge=0.0, description="lambda_1: weight of the KL term")
    lambda_g: float = Field(
        1.0,
        ge=0.0,
        description="lambda_2: weight of the pairwise reconstruction + feature-matching loss L_G",
    )
    lambda_gd: float = Field(
        1e-3,
        ge=0.0,
        description="lambda_3: mean feature matching to "
        "the discriminator on generated samples (L_GD)",
    )
    lambda_gc: float = Field(
        1e-3,
        ge=0.0,
        description="lambda_4: per-class mean feature matching to the classifier (L_GC)",
    )
    discriminator: ArchParams | None = Field(
        None, description="discriminator blocks; None = the encoder's blocks"
    )
    classifier: ArchParams | None = Field(
        None, description="classifier blocks; None = the encoder's blocks"
    )


class VQVAEParams(AutoencoderParams):
    """VQ-VAE (van den Oord et al. 2017): latent_dim is the width of one code vector."""

    latent_dim: PositiveInt = Field(8, description="width of one code vector")
    tokens: PositiveInt = Field(8, description="length of the code sequence per example")
    codebook_size: PositiveInt = Field(64, description="K, number of code vectors")
    commitment: float = Field(0.25, ge=0.0, description="beta, weight of the commitment loss")
    ema: bool = Field(
        True, description="update the codebook by exponential moving averages (else by a loss)"
    )
    ema_decay: float = Field(0.99, gt=0.0, lt=1.0, description="gamma, EMA decay")
    ema_eps: float = Field(1e-5, gt=0.0, description="Laplace smoothing of the EMA cluster sizes")
    restart_below: float = Field(
        1.0,
        ge=0.0,
        description="codes used fewer times than this in an epoch are restarted "
        "at recent encoder outputs (0 = never)",
    )
    prior: Literal["autoregressive", "uniform"] = Field(
        "autoregressive",
        description="prior over codes for sampling: autoregressive (a masked autoencoder, MADE, "
        "over the code sequence, trained on detached codes) or uniform",
    )
    prior_hidden: PositiveInt = Field(
        64,
        description="hidden units of the autoregressive prior",
    )


class BetaTCVAEParams(AutoencoderParams):
    """beta-TCVAE (Chen et al. 2018): ELBO split into index-code MI, TC and dimension-wise KL."""

    alpha: float = Field(1.0, ge=0.0, description="weight of the index-code mutual information")
    beta: float = Field(6.0, ge=0.0, description="weight of the total correlation")
    gamma: float = Field(1.0, ge=0.0, description="weight of the dimension-wise KL")
    estimator: Literal["mss", "mws"] = Field(
        "mss", description="log q(z) estimator: minibatch stratified (mss) or weighted (mws)"
    )
    dataset_size: PositiveInt | None = Field(
        None, description="N, training-set size; None = counted during the first epoch"
    )


class FactorVAEParams(AutoencoderParams):
    """FactorVAE (Kim & Mnih 2018): TC penalised through a discriminator on permuted codes."""

    gamma: float = Field(10.0, ge=0.0, description="weight of the total-correlation estimate")
    disc_hidden: list[PositiveInt] = Field(default_factory=lambda: [128, 128], description=_DISC)


class DIPVAEParams(AutoencoderParams):
    """DIP-VAE (Kumar et al. 2018): match the covariance of the aggregate posterior to I."""

    variant: Literal["i", "ii"] = Field(
        "i", description="i: covariance of the posterior means; ii: of the aggregate posterior"
    )
    lambda_od: float = Field(10.0, ge=0.0, description="weight of the off-diagonal penalty")
    lambda_d: float | None = Field(
        None,
        ge=0.0,
        description="weight of the diagonal penalty; None = 10 * lambda_od for "
        "variant i, lambda_od for variant ii (the paper's settings)",
    )


class MMVAEParams(AutoencoderParams):
    """MMVAE (Shi et al. 2019): one encoder/decoder per modality, mixture-of-experts posterior."""

    modalities: list[list[int]] | None = Field(
        None, description="channel indices of each modality in x [C, L]; None = one per channel"
    )
    samples: PositiveInt = Field(4, description="K, importance samples per expert")


class VFAEParams(AutoencoderParams):
    """Variational fair autoencoder (Louizos et al. 2016); cond = [nuisance s, label y]."""

    label_dim: int = Field(
        0,
        ge=0,
        description="trailing cond columns holding a one-hot label y (all zeros = "
        "unlabelled); 0 = no label and no second latent layer",
    )
    latent2_dim: PositiveInt = Field(4, description="width of the second latent layer z2")
    aux_hidden: list[PositiveInt] = Field(
        default_factory=lambda: [64], description="hidden widths of q(z2|z1,y), p(z1|z2,y), q(y|z1)"
    )
    mmd_weight: float = Field(
        100.0,
        ge=0.0,
        description="beta: weight of the MMD between codes of different nuisance groups",
    )
    classifier_weight: float = Field(
        1.0, ge=0.0, description="alpha: weight of -log q(y|z1) on labelled examples"
    )
    kernel: KernelName = Field("rbf", description=_KERNEL)
    kernel_scale: float | None = Field(None, gt=0.0, description=_SCALE)
