"""Pythae side of the VAE-family benchmark: one Pythae model, its own trainer, one JSON result.

Run by ``bench_vae_family.py`` with the Python of the benchmark venv (Pythae is not a sigvae
dependency):

    /tmp/benchvenv/bin/python benchmarks/vae_family_pythae.py DATA.npz OUT.json --model vae \
        --epochs 10 --batch-size 128 --lr 1e-3

The networks have the widths of the sigvae models (MLP encoder IN-256-128-head, decoder
LATENT-128-256-IN, ReLU). The hyper-parameters set below are the sigvae ones translated to
Pythae's conventions (see ``MODELS``). Training time covers ``trainer.train()`` only; the model
evaluated is the final one (``trainer.model``), as for sigvae.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
import traceback
from pathlib import Path

import numpy as np

LATENT, VQ_TOKENS, VQ_DIM = 16, 4, 4

# sigvae name -> (Pythae model, its config kwargs, trainer family). Weights are matched to the
# sigvae params used in bench_vae_family.py: WAE's reg_weight is 2 * lam because Pythae's WAE
# scores the summed squared error where sigvae scores 0.5 * squared error (-log N(x; mu, 1)).
MODELS = {
    "vae": ("VAE", {}, "base"),
    "beta-vae": ("BetaVAE", {"beta": 4.0}, "base"),
    "iwae": ("IWAE", {"number_samples": 5}, "base"),
    "vamp-vae": ("VAMP", {"number_components": 50}, "base"),
    "s-vae": ("SVAE", {}, "base"),
    "info-vae": (
        "INFOVAE_MMD",
        {"alpha": 0.0, "lbd": 10.0, "kernel_choice": "rbf", "kernel_bandwidth": 1.0},
        "base",
    ),
    "wae": ("WAE_MMD", {"reg_weight": 20.0, "kernel_choice": "imq", "kernel_bandwidth": 1.0}, "base"),
    "aae": ("Adversarial_AE", {"adversarial_loss_scale": 0.5}, "adversarial"),
    "vae-gan": ("VAEGAN", {}, "coupled"),
    "vq-vae": ("VQVAE", {"num_embeddings": 64, "use_ema": True, "commitment_loss_factor": 0.25}, "base"),
    "beta-tcvae": ("BetaTCVAE", {"alpha": 1.0, "beta": 6.0, "gamma": 1.0, "use_mss": True}, "base"),
    "factor-vae": ("FactorVAE", {"gamma": 10.0}, "adversarial"),
}  # fmt: skip


def networks(name: str, width: int):
    """Pythae encoder/decoder modules with the benchmark's MLP widths."""
    import torch
    from pythae.models.base.base_utils import ModelOutput
    from pythae.models.nn import BaseDecoder, BaseEncoder

    nn = torch.nn
    code = VQ_TOKENS * VQ_DIM if name == "vq-vae" else LATENT
    heads = {"s-vae": code + 1, "vq-vae": code, "wae": code}

    class Encoder(BaseEncoder):
        def __init__(self):
            super().__init__()
            out = heads.get(name, 2 * code)
            self.net = nn.Sequential(
                nn.Linear(width, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(),
                nn.Linear(128, out),
            )  # fmt: skip

        def forward(self, x):
            h = self.net(x)
            if name == "vq-vae":  # [B, code width, 1, tokens]: Pythae quantises along dim 1
                return ModelOutput(embedding=h.reshape(len(h), VQ_TOKENS, VQ_DIM).mT[:, :, None])
            if name == "wae":
                return ModelOutput(embedding=h)
            if name == "s-vae":
                return ModelOutput(embedding=h[:, :code], log_concentration=h[:, code:])
            return ModelOutput(embedding=h[:, :code], log_covariance=h[:, code:])

    class Decoder(BaseDecoder):
        def __init__(self):
            super().__init__()
            self.net = nn.Sequential(
                nn.Linear(code, 128), nn.ReLU(), nn.Linear(128, 256), nn.ReLU(),
                nn.Linear(256, width),
            )  # fmt: skip

        def forward(self, z):
            return ModelOutput(reconstruction=self.net(z.flatten(1)))

    return Encoder(), Decoder()


def build(name: str, width: int):
    import pythae.models as pm

    cls_name, extra, _ = MODELS[name]
    config_cls = getattr(pm, "VAMPConfig" if cls_name == "VAMP" else f"{cls_name}Config", None)
    if config_cls is None:
        config_cls = getattr(pm, f"{cls_name}_Config")
    latent = VQ_TOKENS * VQ_DIM if name == "vq-vae" else LATENT
    config = config_cls(input_dim=(width,), latent_dim=latent, **extra)
    if name not in ("wae", "vq-vae"):
        config.reconstruction_loss = "mse"
    encoder, decoder = networks(name, width)
    return getattr(pm, cls_name)(config, encoder=encoder, decoder=decoder)


def trainer_for(name, model, train, val, args, out_dir):
    import torch
    from pythae import trainers as pt
    from pythae.data.datasets import BaseDataset

    common = dict(
        output_dir=out_dir,
        num_epochs=args.epochs,
        per_device_train_batch_size=args.batch_size,
        per_device_eval_batch_size=args.batch_size,
        seed=args.seed,
        no_cuda=True,
    )
    kind = MODELS[name][2]
    if kind == "base":
        config, cls = pt.BaseTrainerConfig(learning_rate=args.lr, **common), pt.BaseTrainer
    elif kind == "adversarial":
        lrs = dict(autoencoder_learning_rate=args.lr, discriminator_learning_rate=args.lr)
        config, cls = pt.AdversarialTrainerConfig(**lrs, **common), pt.AdversarialTrainer
    else:
        lrs = {f"{p}_learning_rate": args.lr for p in ("encoder", "decoder", "discriminator")}
        config = pt.CoupledOptimizerAdversarialTrainerConfig(**lrs, **common)
        cls = pt.CoupledOptimizerAdversarialTrainer
    datasets = [BaseDataset(d, torch.zeros(len(d))) for d in (train, val)]
    return cls(model, train_dataset=datasets[0], eval_dataset=datasets[1], training_config=config)


def reconstruction(name, model, x):
    """Decoded posterior mean (posterior location for s-vae); VQ-VAE and WAE decode their
    deterministic (quantised) code through Pythae's own forward pass."""
    if name in ("vq-vae", "wae"):
        return model({"data": x}).recon_x
    loc = model.encoder(x).embedding
    if name == "s-vae":  # Pythae's SVAE normalises the location only inside forward()
        loc = loc / loc.norm(dim=-1, keepdim=True)
    return model.decoder(loc).reconstruction


def warm_up(args, train, val) -> None:
    """One untimed epoch of a throw-away model on a few beats, as the sigvae side gets, so the
    timed run does not pay this fresh process's one-off costs (allocator, kernels, imports)."""
    few = argparse.Namespace(**{**vars(args), "epochs": 1})
    with tempfile.TemporaryDirectory() as out_dir:
        throwaway = build(args.model, train.shape[1])
        trainer_for(args.model, throwaway, train[:256], val[:256], few, out_dir).train()


def run(args) -> dict:
    import torch

    torch.set_num_threads(1)
    torch.manual_seed(args.seed)
    arrays = np.load(args.data)
    train, val, test, ll_x = (torch.from_numpy(arrays[k]) for k in ("train", "val", "test", "ll"))
    warm_up(args, train, val)
    torch.manual_seed(args.seed)
    model = build(args.model, train.shape[1])
    with tempfile.TemporaryDirectory() as out_dir:
        trainer = trainer_for(args.model, model, train, val, args, out_dir)
        wall, cpu = time.perf_counter(), time.process_time()
        trainer.train()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    model = trainer.model.eval()
    with torch.no_grad():
        recon = reconstruction(args.model, model, test)
        mse = float(((recon - test) ** 2).mean())
        ll, ll_s = None, None
        if hasattr(model, "get_nll"):
            started = time.perf_counter()
            # get_nll returns the mean of the per-example log p(x) estimates despite its name
            ll = float(model.get_nll(ll_x, n_samples=args.ll_samples, batch_size=100))
            ll_s = time.perf_counter() - started
    return {"train_wall": wall, "train_cpu": cpu, "mse": mse, "ll": ll, "ll_seconds": ll_s}


def worker_main(run, description: str, extra=None) -> None:
    """The command line both Pythae-venv workers share: ``DATA.npz OUT.json --model NAME
    --epochs --batch-size --lr [--seed]`` plus ``extra(parser)``'s options; ``run(args)``'s
    dict, or the error it raised, is written to OUT as JSON."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("data")
    parser.add_argument("out")
    parser.add_argument("--model", required=True, choices=sorted(MODELS))
    parser.add_argument("--epochs", type=int, required=True)
    parser.add_argument("--batch-size", type=int, required=True)
    parser.add_argument("--lr", type=float, required=True)
    parser.add_argument("--seed", type=int, default=0)
    if extra is not None:
        extra(parser)
    args = parser.parse_args()
    try:
        result = run(args)
    except Exception as exc:  # recorded in the results table, not hidden
        traceback.print_exc()
        result = {"error": f"{type(exc).__name__}: {exc}".splitlines()[0][:200]}
    Path(args.out).write_text(json.dumps(result))


def main() -> None:
    worker_main(
        run,
        __doc__.splitlines()[0],
        lambda parser: parser.add_argument("--ll-samples", type=int, default=1000),
    )


if __name__ == "__main__":
    main()
