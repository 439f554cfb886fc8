"""One epoch's history row from the on-device step records: a single read from the device
per epoch, and under DDP two all-reduces so that every rank holds the identical row."""

from __future__ import annotations

import math

import torch

from sigvae.training.distributed import DistContext
from sigvae.training.loops import Phase, TermRecorder, metric_key


def summarise_epoch(
    epoch: int,
    phases: list[Phase],
    train: dict[str, TermRecorder],
    val: dict[str, TermRecorder],
    *,
    train_seconds: float,
    total_seconds: float,
    context: DistContext,
) -> tuple[dict, str]:
    """The row ``{epoch, train/<term>..., val/<term>..., lr, time_s, samples_per_s}`` and a
    description of the first non-finite loss ("" when every loss is finite).

    Means are weighted by examples over all ranks (sums and counts are all-reduced); times
    are the slowest rank's; the first non-finite step is the earliest on any rank."""
    blocks = []  # (split, phase index, phase name, term names, steps)
    sums, first_bad = [], []
    for split, recorders in (("train", train), ("val", val)):
        for index, phase in enumerate(phases):
            recorder = recorders.get(phase.name)
            if recorder is None or recorder.names is None:
                continue
            block_sums, bad = recorder.reduction()
            blocks.append((split, index, phase.name, recorder.names, recorder.max_steps))
            sums.append(block_sums)
            if split == "train":
                first_bad.append(-bad)
    device = sums[0].device
    summed = context.all_reduce(torch.cat(sums))
    times = torch.tensor([train_seconds, total_seconds], dtype=torch.float64, device=device)
    maxima = context.all_reduce(torch.cat([times, *first_bad]), op="max")
    values = torch.cat([summed, maxima]).tolist()  # the one device -> host read of the epoch

    row: dict = {"epoch": epoch}
    offset = 0
    counts = {}
    for split, index, phase, names, _steps in blocks:
        count = values[offset + len(names)]
        for j, term in enumerate(names):
            row[metric_key(split, index, phase, term)] = values[offset + j] / count
        counts[(split, index)] = count
        offset += len(names) + 1
    train_time, total_time = values[offset], values[offset + 1]
    row["lr"] = phases[0].optimizer.param_groups[0]["lr"]
    row["time_s"] = total_time
    row["samples_per_s"] = counts[("train", 0)] / max(train_time, 1e-12)
    return row, _first_problem(row, blocks, values[offset + 2 :])


def _first_problem(row: dict, blocks: list, negative_first_bad: list[float]) -> str:
    """Recorders report their step count for "no bad step", so a smaller value is a step."""
    worst = None
    train_blocks = [b for b in blocks if b[0] == "train"]
    for (_split, _index, phase, _names, steps), negative in zip(train_blocks, negative_first_bad):
        step = -negative
        if step < steps and (worst is None or step < worst[0]):
            worst = (int(step), phase)
    if worst is not None:
        return f"non-finite training loss at step {worst[0]} (phase {worst[1]!r})"
    for split, index, phase, _names, _steps in blocks:
        key = metric_key(split, index, phase, "loss")
        if not math.isfinite(row[key]):
            return f"non-finite {key}"
    return ""
