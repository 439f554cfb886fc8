"""The pipeline file's schema. Every section forbids unknown keys; component parameters are
validated afterwards by each component's own schema (see :mod:`sigvae.pipeline.check`)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SourceSection(Section):
    reader: str = Field(description="registered reader name, e.g. wfdb, edf, table")
    params: dict[str, Any] = Field(default_factory=dict, description="the reader's parameters")


class SplitSection(Section):
    """Held-out groups (records, subjects, dates): listed by name, or a fraction of the groups
    drawn with ``seed``. Splits are made by group before any windowing."""

    val: list[str] | float = Field(default=0.0, description="validation groups or fraction")
    test: list[str] | float = Field(default=0.0, description="test groups or fraction")
    seed: int = Field(default=0, description="seed for drawing fractional splits")

    @field_validator("val", "test")
    @classmethod
    def _fraction_range(cls, value: list[str] | float) -> list[str] | float:
        if isinstance(value, float) and not 0.0 <= value < 1.0:
            raise ValueError("a split fraction must be in [0, 1)")
        return value


class StepSection(Section):
    preprocess: str = Field(description="registered preprocessor name")
    params: dict[str, Any] = Field(default_factory=dict)


class ModelSection(Section):
    type: str = Field(description="registered model name, e.g. vae")
    params: dict[str, Any] = Field(default_factory=dict)


class EvaluatorSection(Section):
    type: str = Field(description="registered evaluator name")
    params: dict[str, Any] = Field(default_factory=dict)


class OutputsSection(Section):
    dir: str = Field(
        default="runs/{name}", description="run directory; {name} is the pipeline name"
    )
    plots: bool = Field(default=True, description="write training curves and evaluator plots")


class PipelineConfig(Section):
    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", description="pipeline name")
    seed: int = 0
    device: str = Field(default="auto", pattern=r"^(auto|cpu|cuda(:\d+)?)$")
    precision: Literal["fp32", "bf16", "fp16"] = "fp32"
    data: list[SourceSection] = Field(min_length=1)
    split: SplitSection = Field(default_factory=SplitSection)
    steps: list[StepSection] = Field(default_factory=list)
    model: ModelSection
    train: dict[str, Any] = Field(default_factory=dict, description="Trainer settings")
    evaluate: list[EvaluatorSection] = Field(default_factory=list)
    outputs: OutputsSection = Field(default_factory=OutputsSection)
