"""info-vae: the loss weights of Zhao et al. and the effect of the MMD term."""

from __future__ import annotations

import pytest
import torch
from _f2_helpers import fit, mmd_to_prior

from sigvae.errors import ConfigError


@pytest.mark.parametrize("alpha, lam", [(0.0, 1.0), (0.0, 1000.0), (1.0, 50.0), (0.5, 2.0)])
def test_loss_is_recon_plus_weighted_kl_and_mmd(build2, alpha, lam):
    model = build2("info-vae", {"latent_dim": 3, "alpha": alpha, "lam": lam, "kernel": "imq"})
    out = model.loss({"x": torch.randn(16, 32)})
    t = out.terms
    expected = t["recon"] + (1 - alpha) * t["kl"] + (alpha + lam - 1) * t["mmd"]
    assert float(out.total.detach()) == pytest.approx(float(expected), rel=1e-5)


def test_plain_vae_corner_is_the_negative_elbo(build2):
    model = build2("info-vae", {"latent_dim": 3, "alpha": 0.0, "lam": 1.0})
    out = model.loss({"x": torch.randn(16, 32)})
    assert float(out.total.detach()) == pytest.approx(float(out.terms["recon"] + out.terms["kl"]))


def test_negative_mmd_weight_is_rejected(build2):
    with pytest.raises(ConfigError, match="alpha"):
        build2("info-vae", {"alpha": 0.0, "lam": 0.5})


def test_mmd_term_pulls_the_aggregate_posterior_to_the_prior(build2, toy):
    """alpha = 1 drops the per-example KL; with lambda = 0 nothing ties q(z) to the prior,
    with lambda = 100 the MMD does."""
    train, test = toy
    found = {}
    for lam in (0.0, 100.0):
        torch.manual_seed(0)
        model = build2(
            "info-vae",
            {
                "latent_dim": 2,
                "alpha": 1.0,
                "lam": lam,
                "sigma": 0.1,
                "encoder": {"hidden": [64, 64]},
            },
            (16,),
        )
        fit(model, train, epochs=4)
        found[lam] = mmd_to_prior(model, test)
    assert found[100.0] < 0.5 * found[0.0], found
