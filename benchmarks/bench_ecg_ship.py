"""Ship a trained run as the ECG plugin's default denoiser and write its model card.

    sigvae run pipelines/ecg_denoise.yaml            # trains into runs/ecg-denoise
    python benchmarks/bench_ecg_denoise.py --model runs/ecg-denoise --dae runs/ecg-dae
    python benchmarks/bench_ecg_ship.py runs/ecg-denoise

Copies the run's best weights (model identity + state_dict only, via the kernel's
``save_model``; no optimizer state) to ``plugins/sigvae_ecg/weights/ecg_denoiser.pt``, checks
that ``sigvae.load_model`` rebuilds it (weights-only load) and gives the same outputs, and
writes ``MODEL_CARD.md`` with the run's test metrics, the benchmark summary and the sha256.
"""

from __future__ import annotations

import sys
from pathlib import Path

from bench_ecg_data import ROOT
from ecg_export import WEIGHTS, export_checked, results_section


def summary_from_results() -> str:
    """The benchmark's headline sections, as written by bench_ecg_denoise.py."""
    text = results_section("ecg")
    if text is None:
        return "(run benchmarks/bench_ecg_denoise.py first)"
    keep = []
    for title in (
        "### Output SNR (dB) at 0 dB input",
        "### All window metrics",
    ):
        start = text.find(title)
        if start >= 0:
            end = text.find("\n### ", start + 4)
            keep.append(text[start : end if end > 0 else len(text)].strip())
    return "\n\n".join(keep).replace("### ", "#### ")


def main() -> None:
    run_dir = Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "runs" / "ecg-denoise")
    target = WEIGHTS / "ecg_denoiser.pt"
    again, metrics, fields = export_checked(run_dir, target)
    card = CARD.format(
        **fields,
        model_type=again.model_config["type"],
        test="\n".join(f"| {k} | {v:.4g} |" for k, v in metrics.get("test", {}).items()),
        benchmark=summary_from_results(),
    )
    (WEIGHTS / "MODEL_CARD.md").write_text(card)
    print(f"wrote {target} ({fields['sha']}) and {WEIGHTS / 'MODEL_CARD.md'}")


CARD = """# Model card: default ECG denoiser (`ecg_denoiser.pt`)

The model behind `sigvae ecg-denoise` and `sigvae_ecg.ecg_denoise`.

- **File:** `ecg_denoiser.pt` ({size_kb:.0f} KB), sigvae checkpoint format (model type, params,
  data_info, state_dict; loads with `sigvae.load_model`, `torch.load(weights_only=True)`).
- **sha256:** `{sha}`
- **Model:** `{model_type}` ({n_params} parameters): a fully convolutional VAE, diagonal-Gaussian
  posterior over a {latent} latent sequence (channels x positions), Gaussian likelihood with a learned scale, trained in
  denoising mode (ELBO with the clean window as target). Params: `{params}`.
- **Input/output:** 512-sample windows at 360 Hz (1.42 s), one lead at a time. Each noisy
  window is centred and divided by its standard deviation; the model outputs the clean
  window in those units, which is multiplied back (no offset added: the output is
  baseline-free, like the 0.5 Hz high-passed training targets). `ecg_denoise` resamples any
  rate >= 100 Hz to 360 Hz and back and cross-fades windows overlapping by 128 samples.

## Reproduce

    sigvae run pipelines/ecg_denoise.yaml          # from the repository root, CPU, 2 threads
    python benchmarks/bench_ecg_ship.py runs/ecg-denoise

Training run: {epochs} epochs (best epoch {best_epoch}), {time_s} s on `{device}`;
examples {examples}.

## Data and split (by record, never by window)

- Clean ECG: MIT-BIH Arrhythmia Database (first 15 min of each record; 105 and 108 left out
  for their heavy own noise) and LUDB records 1-99, resampled to 360 Hz, zero-phase
  band-pass 0.5-100 Hz with 50 and 60 Hz notches; every lead is its own example.
  Validation: MIT-BIH 106, 113; LUDB 71-80. Test: MIT-BIH 100, 103, 116, 121, 201; LUDB 81-99.
- Noise (training and validation): MIT-BIH NSTDB `bw`, `em`, `ma` **samples [0, 325000) only**
  and their mixtures; white Gaussian, powerline 50/60 Hz (+3rd harmonic), sinusoidal baseline
  wander 0.05-0.5 Hz, impulse (salt-and-pepper), Poisson; 20 % of windows get a second kind.
  Input power SNR (means removed) uniform in [-6, 24] dB; two noisy copies per window; 50 %
  of training windows polarity-inverted. The benchmark uses NSTDB samples from 325000 on.
- PhysioNet data, ODC-By 1.0: Moody & Mark 2001; Moody, Muldrow & Mark 1984; Kalyakulina et
  al. 2020 (LUDB); Goldberger et al. 2000.

## Metrics

Pipeline test split (windows of the test records, noise from the NSTDB first half as in
training, physical units mV):

| metric | value |
|---|---|
{test}

Benchmark (`python benchmarks/bench_ecg_denoise.py`, NSTDB second half; full tables in
`benchmarks/results/ecg.md`):

{benchmark}

On the DeepFilter protocol (single padded beats with baseline wander) this model, trained on
continuous windows, is not the one to use: `ecg_deepfilter.pt` is trained for it (see
`MODEL_CARD_deepfilter.md` and `benchmarks/results/ecg_deepfilter.md`).

## Limits

Trained on adult resting/ambulatory ECG from two databases; not validated on paced rhythms
beyond MIT-BIH 102/104/107, on pediatric or fetal ECG, or on intracardiac signals. The output
is for visual reading and beat detection; it is not a medical device.

## Training configuration (as run)

```yaml
{config}
```
"""


if __name__ == "__main__":
    main()
