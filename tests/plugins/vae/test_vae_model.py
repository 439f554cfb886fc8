"""The ``vae`` model: registration, uniform API, training on real ECG, checkpoints,
denoising mode and the STL estimator."""

from __future__ import annotations

import pytest
import torch

from sigvae.errors import ConfigError
from sigvae.nn.divergences import kl_diag_gaussian_standard


def test_spec_documents_every_param(vae_registry):
    spec = vae_registry.get("model", "vae")
    assert spec.summary and len(spec.summary) < 200
    for name, field in spec.params.model_fields.items():
        assert field.description, f"vae param {name} has no description"


def test_bad_params_are_config_errors(vae_registry):
    with pytest.raises(ConfigError, match="latent_dim"):
        vae_registry.validate_params("model", "vae", {"latent_dim": 0})
    with pytest.raises(ConfigError, match="unknown key"):
        vae_registry.validate_params("model", "vae", {"encoder": {"arhc": "mlp"}})


@pytest.mark.parametrize("arch", ["mlp", "conv1d", "lstm", "gru"])
@pytest.mark.parametrize("x_shape", [(2, 37), (45,)])
def test_uniform_api_shapes(build, arch, x_shape):
    enc = {"arch": arch, "hidden": [8, 12]}
    model = build("vae", {"latent_dim": 3, "encoder": enc}, x_shape).eval()
    x = torch.randn(4, *x_shape)
    assert model.elbo(x).shape == (4,)
    assert model.log_likelihood(x, samples=7, chunk=3).shape == (4,)
    assert model.embed(x).shape == (4, 3)
    assert model.reconstruct(x).shape == (4, *x_shape)
    assert model.sample(5).shape == (5, *x_shape)
    out = model.loss({"x": x})
    assert out.total.dim() == 0 and set(out.terms) == {"recon", "kl", "elbo"}


def test_loss_is_batch_mean_of_negative_elbo(build):
    model = build("vae", {"latent_dim": 2, "beta": 1.0}, (6,))
    x = torch.randn(5, 6)
    torch.manual_seed(1)
    total = model.loss({"x": x}).total
    torch.manual_seed(1)
    assert torch.allclose(total, -model.elbo(x).mean())


def test_bernoulli_mean_is_explicit_sigmoid(build):
    model = build("vae", {"latent_dim": 2, "likelihood": "bernoulli"}, (6,)).eval()
    z = torch.randn(3, 2)
    logits = model.decoder(z)
    assert torch.allclose(model.decode(z).mean, torch.sigmoid(logits))


@pytest.mark.data
def test_loss_falls_on_real_ecg_and_holds_out(build, train, ludb_windows):
    x_train, x_test = ludb_windows
    params = {"latent_dim": 8, "encoder": {"hidden": [128, 64]}, "learn_sigma": "shared"}
    model = build("vae", params, x_train.shape[1:])
    torch.manual_seed(0)
    before = -model.elbo(x_test).mean().item()
    losses = train(model, x_train, steps=600, lr=2e-3)
    torch.manual_seed(0)
    after = -model.elbo(x_test).mean().item()
    assert sum(losses[-20:]) / 20 < 0.6 * sum(losses[:20]) / 20
    assert after < before - 50, (before, after)  # held-out records, nats per window


def test_state_dict_round_trip(build, tmp_path):
    params = {
        "latent_dim": 4,
        "encoder": {"arch": "conv1d", "hidden": [8, 16]},
        "learn_sigma": "feature",
    }
    model = build("vae", params, (2, 33))
    with torch.no_grad():
        model.likelihood.raw_sigma.add_(0.3)  # non-default state must survive
    torch.save(model.state_dict(), tmp_path / "w.pt")
    clone = build("vae", params, (2, 33))
    clone.load_state_dict(torch.load(tmp_path / "w.pt", weights_only=True))
    model.eval(), clone.eval()
    x = torch.randn(3, 2, 33)
    assert torch.equal(model.reconstruct(x), clone.reconstruct(x))
    torch.manual_seed(3)
    a = model.log_likelihood(x, samples=5)
    torch.manual_seed(3)
    assert torch.equal(a, clone.log_likelihood(x, samples=5))


def test_denoising_scores_target(build):
    model = build("vae", {"latent_dim": 2}, (6,), has_target=True)
    x, target = torch.randn(4, 6), torch.randn(4, 6)
    torch.manual_seed(0)
    noisy = model.loss({"x": x, "target": target}).total
    torch.manual_seed(0)
    q = model.encode(x)
    expected = -(model.decode(q.rsample()).log_prob(target) - kl_diag_gaussian_standard(q)).mean()
    assert torch.allclose(noisy, expected)
    torch.manual_seed(0)
    assert not torch.allclose(noisy, model.loss({"x": x}).total)


def _encoder_grads(model, x, seeds):
    grads = []
    for s in seeds:
        torch.manual_seed(s)
        model.zero_grad()
        model.loss({"x": x}).total.backward()
        grads.append(torch.cat([p.grad.flatten() for p in model.encoder.parameters()]))
    return torch.stack(grads)


def test_stl_is_unbiased_and_exact_at_the_true_posterior(build, linear_gaussian):
    x = linear_gaussian.sample(16, seed=1)
    models = {}
    for est in ("standard", "stl"):
        m = build("vae", {"latent_dim": 2, "sigma": 0.5, "estimator": est}, (8,))
        linear_gaussian.install_exact(m)
        models[est] = m
    seeds = range(200)
    g_std, g_stl = (_encoder_grads(models[e], x, seeds) for e in ("standard", "stl"))
    # at the exact posterior the expected gradient is zero for both estimators ...
    stderr = g_std.std(0) / len(seeds) ** 0.5
    assert (g_std.mean(0).abs() < 4 * stderr + 1e-4).all()
    # ... and STL's path derivative vanishes for every single sample (Roeder et al. 2017)
    assert g_stl.abs().max() < 1e-3 < g_std.std(0).max()


def test_stl_matches_standard_in_expectation_away_from_optimum(build):
    torch.manual_seed(0)
    x = torch.randn(8, 5)
    base = build("vae", {"latent_dim": 2, "encoder": {"hidden": [16]}}, (5,))
    stl = build("vae", {"latent_dim": 2, "encoder": {"hidden": [16]}, "estimator": "stl"}, (5,))
    stl.load_state_dict(base.state_dict())
    seeds = range(200)
    g_std, g_stl = _encoder_grads(base, x, seeds), _encoder_grads(stl, x, seeds)
    diff = g_std.mean(0) - g_stl.mean(0)
    stderr = ((g_std.var(0) + g_stl.var(0)) / len(seeds)).sqrt()
    assert (diff.abs() < 5 * stderr + 1e-4).all()
