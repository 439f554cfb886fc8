"""Plots of completed surfaces: a 3-D surface and the smiles per tenor, observed points marked."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd


def plot_names(frame: pd.DataFrame, stem: str) -> list[str]:
    """One PNG name per date: ``<stem>_<date>.png`` (characters unsafe in names replaced)."""
    return [
        f"{stem}_{re.sub(r'[^A-Za-z0-9_.-]', '_', str(g))}.png" for g in frame["group"].unique()
    ]


def _figure(part: pd.DataFrame):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    tenors = list(dict.fromkeys(part["tenor"]))
    deltas = np.sort(part["delta"].unique())
    iv = part.pivot_table(index="tau", columns="delta", values="iv").to_numpy()
    taus = np.sort(part["tau"].unique())
    fig = plt.figure(figsize=(12, 5))
    ax3 = fig.add_subplot(1, 2, 1, projection="3d")
    dd, tt = np.meshgrid(deltas, np.log(taus))
    ax3.plot_surface(dd, tt, 100 * iv, cmap="viridis", alpha=0.85)
    obs = part[part["observed"]]
    ax3.scatter(obs["delta"], np.log(obs["tau"]), 100 * obs["iv"], color="red", s=18)
    ax3.set_xlabel("call delta")
    ax3.set_ylabel("log tau (years)")
    ax3.set_zlabel("implied vol (%)")
    ax = fig.add_subplot(1, 2, 2)
    for tenor in tenors:
        smile = part[part["tenor"] == tenor].sort_values("delta")
        line = ax.plot(smile["delta"], 100 * smile["iv_model"], label=tenor)[0]
        if "iv_std" in smile:
            low, high = (100 * (smile["iv_model"] + k * smile["iv_std"]) for k in (-2, 2))
            ax.fill_between(smile["delta"], low, high, color=line.get_color(), alpha=0.12)
        seen = smile[smile["observed"]]
        ax.scatter(seen["delta"], 100 * seen["iv"], color=line.get_color(), s=18)
    ax.set_xlabel("call delta")
    ax.set_ylabel("implied vol (%)")
    ax.legend(fontsize=7, ncol=2)
    band = ", bands = model +/- 2 s.d." if "iv_std" in part else ""
    fig.suptitle(f"{part['group'].iloc[0]}: completed surface (dots = observed quotes{band})")
    fig.tight_layout()
    return fig


def write_completion_plots(frame, directory: Path, names: list[str], overwrite=False):
    """Write one PNG per date into ``directory`` atomically; returns the paths."""
    import matplotlib.pyplot as plt

    from sigvae.io.atomic import atomic_write_files

    groups = list(frame["group"].unique())

    def write(tmp: Path) -> None:
        for group, name in zip(groups, names):
            fig = _figure(frame[frame["group"] == group])
            fig.savefig(tmp / name, dpi=110)
            plt.close(fig)

    return atomic_write_files(directory, names, write, overwrite=overwrite)
