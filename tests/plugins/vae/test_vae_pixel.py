"""PixelVAE: the decoder is causal in time and conditioned on z."""

from __future__ import annotations

import torch


def _model(build, x_shape=(2, 30), **extra):
    params = {
        "latent_dim": 3,
        "encoder": {"arch": "conv1d", "hidden": [8]},
        "ar_channels": 8,
        "ar_layers": 3,
        **extra,
    }
    return build("pixel-vae", params, x_shape)


def test_output_at_t_depends_only_on_the_past_and_on_z(build):
    torch.manual_seed(0)
    model = _model(build).double()
    z = torch.randn(1, 3, dtype=torch.float64)
    c = model.decoder(z).reshape(1, -1, 30)
    x = torch.randn(1, 2, 30, dtype=torch.float64, requires_grad=True)
    out = model.causal(x, c)
    t = 17
    (grad,) = torch.autograd.grad(out[..., t].sum(), x)
    assert grad[..., t:].abs().max() == 0  # x_t and later never reach step t
    assert grad[..., t - 1].abs().max() > 0
    other = model.decoder(z + 1).reshape(1, -1, 30)
    assert not torch.allclose(model.causal(x, c), model.causal(x, other))


def test_generation_is_consistent_with_the_teacher_forced_density(build):
    """Generating with conditional means, then scoring: each step's mean equals the generated
    value, so the teacher-forced means reproduce the generated sequence."""
    torch.manual_seed(0)
    model = _model(build, x_shape=(25,)).eval()
    p = model.decode(torch.randn(2, 3))
    generated = p.mean
    assert generated.shape == (2, 25)
    forced = model.likelihood(model.causal(generated.unsqueeze(1), p.cond_map)).mean
    assert torch.allclose(forced.squeeze(1), generated, atol=1e-5)
    assert p.sample().shape == (2, 25)
    assert p.log_prob(generated).shape == (2,)
