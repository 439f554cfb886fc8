"""Registers the volatility-surface components with sigvae (light: no torch or scipy here)."""

from __future__ import annotations

from sigvae.hookspecs import hookimpl
from sigvae.lazy import lazy_factory
from sigvae.specs import CommandSpec, EvaluatorSpec, ModelSpec, PreprocessorSpec, ReaderSpec
from sigvae_volsurf import params as p


def _lazy(module: str, attr: str):
    """A factory that imports ``sigvae_volsurf.<module>`` only when the component is built."""
    return lazy_factory(f"sigvae_volsurf.{module}", attr)


@hookimpl
def sigvae_readers():
    return [
        ReaderSpec(
            "volsurf-simulated",
            _lazy("readers", "SimulatedSurfacesReader"),
            p.SimulatedReaderParams,
            p.SimulatedReaderParams.__doc__,
            returns="frame",
        ),
        ReaderSpec(
            "volsurf-quotes",
            _lazy("readers", "QuotesReader"),
            p.QuotesReaderParams,
            p.QuotesReaderParams.__doc__,
            returns="frame",
        ),
    ]


@hookimpl
def sigvae_preprocessors():
    return [
        PreprocessorSpec(
            "volsurf-grid",
            _lazy("surface_table", "GridPreprocessor"),
            p.GridStepParams,
            p.GridStepParams.__doc__,
            takes="frame",
            returns="arrays",
        ),
    ]


@hookimpl
def sigvae_models():
    return [
        ModelSpec(
            "volsurf-grid",
            _lazy("models.grid_vae", "GridVAE"),
            p.VolSurfModelParams,
            "VAE on the flattened vol-surface grid (Bergeron et al. 2021, grid approach).",
        ),
        ModelSpec(
            "volsurf-pointwise",
            _lazy("models.pointwise_vae", "PointwiseVAE"),
            p.PointwiseModelParams,
            "Grid encoder, decoder (z, tau, delta) -> vol: evaluates surfaces anywhere.",
        ),
    ]


@hookimpl
def sigvae_evaluators():
    return [
        EvaluatorSpec(
            "volsurf-completion-mae",
            _lazy("evaluators", "CompletionEvaluator"),
            p.CompletionMaeParams,
            p.CompletionMaeParams.__doc__,
        ),
        EvaluatorSpec(
            "volsurf-arbitrage",
            _lazy("evaluators", "ArbitrageEvaluator"),
            p.ArbitrageEvalParams,
            p.ArbitrageEvalParams.__doc__,
        ),
    ]


@hookimpl
def sigvae_commands():
    from sigvae_volsurf import commands

    return [
        CommandSpec(
            "volsurf-complete",
            commands.complete_command,
            doc=commands.COMPLETE_DOC,
            add_arguments=commands.complete_arguments,
        ),
        CommandSpec(
            "volsurf-generate",
            commands.generate_command,
            doc=commands.GENERATE_DOC,
            add_arguments=commands.generate_arguments,
        ),
    ]
