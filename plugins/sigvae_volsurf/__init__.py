"""sigvae_volsurf: implied-volatility surfaces with grid and pointwise VAEs.

``complete_surface(quotes_df)`` fills in a surface from a few quotes and
``generate_surfaces(n)`` draws synthetic ones, both with the shipped default pointwise model.
Numerics (Black deltas, implied-vol inversion, Heston/Bates/SABR/SSVI), simulated training
surfaces and static-arbitrage checks live in their own modules. Heavy modules are imported
lazily so that loading the plugin stays cheap.
"""

from __future__ import annotations

from typing import Any

__all__ = ["complete_surface", "generate_surfaces"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from sigvae_volsurf import api

        return getattr(api, name)
    raise AttributeError(f"module 'sigvae_volsurf' has no attribute {name!r}")
