"""YAML pipelines: ``load_pipeline(path, overrides)`` validates a file completely before any
work; ``Pipeline.run()`` executes it and returns the metrics and the run directory."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from sigvae.pipeline.check import ResolvedPipeline, resolve
from sigvae.pipeline.yamlsrc import PipelineSource


class Pipeline:
    """A validated pipeline, ready to run."""

    def __init__(self, resolved: ResolvedPipeline) -> None:
        self.resolved = resolved

    @property
    def config(self):
        return self.resolved.config

    def run(self, overwrite: bool = False):
        """Run it; returns a :class:`sigvae.pipeline.runner.RunResult`."""
        from sigvae.pipeline.runner import run_pipeline

        return run_pipeline(self.resolved, overwrite=overwrite)


def load_pipeline(path: str | Path, overrides: Iterable[str] = ()) -> Pipeline:
    """Read and validate the pipeline at ``path`` with ``key.path=value`` overrides applied."""
    source = PipelineSource.from_file(path)
    for assignment in overrides:
        source.apply_override(assignment)
    return Pipeline(resolve(source))


__all__ = ["Pipeline", "load_pipeline"]
