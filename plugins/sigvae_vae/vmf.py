"""The von Mises-Fisher distribution on the sphere S^(m-1) in R^m, the uniform distribution on
it, and a log-space modified Bessel function for their normalisers (Davidson et al. 2018).

``vMF(z; mu, kappa) = C_m(kappa) exp(kappa mu^T z)`` with
``log C_m(kappa) = (m/2 - 1) log kappa - (m/2) log(2 pi) - log I_(m/2-1)(kappa)``.

``log I_v(x)`` is ``log(ive(v, x)) + x`` (SciPy's exponentially scaled Bessel function, so
large ``x`` does not overflow); where ``ive`` underflows (large order, small argument) the
uniform asymptotic expansion of DLMF 10.41.3 with terms up to ``U_3`` is used instead. Its
derivative is ``I_(v+1)(x) / I_v(x) + v / x`` (DLMF 10.29.2).
"""

from __future__ import annotations

import math

import numpy as np
import torch
from scipy import special
from torch.distributions import Beta, Distribution, constraints

_TINY = 1e-280


def _log_iv_debye(v: float, x: np.ndarray) -> np.ndarray:
    """Uniform asymptotic expansion of log I_v(x) for large v (DLMF 10.41.3)."""
    z = x / v
    root = np.sqrt(1.0 + z * z)
    eta = root + np.log(z / (1.0 + root))
    p = 1.0 / root
    u1 = (3 * p - 5 * p**3) / 24
    u2 = (81 * p**2 - 462 * p**4 + 385 * p**6) / 1152
    u3 = (30375 * p**3 - 369603 * p**5 + 765765 * p**7 - 425425 * p**9) / 414720
    series = 1.0 + u1 / v + u2 / v**2 + u3 / v**3
    return v * eta - 0.5 * np.log(2 * np.pi * v) - 0.5 * np.log(root) + np.log(series)


def log_iv_numpy(v: float, x: np.ndarray) -> np.ndarray:
    """``log I_v(x)`` for ``x > 0`` in float64."""
    x = np.asarray(x, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        scaled = special.ive(v, x)
        direct = np.log(scaled) + x
    good = np.isfinite(direct) & (scaled > _TINY)
    if good.all() or v <= 0:
        return direct
    return np.where(good, direct, _log_iv_debye(v, x))


class _LogBesselIv(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x: torch.Tensor, v: float) -> torch.Tensor:
        ctx.v = v
        ctx.save_for_backward(x)
        value = log_iv_numpy(v, x.detach().cpu().double().numpy())
        return torch.as_tensor(value, dtype=x.dtype, device=x.device)

    @staticmethod
    def backward(ctx, grad: torch.Tensor):
        (x,) = ctx.saved_tensors
        return grad * bessel_ratio(ctx.v, x) + grad * ctx.v / x, None


def log_bessel_iv(v: float, x: torch.Tensor) -> torch.Tensor:
    """Differentiable (in ``x``) ``log I_v(x)`` for a fixed order ``v >= 0`` and ``x > 0``."""
    return _LogBesselIv.apply(x, float(v))


def bessel_ratio(v: float, x: torch.Tensor) -> torch.Tensor:
    """``A = I_(v+1)(x) / I_v(x)`` (no gradient), from the log-space values."""
    xs = x.detach().cpu().double().numpy()
    ratio = np.exp(log_iv_numpy(v + 1, xs) - log_iv_numpy(v, xs))
    return torch.as_tensor(ratio, dtype=x.dtype, device=x.device)


def log_sphere_area(m: int) -> float:
    """``log |S^(m-1)| = log(2 pi^(m/2) / Gamma(m/2))``."""
    return math.log(2.0) + 0.5 * m * math.log(math.pi) - math.lgamma(0.5 * m)


class HypersphericalUniform(Distribution):
    """Uniform distribution on the unit sphere S^(m-1) in R^m."""

    arg_constraints: dict = {}
    has_rsample = False

    def __init__(self, m: int, like: torch.Tensor) -> None:
        self.m = int(m)
        self._like = like
        super().__init__(torch.Size(), torch.Size([self.m]), validate_args=False)

    def sample(self, sample_shape=()) -> torch.Tensor:
        shape = torch.Size(sample_shape) + self.event_shape
        g = torch.randn(shape, dtype=self._like.dtype, device=self._like.device)
        return g / g.norm(dim=-1, keepdim=True)

    def log_prob(self, value: torch.Tensor) -> torch.Tensor:
        return torch.full(
            value.shape[:-1], -log_sphere_area(self.m), dtype=value.dtype, device=value.device
        )


class VonMisesFisher(Distribution):
    """vMF with unit mean direction ``loc [B, m]`` and concentration ``kappa [B]``;
    ``rsample`` is Wood's (1994) rejection sampler, reparameterised as in Davidson et al. (2018):
    the accepted Beta proposal is held fixed and ``w`` is differentiated through ``kappa``
    (their reference code also leaves out the small rejection-correction gradient term)."""

    arg_constraints = {"kappa": constraints.positive}
    support = constraints.real_vector
    has_rsample = True

    def __init__(self, loc: torch.Tensor, kappa: torch.Tensor, max_tries: int = 100) -> None:
        self.loc, self.kappa, self.max_tries = loc, kappa, max_tries
        self.m = loc.shape[-1]
        super().__init__(loc.shape[:-1], loc.shape[-1:], validate_args=False)

    @property
    def mean(self) -> torch.Tensor:
        return self.mean_resultant_length().unsqueeze(-1) * self.loc

    def mean_resultant_length(self) -> torch.Tensor:
        """``E[mu^T z] = A_m(kappa) = I_(m/2)(kappa) / I_(m/2-1)(kappa)``."""
        return bessel_ratio(self.m / 2 - 1, self.kappa)

    def log_normalizer(self) -> torch.Tensor:
        v = self.m / 2 - 1
        return (
            v * torch.log(self.kappa)
            - 0.5 * self.m * math.log(2 * math.pi)
            - log_bessel_iv(v, self.kappa)
        )

    def log_prob(self, value: torch.Tensor) -> torch.Tensor:
        return self.log_normalizer() + self.kappa * (self.loc * value).sum(-1)

    def entropy(self) -> torch.Tensor:
        return -self.log_normalizer() - self.kappa * self._ratio_with_grad()

    def kl_to_uniform(self) -> torch.Tensor:
        """``KL(vMF || U(S^(m-1))) = kappa A_m(kappa) + log C_m(kappa) + log |S^(m-1)|``."""
        return (
            self.kappa * self._ratio_with_grad() + self.log_normalizer() + log_sphere_area(self.m)
        )

    def _ratio_with_grad(self) -> torch.Tensor:
        v = self.m / 2 - 1
        # A = d/dkappa log I_v(kappa) - v/kappa keeps the gradient through kappa
        return torch.exp(log_bessel_iv(v + 1, self.kappa) - log_bessel_iv(v, self.kappa))

    def detached(self) -> VonMisesFisher:
        return VonMisesFisher(self.loc.detach(), self.kappa.detach(), self.max_tries)

    def rsample(self, sample_shape=()) -> torch.Tensor:
        shape = torch.Size(sample_shape) + self.batch_shape
        kappa = self.kappa.expand(shape)
        w = self._sample_w(kappa)
        v = torch.randn(*shape, self.m - 1, dtype=self.loc.dtype, device=self.loc.device)
        v = v / v.norm(dim=-1, keepdim=True)
        around_e1 = torch.cat(
            [w.unsqueeze(-1), torch.sqrt((1 - w.pow(2)).clamp_min(0)).unsqueeze(-1) * v], -1
        )
        return self._householder(around_e1, self.loc.expand(*shape, self.m))

    def _sample_w(self, kappa: torch.Tensor) -> torch.Tensor:
        m1 = self.m - 1
        # b written without cancellation: (m-1) / (2 kappa + sqrt(4 kappa^2 + (m-1)^2))
        root = torch.sqrt(4 * kappa.pow(2) + m1**2)
        b = m1 / (2 * kappa + root)
        a = (m1 + 2 * kappa + root) / 4
        d = 4 * a * b / (1 + b) - m1 * math.log(m1)
        beta = Beta(torch.full_like(kappa, m1 / 2), torch.full_like(kappa, m1 / 2))
        eps = torch.zeros_like(kappa)
        done = torch.zeros_like(kappa, dtype=torch.bool)
        with torch.no_grad():
            for _ in range(self.max_tries):
                e = beta.sample()
                u = torch.rand_like(kappa).clamp_min(1e-30)
                t = 2 * a * b / (1 - (1 - b) * e)
                accept = (m1 * torch.log(t) - t + d >= torch.log(u)) & ~done
                eps = torch.where(accept, e, eps)
                done = done | accept
                if bool(done.all()):
                    break
        return (1 - (1 + b) * eps) / (1 - (1 - b) * eps)

    @staticmethod
    def _householder(z: torch.Tensor, loc: torch.Tensor) -> torch.Tensor:
        """Reflect ``z`` (drawn around e1) so that e1 maps onto ``loc``."""
        e1 = torch.zeros_like(loc)
        e1[..., 0] = 1.0
        u = e1 - loc
        norm = u.norm(dim=-1, keepdim=True)
        u = u / norm.clamp_min(1e-12)
        reflected = z - 2 * (z * u).sum(-1, keepdim=True) * u
        return torch.where(norm > 1e-6, reflected, z)
