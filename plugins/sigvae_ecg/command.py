"""``sigvae ecg-denoise``: denoise WFDB/EDF records into ``<name>_denoised`` WFDB records.

Each record is processed on its own: a bad one prints one error line and the others go on
(exit code 2 at the end if any failed). Outputs are written into a temporary directory next to
their destination and moved into place only when complete, so a failure leaves nothing
half-written and an input is never touched.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

from sigvae import __version__
from sigvae.errors import SigvaeError
from sigvae_ecg import report
from sigvae_ecg.denoise import MIN_FS, denoise_stream
from sigvae_ecg.leads import choose_leads
from sigvae_ecg.runtime import Denoiser, load_denoiser
from sigvae_ecg.sources import RecordSource, open_record
from sigvae_ecg.wfdb_stream import WfdbStreamWriter

PROGRESS = {"auto": None, "always": True, "never": False}
DEMO_OUTDIR = "ecg_denoise_demo"


def run(args) -> int:
    """The command's body; returns the exit code."""
    records = list(args.records)
    if getattr(args, "demo", False):
        from sigvae_ecg.examples import DEMO_RECORD

        records.append(str(DEMO_RECORD))
        args.outdir = args.outdir or DEMO_OUTDIR
    if not records:
        raise SigvaeError("give at least one RECORD (WFDB or EDF), or --demo")
    denoiser = load_denoiser(args.model)
    leads = [s.strip() for s in args.leads.split(",") if s.strip()] if args.leads else None
    status = 0
    for record in records:
        try:
            for line in denoise_record(Path(record), denoiser, args, leads):
                print(line)
        except SigvaeError as exc:
            print(f"sigvae ecg-denoise: error: {exc}", file=sys.stderr)
            status = 2
        except Exception as exc:
            if getattr(args, "debug", False):
                raise
            print(
                f"sigvae ecg-denoise: error: {record}: unexpected {type(exc).__name__}: {exc} "
                "(rerun with --debug for the traceback)",
                file=sys.stderr,
            )
            status = 2
    return status


def denoise_record(path: Path, denoiser: Denoiser, args, leads: list[str] | None) -> list[str]:
    """Denoise one record; returns the lines to print (outputs and notes)."""
    from sigvae.io.atomic import atomic_write_files

    src = open_record(path)
    try:
        chosen, notes = _plan(src, denoiser, leads)
        out_dir = Path(args.outdir) if args.outdir else src.path.parent
        stem = f"{src.name}_denoised"
        names = [f"{stem}.{ext}" for ext in ("hea", "dat", "json", "png")[: 4 if args.plot else 3]]
        for name in names:
            if (out_dir / name).exists() and not args.overwrite:
                raise SigvaeError(
                    "already exists; pass --overwrite to replace it", path=out_dir / name
                )
        job = RecordJob(src, denoiser, chosen, notes, stem, PROGRESS[args.progress], args.plot)
        atomic_write_files(out_dir, names, job.write_all, overwrite=args.overwrite)
    finally:
        src.close()
    lines = [
        f"{path}: wrote {out_dir / stem}.hea/.dat and .json" + (" and .png" if args.plot else "")
    ]
    return lines + [f"  note: {note}" for note in job.notes]


def _plan(src: RecordSource, denoiser: Denoiser, leads: list[str] | None):
    try:
        chosen, notes = choose_leads(src.channels, src.units, leads)
    except KeyError as exc:
        raise SigvaeError(
            f"no channel(s) named {exc.args[0]} (channels: {', '.join(src.channels)})",
            path=src.path,
        ) from None
    if not chosen:
        raise SigvaeError(
            f"no ECG lead found (channels: {', '.join(src.channels)}); name leads with --leads",
            path=src.path,
        )
    for c in chosen:
        fs = src.rate(c)
        if fs < MIN_FS:
            raise SigvaeError(
                f"lead {src.channels[c]!r} is sampled at {fs:g} Hz, below {MIN_FS:g} Hz",
                path=src.path,
            )
    need = denoiser.window / denoiser.fs
    if src.n_frames / src.frame_fs < need:
        raise SigvaeError(
            f"record is {src.n_frames / src.frame_fs:.2f} s long, shorter than one model "
            f"window ({need:.2f} s)",
            path=src.path,
        )
    return chosen, notes


class RecordJob:
    """Streams one record through the denoiser into the output files of one directory."""

    def __init__(self, src, denoiser, chosen, notes, stem, progress, plot) -> None:
        self.src, self.denoiser, self.chosen = src, denoiser, chosen
        self.notes, self.stem, self.progress, self.plot = list(notes), stem, progress, plot

    def write_all(self, tmp: Path) -> None:
        src = self.src
        stretches = report.stretch_plan(src.n_frames, src.frame_fs)
        kept = {c: {"noisy": [], "clean": []} for c in self.chosen}
        removed = {c: report.RemovedPower() for c in self.chosen}
        finite = {c: False for c in self.chosen}
        varies = {c: False for c in self.chosen}
        writer = WfdbStreamWriter(
            tmp,
            self.stem,
            src.frame_fs,
            src.n_frames,
            src.channels,
            src.units,
            src.spf,
            src.gains,
            src.baselines,
            src.adc_bits,
            self._comments(),
            src.header_extra,
        )
        try:
            for start, stop, noisy, out in denoise_stream(
                src.read,
                src.n_frames,
                src.frame_fs,
                self.denoiser,
                src.spf,
                self.chosen,
                self.progress,
                label=src.name,
            ):
                writer.write(out)
                for c in self.chosen:
                    removed[c].add(noisy[c], out[c])
                    valid = noisy[c][np.isfinite(noisy[c])]
                    finite[c] |= valid.size > 0
                    varies[c] |= valid.size > 0 and np.ptp(valid) > 0
                    _keep_stretches(kept[c], stretches, (start, stop), src, c, noisy[c], out[c])
        except BaseException:
            writer.abort()
            raise
        writer.close()
        self._lead_notes(finite, varies)
        self._write_report(tmp, kept, removed, stretches)

    def _comments(self) -> list[str]:
        d = self.denoiser
        names = ", ".join(self.src.channels[c] for c in self.chosen)
        return [
            f"denoised by sigvae {__version__} ecg-denoise from {self.src.path.name}",
            f"model: {d.name}; {d.window}-sample windows at {d.fs:g} Hz",
            f"weights sha256: {d.sha256 or 'n/a'}",
            f"denoised leads: {names}; other channels copied unchanged",
            *self.src.comments,
        ]

    def _lead_notes(self, finite: dict, varies: dict) -> None:
        bad = []
        for c in self.chosen:
            name = self.src.channels[c]
            if not finite[c]:
                self.notes.append(f"lead {name!r} has no valid samples (all NaN); written as NaN")
                bad.append(c)
            elif not varies[c]:
                self.notes.append(f"lead {name!r} is a flat line; written unchanged")
                bad.append(c)
        if len(bad) == len(self.chosen):
            raise SigvaeError(
                "no lead has an ECG to denoise: " + "; ".join(self.notes[-len(bad) :]),
                path=self.src.path,
            )

    def _write_report(self, tmp: Path, kept: dict, removed: dict, stretches) -> None:
        src = self.src
        leads = {}
        for c in self.chosen:
            fs = src.rate(c)
            per = [
                report.stretch_quality(n, k, fs) for n, k in zip(kept[c]["noisy"], kept[c]["clean"])
            ]
            summary = report.summarize_lead(per, removed[c].result())
            leads[src.channels[c]] = {"fs": fs, "unit": src.units[c], **summary}
        doc = {
            "record": str(src.path),
            "output": self.stem,
            "sigvae_version": __version__,
            "model": self.denoiser.name,
            "weights_sha256": self.denoiser.sha256,
            "leads": leads,
            "notes": self.notes,
            "definitions": report.__doc__.strip(),
        }
        (tmp / f"{self.stem}.json").write_text(json.dumps(doc, indent=2, default=float))
        if self.plot:
            self._plot(tmp, kept)

    def _plot(self, tmp: Path, kept: dict) -> None:
        leads, fs_of = [], {}
        for c in self.chosen:
            if not kept[c]["noisy"]:
                continue
            name = self.src.channels[c]
            fs_of[name] = self.src.rate(c)
            leads.append(
                {
                    "name": name,
                    "unit": self.src.units[c],
                    "t0": kept[c]["t0"],
                    "noisy": kept[c]["noisy"][0],
                    "clean": kept[c]["clean"][0],
                }
            )
        if leads:
            title = f"{self.src.name}: input (grey) and denoised ({self.denoiser.name})"
            report.plot_before_after(tmp / f"{self.stem}.png", leads, fs_of, title)


def _keep_stretches(store: dict, stretches, frames, src, c: int, noisy, clean) -> None:
    """Append the parts of the quality stretches that fall in ``frames`` (start, stop)."""
    (start, stop), k = frames, src.spf[c]
    for s0, s1 in stretches:
        a, b = max(s0, start), min(s1, stop)
        if a >= b:
            continue
        part = slice((a - start) * k, (b - start) * k)
        piece_n, piece_c = noisy[part], clean[part]
        if a > s0 and store["noisy"]:  # continuation of a stretch cut by a chunk edge
            store["noisy"][-1] = np.concatenate([store["noisy"][-1], piece_n])
            store["clean"][-1] = np.concatenate([store["clean"][-1], piece_c])
        else:
            store["noisy"].append(piece_n.copy())
            store["clean"].append(piece_c.copy())
            store.setdefault("t0", s0 / src.frame_fs)
