"""VaDE: the mixture ELBO, the k-means initialisation and unsupervised clustering."""

from __future__ import annotations

import itertools

import torch
from sigvae_vae.vade import kmeans

from sigvae.nn.divergences import kl_diag_gaussians
from sigvae.nn.posteriors import diagonal_gaussian


def _blobs(n, seed, w_seed=0):
    centres = torch.tensor([[3.0, 0.0], [-3.0, 0.0], [0.0, 3.0]])
    w = torch.randn(8, 2, generator=torch.Generator().manual_seed(w_seed))
    g = torch.Generator().manual_seed(seed)
    y = torch.randint(0, 3, (n,), generator=g)
    z = centres[y] + 0.5 * torch.randn(n, 2, generator=g)
    return torch.tanh(z @ w.T) + 0.05 * torch.randn(n, 8, generator=g), y


def _accuracy(pred, truth, k=3):
    return max(
        (torch.tensor(p)[pred] == truth).float().mean().item()
        for p in itertools.permutations(range(k))
    )


def test_one_cluster_reduces_to_a_vae_with_that_gaussian_prior(build):
    model = build("vade", {"latent_dim": 2, "clusters": 1}, (5,))
    x = torch.randn(4, 5)
    torch.manual_seed(0)
    elbo, log_px, kl_z, kl_c = model.vade_elbo(x)
    q = model.encode(x)
    prior = diagonal_gaussian(model.cluster_means[0], model.cluster_logvars[0])
    assert torch.allclose(kl_z, kl_diag_gaussians(q, prior), atol=1e-5)
    assert torch.allclose(kl_c, torch.zeros(4), atol=1e-6)
    assert torch.allclose(elbo, log_px - kl_z - kl_c)


def test_kmeans_finds_separated_blobs():
    torch.manual_seed(0)
    centres = torch.tensor([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0], [10.0, 10.0]])
    labels = torch.arange(400) % 4
    points = centres[labels] + torch.randn(400, 2)
    means, logvars = kmeans(points, 4)
    assert torch.cdist(means, centres).min(0).values.max() < 0.5
    assert torch.allclose(logvars.exp(), torch.ones(4, 2), atol=0.4)


def test_pretraining_then_data_initialised_mixture(build):
    model = build("vade", {"latent_dim": 2, "clusters": 3, "pretrain_steps": 2}, (8,))
    x, _ = _blobs(64, 0)
    before = model.cluster_means.detach().clone()
    for _ in range(2):
        assert model.loss({"x": x}).terms["kl_c"] == 0  # plain VAE loss, same term names
    assert torch.equal(model.cluster_means, before)
    assert model.loss({"x": x}).terms["kl_c"] > 0
    assert not torch.equal(model.cluster_means, before)
    assert int(model.steps_seen) == 3


def test_clusters_well_separated_groups_unsupervised(build, train):
    x_train, _ = _blobs(1500, 1)
    x_test, y_test = _blobs(500, 2)
    torch.manual_seed(0)
    params = {"latent_dim": 2, "clusters": 3, "encoder": {"hidden": [64]}, "sigma": 0.1}
    model = build("vade", params, (8,))
    train(model, x_train, steps=600, lr=3e-3, batch_size=128)
    assert _accuracy(model.cluster(x_test), y_test) > 0.95
    assert model.cluster_probs(x_test).shape == (500, 3)
    assert (model.pi_logits.softmax(-1) > 0.2).all()
