"""dip-vae: covariance of the aggregate posterior, the paper's default weights, and the effect
of the penalty on held-out posterior means."""

from __future__ import annotations

import pytest
import torch
from _f2_helpers import fit
from sigvae_vae.family2.dip_vae import aggregate_covariance


def test_aggregate_covariance_by_hand():
    mu = torch.tensor([[1.0, 1.0], [-1.0, -1.0], [1.0, -1.0], [-1.0, 1.0]])
    assert torch.allclose(aggregate_covariance(mu), torch.eye(2))
    var = torch.tensor([[0.5, 0.1], [0.5, 0.3], [0.5, 0.1], [0.5, 0.3]])
    assert torch.allclose(aggregate_covariance(mu, var), torch.diag(torch.tensor([1.5, 1.2])))
    skew = torch.tensor([[1.0, 2.0], [-1.0, -2.0]])
    assert torch.allclose(aggregate_covariance(skew), torch.tensor([[1.0, 2.0], [2.0, 4.0]]))


@pytest.mark.parametrize("variant, lambda_d", [("i", 100.0), ("ii", 10.0)])
def test_default_diagonal_weight(build2, variant, lambda_d):
    model = build2("dip-vae", {"variant": variant, "lambda_od": 10.0})
    assert model.lambda_d == lambda_d


def test_penalty_decorrelates_the_posterior_means(build2, toy):
    """On toy data with a 2-D latent, the off-diagonal covariance of held-out posterior means
    is smaller with the DIP penalty than without it, and the diagonal is closer to 1."""
    train, test = toy
    found = {}
    for lam in (0.0, 10.0):
        torch.manual_seed(0)
        model = build2(
            "dip-vae",
            {"latent_dim": 3, "lambda_od": lam, "sigma": 0.1, "encoder": {"hidden": [64, 64]}},
            (16,),
        )
        fit(model, train, epochs=4)
        model.eval()
        cov = aggregate_covariance(model.embed(torch.from_numpy(test)))
        off = (cov - torch.diag(torch.diagonal(cov))).pow(2).sum()
        found[lam] = (float(off), float((torch.diagonal(cov) - 1).pow(2).sum()))
    assert found[10.0][0] < 0.5 * found[0.0][0], found
    assert found[10.0][1] < found[0.0][1], found
