"""Users' implied-vol quotes in the long format, checked and put on one internal convention.

Input columns (case-insensitive; aliases in brackets):

* ``date`` [``group``, ``surface``]: which surface a quote belongs to (one per date);
* ``tau`` [``tau_years``] in years, or ``tenor`` (``1W``, ``3M``, ``5Y`` ...);
* the smile coordinate, exactly one of: ``delta`` [``call_delta``]; ``strike`` with ``forward``;
  ``log_moneyness`` [``k``]; ``k_over_f`` (strike over forward);
* ``iv`` [``vol``, ``implied_vol``] as a decimal (0.07 for 7 %);
* optionally ``convention`` (``forward``, ``spot``, ``forward-pa``, ``spot-pa``) and, for spot
  deltas, ``foreign_rate`` (continuously compounded) per row.

Deltas in (0, 1) are call deltas up to 0.5 and, above it, the put of delta ``d - 1`` (identical
to the call delta ``d`` for forward unadjusted deltas). Every quote is mapped to log-moneyness
and to the internal coordinate, the forward unadjusted call delta ``N(d1)``, with the Black
conversions of :mod:`sigvae_volsurf.black`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from sigvae.errors import DataError
from sigvae_volsurf import black
from sigvae_volsurf.grid import tenor_to_years, years_to_tenor

ALIASES = {
    "group": ("date", "group", "surface"),
    "tau": ("tau", "tau_years"),
    "tenor": ("tenor",),
    "delta": ("delta", "call_delta"),
    "strike": ("strike",),
    "forward": ("forward",),
    "log_moneyness": ("log_moneyness", "k"),
    "k_over_f": ("k_over_f",),
    "iv": ("iv", "vol", "implied_vol"),
    "convention": ("convention",),
    "foreign_rate": ("foreign_rate",),
}
CONVENTIONS = {
    "forward": ("forward", False),
    "spot": ("spot", False),
    "forward-pa": ("forward", True),
    "spot-pa": ("spot", True),
}
COORDINATES = ("delta", "strike", "log_moneyness", "k_over_f")


def _pick(frame: pd.DataFrame, source) -> pd.DataFrame:
    lower = {str(c).strip().lower(): c for c in frame.columns}
    picked = {}
    for name, options in ALIASES.items():
        found = [lower[o] for o in options if o in lower]
        if len(found) > 1:
            raise DataError(f"columns {found} both mean {name!r}; keep one", path=source)
        if found:
            picked[name] = frame[found[0]]
    return pd.DataFrame(picked)


def _coordinate_kind(cols: pd.DataFrame, source) -> str:
    """The smile coordinate the file uses (delta first when several are given on every row);
    rows that give different coordinates are mixed conventions, an error."""
    present = [c for c in COORDINATES if c in cols and cols[c].notna().any()]
    if not present:
        raise DataError(
            "no smile coordinate: give a delta, strike+forward, log_moneyness or k_over_f column",
            path=source,
        )
    if "strike" in present and "forward" not in cols:
        raise DataError("a 'strike' column needs a 'forward' column", path=source)
    patterns = pd.DataFrame({c: cols[c].notna() for c in present}).drop_duplicates()
    if len(patterns) > 1:
        raise DataError(
            f"mixed conventions: rows give different smile coordinates among {present}",
            path=source,
        )
    return "delta" if "delta" in present else present[0]


def _convention(cols: pd.DataFrame, default: str, source) -> tuple[str, bool]:
    if "convention" not in cols:
        return CONVENTIONS[default]
    values = sorted(set(cols["convention"].dropna().astype(str).str.strip().str.lower()))
    if len(values) > 1:
        raise DataError(f"mixed conventions in one file: {values}", path=source)
    if values and values[0] not in CONVENTIONS:
        raise DataError(
            f"unknown convention {values[0]!r}; use one of {sorted(CONVENTIONS)}", path=source
        )
    return CONVENTIONS[values[0] if values else default]


def _numbers(series: pd.Series, name: str, source) -> np.ndarray:
    values = pd.to_numeric(series, errors="coerce").to_numpy(float)
    if np.isnan(values).any():
        raise DataError(f"column {name!r} has missing or non-numeric values", path=source)
    return values


def normalise_quotes(
    frame: pd.DataFrame, source: object = "<frame>", convention: str = "forward"
) -> pd.DataFrame:
    """Checked quotes with columns ``group, tenor, tau, delta, log_moneyness, iv`` where
    ``delta`` is the forward unadjusted call delta. Raises :class:`DataError` (one line naming
    ``source``) for the bad inputs listed in the module docstring."""
    if convention not in CONVENTIONS:
        raise DataError(f"unknown convention {convention!r}; use {sorted(CONVENTIONS)}")
    cols = _pick(frame, source)
    if len(cols) == 0:
        raise DataError("no quotes", path=source)
    for need in ("group", "iv"):
        if need not in cols:
            raise DataError(f"missing column {need!r} ({' or '.join(ALIASES[need])})", path=source)
    if "tau" in cols:
        tau = _numbers(cols["tau"], "tau", source)
    elif "tenor" in cols:
        tau = np.array([tenor_to_years(t, source) for t in cols["tenor"]])
    else:
        raise DataError("missing column 'tau' (years) or 'tenor' (1W, 3M, 1Y ...)", path=source)
    if (tau <= 0).any():
        raise DataError(f"non-positive maturity {tau[tau <= 0][0]:g}", path=source)
    iv = _numbers(cols["iv"], "iv", source)
    if (iv <= 0).any():
        raise DataError(f"non-positive implied vol {iv[iv <= 0][0]:g}", path=source)
    if iv.max() > 5:
        raise DataError(
            f"implied vol {iv.max():g} looks like a percentage; use decimals", path=source
        )
    kind = _coordinate_kind(cols, source)
    k = _log_moneyness(cols, kind, tau, iv, convention, source)
    out = pd.DataFrame(
        {
            "group": cols["group"].astype(str).to_numpy(),
            "tenor": cols["tenor"].astype(str).to_numpy()
            if "tenor" in cols
            else [years_to_tenor(t) for t in tau],
            "tau": tau,
            "delta": black.delta_from_log_moneyness(k, iv, tau),
            "log_moneyness": k,
            "iv": iv,
        }
    )
    # the same maturity and quoted coordinate twice on one date (whatever the vols say)
    given = cols[kind].to_numpy(float) if kind != "strike" else k
    key = pd.DataFrame({"g": out["group"], "t": np.round(tau, 8), "c": np.round(given, 10)})
    dup = key.duplicated(keep=False).to_numpy()
    if dup.any():
        row = out[dup].iloc[0]
        raise DataError(
            f"duplicate points: {int(dup.sum())} rows repeat a (date, maturity, smile point), "
            f"first at date {row['group']} tau {row['tau']:g} delta {row['delta']:.4f}",
            path=source,
        )
    return out.sort_values(["group", "tau", "delta"], ignore_index=True)


def _log_moneyness(cols, kind, tau, iv, default_convention, source) -> np.ndarray:
    if kind == "log_moneyness":
        return _numbers(cols["log_moneyness"], "log_moneyness", source)
    if kind == "k_over_f":
        ratio = _numbers(cols["k_over_f"], "k_over_f", source)
        if (ratio <= 0).any():
            raise DataError("k_over_f must be positive", path=source)
        return np.log(ratio)
    if kind == "strike":
        strike = _numbers(cols["strike"], "strike", source)
        fwd = _numbers(cols["forward"], "forward", source)
        if (strike <= 0).any() or (fwd <= 0).any():
            raise DataError("strikes and forwards must be positive", path=source)
        return np.log(strike / fwd)
    delta = _numbers(cols["delta"], "delta", source)
    if ((delta <= 0) | (delta >= 1)).any():
        bad = delta[(delta <= 0) | (delta >= 1)][0]
        raise DataError(f"delta {bad:g} outside (0, 1); give call deltas such as 0.25", path=source)
    delta_type, adjusted = _convention(cols, default_convention, source)
    foreign_df = 1.0
    if delta_type == "spot":
        if "foreign_rate" not in cols:
            raise DataError("spot deltas need a 'foreign_rate' column", path=source)
        foreign_df = np.exp(-_numbers(cols["foreign_rate"], "foreign_rate", source) * tau)
    call = delta <= 0.5
    signed = np.where(call, delta, delta - 1.0)
    k = black.log_moneyness_from_delta(
        signed,
        iv,
        tau,
        call=call,
        delta_type=delta_type,
        premium_adjusted=adjusted,
        foreign_df=foreign_df,
    )
    if np.isnan(k).any():
        raise DataError(
            f"delta {delta[np.isnan(k)][0]:g} is not attainable under the "
            f"{delta_type}{' premium-adjusted' if adjusted else ''} convention",
            path=source,
        )
    return k


def read_quotes(path: str | Path, convention: str = "forward") -> pd.DataFrame:
    """Read a CSV or Parquet file of quotes and :func:`normalise_quotes` it."""
    from sigvae.io.tables import read_table

    return normalise_quotes(read_table(path), source=path, convention=convention)
