"""Domain-free evaluators: reconstruction errors and the model's held-out log-likelihood."""

from __future__ import annotations

import numpy as np
from pydantic import Field

from sigvae.specs import Params


def _pair(reference, estimate) -> tuple[np.ndarray, np.ndarray]:
    ref = np.asarray(reference, dtype=np.float64)
    est = np.asarray(estimate, dtype=np.float64)
    if ref.shape != est.shape:
        raise ValueError(f"reference {ref.shape} and estimate {est.shape} differ in shape")
    return ref.reshape(len(ref), -1), est.reshape(len(est), -1)


class ReconstructionError:
    """Mean over examples of the per-example mean squared / absolute error."""

    def __init__(self, params: Params) -> None:
        self.params = params

    def evaluate(self, reference, estimate, **context) -> dict[str, float]:
        ref, est = _pair(reference, estimate)
        err = est - ref
        return {
            "mse": float(np.mean(err**2)),
            "rmse": float(np.sqrt(np.mean(err**2))),
            "mae": float(np.mean(np.abs(err))),
        }


class LogLikelihoodParams(Params):
    samples: int = Field(default=100, ge=1, description="importance samples per example")
    max_examples: int = Field(default=2000, ge=1, description="examples evaluated (first N)")


class LogLikelihood:
    """Importance-sampled log p(x) (nats per example) and ELBO of the model on held-out data."""

    def __init__(self, params: LogLikelihoodParams) -> None:
        self.params = params

    def evaluate(self, reference, estimate, *, model=None, arrays=None, device="cpu", **_):
        import torch

        if model is None or arrays is None:
            raise ValueError("log-likelihood needs the model and the held-out arrays")
        n = min(len(arrays), self.params.max_examples)
        lls, elbos = [], []
        with torch.no_grad():
            for start in range(0, n, 256):
                sl = slice(start, min(n, start + 256))
                x = torch.as_tensor(arrays.x[sl], dtype=torch.float32, device=device)
                cond = (
                    None
                    if arrays.cond is None
                    else torch.as_tensor(arrays.cond[sl], dtype=torch.float32, device=device)
                )
                lls.append(model.log_likelihood(x, cond, samples=self.params.samples).cpu())
                elbos.append(model.elbo(x, cond).cpu())
        return {
            "log_likelihood": float(torch.cat(lls).mean()),
            "elbo": float(torch.cat(elbos).mean()),
        }
