"""Encoder/decoder blocks: shapes for every family (odd lengths, flat inputs, conditioning)
and the shared ArchParams schema."""

from __future__ import annotations

import subprocess
import sys

import pytest
import torch
from pydantic import ValidationError

from sigvae.errors import ConfigError
from sigvae.nn import ArchParams, build_decoder, build_encoder


@pytest.fixture(autouse=True)
def one_thread():
    """The test machine is shared: one intra-op thread is faster and fairer."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


ARCHS = ["mlp", "conv1d", "lstm", "gru"]
SHAPES = [(3, 37), (1, 64), (45,), (2, 1)]


@pytest.mark.parametrize("arch", ARCHS)
@pytest.mark.parametrize("x_shape", SHAPES)
@pytest.mark.parametrize("cond_dim", [0, 3])
def test_encoder_shapes(arch, x_shape, cond_dim):
    enc = build_encoder(arch, x_shape, 10, cond_dim=cond_dim, hidden=[6, 8])
    cond = torch.randn(4, cond_dim) if cond_dim else None
    assert enc(torch.randn(4, *x_shape), cond).shape == (4, 10)


@pytest.mark.parametrize("arch", ARCHS)
@pytest.mark.parametrize("x_shape", SHAPES)
@pytest.mark.parametrize("factor", [1, 2])
def test_decoder_shapes(arch, x_shape, factor):
    dec = build_decoder(arch, 5, x_shape, factor, hidden=[8, 6])
    expected = (4, factor * x_shape[0], *x_shape[1:])
    assert dec(torch.randn(4, 5)).shape == expected


@pytest.mark.parametrize("length", [7, 100, 101, 127, 250])
@pytest.mark.parametrize("upsample", ["transpose", "linear"])
def test_conv_decoder_crops_any_length(length, upsample):
    dec = build_decoder("conv1d", 4, (2, length), hidden=[8, 8, 4], upsample=upsample, stride=2)
    assert dec(torch.randn(3, 4)).shape == (3, 2, length)


def test_conv_stride_three_and_norms():
    for norm in ("batch", "layer"):
        enc = build_encoder("conv1d", (2, 50), 6, hidden=[4, 4], stride=3, norm=norm, dropout=0.1)
        dec = build_decoder("conv1d", 3, (2, 50), hidden=[4, 4], stride=3, norm=norm)
        assert enc(torch.randn(5, 2, 50)).shape == (5, 6)
        assert dec(torch.randn(5, 3)).shape == (5, 2, 50)


def test_encoder_requires_cond_when_built_with_it():
    enc = build_encoder("mlp", (5,), 4, cond_dim=2, hidden=[3])
    with pytest.raises(ConfigError, match="cond"):
        enc(torch.randn(2, 5))


def test_recurrent_encoder_reads_the_whole_sequence():
    """The final state must depend on the first sample (both directions are used)."""
    torch.manual_seed(0)
    enc = build_encoder("gru", (1, 30), 3, hidden=[5])
    x = torch.randn(2, 1, 30)
    y = x.clone()
    y[:, :, 0] += 1.0
    assert not torch.allclose(enc(x), enc(y))


def test_unknown_arch_is_a_config_error():
    with pytest.raises(ConfigError, match="unknown arch"):
        build_encoder("transformer", (4,), 2)


def test_arch_params_validation_and_mirror():
    p = ArchParams(arch="conv1d", hidden=[16, 32])
    assert p.mirrored().hidden == [32, 16] and p.mirrored().arch == "conv1d"
    assert "arch" not in p.block_kwargs()
    with pytest.raises(ValidationError):
        ArchParams(kernel_size=4)
    with pytest.raises(ValidationError):
        ArchParams(hidden=[])
    with pytest.raises(ValidationError):
        ArchParams(depth=3)


def test_params_module_does_not_import_torch():
    code = "import sys, sigvae.nn.params; assert 'torch' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)
