"""What a plugin may contribute: one hook per kind of component.

A plugin is any module registered under the ``sigvae`` entry-point group::

    [project.entry-points.sigvae]
    myplugin = "my_package.plugin"

and implementing some of the hooks below with ``@sigvae.hookimpl``. Each hook returns a list
of specs (see :mod:`sigvae.specs`). Keep the plugin module light: import torch and other heavy
libraries inside the factories, so ``sigvae --help`` stays fast.
"""

from __future__ import annotations

import pluggy

PROJECT = "sigvae"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def sigvae_models():
    """Return a list of :class:`sigvae.specs.ModelSpec`: models usable as ``model.type``."""


@hookspec
def sigvae_preprocessors():
    """Return a list of :class:`sigvae.specs.PreprocessorSpec`: steps usable in ``steps``."""


@hookspec
def sigvae_evaluators():
    """Return a list of :class:`sigvae.specs.EvaluatorSpec`: metrics usable in ``evaluate``."""


@hookspec
def sigvae_readers():
    """Return a list of :class:`sigvae.specs.ReaderSpec`: readers usable as ``data.reader``."""


@hookspec
def sigvae_writers():
    """Return a list of :class:`sigvae.specs.WriterSpec`: writers for outputs."""


@hookspec
def sigvae_commands():
    """Return a list of :class:`sigvae.specs.CommandSpec`: sub-commands of the ``sigvae`` CLI."""


HOOKS_BY_KIND = {
    "model": "sigvae_models",
    "preprocessor": "sigvae_preprocessors",
    "evaluator": "sigvae_evaluators",
    "reader": "sigvae_readers",
    "writer": "sigvae_writers",
    "command": "sigvae_commands",
}
