"""Ship the DeepFilter-protocol denoiser (``pipelines/ecg_deepfilter.yaml``) and its model card.

    sigvae run pipelines/ecg_deepfilter.yaml               # trains into runs/ecg-deepfilter
    python benchmarks/bench_ecg_deepfilter.py --model runs/ecg-deepfilter --dae runs/ecg-dae
    python benchmarks/bench_ecg_ship_deepfilter.py runs/ecg-deepfilter

Copies the run's best weights (model identity + state_dict, via the kernel's ``save_model``)
to ``plugins/sigvae_ecg/weights/ecg_deepfilter.pt``, checks that ``sigvae.load_model``
rebuilds it with the same outputs, and writes ``MODEL_CARD_deepfilter.md`` with the sha256,
the run's numbers and the protocol table of ``benchmarks/results/ecg_deepfilter.md``.
"""

from __future__ import annotations

import sys
from pathlib import Path

from bench_ecg_data import ROOT
from ecg_export import WEIGHTS, export_checked, results_section


def protocol_table() -> str:
    text = results_section("ecg_deepfilter")
    if text is None:
        return "(run benchmarks/bench_ecg_deepfilter.py first)"
    start = text.find("| method |")
    end = text.find("\n### ", start)
    return text[start : end if end > 0 else len(text)].strip()


def main() -> None:
    import yaml

    run_dir = Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "runs" / "ecg-deepfilter")
    target = WEIGHTS / "ecg_deepfilter.pt"
    _, _, fields = export_checked(run_dir, target)
    config = yaml.safe_load((run_dir / "config.yaml").read_text())
    noise = next(s["params"] for s in config["steps"] if s["preprocess"] == "ecg-noise")
    card = CARD.format(**fields, copies=noise["copies"], table=protocol_table())
    (WEIGHTS / "MODEL_CARD_deepfilter.md").write_text(card)
    print(f"wrote {target} and {WEIGHTS / 'MODEL_CARD_deepfilter.md'}")


CARD = """# Model card: DeepFilter-protocol denoiser (`ecg_deepfilter.pt`)

A denoiser for *single heartbeats zero-padded to 512 samples* with baseline wander, the setting
of the DeepFilter benchmark (Romero et al. 2021). It is not the default of `sigvae
ecg-denoise` (that one, `ecg_denoiser.pt`, is trained on continuous windows and all noise
kinds); it exists so that our numbers on that protocol come from a model trained on the
protocol's kind of data, as the published ones are. Use it with
`ecg_denoise(..., model="<path>/ecg_deepfilter.pt")` or `--model`.

- **File:** `ecg_deepfilter.pt` ({size_kb:.0f} KB), sigvae checkpoint format (loads with
  `sigvae.load_model`, `torch.load(weights_only=True)`).
- **sha256:** `{sha}`
- **Model:** `ecg-conv-vae` ({n_params} parameters), latent sequence {latent} (channels x
  positions), Gaussian likelihood with a fixed scale, trained in denoising mode.
  Params: `{params}`.
- **Input/output:** a 512-sample window at 360 Hz, centred and divided by its std; the output
  (the clean beat in those units) is multiplied back, no offset added.

## Reproduce

    sigvae run pipelines/ecg_deepfilter.yaml --set outputs.dir=runs/ecg-deepfilter
    python benchmarks/bench_ecg_deepfilter.py --model runs/ecg-deepfilter --dae runs/ecg-dae
    python benchmarks/bench_ecg_ship_deepfilter.py runs/ecg-deepfilter

Training run: {epochs} epochs (best epoch {best_epoch}), {time_s} s on `{device}` (one
thread, on a machine shared with other jobs); examples {examples}.

## Data and split (by record, never by window)

- Beats: the records and split of `pipelines/ecg_denoise.yaml` (MIT-BIH whole records here;
  LUDB 1-99), resampled to 360 Hz, band-passed 0.5-100 Hz with 50/60 Hz notches, cut by the
  `ecg-beats` step: from 250 ms before an R peak (MIT-BIH `.atr` normal beats, LUDB
  NeuroKit2 detections on lead ii) to 250 ms before the next beat, end-point mean removed,
  placed at sample 16 of a zero window; every lead; beats longer than 496 samples dropped.
  Validation: MIT-BIH 106, 113; LUDB 71-80. Test: MIT-BIH 100, 103, 116, 121, 201; LUDB 81-99.
- Noise: NSTDB `bw` **samples [0, 325000) only** (both channels, random 512-sample pieces),
  scaled so its peak-to-peak is 0.2-2.0x the beat's and added raw (offset included), as
  DeepFilter does; {copies} noisy copies per training beat. The benchmark uses samples 325000 on.
- PhysioNet data, ODC-By 1.0: Moody & Mark 2001; Moody, Muldrow & Mark 1984; Kalyakulina et
  al. 2020 (LUDB); Goldberger et al. 2000.

## Benchmark (`benchmarks/results/ecg_deepfilter.md`, test records, NSTDB second half)

Our test beats are MIT-BIH/LUDB beats, not the QT-database beats of the published rows.

{table}

## Training configuration (as run)

```yaml
{config}
```
"""


if __name__ == "__main__":
    main()
