"""Parameter schemas shared by every model plugin (no torch import, so plugin modules that
declare their specs with these stay light).

Architecture is a parameter, not a new model: an "LSTM-VAE" is the ``vae`` model with
``encoder: {arch: lstm}``. A model's own params class inherits :class:`AutoencoderParams` and
adds what is specific to it (``beta``, ``samples``, ...).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, PositiveInt, field_validator

from sigvae.specs import Params

Activation = Literal["relu", "gelu", "silu", "tanh", "elu", "leaky_relu"]
LikelihoodName = Literal["gaussian", "bernoulli", "laplace"]
ScaleMode = Literal["none", "shared", "feature", "example"]


class ArchParams(Params):
    """One encoder or decoder: which block family and its sizes."""

    arch: Literal["mlp", "conv1d", "lstm", "gru"] = Field(
        "mlp",
        description="block family: mlp (flattened input), conv1d (strided convolutions over "
        "[C, L]), lstm or gru (recurrent over time)",
    )
    hidden: list[PositiveInt] = Field(
        default_factory=lambda: [256, 128],
        min_length=1,
        description="layer widths (mlp units, conv1d channels, recurrent state sizes), "
        "input side first; conv1d halves (stride) the length once per entry",
    )
    kernel_size: PositiveInt = Field(5, description="conv1d kernel size (odd)")
    stride: PositiveInt = Field(2, description="conv1d down/up-sampling factor per layer")
    upsample: Literal["transpose", "linear"] = Field(
        "transpose",
        description="conv1d decoder upsampling: transposed convolution, or linear "
        "interpolation followed by a convolution (no checkerboard artefacts)",
    )
    activation: Activation = Field("gelu", description="non-linearity between layers")
    dropout: float = Field(0.0, ge=0.0, lt=1.0, description="dropout after each hidden layer")
    norm: Literal["none", "batch", "layer"] = Field(
        "none", description="normalisation after each hidden layer"
    )
    bidirectional: bool = Field(True, description="lstm/gru encoder reads both directions")

    @field_validator("kernel_size")
    @classmethod
    def _odd_kernel(cls, value: int) -> int:
        if value % 2 == 0:
            raise ValueError("kernel_size must be odd so that 'same' padding is symmetric")
        return value

    def block_kwargs(self) -> dict:
        """Everything but ``arch``, as keyword arguments for the block builders."""
        return self.model_dump(exclude={"arch"})

    def mirrored(self) -> ArchParams:
        """The same block family with the widths reversed: the default decoder of an encoder."""
        return self.model_copy(update={"hidden": list(reversed(self.hidden))})


class AutoencoderParams(Params):
    """What every encoder-decoder latent model needs: latent size, blocks and likelihood."""

    latent_dim: PositiveInt = Field(16, description="number of latent dimensions")
    encoder: ArchParams = Field(
        default_factory=ArchParams, description="encoder blocks (see ArchParams)"
    )
    decoder: ArchParams | None = Field(
        None, description="decoder blocks; default: the encoder's family with widths reversed"
    )
    likelihood: LikelihoodName = Field(
        "gaussian",
        description="p(x|z): gaussian, laplace, or bernoulli (decoder outputs logits; "
        "the mean is their sigmoid, applied explicitly)",
    )
    sigma: float = Field(
        1.0, gt=0.0, description="gaussian std / laplace scale, or its initial value if learned"
    )
    learn_sigma: ScaleMode = Field(
        "none",
        description="learn the gaussian/laplace scale: none (fixed sigma), shared (one "
        "scalar), feature (one per feature), example (predicted by the decoder per example "
        "and feature); true means feature",
    )

    @field_validator("learn_sigma", mode="before")
    @classmethod
    def _bool_scale(cls, value: object) -> object:
        if isinstance(value, bool):
            return "feature" if value else "none"
        return value

    def decoder_arch(self) -> ArchParams:
        return self.decoder if self.decoder is not None else self.encoder.mirrored()
