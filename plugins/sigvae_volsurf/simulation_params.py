"""Parameter ranges of the surface generators, and each generator's smile function.

Ranges are uniform and chosen to give realistic smiles (Bergeron et al. 2021 and Ning et al.
2023 train on FX; FX smiles are near-symmetric with ATM vols of 4-20 %, equity smiles are
skewed with ATM vols of 10-45 %). Each draw is equity-like with probability ``equity_share``.
SABR and SSVI need an at-the-money term structure; both use
``sigma_atm(tau) = s_inf + (s_0 - s_inf) exp(-tau / lam)``, and SABR's vol of vol decays as
``nu(tau) = nu_1 max(tau, 1/4)^(-gamma_nu)`` (short-dated smiles are more curved).

``fx_box="wide"`` replaces the FX ranges by ``WIDE_FX``: stronger correlations of either sign,
slower mean reversion, more vol of vol and a flatter vol-of-vol term structure, i.e. steeper and
more persistent (long-dated) risk reversals. Why: Janek, Kluge, Weron & Wystup (2011, "FX
smile in the Heston model") calibrate Heston to FX smiles one maturity at a time, i.e. the
parameters that fit FX smiles change with tenor, and van der Stoep, Grzelak & Oosterlee (2015,
"The time-dependent FX-SABR model") find time-dependent SABR parameters necessary for FX
surfaces, while the standard box (|rho| <= 0.5, vol of vol decaying at least like
``tau^-0.2``) produces little long-dated risk reversal. The wide box was
chosen knowing the earlier shipped model's score on the real CAD test surface; its extent was
set once (not tuned on CAD) and its effect measured on simulated validation surfaces only
(``benchmarks/results/volsurf_variants.md``).

**Time change** (``time_change_share``): each generator's ATM term structure flattens within a
few years (Heston's average variance reaches theta at rate kappa >= 0.3; the SABR/SSVI ATM curve
at scale lam <= 2 years), while FX ATM vols often keep rising, or falling, out to 5 years. A
deterministic change of clock ``tau -> T(tau)`` with ``T`` increasing turns any arbitrage-free
surface into another one: the process run on the clock ``T`` (Carr & Wu 2004, "Time-changed
Levy processes", J. Financial Economics 71) has instantaneous variance scaled by ``T'(tau)``,
and its total variance at ``(k, tau)`` is the original's at ``(k, T(tau))``. Forward delta is a
function of ``k`` and total variance only, so on the delta grid ``iv(tau, delta) =
iv_orig(T(tau), delta) * sqrt(T(tau) / tau)``; calendar and butterfly conditions carry over
because ``T`` is increasing. The clock is ``T(tau) = tau (1 + u tau / tau_max)``, which
multiplies the longest tenor's total variance by ``1 + u``, with ``u`` uniform on
``TIME_CHANGE_U``: the lower end keeps ``T' = 1 + 2 u tau / tau_max >= 0.2``, the upper end
lets the longest tenor's vol rise by up to 58 % over the base model's.
"""

from __future__ import annotations

import numpy as np

from sigvae_volsurf.heston import HestonParams, implied_vols
from sigvae_volsurf.sabr import sabr_implied_vol
from sigvae_volsurf.ssvi import ssvi_implied_vol

MODELS = ("heston", "bates", "sabr", "ssvi")

# name: (FX range, equity range)
RANGES = {
    "heston": {
        "s0": ((0.04, 0.20), (0.10, 0.45)),  # sqrt(v0)
        "s_inf": ((0.05, 0.20), (0.15, 0.40)),  # sqrt(theta)
        "kappa": ((0.3, 3.0), (0.5, 5.0)),
        "sigma": ((0.1, 0.8), (0.3, 1.5)),
        "rho": ((-0.5, 0.5), (-0.9, -0.4)),
    },
    "jumps": {
        "lam": ((0.05, 1.0), (0.05, 1.0)),
        "mu_j": ((-0.05, 0.05), (-0.20, -0.02)),
        "delta_j": ((0.02, 0.08), (0.05, 0.20)),
    },
    "term": {
        "s0": ((0.04, 0.20), (0.10, 0.45)),
        "s_inf": ((0.05, 0.20), (0.15, 0.40)),
        "lam": ((0.1, 2.0), (0.1, 2.0)),
    },
    "sabr": {
        "beta": ((1.0, 1.0), (0.5, 1.0)),
        "rho": ((-0.5, 0.5), (-0.9, -0.3)),
        "nu_1": ((0.2, 1.0), (0.3, 1.2)),
        "gamma_nu": ((0.2, 0.5), (0.2, 0.5)),
    },
    "ssvi": {
        "rho": ((-0.5, 0.5), (-0.9, -0.3)),
        "eta": ((0.2, 2.0), (0.5, 2.0)),  # capped below at 2 / (1 + |rho|)
        "gamma": ((0.2, 0.5), (0.2, 0.5)),
    },
}


# FX ranges of ``fx_box="wide"`` (equity ranges and unlisted FX ranges stay as in RANGES)
WIDE_FX = {
    "heston": {
        "s0": (0.03, 0.22),
        "s_inf": (0.04, 0.22),
        "kappa": (0.2, 3.0),
        "sigma": (0.1, 1.0),
        "rho": (-0.7, 0.7),
    },
    "jumps": {"mu_j": (-0.08, 0.08), "delta_j": (0.02, 0.10)},
    "term": {"s0": (0.03, 0.22), "s_inf": (0.04, 0.22), "lam": (0.1, 2.5)},
    "sabr": {"rho": (-0.7, 0.7), "nu_1": (0.15, 1.2), "gamma_nu": (0.1, 0.5)},
    "ssvi": {"rho": (-0.7, 0.7), "eta": (0.15, 2.2), "gamma": (0.15, 0.5)},
}
FX_BOXES = ("standard", "wide")
TIME_CHANGE_U = (-0.4, 1.5)


def draw_time_change(rng, share: float) -> float:
    """``u`` of the clock :func:`time_changed` for one batch of draws: 0 (no change) with
    probability ``1 - share``, else uniform on ``TIME_CHANGE_U``. Draws nothing from ``rng``
    when ``share`` is 0, so the default keeps the random stream of earlier releases."""
    if share <= 0.0 or rng.uniform() >= share:
        return 0.0
    return float(rng.uniform(*TIME_CHANGE_U))


def time_changed(taus: np.ndarray, u: float) -> np.ndarray:
    """The changed clock ``T(tau) = tau (1 + u tau / tau_max)`` at ``taus``."""
    taus = np.asarray(taus, float)
    return taus * (1.0 + u * taus / taus.max())


def _draw(rng, table, equity, fx_override=None):
    out = {}
    for name, (fx, eq) in table.items():
        fx = (fx_override or {}).get(name, fx)
        lo = np.where(equity, eq[0], fx[0])
        hi = np.where(equity, eq[1], fx[1])
        out[name] = rng.uniform(lo, hi)
    return out


def draw_parameters(model: str, n: int, rng, equity_share: float = 0.3, fx_box: str = "standard"):
    """``(params, market)``: a dict of parameter arrays and an array of ``"fx"``/``"equity"``;
    ``fx_box`` picks the FX ranges (``"standard"``: RANGES, ``"wide"``: WIDE_FX over them)."""
    if fx_box not in FX_BOXES:
        raise ValueError(f"unknown FX parameter box {fx_box!r}; choose from {FX_BOXES}")
    wide = WIDE_FX if fx_box == "wide" else {}
    equity = rng.uniform(size=n) < equity_share
    market = np.where(equity, "equity", "fx")
    if model in ("heston", "bates"):
        p = _draw(rng, RANGES["heston"], equity, wide.get("heston"))
        if model == "bates":
            p.update(_draw(rng, RANGES["jumps"], equity, wide.get("jumps")))
        return p, market
    p = _draw(rng, RANGES["term"], equity, wide.get("term"))
    p.update(_draw(rng, RANGES[model], equity, wide.get(model)))
    if model == "ssvi":
        p["eta"] = np.minimum(p["eta"], 2.0 / (1.0 + np.abs(p["rho"])))
    return p, market


def heston_params(p) -> HestonParams:
    jumps = {k: p[k] for k in ("lam", "mu_j", "delta_j") if k in p}
    return HestonParams(p["s0"] ** 2, p["kappa"], p["s_inf"] ** 2, p["sigma"], p["rho"], **jumps)


def _atm_vol(p, taus):
    """The ATM term structure ``[n, m]`` of SABR and SSVI draws."""
    t = taus[None, :]
    s0, s_inf, lam = p["s0"][:, None], p["s_inf"][:, None], p["lam"][:, None]
    return s_inf + (s0 - s_inf) * np.exp(-t / lam)


def atm_total_std(model: str, p, taus) -> np.ndarray:
    """A guess of the ATM total standard deviation ``[n, m]``, to centre the dense smile grid:
    Heston's expected average variance (plus the jump variance for Bates), or the ATM curve."""
    t = taus[None, :]
    if model in ("heston", "bates"):
        v0, theta, kappa = (p[k][:, None] ** e for k, e in (("s0", 2), ("s_inf", 2), ("kappa", 1)))
        var = theta + (v0 - theta) * (1.0 - np.exp(-kappa * t)) / (kappa * t)
        if model == "bates":
            var = var + p["lam"][:, None] * (p["mu_j"][:, None] ** 2 + p["delta_j"][:, None] ** 2)
        return np.sqrt(var * t)
    return _atm_vol(p, taus) * np.sqrt(t)


def smile_iv(model: str, p, k, taus) -> np.ndarray:
    """Implied vols ``[n, m, j]`` of a generator at log-moneyness ``k`` ``[n, m, j]``."""
    t = taus[None, :, None]
    if model in ("heston", "bates"):
        return implied_vols(k, taus, heston_params(p))
    atm = _atm_vol(p, taus)[..., None]
    if model == "sabr":
        nu = p["nu_1"][:, None, None] * np.maximum(t, 0.25) ** (-p["gamma_nu"][:, None, None])
        col = {n: p[n][:, None, None] for n in ("beta", "rho")}
        return sabr_implied_vol(k, t, atm, col["beta"], col["rho"], nu)
    col = {n: p[n][:, None, None] for n in ("rho", "eta", "gamma")}
    return ssvi_implied_vol(k, t, atm**2 * t, col["rho"], col["eta"], col["gamma"])
