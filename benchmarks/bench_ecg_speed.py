"""Speed and memory of ``sigvae ecg-denoise`` (issue 6 goals: a 30-min 2-lead 360 Hz record in
<= 2 s without interpreter/torch start-up; <= 1 GB peak memory on a 24-hour record).

    python benchmarks/bench_ecg_speed.py [--model PATH] [--skip-24h]

Writes ``benchmarks/results/ecg_speed.md``. The machine is shared: the load average before and
after each measurement is recorded next to it.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

from bench_ecg_data import ROOT, SHARED, require_data

RECORD = SHARED / "ecg" / "mitdb" / "100"
IMPORTS = "import torch, scipy.signal, wfdb, neurokit2, sigvae.cli, sigvae_ecg.command"


def load() -> str:
    return "/".join(f"{v:.1f}" for v in os.getloadavg())


def in_process(work: Path, model: str | None, repeats: int = 5) -> dict:
    """Read + denoise + write (+ the JSON report) of record 100, imports already done."""
    import torch
    from sigvae_ecg.command import denoise_record
    from sigvae_ecg.runtime import load_denoiser

    torch.set_num_threads(2)
    args = SimpleNamespace(outdir=str(work / "out"), plot=False, overwrite=True, progress="never")
    t0 = time.perf_counter()
    denoiser = load_denoiser(model)
    load_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    denoise_record(work / "100", denoiser, args, None)  # first call: lazy imports, kernel JIT
    first = time.perf_counter() - t0
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        denoise_record(work / "100", denoiser, args, None)
        times.append(time.perf_counter() - t0)
    return {"load_s": load_s, "first_s": first, "times": times}


def denoise_only(model: str | None, repeats: int = 5) -> list[float]:
    """``ecg_denoise`` on the in-memory 2 x 650000 array (no file I/O, no report)."""
    import wfdb
    from sigvae_ecg.api import ecg_denoise
    from sigvae_ecg.runtime import load_denoiser

    x = wfdb.rdrecord(str(RECORD)).p_signal
    den = load_denoiser(model)
    ecg_denoise(x[:5000], fs=360, model=den)
    out = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        ecg_denoise(x, fs=360, model=den)
        out.append(time.perf_counter() - t0)
    return out


def timed_subprocess(cmd: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of a child process."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    err = proc.stderr.read().decode()
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed: {err}")
    return wall, usage.ru_maxrss / 1024


def make_24h(work: Path) -> Path:
    """A 24-hour 2-lead record: MIT-BIH 100 repeated 48 times, written in chunks (fmt 16)."""
    import wfdb
    from sigvae_ecg.wfdb_stream import WfdbStreamWriter

    rec = wfdb.rdrecord(str(RECORD))
    reps = 48
    writer = WfdbStreamWriter(
        work,
        "day",
        360.0,
        reps * rec.sig_len,
        rec.sig_name,
        rec.units,
        [1, 1],
        rec.adc_gain,
        rec.baseline,
        16,
        ["MIT-BIH 100 x 48"],
    )
    for _ in range(reps):
        writer.write([rec.p_signal[:, 0], rec.p_signal[:, 1]])
    writer.close()
    return work / "day"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default=None)
    ap.add_argument("--skip-24h", action="store_true")
    args = ap.parse_args()
    require_data()
    work = Path(tempfile.mkdtemp(prefix="sigvae-ecg-speed-"))
    try:
        for ext in ("hea", "dat", "atr"):
            shutil.copy(RECORD.with_suffix(f".{ext}"), work / f"100.{ext}")
        model = ["--model", args.model] if args.model else []
        sigvae = [sys.executable, "-m", "sigvae.cli"]
        rows = []
        before = load()
        imports, _ = timed_subprocess([sys.executable, "-c", "import torch"])
        rows.append(("`python -c 'import torch'` (start-up reference)", f"{imports:.2f} s", before))
        before = load()
        all_imports, _ = timed_subprocess([sys.executable, "-c", IMPORTS])
        rows.append(
            (
                "start-up with everything the command imports (torch, scipy.signal, wfdb, "
                "NeuroKit2 for the quality report, sigvae)",
                f"{all_imports:.2f} s",
                before,
            )
        )
        before = load()
        res = in_process(work, args.model)
        t = res["times"]
        rows.append(
            (
                "in-process read + denoise + write + JSON report, 30-min 2-lead record "
                "(median / min of 5)",
                f"{statistics.median(t):.2f} / {min(t):.2f} s",
                before,
            )
        )
        rows.append(
            (
                "the same, first call in the process (lazy imports such as NeuroKit2, "
                "oneDNN kernel set-up)",
                f"{res['first_s']:.2f} s",
                before,
            )
        )
        rows.append(("model load", f"{res['load_s']:.2f} s", before))
        before = load()
        only = denoise_only(args.model)
        rows.append(
            (
                "`ecg_denoise` on the in-memory 2 x 650000 array (median / min of 5)",
                f"{statistics.median(only):.2f} / {min(only):.2f} s",
                before,
            )
        )
        before = load()
        wall, rss = timed_subprocess(
            [
                *sigvae,
                "ecg-denoise",
                str(work / "100"),
                "-o",
                str(work / "cli"),
                "--overwrite",
                *model,
            ]
        )
        rows.append(
            (
                "whole `sigvae ecg-denoise 100` command incl. interpreter, imports",
                f"{wall:.2f} s, peak RSS {rss:.0f} MB",
                before,
            )
        )
        if not args.skip_24h:
            day = make_24h(work)
            before = load()
            wall, rss = timed_subprocess(
                [
                    *sigvae,
                    "ecg-denoise",
                    str(day),
                    "-o",
                    str(work / "cli"),
                    "--overwrite",
                    "--progress",
                    "never",
                    *model,
                ]
            )
            rows.append(
                (
                    "24-hour 2-lead 360 Hz record (31.1 M samples/lead), whole command",
                    f"{wall:.1f} s, peak RSS {rss:.0f} MB",
                    before,
                )
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    lines = [
        "## ECG denoising speed and memory",
        "",
        f"Command: `python benchmarks/bench_ecg_speed.py {' '.join(sys.argv[1:])}`".rstrip() + ". "
        "Machine: 2 CPU cores shared with other jobs (load average 1/5/15 min before each "
        "measurement in the last column); torch with 2 threads. Goals: <= 2 s for the 30-min "
        "record (reading, denoising, writing; start-up excluded), <= 1 GB peak on 24 h.",
        "",
        "| measurement | result | load before |",
        "|---|---|---|",
    ]
    lines += [f"| {a} | {b} | {c} |" for a, b, c in rows]
    text = "\n".join(lines) + "\n"
    (ROOT / "benchmarks" / "results" / "ecg_speed.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
