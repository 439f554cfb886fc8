"""The surface grid: tenors (times to maturity) by forward call deltas, and tenor strings.

The FX market quotes volatility at standard tenors and deltas; the default grid is the FX
standard from one week to five years by forward, non-premium-adjusted call deltas 0.10 ... 0.90
(the real CAD surface in the shared data uses eight of these tenors). A call delta above 0.5 is
the same point as a put of delta ``d - 1`` under this convention. Year fractions: ``nD = n/365``,
``nW = 7n/365``, ``nM = n/12``, ``nY = n`` (as in the CAD file: 1M = 0.0833, 3Y = 3.0).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sigvae.errors import DataError

if TYPE_CHECKING:  # numpy is imported where arrays are built: registering the plugin stays light
    import numpy as np

DEFAULT_TENORS = ("1W", "1M", "2M", "3M", "6M", "9M", "1Y", "2Y", "3Y", "5Y")
DEFAULT_DELTAS = (0.10, 0.25, 0.50, 0.75, 0.90)
_TENOR = re.compile(r"^\s*(\d+)\s*([DWMY])\s*$", re.IGNORECASE)
_UNIT_YEARS = {"D": 1 / 365, "W": 7 / 365, "M": 1 / 12, "Y": 1.0}


def tenor_to_years(tenor: str, source: object | None = None) -> float:
    """Year fraction of a tenor string such as ``"1W"``, ``"18M"`` or ``"5Y"``."""
    match = _TENOR.match(str(tenor))
    if not match or int(match.group(1)) == 0:
        raise DataError(
            f"unknown tenor {tenor!r}; use <n>D, <n>W, <n>M or <n>Y such as 1W, 3M, 5Y",
            path=source,
        )
    return int(match.group(1)) * _UNIT_YEARS[match.group(2).upper()]


def years_to_tenor(tau: float) -> str:
    """The shortest standard tenor string for a year fraction (``0.25 -> "3M"``), or the year
    fraction itself with four decimals when no whole number of units matches."""
    for unit in ("Y", "M", "W", "D"):
        n = tau / _UNIT_YEARS[unit]
        if n >= 1 and abs(n - round(n)) < 1e-6:
            return f"{round(n)}{unit}"
    return f"{tau:.4f}Y"


@dataclass(frozen=True)
class Grid:
    """Tenors (strings, increasing maturity) by forward call deltas (increasing)."""

    tenors: tuple[str, ...] = DEFAULT_TENORS
    deltas: tuple[float, ...] = DEFAULT_DELTAS

    def __post_init__(self) -> None:
        taus = [tenor_to_years(t) for t in self.tenors]
        if not taus or any(b <= a for a, b in zip(taus, taus[1:])):
            raise DataError(f"grid tenors must be distinct and increasing, got {self.tenors}")
        d = [float(x) for x in self.deltas]
        if not d or any(not 0 < x < 1 for x in d) or any(b <= a for a, b in zip(d, d[1:])):
            raise DataError(f"grid deltas must be increasing and inside (0, 1), got {self.deltas}")

    @property
    def taus(self) -> np.ndarray:
        import numpy as np

        return np.array([tenor_to_years(t) for t in self.tenors])

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.tenors), len(self.deltas)

    @property
    def size(self) -> int:
        return len(self.tenors) * len(self.deltas)

    def coordinates(self) -> np.ndarray:
        """``[size, 2]`` array of ``(tau, delta)`` in row-major (tenor, delta) order, the order
        of a flattened surface."""
        import numpy as np

        tau, delta = np.meshgrid(self.taus, np.asarray(self.deltas, float), indexing="ij")
        return np.stack([tau.ravel(), delta.ravel()], axis=1)

    def to_dict(self) -> dict:
        return {"tenors": list(self.tenors), "deltas": [float(d) for d in self.deltas]}

    @classmethod
    def parse(cls, text: str) -> Grid:
        """Parse ``--grid``: one comma list, tenors first then deltas, for example
        ``"1M,3M,1Y,0.1,0.25,0.5,0.75,0.9"`` (tenors contain a unit letter, deltas do not)."""
        items = [t.strip() for t in text.split(",") if t.strip()]
        tenors = tuple(t for t in items if re.search(r"[A-Za-z]", t))
        rest = items[len(tenors) :]
        if not tenors or not rest or items[: len(tenors)] != list(tenors):
            raise DataError(
                f"--grid must list tenors then deltas, such as '1M,1Y,0.25,0.5,0.75'; got {text!r}"
            )
        for t in tenors:
            tenor_to_years(t)
        try:
            deltas = tuple(float(d) for d in rest)
        except ValueError:
            raise DataError(f"--grid deltas must be numbers, got {','.join(rest)!r}") from None
        return cls(tenors, deltas)
