"""Training speed of one model, sigvae against Pythae, with the two trainings interleaved epoch
by epoch in one process: the speed measurement of the VAE-family benchmark (issues 3 and 5).

Run by ``bench_vae_family.py`` with the Python of the benchmark venv, which sees both Pythae
and the installed sigvae (it is made with ``--system-site-packages``):

    /tmp/benchvenv/bin/python benchmarks/vae_family_interleaved.py DATA.npz OUT.json \
        --model vae --epochs 10 --batch-size 128 --lr 1e-3 --repeats 3

Why interleaved: on this shared virtual machine the speed of the CPU itself drifts by 20-30 %
over seconds (process CPU time drifts with wall time, so it is the host, not the scheduler).
Two trainings run one after the other, a few seconds each, can land on different sides of such
a drift, which moved whole-run ratios by +-0.3. Here each sigvae epoch is followed at once by one
Pythae epoch, so both sides see the same machine to within a fraction of a second.

What is timed:

* sigvae: the whole ``Trainer.fit`` call (set-up, every epoch with its validation pass, the
  Trainer's bookkeeping) minus the Pythae epochs run inside it and minus vq-vae's code-prior
  stage (Pythae's VQ-VAE has none; that stage is reported apart).
* Pythae: ``train_step(epoch)`` and ``eval_step(epoch)`` of its own trainer, i.e. the training
  and validation passes of ``trainer.train()``, but not its set-up (``prepare_training``), its
  per-epoch copy of the best model, its logging or the final save. Leaving those out can only
  make Pythae look faster than it is.

The Pythae epoch runs from the sigvae model's ``on_epoch_end`` hook (after sigvae's training
pass, before its validation pass); the models, data, seeds and hyper-parameters are those of
the separate-process quality runs (``vae_family_models.build_model``, ``vae_family_pythae``).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import vae_family_pythae as vp  # noqa: E402
from vae_family_models import ENTRIES, build_model, train_config  # noqa: E402


class Clock:
    """Wall and CPU seconds of one segment, accumulated."""

    def __init__(self) -> None:
        self.wall = self.cpu = 0.0

    def add(self, wall: float, cpu: float) -> None:
        self.wall += wall
        self.cpu += cpu


def now() -> tuple[float, float]:
    return time.perf_counter(), time.process_time()


def interleaved_run(name: str, train, val, args) -> dict:
    """One sigvae training and one Pythae training of ``name``, epoch by epoch."""
    import torch

    from sigvae.data import Arrays
    from sigvae.training import Trainer

    entry = next(e for e in ENTRIES if e.name == name)
    if entry.cond is not None:
        raise ValueError(f"{name}: conditional models are not compared with Pythae")
    torch.manual_seed(args.seed)
    model = build_model(entry, [train.shape[1]], 0)
    torch.manual_seed(args.seed)
    theirs = vp.build(name, train.shape[1])
    pythae_clock = Clock()
    with tempfile.TemporaryDirectory() as out_dir:
        trainer = vp.trainer_for(
            name, theirs, torch.from_numpy(train), torch.from_numpy(val), args, out_dir
        )
        trainer.prepare_training()
        ours_epoch_end = model.on_epoch_end

        def epoch_end(epoch: int, epochs: int) -> None:
            ours_epoch_end(epoch, epochs)
            wall, cpu = now()
            trainer.train_step(epoch + 1)  # Pythae counts epochs from 1
            trainer.eval_step(epoch + 1)
            pythae_clock.add(time.perf_counter() - wall, time.process_time() - cpu)

        model.on_epoch_end = epoch_end  # this instance only; the class is untouched
        wall, cpu = now()
        Trainer(train_config(args)).fit(model, Arrays(x=train), Arrays(x=val))
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    stage = getattr(model, "prior_fit", None)
    prior = (stage.seconds, stage.cpu_seconds) if stage is not None else (0.0, 0.0)
    return {
        "sigvae": (wall - pythae_clock.wall - prior[0], cpu - pythae_clock.cpu - prior[1]),
        "pythae": (pythae_clock.wall, pythae_clock.cpu),
        "prior": prior,
    }


def run(args) -> dict:
    import torch

    torch.set_num_threads(1)
    arrays = np.load(args.data)
    train, val = arrays["train"], arrays["val"]
    warm = argparse.Namespace(**{**vars(args), "epochs": 1})
    interleaved_run(args.model, train[:256], val[:256], warm)  # one-off costs, untimed
    runs = [interleaved_run(args.model, train, val, args) for _ in range(args.repeats)]
    return {"runs": runs}


def main() -> None:
    vp.worker_main(
        run,
        __doc__.splitlines()[0],
        lambda parser: parser.add_argument("--repeats", type=int, default=3),
    )


if __name__ == "__main__":
    main()
