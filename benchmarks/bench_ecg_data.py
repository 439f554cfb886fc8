"""Data for the ECG benchmark scripts, prepared exactly as ``pipelines/ecg_denoise.yaml`` does.

``pipeline_splits()`` runs the pipeline's readers, split and steps (the runner's own functions)
and returns the train/val/test Arrays; ``clean_test_records()`` gives the test records as
clean Signals at 360 Hz (band-passed as the training targets) for whole-record benchmarks.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PIPELINE = ROOT / "pipelines" / "ecg_denoise.yaml"
SHARED = (ROOT / ".." / "shared" / "data").resolve()


def require_data() -> None:
    if not (SHARED / "ecg" / "mitdb").is_dir():
        sys.exit(f"real data not found at {SHARED}; the ECG benchmarks need ../shared/data")


def pipeline_splits(overrides: tuple[str, ...] = ()):
    """``({"train", "val", "test"}: Arrays, resolved pipeline)`` as the runner would make them."""
    import sigvae
    from sigvae.pipeline.runner import apply_steps, read_sources
    from sigvae.pipeline.split import split_data

    pipeline = sigvae.load_pipeline(PIPELINE, overrides)
    resolved = pipeline.resolved
    cfg = resolved.config
    data = read_sources(resolved)
    splits = split_data(data, cfg.split.val, cfg.split.test, cfg.split.seed)
    apply_steps(resolved, splits)
    return splits, resolved


def clean_test_records(fs: float = 360.0):
    """The pipeline's test records as clean Signals at ``fs`` with the training band-pass,
    keeping MIT-BIH ``.atr`` annotations (rescaled to ``fs``)."""
    from sigvae_ecg.filters import BandpassStep, ResampleStep
    from sigvae_ecg.params import BandpassParams, ResampleParams

    import sigvae
    from sigvae.pipeline.runner import read_sources

    pipeline = sigvae.load_pipeline(PIPELINE, ["data.0.params.annotations=[atr]"])
    resolved = pipeline.resolved
    test = set(resolved.config.split.test)
    signals = [s for s in read_sources(resolved) if s.name in test]
    bp_params = next(p for spec, p in resolved.steps if spec.name == "ecg-bandpass")
    signals = ResampleStep(ResampleParams(fs=fs)).transform(signals)
    return BandpassStep(BandpassParams(**bp_params.model_dump())).transform(signals)
