"""Validate a whole pipeline before any work: the schema, every component name, every
component's parameters (by its own schema), and the chain of data kinds from the reader
through the steps to the model."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from sigvae import registry as reg
from sigvae.errors import ConfigError, RegistryError
from sigvae.pipeline.schema import PipelineConfig
from sigvae.pipeline.yamlsrc import PipelineSource
from sigvae.specs import ComponentSpec, Params

MODEL_INPUT_KIND = "arrays"


@dataclass
class ResolvedPipeline:
    """A validated pipeline: the config plus each component's spec and validated params."""

    config: PipelineConfig
    source: PipelineSource
    readers: list[tuple[ComponentSpec, Params]]
    steps: list[tuple[ComponentSpec, Params]]
    model: tuple[ComponentSpec, Params]
    evaluators: list[tuple[ComponentSpec, Params]]
    train: Params
    notes: list[str] = field(default_factory=list)


def _fail(source: PipelineSource, key_path: tuple, message: str) -> ConfigError:
    dotted = ".".join(map(str, key_path))
    return ConfigError(f"{source.line_of(key_path)}: {dotted}: {message}", path=source.path)


def _validation_failure(source: PipelineSource, prefix: tuple, exc: ValidationError):
    # A typo shows up both as an unknown key and as a missing one: name the typo first.
    err = sorted(exc.errors(), key=lambda e: e["type"] != "extra_forbidden")[0]
    loc = prefix + tuple(err["loc"])
    msg = "unknown key" if err["type"] == "extra_forbidden" else err["msg"]
    more = len(exc.errors()) - 1
    suffix = f" (and {more} more problem{'s' * (more > 1)})" if more else ""
    return _fail(source, loc, msg + suffix)


def _component(source, kind: str, name: str, params: dict, key: tuple):
    try:
        spec = reg.get(kind, name)
    except RegistryError as exc:
        raise _fail(source, key, str(exc)) from None
    try:
        return spec, spec.params.model_validate(params)
    except ValidationError as exc:
        raise _validation_failure(source, key[:-1] + ("params",), exc) from None


def normalise(data: dict) -> dict:
    """Accept a single data source as well as a list of them."""
    if isinstance(data.get("data"), dict):
        data = {**data, "data": [data["data"]]}
    return data


def resolve(source: PipelineSource) -> ResolvedPipeline:
    """Validate everything in ``source``; raise one :class:`ConfigError` naming the line."""
    try:
        config = PipelineConfig.model_validate(normalise(source.data))
    except ValidationError as exc:
        raise _validation_failure(source, (), exc) from None

    readers = [
        _component(source, "reader", s.reader, s.params, ("data", i, "reader"))
        for i, s in enumerate(config.data)
    ]
    kinds = {spec.returns for spec, _ in readers}
    if len(kinds) > 1:
        raise _fail(source, ("data",), f"sources return different data kinds {sorted(kinds)}")
    kind = kinds.pop()
    steps = []
    for i, step in enumerate(config.steps):
        spec, params = _component(
            source, "preprocessor", step.preprocess, step.params, ("steps", i, "preprocess")
        )
        if spec.takes != kind:
            raise _fail(
                source,
                ("steps", i, "preprocess"),
                f"{spec.name!r} takes {spec.takes!r} data but receives {kind!r}",
            )
        kind = spec.returns
        steps.append((spec, params))
    if kind != MODEL_INPUT_KIND:
        raise _fail(
            source,
            ("steps",) if config.steps else ("data",),
            f"the model needs {MODEL_INPUT_KIND!r} data but the chain ends with {kind!r};"
            " add a step such as 'window' or 'frame-to-arrays'",
        )
    model = _component(source, "model", config.model.type, config.model.params, ("model", "type"))
    evaluators = [
        _component(source, "evaluator", e.type, e.params, ("evaluate", i, "type"))
        for i, e in enumerate(config.evaluate)
    ]
    return ResolvedPipeline(
        config, source, readers, steps, model, evaluators, _train_config(source, config)
    )


def _train_config(source: PipelineSource, config: PipelineConfig) -> Params:
    from sigvae.training import TrainConfig

    merged: dict[str, Any] = {
        "seed": config.seed,
        "device": config.device,
        "precision": config.precision,
        **config.train,
    }
    try:
        return TrainConfig.model_validate(merged)
    except ValidationError as exc:
        raise _validation_failure(source, ("train",), exc) from None
