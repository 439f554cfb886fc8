"""Run a validated pipeline: read, split by group, fit the steps on train, train the model
with the one Trainer, evaluate on the held-out split, and write the run directory."""

from __future__ import annotations

import json
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from sigvae.data import Arrays
from sigvae.errors import ConfigError, DataError
from sigvae.io.atomic import atomic_write_text
from sigvae.pipeline.check import ResolvedPipeline
from sigvae.pipeline.split import SPLITS, is_empty, split_data

OWN_FILES = (
    "config.yaml",
    "metrics.json",
    "metrics.csv",
    "best.pt",
    "last.pt",
    "training_curves.png",
)


@dataclass
class RunResult:
    """What a run produced: its metrics (as in ``metrics.json``) and its directory."""

    metrics: dict[str, Any]
    run_dir: Path
    history: list[dict] = field(default_factory=list)


def is_main_process() -> bool:
    """Rank 0 under torchrun (or a plain process): the only one that writes or talks."""
    return int(os.environ.get("RANK", "0")) == 0


def say(message: str) -> None:
    if is_main_process():
        print(f"[sigvae] {message}", file=sys.stderr, flush=True)


def prepare_run_dir(resolved: ResolvedPipeline, overwrite: bool, resume: bool) -> Path:
    """The run directory; an existing non-empty one is refused unless overwriting or resuming.
    Overwriting replaces only the files a run writes; nothing else in the folder is touched."""
    cfg = resolved.config
    run_dir = Path(cfg.outputs.dir.format(name=cfg.name))
    if run_dir.exists() and not run_dir.is_dir():
        raise ConfigError("the run directory path exists and is not a directory", path=run_dir)
    if not is_main_process():
        return run_dir
    if run_dir.is_dir() and any(run_dir.iterdir()) and not (overwrite or resume):
        raise ConfigError(
            "run directory already exists; pass --overwrite to replace its run "
            "files, resume with --set train.resume=true, or set outputs.dir",
            path=run_dir,
        )
    if resume and not (run_dir / "last.pt").is_file():
        raise ConfigError(
            "train.resume is set but there is no last.pt to resume from", path=run_dir
        )
    run_dir.mkdir(parents=True, exist_ok=True)
    return run_dir


def read_sources(resolved: ResolvedPipeline):
    """Every source's data, concatenated (signals as one list, frames as one table)."""
    base_dir = resolved.source.path.parent if resolved.source.path else Path.cwd()
    parts = [spec.factory(params, base_dir=base_dir).read() for spec, params in resolved.readers]
    if isinstance(parts[0], list):
        data = [s for part in parts for s in part]
        names = [s.name for s in data]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise DataError(
                f"two sources give records with the same name {dupes[:5]}; "
                "records are split by name, so names must be unique"
            )
        return data
    import pandas as pd

    return pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]


def apply_steps(resolved: ResolvedPipeline, splits: dict[str, Any]):
    """Fit every step on the training split and transform all splits; return the fitted
    steps so that model outputs can be mapped back to physical units."""
    fitted = []
    for spec, params in resolved.steps:
        step = spec.factory(params)
        if hasattr(step, "fit"):
            step.fit(splits["train"])
        for name in SPLITS:
            if splits[name] is not None:
                splits[name] = step.transform(splits[name])
        fitted.append((spec, step))
        if is_empty(splits["train"]):
            raise DataError(f"no training examples left after step {spec.name!r}")
    return fitted


def data_info(arrays: Arrays) -> dict[str, Any]:
    return {
        "x_shape": list(arrays.x.shape[1:]),
        "cond_dim": None if arrays.cond is None else int(np.prod(arrays.cond.shape[1:])),
        "has_target": arrays.target is not None,
    }


def run_pipeline(resolved: ResolvedPipeline, overwrite: bool = False) -> RunResult:
    from sigvae import registry
    from sigvae.pipeline.evaluation import evaluate, to_physical
    from sigvae.training import Trainer
    from sigvae.training.checkpoint import load_model

    cfg = resolved.config
    train_cfg = resolved.train
    run_dir = prepare_run_dir(resolved, overwrite, bool(getattr(train_cfg, "resume", False)))
    started = time.perf_counter()

    say(f"reading data ({len(resolved.readers)} source(s))")
    data = read_sources(resolved)
    if is_empty(data):
        raise DataError("the data sources returned no records")
    splits = split_data(data, cfg.split.val, cfg.split.test, cfg.split.seed)
    fitted = apply_steps(resolved, splits)
    sizes = {k: (0 if v is None else len(v)) for k, v in splits.items()}
    say("examples: " + ", ".join(f"{k} {v}" for k, v in sizes.items()))

    spec, params = resolved.model
    info = data_info(splits["train"])
    model = registry.build("model", spec.name, params, data_info=info)
    model.model_config = {
        "type": spec.name,
        "params": params.model_dump(mode="json"),
        "data_info": info,
    }
    if is_main_process():
        write_resolved_config(resolved, run_dir)

    result = Trainer(train_cfg, run_dir=run_dir).fit(model, splits["train"], splits["val"])
    if result.stopped_reason == "nan":
        say(
            result.message
            or "training stopped on a non-finite loss; the last good checkpoint is kept"
        )
    if not is_main_process():
        return RunResult(metrics={"pipeline": cfg.name}, run_dir=run_dir, history=result.history)
    best = run_dir / "best.pt"
    if best.is_file():
        model = load_model(best)
    held_out = "test" if splits["test"] is not None else "val"
    metrics: dict[str, Any] = {
        "pipeline": cfg.name,
        "device": result.device,
        "best_epoch": result.best_epoch,
        "stopped_reason": result.stopped_reason,
        "epochs_run": len(result.history),
        "final": result.history[-1] if result.history else {},
        "examples": sizes,
    }
    if resolved.evaluators and splits[held_out] is not None:
        say(f"evaluating on the {held_out} split")
        estimate, reference = to_physical(model, splits[held_out], fitted, result.device)
        metrics[held_out] = evaluate(
            resolved.evaluators,
            reference,
            estimate,
            model=model,
            arrays=splits[held_out],
            device=result.device,
        )
    metrics["time_s"] = round(time.perf_counter() - started, 3)
    atomic_write_text(run_dir / "metrics.json", json.dumps(metrics, indent=2, default=float))
    if cfg.outputs.plots and result.history:
        from sigvae.training import plot_history

        plot_history(result.history, run_dir / "training_curves.png")
    say(f"run directory: {run_dir}")
    return RunResult(metrics=metrics, run_dir=run_dir, history=result.history)


def write_resolved_config(resolved: ResolvedPipeline, run_dir: Path) -> None:
    """The config as it ran: overrides applied and every component's defaults filled in."""
    cfg = resolved.config.model_dump(mode="json")
    for section, (_, params) in zip(cfg["data"], resolved.readers):
        section["params"] = params.model_dump(mode="json")
    for section, (_, params) in zip(cfg["steps"], resolved.steps):
        section["params"] = params.model_dump(mode="json")
    cfg["model"]["params"] = resolved.model[1].model_dump(mode="json")
    for section, (_, params) in zip(cfg["evaluate"], resolved.evaluators):
        section["params"] = params.model_dump(mode="json")
    cfg["train"] = resolved.train.model_dump(mode="json")
    atomic_write_text(run_dir / "config.yaml", yaml.safe_dump(cfg, sort_keys=False))
