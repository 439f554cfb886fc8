"""The sigvae side of the VAE-family benchmark: which models, with which params, and how one is
trained and scored.

Every autoencoder shares one architecture (``SHARED``): MLP encoder IN-256-128-head, mirrored
decoder 16-128-256-IN, ReLU, latent 16, Gaussian likelihood with fixed sigma = 1, so
``-log p(x|z) = 0.5 * |x - mu|^2 + D/2 log(2 pi)`` — Pythae's ``mse`` loss up to the constant.
Model-specific knobs keep their defaults unless a Pythae counterpart needs them matched.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

SHARED = {
    "latent_dim": 16,
    "encoder": {"arch": "mlp", "hidden": [256, 128], "activation": "relu"},
    "likelihood": "gaussian",
    "sigma": 1.0,
    "learn_sigma": "none",
}


@dataclass
class Entry:
    """One benchmarked model. ``cond``: None, "class" (one-hot beat class) or "sex" (0/1
    nuisance column); ``na``: why the model is not run on this data."""

    name: str
    family: str
    params: dict = field(default_factory=dict)
    cond: str | None = None
    note: str = ""
    na: str = ""
    shared: bool = True


ENTRIES = [
    Entry("vae", "I"),
    Entry("beta-vae", "I", note="beta 4"),
    Entry("cvae", "I", cond="class", note="cond = one-hot beat class (N/L/R/e/j)"),
    Entry("iwae", "I", {"samples": 5}, note="K 5, standard gradient"),
    Entry("vr-alpha", "I", note="alpha 0.5, K 5"),
    Entry("vr-max", "I", note="K 5"),
    Entry("ar1-vae", "I"),
    Entry("s-vae", "I", {"latent_dim": 16}, note="vMF on S^15"),
    Entry("vamp-vae", "I", {"components": 50}, note="50 pseudo-inputs"),
    Entry("vade", "I", note="10 clusters"),
    Entry("iaf-vae", "I", note="2 IAF steps"),
    Entry("delta-vae", "I", note="delta 2 nats"),
    Entry("two-stage-vae", "I", note="stage-1 sigma fixed at 1 (Dai & Wipf learn it)"),
    Entry("pixel-vae", "I", note="causal conv decoder 4x32 ch instead of the MLP decoder"),
    Entry(
        "vrnn",
        "I",
        {"latent_dim": 8, "hidden": 64},
        shared=False,
        note="beat as a 128-step sequence; GRU 64, latent 8 per step (no MLP)",
    ),
    Entry(
        "info-vae", "II", {"alpha": 0.0, "lam": 10.0, "kernel": "rbf"}, note="alpha 0, lambda 10"
    ),
    Entry("wae", "II", {"lam": 10.0, "kernel": "imq"}, note="MMD, imq multiscale, lambda 10"),
    Entry("itl-ae", "II", note="Cauchy-Schwarz to N(0, I)"),
    Entry(
        "aae",
        "II",
        {"posterior": "gaussian", "adversarial_weight": 0.5, "disc_hidden": [256]},
        note="Gaussian posterior, adversarial weight 0.5, discriminator 16-256-1 (as Pythae's)",
    ),
    Entry(
        "vae-gan",
        "II",
        {"discriminator": {"arch": "mlp", "hidden": [256], "activation": "relu"}},
        note="gamma 1, discriminator 128-256-1 (as Pythae's), reconstruction in its 256 features",
    ),
    Entry("cvae-gan", "II", cond="class", note="cond = one-hot beat class"),
    Entry(
        "vq-vae",
        "II",
        {"latent_dim": 4, "tokens": 4, "codebook_size": 64},
        note="4 tokens x 4 dims, 64 codes, EMA; MADE code prior as a second stage (see below)",
    ),
    Entry("beta-tcvae", "II", note="alpha 1, beta 6, gamma 1, mss"),
    Entry(
        "factor-vae",
        "II",
        {"gamma": 10.0, "disc_hidden": [1000] * 5},
        note="gamma 10, discriminator 5 x 1000 (Kim & Mnih's, as Pythae's)",
    ),
    Entry("dip-vae", "II", note="DIP-VAE-i"),
    Entry("mmvae", "II", na="needs >= 2 modalities; this benchmark has one lead"),
    Entry("vfae", "II", cond="sex", note="nuisance s = subject sex (0/1), no label"),
]


def cond_of(entry: Entry, beats) -> np.ndarray | None:
    if entry.cond == "class":
        return beats.one_hot()
    if entry.cond == "sex":
        return beats.male[:, None]
    return None


def build_model(entry: Entry, x_shape: list[int], cond_dim: int):
    from sigvae.registry import build

    params = {**SHARED, **entry.params} if entry.shared else dict(entry.params)
    info = {"x_shape": x_shape, "cond_dim": cond_dim, "has_target": False}
    return build("model", entry.name, params, data_info=info)


def batched(fn, x, cond, size: int):
    """``fn(x_chunk, cond_chunk)`` over row chunks, concatenated (bounds memory)."""
    import torch

    parts = []
    for start in range(0, len(x), size):
        c = None if cond is None else cond[start : start + size]
        parts.append(fn(x[start : start + size], c))
    return torch.cat(parts)


def train_config(args):
    """The Trainer settings every sigvae training of the benchmark uses (CPU, no progress bar)."""
    from sigvae.training import TrainConfig

    return TrainConfig(
        epochs=args.epochs,
        batch_size=args.batch_size,
        lr=args.lr,
        progress=False,
        seed=args.seed,
        device="cpu",
    )


def train_sigvae(entry: Entry, data: dict, args):
    """Build and train one model with the one Trainer; returns ``(model, conds, out)`` with
    the training times in ``out``."""
    import torch

    from sigvae.data import Arrays
    from sigvae.training import Trainer

    torch.manual_seed(args.seed)
    train, val, test = data["train"], data["val"], data["test"]
    conds = [cond_of(entry, b) for b in (train, val, test)]
    model = build_model(entry, [train.x.shape[1]], 0 if conds[0] is None else conds[0].shape[1])
    config = train_config(args)
    wall, cpu = time.perf_counter(), time.process_time()
    result = Trainer(config).fit(
        model, Arrays(x=train.x, cond=conds[0]), Arrays(x=val.x, cond=conds[1])
    )
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    out = {"stopped": result.stopped_reason}
    stage = getattr(model, "prior_fit", None)
    if stage is not None:
        # vq-vae: the code prior is a separate stage run inside fit (at epoch ends) and timed
        # by the model around its own work; the VQ-VAE's time is the rest of the call
        out["prior_wall"], out["prior_cpu"] = stage.seconds, stage.cpu_seconds
        wall, cpu = wall - stage.seconds, cpu - stage.cpu_seconds
    out["train_wall"], out["train_cpu"] = wall, cpu
    out["val_loss"] = result.history[-1].get("val/loss") if result.history else None
    if result.stopped_reason == "nan":
        out["error"] = result.message
    return model, conds, out


def run_sigvae(entry: Entry, data: dict, args) -> dict:
    """Train with the one Trainer, then score on the held-out test records."""
    import torch

    from sigvae.nn.model import UndefinedQuantity

    model, conds, out = train_sigvae(entry, data, args)
    test = data["test"]
    model.eval()
    x = torch.from_numpy(test.x)
    cond = None if conds[2] is None else torch.from_numpy(conds[2])
    recon = batched(model.reconstruct, x, cond, 512)
    out["mse"] = float(((recon - x) ** 2).mean())
    ll_index = data["ll_index"]
    ll_x, ll_c = x[ll_index], None if cond is None else cond[ll_index]
    started = time.perf_counter()
    try:
        ll = batched(
            lambda a, c: model.log_likelihood(a, c, samples=args.ll_samples), ll_x, ll_c, 25
        )
        out["ll"], out["ll_values"] = float(ll.mean()), ll.tolist()
        out["ll_seconds"] = time.perf_counter() - started
    except UndefinedQuantity as exc:
        out["ll"], out["ll_why"] = None, str(exc).splitlines()[0]
    return out
