"""sigvae_volsurf: implied-volatility surfaces with grid and pointwise VAEs.

Numerics (Black deltas, implied-vol inversion, Heston/Bates/SABR/SSVI), simulated training
surfaces, static-arbitrage checks, surface completion and generation. Heavy modules are imported
lazily so that loading the plugin stays cheap.
"""
