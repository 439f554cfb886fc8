"""The plugin's data readers (built by the specs in :mod:`sigvae_volsurf.plugin`)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd


class SimulatedSurfacesReader:
    """``volsurf-simulated``: arbitrage-free surfaces from the four generators."""

    def __init__(self, params, base_dir: Path | None = None) -> None:
        self.params = params
        self.report = None

    def read(self) -> pd.DataFrame:
        from sigvae_volsurf.simulate import simulate_surfaces

        p = self.params
        frame, self.report = simulate_surfaces(
            p.n_per_model,
            p.grid(),
            seed=p.seed,
            models=tuple(p.models),
            equity_share=p.equity_share,
            fx_box=p.fx_box,
            time_change_share=p.time_change_share,
        )
        return frame

    def sources(self) -> list[Path]:
        return []


class QuotesReader:
    """``volsurf-quotes``: a user's long CSV/Parquet of quotes, checked and normalised."""

    def __init__(self, params, base_dir: Path | None = None) -> None:
        self.params = params
        path = Path(params.path).expanduser()
        self.path = path if path.is_absolute() or base_dir is None else Path(base_dir) / path

    def read(self) -> pd.DataFrame:
        from sigvae_volsurf.observations import read_quotes

        return read_quotes(self.path, self.params.convention)

    def sources(self) -> list[Path]:
        return [self.path]
