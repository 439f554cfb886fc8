"""Speed and memory of the kernel's readers and writers, next to plain wfdb / pyedflib calls.

What it shows: the checks that turn broken records into one-line errors cost little next to
wfdb's own reading, and a long record fits in memory. Run:

    python benchmarks/bench_io.py [--repeats 5] [--hours 24]

-> ``benchmarks/results/io.md``. Needs ``../shared/data``; writes its scratch files to a
temporary directory.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from make_results import write_section

ROOT = Path(__file__).resolve().parents[1]
SHARED = (ROOT / ".." / "shared" / "data").resolve()
OUT = ROOT / "benchmarks" / "results" / "io.md"

# VmHWM (the process's resident high-water mark) starts afresh in the new process, unlike
# ru_maxrss, which Linux carries over from the parent across exec.
PEAK_SCRIPT = """
import sys
from sigvae.io import read_wfdb
def hwm():
    line = next(l for l in open("/proc/self/status") if l.startswith("VmHWM"))
    return int(line.split()[1]) / 1024
before = hwm()
signal = read_wfdb(sys.argv[1], dtype=sys.argv[2])
print(before, hwm(), signal.data.nbytes / 2**20)
"""


def median_time(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def speed_rows(repeats: int, scratch: Path) -> list[str]:
    import pyedflib
    import wfdb

    from sigvae.io import read_edf, read_wfdb, write_wfdb

    record = SHARED / "ecg" / "mitdb" / "100"
    edf = SHARED / "fecg" / "adfecgdb" / "r01.edf"
    signal = read_wfdb(record)
    counter = iter(range(10**6))

    atr = signal.annotations["atr"]

    def wfdb_read_plain():
        wfdb.rdrecord(str(record))
        wfdb.rdann(str(record), "atr")

    def wfdb_write_plain():
        name = f"p{next(counter)}"
        wfdb.wrsamp(
            name,
            fs=360,
            units=signal.units,
            sig_name=signal.channels,
            p_signal=signal.data.T,
            fmt=["16", "16"],
            write_dir=str(scratch),
        )
        wfdb.wrann(name, "atr", atr["sample"], list(atr["symbol"]), write_dir=str(scratch))

    def pyedflib_read():
        reader = pyedflib.EdfReader(str(edf))
        [reader.readSignal(i) for i in range(reader.signals_in_file)]
        reader.close()

    cases = [
        (
            "read mitdb 100 + .atr (30 min, 2 leads, fmt 212)",
            lambda: read_wfdb(record),
            wfdb_read_plain,
            "wfdb.rdrecord + rdann",
        ),
        (
            "write it + .atr as fmt 16 (atomic, fsync, per-channel gain)",
            lambda: write_wfdb(signal, scratch, f"s{next(counter)}"),
            wfdb_write_plain,
            "wfdb.wrsamp + wrann",
        ),
        (
            "write it + .atr as fmt 212",
            lambda: write_wfdb(signal, scratch, f"t{next(counter)}", fmt="212"),
            None,
            "",
        ),
        (
            "read ADFECGDB r01.edf (5 ch, 300 s, 1 kHz)",
            lambda: read_edf(edf),
            pyedflib_read,
            "pyedflib readSignal",
        ),
    ]
    rows = []
    for label, ours, theirs, their_name in cases:
        ours_s = median_time(ours, repeats)
        theirs_s = median_time(theirs, repeats) if theirs else None
        other = f"{theirs_s:.3f} ({their_name})" if theirs else "-"
        rows.append(f"| {label} | {ours_s:.3f} | {other} |")
    return rows


def peak_rows(hours: float, scratch: Path) -> list[str]:
    import numpy as np

    from sigvae.data import Signal
    from sigvae.io import write_wfdb

    n = int(hours * 3600 * 360)
    rng = np.random.default_rng(0)
    data = rng.standard_normal((2, n)).astype(np.float32)
    write_wfdb(Signal(data, 360.0, ["MLII", "V5"], ["mV", "mV"]), scratch, "long", fmt="212")
    del data
    rows = []
    for dtype in ("float64", "float32"):
        out = subprocess.run(
            [sys.executable, "-c", PEAK_SCRIPT, str(scratch / "long"), dtype],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        before, after, data_mb = map(float, out)
        rows.append(
            f"| {hours:g} h, 2 leads, 360 Hz, {dtype} | {data_mb:.0f} | "
            f"{after - before:.0f} | {after:.0f} |"
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--hours", type=float, default=24.0)
    args = parser.parse_args()
    if not (SHARED / "ecg" / "mitdb").is_dir():
        sys.exit(f"real data not found at {SHARED}")
    with tempfile.TemporaryDirectory() as tmp:
        speed = speed_rows(args.repeats, Path(tmp))
        peak = peak_rows(args.hours, Path(tmp))
    command = f"python benchmarks/bench_io.py --repeats {args.repeats} --hours {args.hours:g}"
    text = "\n".join(
        [
            "## I/O: readers and writers",
            "",
            f"`{command}` — median wall time of {args.repeats} runs, Python "
            f"{platform.python_version()}, {platform.machine()}, shared 2-core machine.",
            "",
            "| operation | sigvae s | plain library s |",
            "|---|---|---|",
            *speed,
            "",
            "Peak memory of `read_wfdb` on a long synthetic fmt-212 record, in a fresh process "
            "(MiB; resident high-water mark `VmHWM` after minus before the read, so wfdb's "
            "temporary arrays count):",
            "",
            "| record | Signal.data MiB | added peak MiB | process peak MiB |",
            "|---|---|---|---|",
            *peak,
            "",
        ]
    )
    write_section(OUT, text)


if __name__ == "__main__":
    main()
