"""sigvae: variational autoencoders for biosignals and finance.

The top-level names are imported lazily so that ``import sigvae`` and the CLI start fast:
``sigvae.load_pipeline(path)``, ``sigvae.load_model(path)``, ``sigvae.registry``,
``sigvae.Signal``, ``sigvae.Arrays``, ``sigvae.hookimpl`` and the spec classes.
"""

from __future__ import annotations

from sigvae.hookspecs import hookimpl
from sigvae.lazy import lazy_getattr

__version__ = "0.1.0"

_LAZY = {
    "registry": None,
    "io": None,
    "Signal": "sigvae.data",
    "Arrays": "sigvae.data",
    "SigvaeError": "sigvae.errors",
    "load_pipeline": "sigvae.pipeline",
    "load_model": "sigvae.training.checkpoint",
    "Params": "sigvae.specs",
    "ModelSpec": "sigvae.specs",
    "PreprocessorSpec": "sigvae.specs",
    "EvaluatorSpec": "sigvae.specs",
    "ReaderSpec": "sigvae.specs",
    "WriterSpec": "sigvae.specs",
    "CommandSpec": "sigvae.specs",
}

__all__ = ["__version__", "hookimpl", *_LAZY]

__getattr__ = lazy_getattr("sigvae", _LAZY)
