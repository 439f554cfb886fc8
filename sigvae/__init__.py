"""sigvae: variational autoencoders for biosignals and finance.

The top-level names are imported lazily so that ``import sigvae`` and the CLI start fast:
``sigvae.load_pipeline(path)``, ``sigvae.load_model(path)``, ``sigvae.registry``,
``sigvae.Signal``, ``sigvae.Arrays``, ``sigvae.hookimpl`` and the spec classes.
"""

from __future__ import annotations

import importlib
from typing import Any

from sigvae.hookspecs import hookimpl

__version__ = "0.1.0"

_LAZY = {
    "registry": ("sigvae.registry", None),
    "io": ("sigvae.io", None),
    "Signal": ("sigvae.data", "Signal"),
    "Arrays": ("sigvae.data", "Arrays"),
    "SigvaeError": ("sigvae.errors", "SigvaeError"),
    "load_pipeline": ("sigvae.pipeline", "load_pipeline"),
    "load_model": ("sigvae.training.checkpoint", "load_model"),
    "Params": ("sigvae.specs", "Params"),
    "ModelSpec": ("sigvae.specs", "ModelSpec"),
    "PreprocessorSpec": ("sigvae.specs", "PreprocessorSpec"),
    "EvaluatorSpec": ("sigvae.specs", "EvaluatorSpec"),
    "ReaderSpec": ("sigvae.specs", "ReaderSpec"),
    "WriterSpec": ("sigvae.specs", "WriterSpec"),
    "CommandSpec": ("sigvae.specs", "CommandSpec"),
}

__all__ = ["__version__", "hookimpl", *_LAZY]


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'sigvae' has no attribute {name!r}")
    module_name, attr = _LAZY[name]
    module = importlib.import_module(module_name)
    value = module if attr is None else getattr(module, attr)
    globals()[name] = value
    return value
