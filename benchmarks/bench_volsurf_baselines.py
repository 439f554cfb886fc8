"""Baselines for surface completion, each ``fit(observed) -> vols at the target points``.

* QuantLib Heston and Bates calibrated to the observed points (``HestonModelHelper`` with the
  implied-vol error, Levenberg-Marquardt), then evaluated at the targets with the plugin's
  Heston pricer (placing each target delta on the calibrated smile).
* Per-tenor raw SVI (Gatheral 2004) in total variance; tenors with too few quotes are filled by
  linear interpolation of total variance in maturity at fixed log-moneyness.
* PCA completion: the posterior mean of probabilistic PCA fitted on the training surfaces
  (in log-vol), given the observed points.

Observed and target points are ``(tau, delta, iv)`` on the forward unadjusted delta convention.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import least_squares
from sigvae_volsurf import black
from sigvae_volsurf.heston import HestonParams, implied_vols
from sigvae_volsurf.simulate import locate_deltas

DENSE_Z = np.linspace(-5.0, 5.0, 41)


def _vols_at_deltas(params: HestonParams, taus, deltas, atm_guess):
    """Calibrated-model vols at target (tau, delta) pairs via a dense smile per maturity."""
    ut, inv = np.unique(taus, return_inverse=True)
    s = atm_guess * np.sqrt(ut)
    k = (0.5 * s**2)[:, None] + s[:, None] * DENSE_Z
    iv = implied_vols(k[None], ut, params)[0]
    iv = np.where(np.isfinite(iv), iv, np.nanmedian(iv))
    out = np.empty(len(taus))
    for j, (ti, d) in enumerate(zip(inv, deltas)):
        _, v, _ = locate_deltas(
            k[None, ti : ti + 1], iv[None, ti : ti + 1], ut[ti : ti + 1], np.array([d])
        )
        out[j] = v[0, 0, 0]
    return out


def _quantlib_calibrate(obs_tau, obs_delta, obs_iv, jumps, start):
    """QuantLib calibration from ``start`` = (v0, kappa, theta, sigma, rho[, lam, nu, delta])."""
    import QuantLib as ql

    today = ql.Date(2, 1, 2024)
    ql.Settings.instance().evaluationDate = today
    flat = ql.YieldTermStructureHandle(ql.FlatForward(today, 0.0, ql.Actual365Fixed()))
    spot = ql.QuoteHandle(ql.SimpleQuote(1.0))
    v0, kappa, theta, sigma, rho = start[:5]
    if jumps:
        lam, nu, delta = start[5:] if len(start) > 5 else (0.1, 0.0, 0.05)
        process = ql.BatesProcess(flat, flat, spot, v0, kappa, theta, sigma, rho, lam, nu, delta)
        model = ql.BatesModel(process)
        engine = ql.BatesEngine(model)
    else:
        model = ql.HestonModel(ql.HestonProcess(flat, flat, spot, v0, kappa, theta, sigma, rho))
        engine = ql.AnalyticHestonEngine(model)
    helpers = []
    for t, kk, vol in zip(
        obs_tau, black.log_moneyness_from_delta(obs_delta, obs_iv, obs_tau), obs_iv
    ):
        helper = ql.HestonModelHelper(
            ql.Period(max(1, int(round(t * 365))), ql.Days),
            ql.NullCalendar(),
            1.0,
            float(np.exp(kk)),
            ql.QuoteHandle(ql.SimpleQuote(float(vol))),
            flat,
            flat,
            ql.BlackCalibrationHelper.ImpliedVolError,
        )
        helper.setPricingEngine(engine)
        helpers.append(helper)
    method = ql.LevenbergMarquardt(1e-8, 1e-8, 1e-8)
    end = ql.EndCriteria(400, 50, 1e-8, 1e-8, 1e-8)
    if len(helpers) >= (8 if jumps else 5):
        model.calibrate(helpers, method, end)
    else:
        # Levenberg-Marquardt needs at least as many quotes as free parameters: with fewer than
        # 8 quotes Bates keeps its jump parameters at their starting values
        model.calibrate(helpers, method, end, model.constraint(), [], [False] * 5 + [True] * 3)
    theta, kappa, sigma, rho, v0, *extra = list(model.params())
    return [v0, kappa, theta, sigma, rho, *extra]


def quantlib_heston(obs_tau, obs_delta, obs_iv, tgt_tau, tgt_delta, jumps=False):
    """Calibrate Heston with QuantLib to the observed points and predict the targets. With
    ``jumps`` Bates is calibrated next, starting from the Heston fit (a warm start)."""
    atm = float(np.median(obs_iv))
    p = _quantlib_calibrate(obs_tau, obs_delta, obs_iv, False, [atm**2, 1.0, atm**2, 0.5, -0.1])
    if jumps:
        p = _quantlib_calibrate(obs_tau, obs_delta, obs_iv, True, p)
    if not np.all(np.isfinite(p)) or (jumps and (abs(p[6]) > 2 or p[7] > 2 or p[5] > 50)):
        return np.full(len(tgt_tau), np.nan)  # a diverged calibration counts as a failure
    names = ("v0", "kappa", "theta", "sigma", "rho", "lam", "mu_j", "delta_j")
    arrays = {n: np.array([max(x, 1e-4) if n == "sigma" else x]) for n, x in zip(names, p)}
    return _vols_at_deltas(HestonParams(**arrays), np.asarray(tgt_tau), np.asarray(tgt_delta), atm)


def raw_svi(k, a, b, rho, m, sig):
    return a + b * (rho * (k - m) + np.sqrt((k - m) ** 2 + sig**2))


def _fit_svi(k, w):
    """Raw SVI least squares in total variance; 3-4 quotes fix ``m = 0`` and ``sigma``."""
    scale = max(float(np.max(w)), 1e-6)
    if len(k) >= 5:
        x0 = [0.5 * w.min(), 0.1 * scale / 0.1, 0.0, 0.0, 0.1]
        lo, hi = [-scale, 0.0, -0.999, -1.0, 1e-3], [2 * scale, 10 * scale / 0.01, 0.999, 1.0, 2.0]

        def f(p):
            return raw_svi(k, *p) - w
    else:
        sig0 = max(float(np.std(k)), 0.02)
        x0 = [0.5 * w.min(), scale, 0.0]
        lo, hi = [-scale, 0.0, -0.999], [2 * scale, 100 * scale, 0.999]

        def f(p):
            return raw_svi(k, *p, 0.0, sig0) - w

    fit = least_squares(f, x0, bounds=(lo, hi), x_scale="jac")
    p = list(fit.x) if len(k) >= 5 else [*fit.x, 0.0, sig0]
    return lambda kk: np.maximum(raw_svi(kk, *p), 1e-8)


def per_tenor_svi(obs_tau, obs_delta, obs_iv, tgt_tau, tgt_delta):
    """Per-tenor SVI; unfitted tenors interpolate total variance linearly in maturity."""
    k_obs = black.log_moneyness_from_delta(obs_delta, obs_iv, obs_tau)
    fits = {}
    for t in np.unique(obs_tau):
        sel = obs_tau == t
        if sel.sum() >= 3:
            fits[t] = _fit_svi(k_obs[sel], obs_iv[sel] ** 2 * t)
    flat = float(np.mean(obs_iv))
    out = np.empty(len(tgt_tau))
    for j, (t, d) in enumerate(zip(tgt_tau, tgt_delta)):
        out[j] = _solve_delta(lambda k, t=t: _w_at(fits, t, k, flat) / t, t, d)
    return out


def _w_at(fits, t, k, flat):
    """Total variance at maturity ``t``: its SVI, or linear in maturity between fitted tenors."""
    if t in fits:
        return fits[t](k)
    known = np.array(sorted(fits))
    if len(known) == 0:
        return flat**2 * t
    lower, upper = known[known < t], known[known > t]
    if len(lower) and len(upper):
        t0, t1 = lower[-1], upper[0]
        lam = (t - t0) / (t1 - t0)
        return (1 - lam) * fits[t0](k) + lam * fits[t1](k)
    nearest = lower[-1] if len(lower) else upper[0]
    return fits[nearest](k) * t / nearest  # flat implied vol beyond the fitted range


def _solve_delta(var_of_k, t, d, iterations=60):
    """Vol at forward delta ``d`` on a smile given as implied variance ``var_of_k(k)``."""
    s = np.sqrt(max(var_of_k(0.0), 1e-8) * t)
    lo, hi = -8 * s - 1, 8 * s + 1
    for _ in range(iterations):
        mid = 0.5 * (lo + hi)
        vol = np.sqrt(max(var_of_k(mid), 1e-10))
        if black.delta_from_log_moneyness(mid, vol, t) > d:
            lo = mid
        else:
            hi = mid
    return float(np.sqrt(max(var_of_k(0.5 * (lo + hi)), 1e-10)))


class PCACompletion:
    """Probabilistic PCA on training log-vol grids; completion = posterior mean given the
    observed points (prior on the scores: the component variances)."""

    def __init__(self, n_components: int = 6) -> None:
        self.n_components = n_components

    def fit(self, grids: np.ndarray) -> PCACompletion:
        from sklearn.decomposition import PCA

        pca = PCA(self.n_components).fit(np.log(grids))
        self.mean, self.components = pca.mean_, pca.components_.T
        self.variances = pca.explained_variance_
        self.noise = max(float(pca.noise_variance_), 1e-8)
        return self

    def complete(self, observed_mask: np.ndarray, observed_vols: np.ndarray) -> np.ndarray:
        """Full grid (vols) from one surface's observed points (a boolean grid mask)."""
        w = self.components[observed_mask]
        y = np.log(observed_vols) - self.mean[observed_mask]
        a = w.T @ w + self.noise * np.diag(1.0 / self.variances)
        scores = np.linalg.solve(a, w.T @ y)
        return np.exp(self.mean + self.components @ scores)
