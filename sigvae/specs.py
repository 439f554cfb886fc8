"""Specs: what a plugin hands the registry for each component it contributes.

A spec is cheap to create: it names the component, points at a factory that builds it (the
factory imports heavy libraries such as torch lazily), and carries a pydantic ``params`` class
that validates the component's parameters with ``extra="forbid"``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict


class Params(BaseModel):
    """Base for every component's parameter schema: unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", validate_default=True)


class NoParams(Params):
    """For components that take no parameters."""


@dataclass(frozen=True)
class ComponentSpec:
    """A named component. ``factory(params, **extra)`` builds it from validated ``params``."""

    name: str
    factory: Callable[..., Any]
    params: type[Params] = NoParams
    doc: str = ""
    plugin: str = field(default="", compare=False)
    kind: ClassVar[str] = "component"

    @property
    def summary(self) -> str:
        """The first line of the doc, for listings."""
        return (self.doc or "").strip().splitlines()[0] if self.doc.strip() else ""


@dataclass(frozen=True)
class ModelSpec(ComponentSpec):
    """A model. ``factory(params, data_info)`` returns a :class:`sigvae.nn.Model`.

    ``data_info`` describes the training data: ``{"x_shape": [...], "cond_dim": int | None,
    "has_target": bool}``; it is saved with the checkpoint so the model can be rebuilt."""

    kind: ClassVar[str] = "model"


@dataclass(frozen=True)
class PreprocessorSpec(ComponentSpec):
    """A preprocessor. ``factory(params)`` returns an object with ``fit(data)``,
    ``transform(data)`` and, where it exists, ``inverse_transform(data)``.
    ``takes`` and ``returns`` are data kinds: ``"signals"``, ``"frame"`` or ``"arrays"``."""

    takes: str = "arrays"
    returns: str = "arrays"
    kind: ClassVar[str] = "preprocessor"


@dataclass(frozen=True)
class EvaluatorSpec(ComponentSpec):
    """An evaluator. ``factory(params)`` returns an object with
    ``evaluate(reference, estimate, **context) -> dict[str, float]``."""

    kind: ClassVar[str] = "evaluator"


@dataclass(frozen=True)
class ReaderSpec(ComponentSpec):
    """A data reader. ``factory(params)`` returns an object whose ``read()`` returns data of
    kind ``returns``. Readers of ``"signals"`` name each Signal after its record so that splits
    can be made by record."""

    returns: str = "signals"
    kind: ClassVar[str] = "reader"


@dataclass(frozen=True)
class WriterSpec(ComponentSpec):
    """A data writer. ``factory(params)`` returns an object with ``write(data, path)``."""

    takes: str = "signals"
    kind: ClassVar[str] = "writer"


@dataclass(frozen=True)
class CommandSpec(ComponentSpec):
    """A CLI sub-command. ``add_arguments(parser)`` declares its arguments (argparse);
    ``factory(args) -> int`` runs it and returns the exit code. Import heavy modules inside
    ``factory``, never at module level, so ``sigvae --help`` stays fast."""

    add_arguments: Callable[[Any], None] = field(default=lambda parser: None, compare=False)
    kind: ClassVar[str] = "command"


SPEC_KINDS: dict[str, type[ComponentSpec]] = {
    cls.kind: cls
    for cls in (ModelSpec, PreprocessorSpec, EvaluatorSpec, ReaderSpec, WriterSpec, CommandSpec)
}
