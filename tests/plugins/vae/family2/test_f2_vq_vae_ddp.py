"""vq-vae under torchrun (2 CPU ranks, gloo): the EMA codebook, its dead-code restarts and the
code prior end identical on every rank. DDP averages gradients only; before the codebook summed
its statistics over ranks, each rank's EMA buffers drifted apart (0.0025 in the code vectors
after 3 epochs of this run).

This file is also the worker script that torchrun starts (see ``worker``)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import torch

KERNEL_TESTS = Path(__file__).resolve().parents[3] / "kernel"
PARAMS = {
    "latent_dim": 2,
    "tokens": 2,
    "codebook_size": 8,
    "prior_hidden": 16,
    "encoder": {"hidden": [16]},
    "decoder": {"hidden": [16]},
}


def worker(out: Path) -> None:
    """One rank: train a small vq-vae, dump its whole state and what it restarted."""
    import sigvae_vae.plugin
    from _tiny_models import sine_arrays

    from sigvae.registry import Registry
    from sigvae.training import TrainConfig, Trainer

    torch.manual_seed(0)
    registry = Registry(plugins=[("vae", sigvae_vae.plugin)], autoload=False)
    info = {"x_shape": [8], "cond_dim": None, "has_target": False}
    model = registry.build("model", "vq-vae", PARAMS, data_info=info)
    restarts = []
    restart_dead = model.codebook.restart_dead

    def counting(threshold):  # this instance only
        restarts.append(restart_dead(threshold))
        return restarts[-1]

    model.codebook.restart_dead = counting
    config = TrainConfig(epochs=3, batch_size=16, progress=False, seed=1)
    result = Trainer(config).fit(model, sine_arrays(90), sine_arrays(41, seed=1))
    state = {k: v.flatten().tolist() for k, v in model.state_dict().items()}
    rank = int(os.environ["RANK"])
    report = {"state": state, "history": result.history, "restarts": restarts}
    (out / f"rank{rank}.json").write_text(json.dumps(report))


def test_two_ranks_keep_one_codebook(tmp_path):
    env = dict(os.environ, OMP_NUM_THREADS="1")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(KERNEL_TESTS), env.get("PYTHONPATH")]))
    command = [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node=2"]
    command += ["--standalone", str(Path(__file__).resolve()), str(tmp_path)]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-3000:]
    first, second = (json.loads((tmp_path / f"rank{r}.json").read_text()) for r in (0, 1))
    assert len(first["history"]) == 3
    assert sum(first["restarts"]) > 0  # the broadcast of restart picks was exercised
    assert first["restarts"] == second["restarts"]
    assert first["history"] == second["history"]
    for key, values in first["state"].items():  # codebook buffers, code prior, networks
        assert values == second["state"][key], key


def test_rank_helpers_do_nothing_in_one_process():
    from sigvae.training import from_first_rank_, sum_over_ranks_, world_size

    t = torch.tensor([1.0, 2.0])
    assert world_size() == 1
    assert sum_over_ranks_(t) is t and t.tolist() == [1.0, 2.0]
    assert from_first_rank_(t) is t and t.tolist() == [1.0, 2.0]


if __name__ == "__main__":
    worker(Path(sys.argv[1]))
