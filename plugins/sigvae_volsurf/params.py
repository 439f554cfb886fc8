"""Parameter schemas of the plugin's components (pydantic only: importing this stays cheap)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, PositiveInt, field_validator

from sigvae.errors import SigvaeError
from sigvae.specs import Params
from sigvae_volsurf.grid import DEFAULT_DELTAS, DEFAULT_TENORS, Grid

SurfaceModel = Literal["heston", "bates", "sabr", "ssvi"]
Convention = Literal["forward", "spot", "forward-pa", "spot-pa"]


class GridParams(Params):
    """A surface grid: tenors by forward unadjusted call deltas."""

    tenors: list[str] = Field(
        default_factory=lambda: list(DEFAULT_TENORS), description="tenor strings, increasing"
    )
    deltas: list[float] = Field(
        default_factory=lambda: list(DEFAULT_DELTAS),
        description="forward call deltas in (0, 1), increasing",
    )

    @field_validator("deltas")
    @classmethod
    def _valid_grid(cls, deltas, info):
        try:
            Grid(tuple(info.data.get("tenors") or DEFAULT_TENORS), tuple(deltas))
        except SigvaeError as exc:
            raise ValueError(str(exc)) from None
        return deltas

    def grid(self) -> Grid:
        return Grid(tuple(self.tenors), tuple(self.deltas))


class SimulatedReaderParams(GridParams):
    """Simulate arbitrage-free implied-vol surfaces (Heston, Bates, SABR, SSVI) on the grid.

    Returns a long table (one row per grid point) with a ``group`` column naming each surface,
    so that the pipeline splits by surface."""

    n_per_model: PositiveInt = Field(500, description="surfaces kept per generator")
    models: list[SurfaceModel] = Field(
        default_factory=lambda: ["heston", "bates", "sabr", "ssvi"], min_length=1
    )
    seed: int = Field(0, ge=0, description="seed of the parameter draws")
    equity_share: float = Field(0.3, ge=0.0, le=1.0, description="share of equity-like draws")
    fx_box: Literal["standard", "wide"] = Field(
        "standard",
        description="FX parameter ranges: standard, or wide (steeper, more persistent risk "
        "reversals; sigvae_volsurf.simulation_params.WIDE_FX)",
    )
    time_change_share: float = Field(
        0.0,
        ge=0.0,
        le=1.0,
        description="share of draws whose maturities run on a changed clock, for ATM term "
        "structures that keep rising or falling to the longest tenor "
        "(sigvae_volsurf.simulation_params.time_changed)",
    )


class QuotesReaderParams(Params):
    """Read your own implied-vol quotes (long CSV or Parquet), checked and normalised.

    Columns: date, tau or tenor, one of delta / strike+forward / log_moneyness / k_over_f, iv;
    optionally convention and foreign_rate (see the plugin README)."""

    path: str = Field(description="CSV or Parquet file, relative to the pipeline file")
    convention: Convention = Field(
        "forward", description="delta convention when the file has no 'convention' column"
    )


class GridStepParams(GridParams):
    """Long table of quotes -> one flattened grid surface per group (date / surface id).
    Grid points without a quote are masked out of the loss (Arrays.mask)."""

    drop_off_grid: bool = Field(False, description="ignore quotes off the grid instead of failing")
    complete_only: bool = Field(False, description="keep only surfaces quoted at every point")


class VolSurfModelParams(GridParams):
    """Shared by the grid and pointwise VAEs. Vols are modelled as log-vols; the decoder's
    output activation is ``exp`` (positive vols by construction)."""

    latent_dim: PositiveInt = Field(6, description="latent dimensions")
    hidden: list[PositiveInt] = Field(
        default_factory=lambda: [64, 64, 64], min_length=1, description="encoder widths"
    )
    decoder_hidden: list[PositiveInt] | None = Field(
        None, description="decoder widths (default: the encoder's, reversed)"
    )
    activation: Literal["gelu", "silu", "tanh", "elu"] = Field(
        "silu", description="smooth activations keep surfaces smooth in tau and delta"
    )
    beta: float = Field(1.0, ge=0.0, description="weight of the KL term")
    noise_bp: float = Field(
        10.0, gt=0.0, description="std of the Gaussian likelihood, in vol basis points"
    )
    log_vol_centre: float = Field(-1.9, description="log-vol subtracted before the encoder")
    log_vol_scale: float = Field(0.5, gt=0.0, description="log-vol spread used for scaling")
    latent_bank: int = Field(
        4096, ge=0, description="training latents remembered for KDE generation (0 = none)"
    )
    amortised_start: bool = Field(
        False,
        description="also train a network mapping a randomly masked grid to the full "
        "surface's latent; completion starts from its guess",
    )


class PointwiseModelParams(VolSurfModelParams):
    """The pointwise VAE: decoder maps (z, tau, delta) to one vol."""

    decoder_style: Literal["film", "concat"] = Field(
        "film",
        description="film: z scales and shifts every hidden layer of an MLP over the "
        "coordinates; concat: one MLP on [z, coordinates]",
    )
    arbitrage_penalty: float = Field(
        0.0,
        ge=0.0,
        description="weight of the soft static-arbitrage penalty (Durrleman g and calendar "
        "slope at random collocation points of surfaces decoded from jittered training "
        "latents and prior draws); 0 = off",
    )
    collocation_points: PositiveInt = Field(16, description="penalty points per surface")
    penalty_surfaces: PositiveInt = Field(64, description="latents penalised per step")


class CompletionMaeParams(Params):
    """Complete held-out surfaces from random subsets of their points and score the rest."""

    observed: list[PositiveInt] = Field(
        default_factory=lambda: [5, 10, 20], description="observed-set sizes"
    )
    seed: int = Field(0, ge=0, description="seed of the observed subsets")
    method: Literal["levenberg-marquardt", "lbfgs"] = Field(
        "levenberg-marquardt", description="latent optimiser of the completion"
    )
    starts: PositiveInt | None = Field(
        None, description="optimiser starts per surface (default: the method's)"
    )
    prior_weight: float = Field(
        1.0, gt=0.0, description="weight of the latent prior in the completion objective"
    )


class ArbitrageEvalParams(GridParams):
    """Static-arbitrage violation rates of reconstructed (estimate) surfaces (on the model's
    grid, or on this grid when no model is given)."""

    butterfly_tol: float = Field(1e-6, ge=0.0)
    calendar_tol: float = Field(1e-6, ge=0.0)
