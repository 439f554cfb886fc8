"""Conditional VAE: conditioning reaches encoder, decoder and the learned prior."""

from __future__ import annotations

import pytest
import torch

from sigvae.errors import ConfigError
from sigvae.nn.divergences import kl_monte_carlo


def _onehot(labels, k=3):
    return torch.eye(k)[labels]


def test_needs_cond_data(build):
    with pytest.raises(ConfigError, match="cond"):
        build("cvae", {}, (6,), cond_dim=None)
    model = build("cvae", {"latent_dim": 2}, (6,), cond_dim=3)
    with pytest.raises(ConfigError, match="cond"):
        model.loss({"x": torch.randn(2, 6)})
    with pytest.raises(ConfigError, match="rows"):
        model.sample(4, _onehot(torch.tensor([0, 1])))


def test_cond_changes_encoder_decoder_and_prior(build):
    torch.manual_seed(0)
    model = build("cvae", {"latent_dim": 2, "conditional_prior": True}, (6,), cond_dim=3).eval()
    x, z = torch.randn(2, 6), torch.randn(2, 2)
    a, b = _onehot(torch.tensor([0, 0])), _onehot(torch.tensor([1, 2]))
    assert not torch.allclose(model.embed(x, a), model.embed(x, b))
    assert not torch.allclose(model.decode(z, a).mean, model.decode(z, b).mean)
    assert not torch.allclose(model.prior(a).mean, model.prior(b).mean)


def test_conditional_prior_kl_matches_monte_carlo(build):
    model = build("cvae", {"latent_dim": 3, "conditional_prior": True}, (6,), cond_dim=3)
    x, cond = torch.randn(4, 6), _onehot(torch.tensor([0, 1, 2, 1]))
    q = model.encode(x, cond)
    torch.manual_seed(0)
    with torch.no_grad():
        mc = kl_monte_carlo(q, model.prior(cond), samples=100_000)
        analytic = model.analytic_kl(q, cond)
    assert torch.allclose(mc, analytic, atol=0.05, rtol=0.02)


def _beats(folder, records):
    """Beat-centred 0.4 s windows (250 Hz) of leads II and V1 around LUDB's QRS marks."""
    import numpy as np
    import wfdb

    xs, ys = [], []
    for rec in records:
        path = str(folder / str(rec))
        sig = wfdb.rdrecord(path, channel_names=["ii", "v1"]).p_signal
        ann = wfdb.rdann(path, "ii")
        peaks = [
            s for s, sym in zip(ann.sample, ann.symbol) if sym == "N" and 100 <= s < len(sig) - 100
        ]
        for lead in (0, 1):
            w = np.stack([sig[p - 100 : p + 100 : 2, lead] for p in peaks])
            xs.append(torch.tensor(w[:, None, :], dtype=torch.float32))
            ys.append(torch.full((len(peaks),), lead))
    return torch.cat(xs) / 0.3, torch.cat(ys)  # mV / 0.3: about unit scale


@pytest.mark.data
def test_learns_the_lead_from_cond_on_real_ecg(build, train, shared_data):
    """Beats of two LUDB leads (II, V1) labelled by cond. On held-out records (81-100) the
    conditional likelihood log p(x | lead) picks the right lead, and samples drawn for a lead
    average closer to that lead's mean beat than to the other's."""
    folder = shared_data / "ecg" / "ludb"
    if not (folder / "1.hea").exists():
        pytest.skip(f"LUDB not found under {folder}")
    x_tr, y_tr = _beats(folder, range(1, 41))
    x_te, y_te = _beats(folder, range(81, 101))
    params = {"latent_dim": 4, "encoder": {"hidden": [64]}, "learn_sigma": "shared"}
    model = build("cvae", {**params, "conditional_prior": True}, (1, 100), cond_dim=2)
    losses = train(model, x_tr, steps=300, lr=3e-3, cond=_onehot(y_tr, 2))
    assert sum(losses[-10:]) < 0.8 * sum(losses[:10])
    torch.manual_seed(0)
    scores = torch.stack(
        [
            model.log_likelihood(x_te, _onehot(torch.full_like(y_te, c), 2), samples=16)
            for c in (0, 1)
        ]
    )
    accuracy = (scores.argmax(0) == y_te).float().mean().item()
    assert accuracy > 0.85, accuracy
    for lead in (0, 1):
        drawn = model.sample(500, _onehot(torch.full((500,), lead), 2)).mean(0)
        gap = [(drawn - x_te[y_te == other].mean(0)).pow(2).mean() for other in (0, 1)]
        assert gap[lead] < 0.25 * gap[1 - lead], gap
