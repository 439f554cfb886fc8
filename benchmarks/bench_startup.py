"""Start-up time of the CLI: ``sigvae --help`` and ``sigvae plugins`` must answer in under a
second, which holds only while no plugin imports torch (or other heavy libraries) at load.

Run: ``python benchmarks/bench_startup.py`` -> ``benchmarks/results/startup.md``."""

from __future__ import annotations

import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

from make_results import write_section

OUT = Path(__file__).resolve().parent / "results" / "startup.md"
COMMANDS = [["--help"], ["plugins"], ["plugins", "--json"]]
REPEATS = 7
GOAL_S = 1.0


def time_command(args: list[str]) -> list[float]:
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "sigvae.cli", *args], check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return times


def heavy_modules_at_startup() -> list[str]:
    probe = (
        "import sys; from sigvae.cli import _load_registry, build_parser; "
        "build_parser(_load_registry()); "
        "print(','.join(m for m in ('torch','scipy','pandas','neurokit2','wfdb',"
        "'matplotlib','QuantLib') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    return [m for m in out.stdout.strip().split(",") if m]


def main() -> None:
    rows = []
    for args in COMMANDS:
        times = time_command(args)
        median = statistics.median(times)
        rows.append(
            f"| `sigvae {' '.join(args)}` | {median:.3f} | {max(times):.3f} | "
            f"{'yes' if median < GOAL_S else 'NO'} |"
        )
    heavy = heavy_modules_at_startup()
    text = "\n".join(
        [
            "## CLI start-up",
            "",
            f"`python benchmarks/bench_startup.py` — {REPEATS} runs each, wall time of a fresh "
            f"process, Python {platform.python_version()}, {platform.machine()}. Goal < {GOAL_S} s.",
            "",
            "| command | median s | max s | under goal |",
            "|---|---|---|---|",
            *rows,
            "",
            f"Heavy modules imported at start-up: {', '.join(heavy) if heavy else 'none'}.",
            "",
        ]
    )
    write_section(OUT, text)


if __name__ == "__main__":
    main()
