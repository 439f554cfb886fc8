"""The lean fused Adam step is torch's fused Adam update, bit for bit, and falls back to
torch's own step wherever the lean path does not apply."""

from __future__ import annotations

import copy

import pytest
import torch

from sigvae.training.fused_adam import LeanAdam, LeanAdamW


def _params(seed: int = 0) -> list[torch.nn.Parameter]:
    torch.manual_seed(seed)
    shapes = [(7, 5), (5,), (3, 7), (3,)]
    return [torch.nn.Parameter(torch.randn(s)) for s in shapes]


def _run(cls, options: dict, steps: int = 6, skip_last_grad: bool = False):
    params = _params()
    opt = cls(params, fused=True, **options)
    torch.manual_seed(1)
    for i in range(steps):
        for p in params:
            p.grad = torch.randn_like(p)
        if skip_last_grad and i % 2:
            params[-1].grad = None  # a parameter without a gradient this step is left alone
        opt.step()
    return params, opt


@pytest.mark.parametrize(
    ("lean", "reference", "options"),
    [
        (LeanAdam, torch.optim.Adam, {"lr": 1e-2}),
        (LeanAdam, torch.optim.Adam, {"lr": 3e-3, "weight_decay": 0.1, "amsgrad": True}),
        (LeanAdam, torch.optim.Adam, {"lr": 1e-2, "maximize": True, "betas": (0.5, 0.9)}),
        (LeanAdamW, torch.optim.AdamW, {"lr": 1e-2, "weight_decay": 0.05}),
    ],
)
def test_lean_step_matches_torch_fused_adam_exactly(lean, reference, options):
    ours, ours_opt = _run(lean, options, skip_last_grad=True)
    theirs, their_opt = _run(reference, options, skip_last_grad=True)
    for a, b in zip(ours, theirs, strict=True):
        assert torch.equal(a, b)
    for a, b in zip(ours, theirs, strict=True):
        for key in ("exp_avg", "exp_avg_sq", "step"):
            assert torch.equal(ours_opt.state[a][key], their_opt.state[b][key])


def test_lean_path_is_taken_after_the_first_step():
    params, opt = _run(LeanAdam, {"lr": 1e-2}, steps=1)
    for p in params:
        p.grad = torch.ones_like(p)
    assert opt._lean_plan() is not None


def test_hooks_and_closures_go_through_torchs_step():
    params, opt = _run(LeanAdam, {"lr": 1e-2}, steps=1)
    calls = []
    handle = opt.register_step_post_hook(lambda *a: calls.append("post"))
    for p in params:
        p.grad = torch.ones_like(p)
    assert opt._lean_plan() is None
    opt.step()
    assert calls == ["post"]  # hooks run exactly once
    handle.remove()
    loss = opt.step(lambda: torch.tensor(1.5))
    assert float(loss) == 1.5
    assert float(opt.state[params[0]]["step"]) == 3


def test_state_dict_round_trip_continues_identically():
    params, opt = _run(LeanAdam, {"lr": 1e-2}, steps=3)
    saved = copy.deepcopy(opt.state_dict())  # load_state_dict keeps same-device tensors
    clone = [torch.nn.Parameter(p.detach().clone()) for p in params]
    other = LeanAdam(clone, lr=1e-2, fused=True)
    other.load_state_dict(saved)
    for a, b in zip(params, clone, strict=True):
        a.grad = torch.full_like(a, 0.3)
        b.grad = torch.full_like(b, 0.3)
    opt.step()
    other.step()
    for a, b in zip(params, clone, strict=True):
        assert torch.equal(a, b)


def test_cached_state_follows_load_state_dict_and_new_groups():
    """The lean path caches the state tensors; loading a state or adding a group must not
    leave it stepping the old ones."""
    params, opt = _run(LeanAdam, {"lr": 1e-2}, steps=2)
    saved = copy.deepcopy(opt.state_dict())
    reference = [p.detach().clone() for p in params]
    for p in params:
        p.grad = torch.ones_like(p)
    opt.step()  # moves the live state away from ``saved``
    opt.load_state_dict(saved)
    with torch.no_grad():
        for p, r in zip(params, reference, strict=True):
            p.copy_(r)
    twin_params = [torch.nn.Parameter(r.clone()) for r in reference]
    twin = torch.optim.Adam(twin_params, lr=1e-2, fused=True)
    twin.load_state_dict(copy.deepcopy(saved))
    for p, q in zip(params, twin_params, strict=True):
        p.grad, q.grad = torch.ones_like(p), torch.ones_like(q)
    opt.step()
    twin.step()
    for p, q in zip(params, twin_params, strict=True):
        assert torch.equal(p, q)
    extra = torch.nn.Parameter(torch.zeros(3))
    opt.add_param_group({"params": [extra]})
    extra.grad = torch.ones(3)
    opt.step()  # first step of the new group: torch initialises its state
    opt.step()
    assert float(opt.state[extra]["step"]) == 2 and extra.abs().sum() > 0
