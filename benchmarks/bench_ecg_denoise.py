"""ECG denoising benchmark: the shipped VAE against classical filters and a plain conv DAE.

    python benchmarks/bench_ecg_denoise.py [--dae runs/ecg-dae] [--quick]

Protocol in ``bench_ecg_protocol.py``; writes ``benchmarks/results/ecg.md``. Every SNR is a
power SNR (means removed), never NSTDB's QRS-amplitude-based nominal SNR (about 12 dB higher).
"""

from __future__ import annotations

import argparse
import time
from collections import defaultdict

import bench_ecg_protocol as P
import numpy as np
from bench_ecg_data import ROOT, clean_test_records, require_data


def methods(args) -> dict:
    from sigvae_ecg.api import ecg_denoise
    from sigvae_ecg.baselines import BASELINES
    from sigvae_ecg.runtime import load_denoiser

    table = {
        "noisy input": lambda x: x,
        "NeuroKit2 (neurokit)": lambda x: BASELINES["neurokit"](x, P.FS),
        "NeuroKit2 (biosppy)": lambda x: BASELINES["biosppy"](x, P.FS),
        "Butterworth 0.5-40": lambda x: BASELINES["butterworth"](x, P.FS),
        "wavelet": lambda x: BASELINES["wavelet"](x, P.FS),
    }
    if args.dae:
        dae = load_denoiser(args.dae)
        table["conv DAE (same net)"] = lambda x: ecg_denoise(x, fs=P.FS, model=dae)
    vae = load_denoiser(args.model)
    table["VAE (shipped)"] = lambda x: ecg_denoise(x, fs=P.FS, model=vae)
    return table


def run_segments(segments, bank, table, kinds, snrs, seed: int = 0):
    scores = defaultdict(lambda: defaultdict(list))
    peaks = defaultdict(lambda: np.zeros(3))
    timing = defaultdict(float)
    rng = np.random.default_rng(seed)
    for kind in kinds:
        for snr in snrs:
            for seg in segments:
                clean = seg["clean"]
                noise = P.noise_piece(bank, kind, len(clean), rng)
                noisy = clean + P.nz.scale_to_snr(clean, noise, snr)
                for name, fn in table.items():
                    t0 = time.perf_counter()
                    est = fn(noisy)
                    timing[name] += time.perf_counter() - t0
                    key = (kind, snr, name)
                    for metric, values in P.window_scores(clean, noisy, est).items():
                        scores[key][metric].append(values)
                    scores[key]["record_snr"].append(
                        np.array([P.metrics.record_snr_db(clean, est)])
                    )
                    if seg["beats"] is not None:
                        peaks[key] += P.peak_counts(est, seg["beats"])
            print(f"  {kind} {snr:+d} dB done", flush=True)
    means = {
        k: {m: P.metrics.summarize(np.concatenate(v)) for m, v in d.items()}
        for k, d in scores.items()
    }
    return means, peaks, timing


def f1(counts: np.ndarray) -> float:
    hits, det, ref = counts
    return 2 * hits / (det + ref) if det + ref else float("nan")


def report(means, peaks, timing, names, kinds, snrs, command, elapsed) -> str:
    lines = [
        "## ECG denoising (issue 6)",
        "",
        f"Command: `{command}` ({elapsed:.0f} s).",
        "",
        P.__doc__.strip().replace("\n", " "),
        "",
        "Window metrics: non-overlapping 512-sample windows at 360 Hz (DeepFilter's), "
        "averaged over windows; SNRs are power SNRs in dB with means removed; "
        "PRD both ways (textbook: / sum y^2; DeepFilter: / sum (y_hat - mean y)^2).",
        "",
    ]
    real = [k for k in kinds if k in ("bw", "em", "ma")]
    lines += [
        "### Output SNR (dB) at 0 dB input (goal: >= 12 dB averaged over bw, em, ma)",
        "",
        "| method | " + " | ".join(kinds) + " | mean " + "/".join(real) + " |",
        "|---|" + "---|" * (len(kinds) + 1),
    ]
    for name in names:
        v = {k: means[(k, 0, name)]["snr_out"] for k in kinds}
        lines.append(
            f"| {name} | "
            + " | ".join(f"{v[k]:.2f}" for k in kinds)
            + f" | {np.mean([v[k] for k in real]):.2f} |"
        )
    for kind in kinds:
        lines += [
            "",
            f"### {kind}: window output SNR (dB) by input SNR (whole-record SNR in brackets)",
            "",
            "| input SNR | " + " | ".join(names) + " |",
            "|---|" + "---|" * len(names),
        ]
        for snr in snrs:
            cells = [
                f"{means[(kind, snr, n)]['snr_out']:.2f} ({means[(kind, snr, n)]['record_snr']:.1f})"
                for n in names
            ]
            lines.append(f"| {snr:+d} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "### All window metrics, averaged over bw, em, ma and mixed and all input SNRs",
        "",
        "| method | SSD | MAD | PRD textbook % | PRD DeepFilter % | cosine | SNR imp. dB |",
        "|---|---|---|---|---|---|---|",
    ]
    for name in names:
        rows = [means[(k, s, name)] for k in kinds for s in snrs]
        avg = {m: np.nanmean([r[m] for r in rows]) for m in rows[0]}
        lines.append(
            f"| {name} | {avg['ssd']:.2f} | {avg['mad']:.3f} | {avg['prd_textbook']:.1f} | "
            f"{avg['prd_deepfilter']:.1f} | {avg['cosine']:.3f} | {avg['snr_imp']:.2f} |"
        )
    lines += [
        "",
        "### R-peak F1 (NeuroKit2 detector, 150 ms, vs MIT-BIH .atr beats; pooled over "
        "the 5 test records)",
        "",
        "| noise | input SNR | " + " | ".join(names) + " |",
        "|---|---|" + "---|" * len(names),
    ]
    for kind in kinds:
        for snr in snrs:
            lines.append(
                f"| {kind} | {snr:+d} | "
                + " | ".join(f"{f1(peaks[(kind, snr, n)]):.3f}" for n in names)
                + " |"
            )
    lines += [
        "",
        "The DeepFilter protocol (single padded beats + bw) has its own section: "
        "`benchmarks/bench_ecg_deepfilter.py` -> `benchmarks/results/ecg_deepfilter.md`.",
    ]
    lines += [
        "",
        "Processing time over the whole run (s): "
        + ", ".join(f"{n} {timing[n]:.1f}" for n in names),
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default=None, help="denoiser to test (default: shipped weights)")
    ap.add_argument("--dae", default=None, help="run dir or checkpoint of the conv DAE baseline")
    ap.add_argument("--quick", action="store_true", help="bw/em at 0 and 12 dB only (smoke run)")
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    require_data()
    import sys

    import torch
    from sigvae_ecg import noise as nz

    torch.set_num_threads(args.threads)
    started = time.perf_counter()
    signals = clean_test_records(P.FS)
    segments = P.test_segments(signals)
    bank = nz.load_nstdb(P.SHARED_NSTDB, nz.TEST_SEGMENT)
    table = methods(args)
    kinds, snrs = (("bw", "em"), (0, 12)) if args.quick else (P.KINDS, P.SNRS)
    means, peaks, timing = run_segments(segments, bank, table, kinds, snrs)
    command = "python benchmarks/bench_ecg_denoise.py " + " ".join(sys.argv[1:])
    text = report(
        means,
        peaks,
        timing,
        list(table),
        kinds,
        snrs,
        command.strip(),
        time.perf_counter() - started,
    )
    out = ROOT / "benchmarks" / "results" / ("ecg_quick.md" if args.quick else "ecg.md")
    out.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
