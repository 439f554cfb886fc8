"""Registers the ECG plugin's components. Light on purpose: only pydantic schemas are imported
here; NumPy/SciPy/torch/NeuroKit2 code is imported by the factories when a component is built."""

from __future__ import annotations

from sigvae import hookimpl
from sigvae.lazy import lazy_factory
from sigvae.specs import CommandSpec, EvaluatorSpec, ModelSpec, NoParams, PreprocessorSpec
from sigvae_ecg import params as p


def _lazy(module: str, attr: str):
    """A factory that imports ``sigvae_ecg.<module>`` only when the component is built."""
    return lazy_factory(f"sigvae_ecg.{module}", attr)


def _evaluator(name: str):
    def factory(params, **extra):
        from sigvae_ecg.evaluators import build

        return build(name)

    return factory


_EVALUATOR_DOCS = {
    "ssd": "Sum of squared distances per window, averaged (DeepFilter's SSD).",
    "mad": "Maximum absolute distance per window, averaged (DeepFilter's MAD).",
    "prd": "Percent root-mean-square difference: prd_textbook (100 sqrt(sum e^2 / sum y^2)) "
    "and prd_deepfilter (denominator sum (y_hat - mean y)^2, as in DeepFilter's code).",
    "cosine": "Cosine similarity between reference and estimate per window, averaged.",
    "snr-out": "Output power SNR in dB per window (means removed), averaged.",
    "snr-improvement": "Output minus input power SNR in dB per window, averaged (needs the "
    "noisy input).",
}


@hookimpl
def sigvae_preprocessors() -> list[PreprocessorSpec]:
    return [
        PreprocessorSpec(
            "ecg-resample",
            _lazy("filters", "ResampleStep"),
            p.ResampleParams,
            "Resample every record to fs Hz (scipy polyphase); annotations follow.",
            takes="signals",
            returns="signals",
        ),
        PreprocessorSpec(
            "ecg-bandpass",
            _lazy("filters", "BandpassStep"),
            p.BandpassParams,
            "Zero-phase Butterworth band-pass plus 50/60 Hz notches (clean targets).",
            takes="signals",
            returns="signals",
        ),
        PreprocessorSpec(
            "ecg-beats",
            _lazy("beats", "BeatStep"),
            p.BeatParams,
            "Single beats zero-padded to a window (DeepFilter protocol): from lead_in s before "
            "an R peak to as much before the next, end-point mean removed, at sample offset.",
            takes="signals",
            returns="arrays",
        ),
        PreprocessorSpec(
            "ecg-noise",
            _lazy("noise_step", "NoiseStep"),
            p.NoiseParams,
            "Add real NSTDB (bw/em/ma/mix, samples [0, 325000) only) and synthetic ECG noise: "
            "x = noisy, target = clean, at input power SNRs in snr_db.\n\nSynthetic kinds: "
            "white, powerline (50/60 Hz), sine-bw (0.05-0.5 Hz), impulse, poisson. Training "
            "windows get fresh draws (copies per window); other splits one fixed draw.",
        ),
    ]


@hookimpl
def sigvae_models() -> list[ModelSpec]:
    return [
        ModelSpec(
            "ecg-conv-vae",
            _lazy("convvae", "build"),
            p.ConvVAEParams,
            "Small fully convolutional VAE (sequence latent) for denoising ECG windows.\n\n"
            "Loss: -log p(target|z) + beta * KL(q(z|x) || N(0, I)), summed over samples and "
            "latent units, mean over the batch; deterministic: true gives the plain conv DAE "
            "of the same size.",
        ),
    ]


@hookimpl
def sigvae_evaluators() -> list[EvaluatorSpec]:
    return [EvaluatorSpec(n, _evaluator(n), NoParams, doc) for n, doc in _EVALUATOR_DOCS.items()]


def _command_arguments(parser) -> None:
    from sigvae_ecg.command_args import add_arguments

    add_arguments(parser)


def _command(args) -> int:
    from sigvae_ecg.command import run

    return run(args)


@hookimpl
def sigvae_commands() -> list[CommandSpec]:
    return [
        CommandSpec(
            "ecg-denoise",
            _command,
            doc="Denoise ECG records (WFDB or EDF) with the shipped VAE; writes <name>_denoised.",
            add_arguments=_command_arguments,
        )
    ]
