"""factor-vae: the permutation gives product-of-marginals samples, and the discriminator phase
learns a density ratio whose mean is the total correlation."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from scipy import stats
from sigvae_vae.family2.factor_vae import permute_dims
from torch.distributions import MultivariateNormal


def _correlated(n, rho, seed):
    g = torch.Generator().manual_seed(seed)
    a = torch.randn(n, generator=g)
    b = rho * a + math.sqrt(1 - rho**2) * torch.randn(n, generator=g)
    return torch.stack([a, b], dim=1)


def test_permutation_yields_product_of_marginals():
    z = _correlated(3000, 0.9, seed=0)
    torch.manual_seed(1)
    shuffled = permute_dims(z)
    # every marginal is unchanged
    for j in range(2):
        assert torch.equal(torch.sort(z[:, j]).values, torch.sort(shuffled[:, j]).values)
    # dependence: strong before, not detectable after (Pearson and a chi-square test of
    # independence on quartile bins)
    assert stats.pearsonr(z[:, 0], z[:, 1])[1] <= 1e-100
    assert stats.pearsonr(shuffled[:, 0], shuffled[:, 1])[1] > 1e-3

    def chi2_p(sample):
        bins = [np.digitize(c, np.quantile(c, [0.25, 0.5, 0.75])) for c in sample.numpy().T]
        table = np.zeros((4, 4))
        np.add.at(table, (bins[0], bins[1]), 1)
        return stats.chi2_contingency(table)[1]

    assert chi2_p(z) <= 1e-100 and chi2_p(shuffled) > 1e-3


def test_discriminator_phase_estimates_the_total_correlation(build2):
    """Codes from a bivariate Gaussian with correlation rho have TC = -1/2 log(1 - rho^2);
    after training the discriminator phase on them, E[log D/(1 - D)] is close to it."""
    rho = 0.9
    truth = -0.5 * math.log(1 - rho**2)
    torch.manual_seed(0)
    model = build2("factor-vae", {"latent_dim": 2, "disc_hidden": [64, 64]})
    cov = torch.tensor([[1.0, rho], [rho, 1.0]])

    def correlated_codes(x, cond=None):
        return MultivariateNormal(torch.zeros(x.shape[0], 2), covariance_matrix=cov)

    model.encode = correlated_codes
    opt = torch.optim.Adam(model.optimizer_groups()["disc"], lr=2e-3)
    x = torch.zeros(512, 32)
    for _ in range(250):
        opt.zero_grad()
        model.loss({"x": x}, "disc").total.backward()
        opt.step()
    with torch.no_grad():
        logits = model.discriminator(MultivariateNormal(torch.zeros(2), cov).sample((4000,)))
    estimate = float((logits[:, 0] - logits[:, 1]).mean())
    assert estimate == pytest.approx(truth, abs=0.25), (estimate, truth)


def test_groups_are_disjoint(build2):
    model = build2("factor-vae", {"latent_dim": 3})
    groups = model.optimizer_groups()
    main, disc = ({id(p) for p in g} for g in groups.values())
    assert not main & disc and main | disc == {id(p) for p in model.parameters()}


@pytest.mark.parametrize("name", ["factor-vae", "aae", "vae-gan", "vq-vae"])
def test_joint_losses_equal_the_phased_losses(build2, name):
    """The joint step's one-forward losses are the phased losses (same draws, same values)."""
    params = {"factor-vae": {"disc_hidden": [16, 16]}, "vq-vae": {"latent_dim": 2}}
    torch.manual_seed(0)
    model = build2(name, {"latent_dim": 4, **params.get(name, {})}).eval()
    x = torch.randn(10, 32)
    torch.manual_seed(1)
    joint = model.joint_loss({"x": x})
    assert list(joint) == list(model.optimizer_groups())
    for phase, out in joint.items():
        torch.manual_seed(1)
        phased = model.loss({"x": x}, phase)
        torch.testing.assert_close(out.total, phased.total, msg=phase)
        assert out.terms.keys() == phased.terms.keys()


def test_one_stacked_discriminator_pass_equals_two_separate_passes(build2):
    """The discriminator scores the real and the permuted half in one pass over stacked rows;
    the loss and the real half's logits are those of scoring each half on its own."""
    import torch.nn.functional as F
    from sigvae_vae.family2 import factor_vae

    torch.manual_seed(0)
    model = build2("factor-vae", {"latent_dim": 4, "disc_hidden": [16, 16]})
    z = torch.randn(12, 4)
    torch.manual_seed(3)
    loss, logits_real = model.discriminator_terms(z)
    torch.manual_seed(3)
    real, shuffled = z[:6], factor_vae.permute_dims(z[6:])
    separate_real, separate_perm = model.discriminator(real), model.discriminator(shuffled)
    expected = 0.5 * (
        F.cross_entropy(separate_real, torch.zeros(6, dtype=torch.long))
        + F.cross_entropy(separate_perm, torch.ones(6, dtype=torch.long))
    )
    torch.testing.assert_close(logits_real, separate_real)
    torch.testing.assert_close(loss.total, expected)
