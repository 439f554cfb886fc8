"""Surface completion: the latent that best explains the observed quotes, then the full surface.

For each surface, minimise over ``z``

    sum_observed (sigma_model(z; tau_i, delta_i) - iv_i)^2 / (2 s^2)  +  prior_weight r(z) / 2

(``s`` the model's likelihood std; Bergeron et al. 2021, section 4) by batched L-BFGS from
batched Levenberg-Marquardt (the default: the
problem is a small nonlinear least-squares problem, residuals ``(sigma_model - iv) / s`` and
``sqrt(prior_weight) W (z - mean)``) or batched L-BFGS, from pre-screened starts, keeping the
best start per surface. ``r(z)`` is the squared
Mahalanobis distance under the latent prior: by default a Gaussian fitted to the training
surfaces' latents (the aggregate posterior, where Ning et al. 2023 also sample from), else the
VAE's N(0, I). All surfaces and starts are one batch.
"""

from __future__ import annotations

import time
import warnings

import numpy as np
import torch

from sigvae.errors import ConfigError
from sigvae_volsurf.lbfgs import batched_lbfgs
from sigvae_volsurf.levenberg_marquardt import batched_levenberg_marquardt

# per method: (starts, screened candidates without / with the model's amortised guess,
# iterations). Levenberg-Marquardt converges in a few iterations from one good start, and the
# amortised guess is good enough that screening it against the prior mean suffices
# (benchmarks/results/volsurf_speed.md and volsurf_variants.md)
METHOD_DEFAULTS = {"levenberg-marquardt": (1, 16, 2, 10), "lbfgs": (2, 32, 32, 60)}


class FewQuotesWarning(UserWarning):
    """Fewer observed points than latent dimensions: the completion is mostly the prior's."""


def complete_latents(
    model,
    coords: np.ndarray,
    values: np.ndarray,
    mask: np.ndarray | None = None,
    starts: int | None = None,
    candidates: int | None = None,
    prior_weight: float = 1.0,
    prior: str = "aggregate",
    iterations: int | None = None,
    seed: int = 0,
    names=None,
    method: str = "levenberg-marquardt",
):
    """Best latents ``[B, L]`` for observed ``values`` ``[B, P]`` at ``coords`` ``[B, P, 2]``
    (``(tau, delta)``); ``mask`` ``[B, P]`` marks real observations (padding is 0).

    The starts are the best ``starts`` of ``candidates``: the prior mean, the model's amortised
    guess (when it has a start network) and prior draws, scored
    by the objective (one cheap forward pass), so the optimiser (``method``:
    ``"levenberg-marquardt"`` or ``"lbfgs"``) runs from few but good points; ``None`` takes the
    method's defaults in ``METHOD_DEFAULTS``. Returns ``(z, info)`` with the per-surface objective and the wall time."""
    started = time.perf_counter()
    if method not in METHOD_DEFAULTS:
        raise ConfigError(f"unknown completion method {method!r}; use {sorted(METHOD_DEFAULTS)}")
    if not (np.isfinite(prior_weight) and prior_weight > 0):
        raise ConfigError(f"the prior weight must be a positive number, got {prior_weight}")
    d_starts, d_plain, d_guided, d_iterations = METHOD_DEFAULTS[method]
    guided = getattr(model, "start_net", None) is not None
    starts = starts or d_starts
    candidates = max(candidates or (d_guided if guided else d_plain), starts)
    iterations = iterations or d_iterations
    c, y, m = _as_tensors(coords, values, mask)
    _warn_if_few(m.sum(dim=1).numpy(), model.latent_dim, names)
    model.eval()
    b = y.shape[0]
    gen = torch.Generator().manual_seed(seed)
    mean, whiten, bank = _latent_prior(model, prior)
    objective = _objective(model, prior_weight, mean, whiten)
    with _frozen(model), torch.no_grad():
        if bank is None:
            pool = torch.randn(b, candidates, model.latent_dim, generator=gen)
        else:
            pool = bank[torch.randint(len(bank), (b, candidates), generator=gen)]
        pool[:, 0] = mean
        amortised = getattr(model, "amortised_latents", None)
        guess = amortised(c, y, m) if amortised is not None else None
        if guess is not None and candidates > 1:
            pool[:, 1] = guess
        scores = objective(pool.reshape(b * candidates, -1), *_repeat(candidates, c, y, m))
        keep = torch.topk(-scores.reshape(b, candidates), starts).indices
        z0 = torch.gather(pool, 1, keep[..., None].expand(-1, -1, model.latent_dim))
    s = z0.shape[1]
    reps = _repeat(s, c, y, m)
    with _frozen(model):
        if method == "lbfgs":
            # the objective is in units of the likelihood (squared error / 2 s^2): a gradient
            # of 1e-2 is far below what moves a decoded vol by 0.1 bp
            z, f = batched_lbfgs(
                lambda zz, rows: objective(zz, *(t[rows] for t in reps)),
                z0.reshape(b * s, -1),
                iterations=iterations,
                tol=1e-2,
            )
        else:
            residuals = _residuals(model, prior_weight, mean, whiten)
            z, f = batched_levenberg_marquardt(
                lambda zz, rows: residuals(zz, *(t[rows] for t in reps)),
                z0.reshape(b * s, -1),
                iterations=iterations,
            )
    f = torch.nan_to_num(f.reshape(b, s), nan=float("inf"))
    best = f.argmin(dim=1)
    z = z.reshape(b, s, -1)[torch.arange(b), best]
    info = {
        "objective": f[torch.arange(b), best].numpy(),
        "observed": m.sum(dim=1).numpy().astype(int),
        "seconds": time.perf_counter() - started,
    }
    return z, info


def _as_tensors(coords, values, mask):
    """float32 tensors of the observed coordinates, values (NaN as 0) and mask (the given
    mask, or every finite value, and never a NaN); the coordinates are copied, as callers may
    pass read-only views (``np.broadcast_to``)."""
    values = np.asarray(values, float)
    finite = np.isfinite(values)
    mask = finite if mask is None else np.asarray(mask, bool) & finite
    c = torch.from_numpy(np.array(coords, dtype=np.float32))
    y = torch.as_tensor(np.nan_to_num(values), dtype=torch.float32)
    return c, y, torch.as_tensor(mask, dtype=torch.float32)


def _latent_prior(model, kind: str):
    """``(mean, whitening matrix, bank)`` of the latent prior used for completion.

    ``"standard"`` is the VAE's N(0, I). ``"aggregate"`` is a Gaussian fitted to the posterior
    means of training surfaces that the model remembered (its aggregate posterior), which is
    where decoded surfaces look like training data; starts are drawn from those latents. It
    falls back to the standard prior when the model remembered too few latents."""
    if kind not in ("standard", "aggregate"):
        raise ConfigError(f"unknown latent prior {kind!r}; use 'aggregate' or 'standard'")
    d = model.latent_dim
    bank = model.training_latents().float().cpu() if kind == "aggregate" else None
    if bank is None or len(bank) < 4 * d:
        return torch.zeros(d), torch.eye(d), None
    cov = torch.cov(bank.T) + 1e-6 * torch.eye(d)
    whiten = torch.linalg.inv(torch.linalg.cholesky(cov))  # |whiten (z - mean)|^2 = Mahalanobis
    return bank.mean(0), whiten, bank


def _objective(model, prior_weight, mean, whiten):
    scale = 1.0 / (2.0 * model.sigma**2)

    def objective(z, c, y, m):
        """Per-problem objective for latents ``z`` and the matching rows of ``c, y, m``."""
        err = model.decode_at(z, c) - y
        u = (z - mean) @ whiten.T
        return scale * (m * err * err).sum(-1) + 0.5 * prior_weight * (u * u).sum(-1)

    return objective


def _residuals(model, prior_weight, mean, whiten):
    """Residuals whose half squared norm is the objective, and their Jacobian in ``z``."""
    inv_s = 1.0 / model.sigma
    root_w = prior_weight**0.5

    def residuals(z, c, y, m):
        vols, jac = _vols_and_jacobian(model, z, c)
        weight = m.sqrt() * inv_s
        r_data = weight * (vols - y)
        j_data = weight[..., None] * jac
        b = y.shape[0]
        r_prior = root_w * (z - mean) @ whiten.T
        j_prior = (root_w * whiten).expand(b, -1, -1)
        return torch.cat([r_data, r_prior], 1), torch.cat([j_data, j_prior], 1)

    return residuals


def _vols_and_jacobian(model, z, c):
    """Vols ``[B, P]`` at ``c`` ``[B, P, 2]`` and their Jacobian ``[B, P, L]`` in ``z``.

    Every point gets its own copy of its surface's latent, so one backward pass of the summed
    vols gives each point's gradient: the Jacobian rows, for any decoder whose vol at a point
    depends only on that point's coordinates and latent."""
    b, p = c.shape[:2]
    zz = z.detach()[:, None, :].expand(b, p, -1).reshape(b * p, -1).requires_grad_(True)
    with torch.enable_grad():
        vols = model.decode_at(zz, c.reshape(b * p, 1, 2))
        (jac,) = torch.autograd.grad(vols.sum(), zz)
    return vols.detach().reshape(b, p), jac.reshape(b, p, -1)


def completion_std(
    model,
    z: torch.Tensor,
    coords: np.ndarray,
    values: np.ndarray,
    out_coords: np.ndarray,
    mask: np.ndarray | None = None,
    prior_weight: float = 1.0,
    prior: str = "aggregate",
    misfit: bool = True,
) -> np.ndarray:
    """One standard deviation ``[B, Q]`` of the completed vols at ``out_coords`` ``[Q, 2]``
    (shared by all surfaces), for latents ``z`` completed from ``values`` at ``coords``
    (as :func:`complete_latents` takes them).

    Laplace approximation: the completion objective is half the squared norm of residuals in
    units of the quote noise plus the prior's, so at its minimum the latent posterior is
    approximately Gaussian with covariance ``(J^T J)^-1`` (``J`` the residuals' Jacobian, the
    Gauss-Newton Hessian); the delta method carries it through the decoder:
    ``var = g^T (J^T J)^-1 g`` with ``g`` the gradient of the vol at a point. That reflects the
    quote noise the model was trained with (its ``noise_bp``) and how well the quotes pin the
    latent down; with ``misfit`` the variance is also scaled by the fit's reduced chi-square
    (:func:`_misfit_scale`), so quotes the model cannot reach widen it. It does not see errors
    that leave the quotes well fitted (``benchmarks/results/volsurf_uncertainty.md`` measures
    its coverage)."""
    mean, whiten, _ = _latent_prior(model, prior)
    residuals = _residuals(model, prior_weight, mean, whiten)
    c, y, m = _as_tensors(coords, values, mask)
    b = z.shape[0]
    out = torch.as_tensor(out_coords, dtype=torch.float32)[None].expand(b, -1, -1)
    with _frozen(model):
        r, jac = residuals(z, c, y, m)
        _, grad = _vols_and_jacobian(model, z, out)
    hessian = jac.transpose(1, 2) @ jac  # positive definite: the prior rows have full rank
    cov = torch.cholesky_inverse(torch.linalg.cholesky(hessian))
    var = torch.einsum("bqi,bij,bqj->bq", grad, cov, grad)
    if misfit:
        var = var * _misfit_scale(r, jac, cov, m)[:, None]
    return var.clamp_min(0.0).sqrt().numpy().astype(float)


# the residual variance is estimated only from fits with at least this many residual degrees of
# freedom (observed points minus the effective number of latent parameters)
MIN_MISFIT_DOF = 2.0


def _misfit_scale(r, jac, cov, m) -> torch.Tensor:
    """Per surface ``max(1, RSS / dof)``: the reduced chi-square of the fit to the quotes.

    The residuals are in units of the model's quote noise, so a surface the model cannot
    reach (real quotes off the training family) leaves a larger residual sum of squares than
    the noise explains; scaling the covariance by it is the usual nonlinear least-squares
    estimate of the error variance. ``dof`` is the number of quotes minus the effective number
    of parameters ``tr(J_d H^-1 J_d^T)`` (the prior shrinks it below the latent size)."""
    p = m.shape[1]
    r_data, j_data = r[:, :p], jac[:, :p]
    rss = (r_data * r_data).sum(-1)
    p_eff = torch.einsum("bpi,bij,bpj->b", j_data, cov, j_data)
    dof = m.sum(-1) - p_eff
    scale = torch.where(dof >= MIN_MISFIT_DOF, rss / dof.clamp_min(MIN_MISFIT_DOF), 1.0)
    return scale.clamp_min(1.0)


def _repeat(times, *tensors):
    return [t.repeat_interleave(times, dim=0) for t in tensors]


class _frozen:
    """Parameters do not need gradients while only the latents are optimised."""

    def __init__(self, model) -> None:
        self.params = list(model.parameters())

    def __enter__(self):
        self.state = [p.requires_grad for p in self.params]
        for p in self.params:
            p.requires_grad_(False)

    def __exit__(self, *exc):
        for p, state in zip(self.params, self.state):
            p.requires_grad_(state)


def _warn_if_few(counts, latent_dim, names) -> None:
    few = counts < latent_dim
    if few.any():
        which = np.asarray(names)[few] if names is not None else np.flatnonzero(few)
        warnings.warn(
            f"{int(few.sum())} surface(s) have fewer observed points than the latent dimension "
            f"({latent_dim}), so their completion is driven by the prior: "
            f"{', '.join(str(w) for w in which[:5])}",
            FewQuotesWarning,
            stacklevel=3,
        )


@torch.no_grad()
def decode_vols(model, z: torch.Tensor, coords: np.ndarray) -> np.ndarray:
    """Vols ``[B, P]`` decoded at ``coords`` ``[P, 2]`` (shared) or ``[B, P, 2]``."""
    return model.decode_at(z, torch.as_tensor(coords, dtype=z.dtype)).numpy().astype(float)
