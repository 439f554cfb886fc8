"""wae: the WAE-MMD loss, the WAE-GAN phases, and codes matching a 2-D toy prior."""

from __future__ import annotations

import pytest
import torch
from _f2_helpers import assert_codes_match_prior
from sigvae_vae.family2.divergences import mmd_unbiased
from sigvae_vae.family2.wae import MULTISCALE


def test_mmd_loss_is_recon_plus_lambda_multiscale_mmd(build2):
    model = build2("wae", {"latent_dim": 3, "lam": 7.0, "kernel": "imq"})
    x = torch.randn(16, 32)
    torch.manual_seed(1)
    out = model.loss({"x": x})
    torch.manual_seed(1)
    z = model.codes(x)
    z_prior = torch.randn_like(z)
    mmd = mmd_unbiased(z, z_prior, "imq", 6.0, scales=MULTISCALE).detach()
    assert float(out.terms["mmd"]) == pytest.approx(float(mmd), rel=1e-5)
    assert float(out.total.detach()) == pytest.approx(
        float(out.terms["recon"] + 7.0 * mmd), rel=1e-5
    )


def test_gan_penalty_declares_disjoint_groups(build2):
    model = build2("wae", {"latent_dim": 3, "penalty": "gan"})
    groups = model.optimizer_groups()
    assert list(groups) == ["main", "disc"]
    ids = [{id(p) for p in g} for g in groups.values()]
    assert not ids[0] & ids[1]
    assert ids[0] | ids[1] == {id(p) for p in model.parameters()}
    assert ids[1] == {id(p) for p in model.critic.parameters()}


def test_deterministic_encoder_has_no_likelihood(build2):
    from sigvae.nn.model import UndefinedQuantity

    model = build2("wae", {"latent_dim": 3})
    with pytest.raises(UndefinedQuantity, match="deterministic"):
        model.elbo(torch.randn(2, 32))


@pytest.mark.parametrize("penalty", ["gan", "mmd"])
def test_codes_match_a_2d_toy_prior(build2, toy, penalty):
    assert_codes_match_prior(
        build2, toy, "wae", {"penalty": penalty, "lam": 1.0}, {"penalty": penalty, "lam": 0.0}
    )
