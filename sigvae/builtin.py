"""The kernel's own components, registered through the ``sigvae`` entry-point group exactly
like any third-party plugin: readers and writers, domain-free steps and evaluators, and the
core CLI commands."""

from __future__ import annotations

from sigvae.hookspecs import hookimpl
from sigvae.lazy import lazy_factory as _lazy
from sigvae.specs import CommandSpec, EvaluatorSpec, NoParams, PreprocessorSpec


@hookimpl
def sigvae_readers():
    from sigvae.io.specs import READER_SPECS

    return READER_SPECS


@hookimpl
def sigvae_writers():
    from sigvae.io.specs import WRITER_SPECS

    return WRITER_SPECS


@hookimpl
def sigvae_preprocessors():
    from sigvae.preprocess.scaling import FlattenParams, StandardizeParams
    from sigvae.preprocess.tabular import FrameToArraysParams
    from sigvae.preprocess.window import WindowParams

    return [
        PreprocessorSpec(
            "window",
            _lazy("sigvae.preprocess.window", "Window"),
            WindowParams,
            "Cut each recording into equal-length windows (one record = one group).",
            takes="signals",
            returns="arrays",
        ),
        PreprocessorSpec(
            "standardize",
            _lazy("sigvae.preprocess.scaling", "Standardize"),
            StandardizeParams,
            "z-score with training-split statistics; invertible back to physical units.",
        ),
        PreprocessorSpec(
            "flatten",
            _lazy("sigvae.preprocess.scaling", "Flatten"),
            FlattenParams,
            "Flatten [channels, samples] examples into feature vectors for MLP models.",
        ),
        PreprocessorSpec(
            "frame-to-arrays",
            _lazy("sigvae.preprocess.tabular", "FrameToArrays"),
            FrameToArraysParams,
            "Use table rows as examples: chosen numeric columns as x, others as cond.",
            takes="frame",
            returns="arrays",
        ),
    ]


@hookimpl
def sigvae_evaluators():
    from sigvae.evaluators import LogLikelihoodParams

    return [
        EvaluatorSpec(
            "reconstruction",
            _lazy("sigvae.evaluators", "ReconstructionError"),
            NoParams,
            "Reconstruction MSE, RMSE and MAE in physical units.",
        ),
        EvaluatorSpec(
            "log-likelihood",
            _lazy("sigvae.evaluators", "LogLikelihood"),
            LogLikelihoodParams,
            "Importance-sampled held-out log p(x) and ELBO, nats per example.",
        ),
    ]


@hookimpl
def sigvae_commands():
    from sigvae import cli_core

    return [
        CommandSpec(
            "run",
            cli_core.run_command,
            doc="Validate and run a YAML pipeline.",
            add_arguments=cli_core.run_arguments,
        ),
        CommandSpec(
            "plugins",
            cli_core.plugins_command,
            doc="List every registered component (kind, name, plugin, summary).",
            add_arguments=cli_core.plugins_arguments,
        ),
        CommandSpec(
            "describe",
            cli_core.describe_command,
            doc="Show a component's parameters with types, defaults and docs.",
            add_arguments=cli_core.describe_arguments,
        ),
    ]
