"""Evaluation of a trained model on a held-out split, in physical units."""

from __future__ import annotations

from typing import Any

import numpy as np

from sigvae.data import Arrays


def predict(model, arrays: Arrays, device: str = "cpu", batch_size: int = 1024) -> np.ndarray:
    """``model.reconstruct`` over ``arrays`` in batches, as a NumPy array."""
    import torch

    model = model.to(device).eval()
    out = []
    with torch.no_grad():
        for start in range(0, len(arrays), batch_size):
            sl = slice(start, start + batch_size)
            x = torch.as_tensor(arrays.x[sl], dtype=torch.float32, device=device)
            cond = (
                None
                if arrays.cond is None
                else torch.as_tensor(arrays.cond[sl], dtype=torch.float32, device=device)
            )
            out.append(model.reconstruct(x, cond).float().cpu().numpy())
    return np.concatenate(out) if out else np.empty((0, *arrays.x.shape[1:]), np.float32)


def to_physical(model, arrays: Arrays, fitted_steps, device: str) -> tuple[np.ndarray, np.ndarray]:
    """Estimate and reference for ``arrays``, mapped back through every invertible
    arrays-to-arrays step (in reverse order) so metrics are in the data's own units."""
    estimate = predict(model, arrays, device)
    reference = arrays.target if arrays.target is not None else arrays.x
    for spec, step in reversed(fitted_steps):
        if spec.takes != "arrays" or not hasattr(step, "inverse_transform"):
            break
        estimate = step.inverse_transform(arrays.with_fields(x=estimate, target=None)).x
        reference = step.inverse_transform(arrays.with_fields(x=reference, target=None)).x
    return estimate, reference


def evaluate(evaluators, reference: np.ndarray, estimate: np.ndarray, **context: Any) -> dict:
    """Every evaluator's metrics in one dict; a name two evaluators share is prefixed."""
    metrics: dict[str, float] = {}
    for spec, params in evaluators:
        values = spec.factory(params).evaluate(reference, estimate, **context)
        for key, value in values.items():
            name = key if key not in metrics else f"{spec.name}.{key}"
            metrics[name] = float(value)
    return metrics
