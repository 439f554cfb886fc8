"""Which denoiser variant to ship: vae vs beta-vae vs a plain conv DAE (and sizes), trained on
the same windows from ``pipelines/ecg_denoise.yaml`` for the same short budget, scored on the
validation split (never the test split). Writes ``benchmarks/results/ecg_variants.md``.

    python benchmarks/bench_ecg_variants.py [--epochs 4] [--train 30000] [--threads 1]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import numpy as np
from bench_ecg_data import ROOT, pipeline_splits, require_data

ARCH = {"arch": "conv1d", "hidden": [8, 16, 32, 64], "kernel_size": 7, "activation": "relu"}
FLAT = {"encoder": ARCH, "learn_sigma": "shared", "sigma": 0.3}
CONV = {
    "hidden": [24, 32, 48, 64],
    "stem_stride": 4,
    "kernel_size": 7,
    "latent_channels": 16,
    "learn_sigma": "shared",
    "sigma": 0.3,
}
CONV3 = {**CONV, "hidden": [24, 32, 48]}
VARIANTS = {
    "vae, vector latent 64 (sigvae_vae conv1d blocks)": ("vae", {**FLAT, "latent_dim": 64}),
    "ecg-conv-vae, 4 levels (latent 16x16), beta 1": ("ecg-conv-vae", {**CONV, "beta": 1.0}),
    "ecg-conv-vae, 4 levels (latent 16x16), beta 4 (beta-VAE)": (
        "ecg-conv-vae",
        {**CONV, "beta": 4.0},
    ),
    "ecg-conv-vae, 4 levels (latent 16x16), beta 0.25": ("ecg-conv-vae", {**CONV, "beta": 0.25}),
    "ecg-conv-vae, 3 levels (latent 16x32), beta 1": ("ecg-conv-vae", {**CONV3, "beta": 1.0}),
    "ecg-conv-vae, 3 levels (latent 16x32), beta 0.25": ("ecg-conv-vae", {**CONV3, "beta": 0.25}),
    "ecg-conv-vae, 3 levels (latent 16x32), beta 0.1": ("ecg-conv-vae", {**CONV3, "beta": 0.1}),
    "ecg-conv-vae, 3 levels [32, 48, 64], beta 0.25": (
        "ecg-conv-vae",
        {**CONV3, "hidden": [32, 48, 64], "beta": 0.25},
    ),
    "plain conv DAE, 3 levels (same net, deterministic)": (
        "ecg-conv-vae",
        {**CONV3, "deterministic": True},
    ),
}


def cached_splits(path: Path):
    from sigvae.data import Arrays

    if path.is_file():
        z = np.load(path)
        return {
            k: Arrays(x=z[f"{k}_x"], target=z[f"{k}_t"], groups=z[f"{k}_g"])
            for k in ("train", "val")
        }
    splits, _ = pipeline_splits()
    np.savez(
        path,
        **{
            f"{k}_{f}": getattr(splits[k], a)
            for k in ("train", "val")
            for f, a in (("x", "x"), ("t", "target"), ("g", "groups"))
        },
    )
    return splits


def val_scores(model, val) -> dict:
    from sigvae_ecg import metrics

    from sigvae.pipeline.evaluation import predict

    est = predict(model, val)
    snr_in, snr_out = metrics.snr_db(val.target, val.x), metrics.snr_db(val.target, est)
    return {
        "snr_out_db": metrics.summarize(snr_out),
        "snr_out_high_db": metrics.summarize(snr_out[snr_in >= 12]),
        "snr_in_db": metrics.summarize(metrics.snr_db(val.target, val.x)),
        "prd_textbook": metrics.summarize(metrics.prd_textbook(val.target, est)),
        "cosine": metrics.summarize(metrics.cosine(val.target, est)),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=4)
    ap.add_argument("--train", type=int, default=30000)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--only", default=None, help="run only variants whose name contains this")
    args = ap.parse_args()
    require_data()
    import torch

    from sigvae import registry
    from sigvae.training import TrainConfig, Trainer

    torch.set_num_threads(args.threads)
    splits = cached_splits(Path(tempfile.gettempdir()) / "sigvae_ecg_splits.npz")
    rng = np.random.default_rng(0)
    train = splits["train"].subset(rng.choice(len(splits["train"]), args.train, replace=False))
    val = splits["val"].subset(rng.choice(len(splits["val"]), 4000, replace=False))
    info = {"x_shape": [1, 512], "cond_dim": None, "has_target": True}
    rows = []
    for name, (kind, params) in VARIANTS.items():
        if args.only and args.only not in name:
            continue
        model = registry.build("model", kind, params, data_info=info)
        n_params = sum(p.numel() for p in model.parameters())
        cfg = TrainConfig(
            epochs=args.epochs,
            batch_size=256,
            lr=2e-3,
            grad_clip=5.0,
            progress=False,
            num_threads=args.threads,
        )
        t0 = time.perf_counter()
        Trainer(cfg).fit(model, train, val)
        row = {
            "variant": name,
            "params": n_params,
            "train_s": round(time.perf_counter() - t0, 1),
            **val_scores(model.eval(), val),
        }
        print(json.dumps(row), flush=True)
        rows.append(row)
    lines = [
        "## ECG denoiser variants (validation split)",
        "",
        f"Command: `python benchmarks/bench_ecg_variants.py --epochs {args.epochs} --train "
        f"{args.train} --threads {args.threads}`. Same {args.train} training windows "
        "(random subset of the pipeline's train split), same epochs, Adam 2e-3; ecg-conv-vae "
        "widths [24, 32, 48, 64] (stride-4 stem), vae conv1d widths [8, 16, 32, 64] (similar "
        "FLOPs per window); scored on 4000 validation "
        "windows (records 106, 113, LUDB 71-80). SNRs are power SNRs in dB (means removed), "
        "per window, averaged.",
        "",
        "| variant | params | train s | input SNR | output SNR | output SNR, input >= 12 dB | "
        "PRD % (textbook) | cosine |",
        "|---|---|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {r['variant']} | {r['params']} | {r['train_s']} | {r['snr_in_db']:.2f} | "
        f"{r['snr_out_db']:.2f} | {r['snr_out_high_db']:.2f} | {r['prd_textbook']:.1f} | {r['cosine']:.3f} |"
        for r in rows
    ]
    out = ROOT / "benchmarks" / "results" / "ecg_variants.md"
    if not args.only:
        out.write_text("\n".join(lines) + "\n")
    print(out)


if __name__ == "__main__":
    main()
