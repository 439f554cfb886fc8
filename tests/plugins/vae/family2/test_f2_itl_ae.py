"""itl-ae: the CS/ED regulariser with its bandwidth, priors, and codes matching a 2-D prior."""

from __future__ import annotations

import pytest
import torch
from _f2_helpers import assert_codes_match_prior
from sigvae_vae.family2.divergences import cauchy_schwarz_divergence, euclidean_divergence


@pytest.mark.parametrize("divergence", ["cs", "ed"])
def test_loss_uses_the_chosen_divergence_and_bandwidth(build2, divergence):
    model = build2(
        "itl-ae",
        {
            "latent_dim": 2,
            "divergence": divergence,
            "bandwidth": 0.4,
            "lam": 3.0,
            "prior": "laplace",
        },
    )
    x = torch.randn(32, 32)
    torch.manual_seed(2)
    out = model.loss({"x": x})
    torch.manual_seed(2)
    z = model.codes(x)
    z_prior = model.prior().sample((32,))
    fn = cauchy_schwarz_divergence if divergence == "cs" else euclidean_divergence
    assert float(out.terms["divergence"]) == pytest.approx(
        float(fn(z, z_prior, 0.4).detach()), rel=1e-5
    )
    assert float(out.total.detach()) == pytest.approx(
        float(out.terms["recon"] + 3.0 * out.terms["divergence"]), rel=1e-5
    )


@pytest.mark.parametrize("prior", ["gaussian", "laplace", "swiss-roll", "mixture"])
def test_priors_have_unit_scale_and_right_shape(build2, prior):
    model = build2("itl-ae", {"latent_dim": 2, "prior": prior})
    torch.manual_seed(0)
    z = model.prior().sample((4000,))
    assert z.shape == (4000, 2)
    assert 0.3 < float(z.std()) < 2.5
    if prior in ("gaussian", "laplace"):
        assert float(z.var(dim=0).mean()) == pytest.approx(1.0, abs=0.1)


def test_codes_match_a_2d_toy_prior(build2, toy):
    assert_codes_match_prior(build2, toy, "itl-ae", {"lam": 1.0}, {"lam": 0.0})
