"""VAE family II: divergence-regularised, adversarial, discrete and multimodal autoencoders.

One small module per model family; :mod:`sigvae_vae.family2.specs` lists their registry specs
(``FAMILY2_SPECS``) with factories that import torch only when a model is built. The shared
sample-based divergences (MMD, Cauchy-Schwarz, Euclidean) live in
:mod:`sigvae_vae.family2.divergences`.
"""
