"""Model contract and reusable building blocks that model plugins compose.

Names are imported lazily so that ``from sigvae.nn.params import ArchParams`` (used by light
plugin modules to declare their specs) does not import torch.

* contract: :class:`Model`, :class:`LossOutput`, :class:`UndefinedQuantity`
* params: :class:`ArchParams`, :class:`AutoencoderParams`
* blocks: :func:`build_encoder`, :func:`build_decoder`
* likelihoods: :func:`build_likelihood`, :class:`Likelihood`
* posteriors: :func:`diagonal_gaussian`, :func:`diagonal_gaussian_head`, :func:`detached`
* divergences: :func:`kl_diag_gaussian_standard`, :func:`kl_diag_gaussians`,
  :func:`kl_monte_carlo`, :func:`kl_divergence`
* composition: :class:`AutoencoderParts`, :func:`build_autoencoder`
"""

from __future__ import annotations

from sigvae.lazy import lazy_getattr

_LAZY = {
    "Model": "sigvae.nn.model",
    "LossOutput": "sigvae.nn.model",
    "UndefinedQuantity": "sigvae.nn.model",
    "standard_normal": "sigvae.nn.model",
    "log_mean_exp": "sigvae.nn.model",
    "ArchParams": "sigvae.nn.params",
    "AutoencoderParams": "sigvae.nn.params",
    "build_encoder": "sigvae.nn.blocks",
    "build_decoder": "sigvae.nn.blocks",
    "ARCHS": "sigvae.nn.blocks",
    "Encoder": "sigvae.nn.layers",
    "build_likelihood": "sigvae.nn.likelihoods",
    "Likelihood": "sigvae.nn.likelihoods",
    "diagonal_gaussian": "sigvae.nn.posteriors",
    "diagonal_gaussian_head": "sigvae.nn.posteriors",
    "split_gaussian_params": "sigvae.nn.posteriors",
    "detached": "sigvae.nn.posteriors",
    "kl_diag_gaussian_standard": "sigvae.nn.divergences",
    "kl_diag_gaussians": "sigvae.nn.divergences",
    "kl_monte_carlo": "sigvae.nn.divergences",
    "kl_divergence": "sigvae.nn.divergences",
    "AutoencoderParts": "sigvae.nn.compose",
    "build_autoencoder": "sigvae.nn.compose",
}

__all__ = list(_LAZY)

__getattr__ = lazy_getattr("sigvae.nn", _LAZY)
