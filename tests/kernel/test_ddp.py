"""DDP through torchrun on CPU (gloo): identical histories and weights on every rank, and
only rank 0 writes the run directory.

This file is also the worker script that torchrun starts (see ``worker``)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def worker(out: Path) -> None:
    """One rank: train two models, dump what this rank saw.

    The first fit runs in the process group the Trainer creates (and destroys) from
    torchrun's environment; the second in a group this script creates, which the Trainer
    must reuse and leave alive. (Re-creating the env:// group after destroying it in the same
    process can hang in torch, so the second group uses its own file store.)"""
    import torch
    import torch.distributed as dist
    from _tiny_models import TwoPhase, sine_arrays, tiny_vae

    from sigvae.training import TrainConfig, Trainer

    rank, world = int(os.environ["RANK"]), int(os.environ["WORLD_SIZE"])
    replaced = []
    real_replace = os.replace

    def recording_replace(src, dst):  # every file the trainer writes goes through os.replace
        replaced.append(str(dst))
        real_replace(src, dst)

    os.replace = recording_replace
    report = {"world_size": world}
    for name, model in (("vae", tiny_vae()), ("two_phase", TwoPhase())):
        if name == "two_phase":
            store = f"file://{out / 'store'}"
            dist.init_process_group("gloo", init_method=store, rank=rank, world_size=world)
        config = TrainConfig(epochs=3, batch_size=16, progress=False, seed=1)
        result = Trainer(config, run_dir=out / name).fit(
            model, sine_arrays(90), sine_arrays(41, seed=1)
        )
        flat = torch.cat([p.detach().flatten() for p in model.parameters()])
        report[name] = {
            "history": result.history,
            "weights": flat.tolist(),
            "stopped": result.stopped_reason,
            "group_alive": dist.is_initialized(),
        }
    dist.destroy_process_group()
    report["written"] = replaced
    (out / f"history_rank{rank}.json").write_text(json.dumps(report))


def test_two_ranks_agree_and_only_rank0_writes(tmp_path):
    env = dict(os.environ, OMP_NUM_THREADS="1")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(HERE), env.get("PYTHONPATH")]))
    command = [
        sys.executable,
        "-m",
        "torch.distributed.run",
        "--nproc_per_node=2",
        "--standalone",
        str(Path(__file__).resolve()),
        str(tmp_path),
    ]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    ranks = [json.loads((tmp_path / f"history_rank{r}.json").read_text()) for r in (0, 1)]
    assert ranks[0]["world_size"] == 2
    for name in ("vae", "two_phase"):
        first, second = ranks[0][name], ranks[1][name]
        assert len(first["history"]) == 3 and first["stopped"] == "completed"
        assert first["history"] == second["history"]
        assert first["weights"] == second["weights"]
        files = {Path(p).name for p in ranks[0]["written"] if Path(p).parent.name == name}
        assert files == {"best.pt", "last.pt", "metrics.csv"}
    assert not ranks[0]["vae"]["group_alive"]  # the Trainer destroyed the group it created
    assert ranks[0]["two_phase"]["group_alive"]  # ...and left the caller's group alone
    assert "train/disc/loss" in ranks[0]["two_phase"]["history"][0]
    assert ranks[1]["written"] == []


if __name__ == "__main__":
    worker(Path(sys.argv[1]))
