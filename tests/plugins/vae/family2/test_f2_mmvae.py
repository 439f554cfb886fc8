"""mmvae: modality groups, the product likelihood, the stratified bound, and cross-modal
generation between two montages of real ECG on held-out records."""

from __future__ import annotations

import pytest
import torch
from _f2_helpers import fit

from sigvae.errors import ConfigError


def test_modality_groups_are_checked(build2):
    for bad in ([[0, 1, 2]], [[0], [0, 1], [2]], [[0], [1]]):
        with pytest.raises(ConfigError, match="modalities"):
            build2("mmvae", {"latent_dim": 2, "modalities": bad}, (3, 16))
    with pytest.raises(ConfigError, match="channels, length"):
        build2("mmvae", {"latent_dim": 2}, (16,))


def test_product_likelihood_assembles_and_sums_modalities(build2):
    model = build2("mmvae", {"latent_dim": 2, "modalities": [[2], [0, 1]]}, (3, 16))
    z = torch.randn(4, 2)
    x = torch.randn(4, 3, 16)
    lik = model.decode(z)
    parts = [model.likelihoods[i](model.decoders[i](z)) for i in range(2)]
    assert torch.allclose(
        lik.log_prob(x), parts[0].log_prob(x[:, [2]]) + parts[1].log_prob(x[:, [0, 1]])
    )
    assert torch.equal(lik.mean[:, 2:], parts[0].mean) and torch.equal(
        lik.mean[:, :2], parts[1].mean
    )


def test_one_sample_bound_is_the_stratified_elbo(build2):
    model = build2("mmvae", {"latent_dim": 2, "samples": 1}, (2, 16))
    x = torch.randn(5, 2, 16)
    torch.manual_seed(7)
    loss = model.loss({"x": x}).total
    torch.manual_seed(7)
    assert float(loss.detach()) == pytest.approx(float(-model.elbo(x).mean().detach()), rel=1e-5)


@pytest.mark.data
def test_cross_modal_generation_on_held_out_records(build2, ludb_limb):
    """Limb leads (I, II) and augmented leads (aVR, aVL, aVF) see the same frontal-plane field:
    each montage decoded from the other beats the zero (training-mean) prediction."""
    train, test = ludb_limb["train"], torch.from_numpy(ludb_limb["test"])
    torch.manual_seed(0)
    params = {
        "latent_dim": 8,
        "modalities": [[0, 1], [2, 3, 4]],
        "samples": 2,
        "sigma": 0.5,
        "encoder": {"hidden": [128]},
    }
    model = build2("mmvae", params, train.shape[1:])
    fit(model, train, epochs=6)
    model.eval()
    for source, other in ((0, [2, 3, 4]), (1, [0, 1])):
        generated = model.cross_generate(test, source)[:, other]
        error = float((generated - test[:, other]).pow(2).mean())
        baseline = float(test[:, other].pow(2).mean())
        assert error < 0.7 * baseline, (source, error, baseline)
