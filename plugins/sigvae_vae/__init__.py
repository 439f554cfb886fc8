"""sigvae_vae: the VAE family as sigvae model plugins, one small module per family.

The registry entry point is :mod:`sigvae_vae.plugin`; it imports no torch. Each family module
(``vae``, ``beta_vae``, ...) holds one model class built from the blocks in :mod:`sigvae.nn`.
"""
