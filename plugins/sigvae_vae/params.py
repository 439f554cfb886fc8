"""Parameter schemas of the VAE family (pydantic only, no torch: the plugin module that
declares the specs imports this at start-up)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from sigvae.nn.params import AutoencoderParams


class VAEParams(AutoencoderParams):
    """Kingma & Welling's VAE with an optional KL weight and gradient estimator."""

    beta: float = Field(
        1.0, ge=0.0, description="weight of the KL term; 1 gives the ELBO (beta-VAE for > 1)"
    )
    estimator: Literal["standard", "stl"] = Field(
        "standard",
        description="gradient estimator: standard (analytic KL) or stl (sticking the landing, "
        "Roeder et al. 2017: Monte-Carlo KL with the posterior parameters stopped in log q)",
    )
