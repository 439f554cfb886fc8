"""vq-vae: straight-through gradients, the EMA formula, restarts, perplexity, the code prior,
and codebook usage on real ECG."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from _f2_helpers import fit
from sigvae_vae.family2.codebook import Codebook, perplexity

SMALL = {"latent_dim": 2, "tokens": 3, "codebook_size": 8, "encoder": {"hidden": [16]}}


def test_straight_through_gradient_reaches_the_encoder(build2):
    """With no commitment term the gradient of the reconstruction with respect to the encoder
    output equals its gradient with respect to the decoder input (d z_q / d z_e = I)."""
    model = build2("vq-vae", {**SMALL, "commitment": 0.0})
    seen = {}
    model.encoder.register_forward_hook(lambda m, i, out: seen.update(enc=out) or out.retain_grad())
    model.decoder.register_forward_hook(
        lambda m, i, out: seen.update(dec=i[0]) or i[0].retain_grad()
    )
    model.loss({"x": torch.randn(5, 32)}).total.backward()
    assert seen["enc"].grad is not None and seen["enc"].grad.abs().sum() > 0
    assert torch.allclose(seen["enc"].grad, seen["dec"].grad)
    assert model.encoder.head.weight.grad.abs().sum() > 0


def test_ema_update_matches_the_formula():
    book = Codebook(size=2, dim=1, ema=True, decay=0.5, eps=0.1)
    book.embedding.copy_(torch.tensor([[0.0], [4.0]]))
    book.ema_sum.copy_(torch.tensor([[0.0], [8.0]]))
    book.ema_count.copy_(torch.tensor([1.0, 2.0]))
    z = torch.tensor([[1.0], [3.0], [10.0]])
    book.ema_update(z, torch.tensor([0, 0, 1]))
    count = torch.tensor([0.5 * 1 + 0.5 * 2, 0.5 * 2 + 0.5 * 1])  # N <- g N + (1-g) n
    total = count.sum()
    smoothed = (count + 0.1) / (total + 2 * 0.1) * total
    sums = torch.tensor([0.5 * 0 + 0.5 * 4, 0.5 * 8 + 0.5 * 10])  # m <- g m + (1-g) s
    assert torch.allclose(book.ema_count, count)
    assert torch.allclose(book.embedding[:, 0], sums / smoothed)


def test_dead_codes_restart_at_recent_encoder_outputs():
    torch.manual_seed(0)
    book = Codebook(size=4, dim=2, ema=True)
    book.embedding.copy_(torch.tensor([[0.0, 0.0], [100.0, 100.0], [-100.0, 0.0], [0.0, 99.0]]))
    z = 0.1 * torch.randn(50, 2)
    book.record(z, book.nearest(z))
    assert book.restart_dead(threshold=1.0) == 3
    for row in book.embedding[1:]:
        assert (z - row).abs().sum(dim=1).min() < 1e-6  # each restarted code is a recent z
    assert torch.allclose(book.ema_sum[1:], book.embedding[1:])


def test_perplexity():
    assert float(perplexity(torch.zeros(10, dtype=torch.long), 8)) == pytest.approx(1.0)
    assert float(perplexity(torch.arange(8).repeat(3), 8)) == pytest.approx(8.0)
    two = torch.tensor([0, 0, 0, 1])  # p = (3/4, 1/4)
    entropy = -(0.75 * math.log(0.75) + 0.25 * math.log(0.25))
    assert float(perplexity(two, 8)) == pytest.approx(math.exp(entropy), rel=1e-5)


def test_codebook_phase_moves_codes_to_their_encoder_outputs(build2):
    """Without EMA the 'codebook' phase minimises |sg(z_e) - e|^2: each used code moves to
    the mean of the encoder outputs assigned to it (the k-means fixed point)."""
    torch.manual_seed(0)
    model = build2("vq-vae", {**SMALL, "ema": False})
    assert "codebook" in model.optimizer_groups()
    opt = torch.optim.SGD(model.optimizer_groups()["codebook"], lr=0.5)
    x = torch.randn(64, 32)
    before = float(model.loss({"x": x}, "codebook").total.detach())
    for _ in range(60):
        opt.zero_grad()
        model.loss({"x": x}, "codebook").total.backward()
        opt.step()
    assert float(model.loss({"x": x}, "codebook").total.detach()) < 0.8 * before
    with torch.no_grad():
        z = model.encoder_outputs(x).reshape(-1, 2)
        assigned = model.codebook.nearest(z)
        for k in torch.unique(assigned):
            centre = z[assigned == k].mean(dim=0)
            assert torch.allclose(model.codebook.embedding[k], centre, atol=1e-3)


def test_autoregressive_prior_learns_a_sequence_rule():
    """Codes that follow k_{t+1} = k_t + 1 (mod K) from a random start: the GRU prior learns
    the rule, so its log-likelihood approaches that of the first (uniform) code alone."""
    from sigvae_vae.family2.code_prior import AutoregressiveCodePrior

    torch.manual_seed(0)
    prior = AutoregressiveCodePrior(size=8, hidden=32, length=6)
    opt = torch.optim.Adam(prior.parameters(), lr=1e-2)
    for _ in range(150):
        codes = (torch.randint(0, 8, (64, 1)) + torch.arange(6)) % 8
        opt.zero_grad()
        (-prior.log_prob(codes).mean()).backward()
        opt.step()
    codes = (torch.randint(0, 8, (256, 1)) + torch.arange(6)) % 8
    assert float(prior.log_prob(codes).mean().detach()) > -math.log(8) - 0.3
    sampled = prior.sample(64, 6, torch.device("cpu"))
    assert float(((sampled[:, 1:] - sampled[:, :-1]) % 8 == 1).float().mean()) > 0.9


def test_prior_logits_depend_only_on_earlier_codes():
    """The autoregressive property of the masks: changing code t moves the logits of later
    positions only; the first position's distribution is a learned constant."""
    from sigvae_vae.family2.code_prior import AutoregressiveCodePrior

    torch.manual_seed(0)
    prior = AutoregressiveCodePrior(size=5, hidden=8, length=4)
    codes = torch.randint(0, 5, (3, 4))
    base = prior.logits(codes)
    for t in range(4):
        changed = codes.clone()
        changed[:, t] = (changed[:, t] + 1) % 5
        moved = (prior.logits(changed) - base).abs().amax(dim=(0, 2))
        assert torch.all(moved[: t + 1] == 0), (t, moved)
        if t < 3:
            assert moved[t + 1 :].max() > 0


def test_elbo_is_reconstruction_plus_code_prior(build2):
    model = build2("vq-vae", {**SMALL, "prior": "uniform"})
    model.eval()
    x = torch.randn(4, 32)
    z_q = model.embed(x)
    expected = model.decode(z_q).log_prob(x) - 3 * math.log(8)
    assert torch.allclose(model.elbo(x), expected)
    assert torch.allclose(model.log_likelihood(x), expected)


@pytest.mark.data
def test_codebook_usage_and_learned_prior_on_real_ecg(build2, ludb_small):
    train, test = ludb_small["train"], ludb_small["test"]
    torch.manual_seed(0)
    params = {"latent_dim": 4, "tokens": 4, "codebook_size": 32, "encoder": {"hidden": [64]}}
    model = build2("vq-vae", params, train.shape[1:])
    history = fit(model, train, epochs=5)
    assert all(h["train/perplexity"] > 1.0 for h in history)
    assert history[-1]["train/perplexity"] > history[0]["train/perplexity"]
    model.eval()
    held_out = torch.from_numpy(test)
    codes = model.code_indices(held_out)
    assert torch.unique(codes).numel() > 4, torch.unique(codes)
    # the autoregressive prior, trained on the moving codes, beats the uniform one on held-out
    # code sequences (measured: -13.14 vs -13.86 nats)
    learned = float(model.code_prior.log_prob(codes).mean().detach())
    assert learned > -4 * math.log(32) + 0.25, learned
    assert np.isfinite(model.log_likelihood(held_out[:16]).numpy()).all()


def test_deferred_prior_fit_takes_the_per_step_updates():
    """Fitting the prior at epoch end on the kept batches is the same sequence of Adam steps
    as stepping it once per training batch (its loss depends only on its weights and codes)."""
    from sigvae_vae.family2.code_prior import AutoregressiveCodePrior, DeferredPriorFit

    from sigvae.training import LeanAdam

    torch.manual_seed(0)
    batches = [torch.randint(0, 6, (16, 3)) for _ in range(5)]
    stepped = AutoregressiveCodePrior(size=6, hidden=10, length=3)
    deferred = AutoregressiveCodePrior(size=6, hidden=10, length=3)
    deferred.load_state_dict(stepped.state_dict())
    opt = LeanAdam(stepped.parameters(), lr=0.01, fused=True)
    for codes in batches:
        opt.zero_grad()
        (-stepped.log_prob(codes).mean()).backward()
        opt.step()
    deferred.requires_grad_(False)
    fitter = DeferredPriorFit(deferred)
    for codes in batches:
        fitter.collect(codes)
    fitter.fit(lr=0.01)
    for a, b in zip(stepped.parameters(), deferred.parameters(), strict=True):
        assert torch.equal(a, b)
    assert not any(p.requires_grad for p in deferred.parameters())
    assert fitter.batches == [] and fitter.seconds > 0 and math.isfinite(fitter.last_nll)


def test_the_trainer_runs_the_prior_stage_at_the_training_rate(build2):
    """The prior is no optimizer group of the Trainer; it is fitted at each epoch end, at the
    epoch's learning rate, on that epoch's codes."""
    torch.manual_seed(0)
    model = build2("vq-vae", SMALL)
    assert set(model.optimizer_groups()) == {"main"}
    before = [p.detach().clone() for p in model.code_prior.parameters()]
    history = fit(model, np.random.default_rng(0).normal(size=(96, 32)), epochs=2, lr=3e-3)
    assert "train/prior/loss" not in history[-1]
    assert model.epoch_lr == 3e-3
    assert model.prior_fit.optimizer.param_groups[0]["lr"] == 3e-3
    moved = [not torch.equal(a, b) for a, b in zip(before, model.code_prior.parameters())]
    assert all(moved) and model.prior_fit.seconds > 0


def test_commitment_term_and_gradient_are_the_direct_ones(build2):
    """``|z_e - sg(z_q)|^2`` summed per example and averaged, as the fused node computes it,
    against the plain expression: same value, same gradient on the encoder."""
    torch.manual_seed(0)
    model = build2("vq-vae", {**SMALL, "commitment": 1.0})
    model.eval()  # no EMA move between the two evaluations
    x = torch.randn(6, 32)
    out = model.loss({"x": x})
    z_e = model.encoder_outputs(x)
    z_q, _ = model.quantize(z_e)
    direct = (z_e - z_q.detach()).pow(2).flatten(1).sum(1).mean()
    torch.testing.assert_close(out.terms["commitment"], direct.detach())
    (grad_fused,) = torch.autograd.grad(out.total - out.terms["recon"], model.encoder.head.bias)
    recon = -model.decode((z_e + (z_q - z_e).detach()).flatten(1)).log_prob(x).mean()
    (grad_direct,) = torch.autograd.grad(recon + direct - recon.detach(), model.encoder.head.bias)
    torch.testing.assert_close(grad_fused, grad_direct)
