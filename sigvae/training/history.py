"""What a run leaves behind besides checkpoints: ``metrics.csv`` and ``training_curves.png``."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path

from sigvae.training.files import atomic_write, atomic_write_text

METRICS_NAME = "metrics.csv"
CURVES_NAME = "training_curves.png"
_SPLITS = ("train", "val")


def history_columns(history: Sequence[dict]) -> list[str]:
    """Every key of every row, in order of first appearance."""
    columns: dict[str, None] = {}
    for row in history:
        columns.update(dict.fromkeys(row))
    return list(columns)


def write_metrics_csv(history: Sequence[dict], path: Path) -> Path:
    """Rewrite the whole per-epoch history as CSV (atomically; a few rows per epoch is cheap)."""
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=history_columns(history), lineterminator="\n")
    writer.writeheader()
    writer.writerows(history)
    return atomic_write_text(Path(path), text.getvalue())


def curve_names(history: Sequence[dict]) -> list[str]:
    """The loss terms to plot: ``loss``, ``kl``, ``disc/loss``... (split prefix removed)."""
    names: dict[str, None] = {}
    for column in history_columns(history):
        split, _, term = column.partition("/")
        if split in _SPLITS and term:
            names[term] = None
    return list(names)


def plot_history(history: Sequence[dict], path: Path) -> Path:
    """One panel per loss term, train and validation curves against the epoch, as a PNG.

    Uses matplotlib's object API with the Agg canvas, so it neither needs a display nor
    changes the caller's pyplot backend; matplotlib is imported only here."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    names = curve_names(history) or ["loss"]
    cols = min(3, len(names))
    rows = -(-len(names) // cols)
    figure = Figure(figsize=(4.2 * cols, 3.2 * rows))
    figure.subplots_adjust(left=0.1, right=0.97, bottom=0.14, top=0.9, wspace=0.3, hspace=0.6)
    FigureCanvasAgg(figure)
    epochs = [row.get("epoch", i) for i, row in enumerate(history)]
    for panel, name in enumerate(names):
        axes = figure.add_subplot(rows, cols, panel + 1)
        for split in _SPLITS:
            key = f"{split}/{name}"
            points = [(e, row[key]) for e, row in zip(epochs, history) if key in row]
            if points:
                axes.plot(*zip(*points), marker=".", label=split)
        axes.set_title(name)
        axes.set_xlabel("epoch")
        axes.legend()
    return atomic_write(Path(path), lambda handle: figure.savefig(handle, format="png", dpi=100))
