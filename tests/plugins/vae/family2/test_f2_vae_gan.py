"""vae-gan: which loss trains which network, the feature-space reconstruction, and a generator
that learns a 2-D data distribution (ring of eight Gaussians)."""

from __future__ import annotations

import pytest
import torch
from _f2_helpers import fit
from sigvae_vae.family2.divergences import mmd_unbiased
from sigvae_vae.family2.priors import latent_prior


def _ring(n, seed):
    torch.manual_seed(seed)
    return latent_prior("mixture", 2, torch.zeros(1)).sample((n,))


def test_each_phase_owns_one_network(build2):
    model = build2("vae-gan", {"latent_dim": 3})
    groups = model.optimizer_groups()
    assert list(groups) == ["enc", "dec", "disc"]
    ids = {name: {id(p) for p in params} for name, params in groups.items()}
    assert ids["enc"] == {id(p) for p in model.encoder.parameters()}
    assert ids["disc"] == {id(p) for p in model.discriminator.parameters()}
    assert set().union(*ids.values()) == {id(p) for p in model.parameters()}
    assert sum(len(v) for v in ids.values()) == len(list(model.parameters()))


def test_encoder_loss_is_kl_plus_feature_reconstruction(build2):
    """L_enc = KL + 1/2 |Dis_l(x) - Dis_l(x~)|^2 with Dis_l the discriminator trunk's last
    hidden layer; no GAN term reaches the encoder."""
    model = build2("vae-gan", {"latent_dim": 3})
    x = torch.randn(8, 32)
    torch.manual_seed(4)
    out = model.loss({"x": x}, "enc")
    torch.manual_seed(4)
    q = model.encode(x)
    x_rec = model.decode(q.rsample()).mean
    trunk = model.discriminator.net.trunk
    feature = 0.5 * (trunk(x) - trunk(x_rec)).pow(2).sum(dim=1).mean()
    assert float(out.terms["feature_recon"]) == pytest.approx(float(feature.detach()), rel=1e-5)
    assert float(out.total.detach()) == pytest.approx(
        float(out.terms["kl"] + feature.detach()), rel=1e-5
    )


def test_generator_learns_a_2d_distribution(build2):
    """Decoded prior samples approach held-out data from a ring of Gaussians (MMD falls to
    under a fifth of its value at initialisation), with Larsen's feature-only loss."""
    train, test = _ring(1500, 0), _ring(500, 1)
    torch.manual_seed(0)
    model = build2(
        "vae-gan", {"latent_dim": 2, "encoder": {"hidden": [64, 64]}, "sigma": 0.1}, (2,)
    )

    def sample_mmd():
        model.eval()
        torch.manual_seed(3)
        return float(mmd_unbiased(model.sample(500), test))

    before = sample_mmd()
    fit(model, train.numpy(), epochs=5)
    after = sample_mmd()
    assert after < 0.2 * before, (before, after)
