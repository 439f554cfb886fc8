"""Adam and AdamW whose ``step`` calls torch's fused kernel directly.

Why: for the small models sigvae trains on CPU, ``torch.optim.Adam(fused=True).step`` spends
more time in Python (hook and profiler bookkeeping, ``_init_group``, regrouping the tensors by
device and dtype on every call) than in the kernel itself. :class:`LeanAdam` keeps everything
of torch's optimizer (the state layout, ``state_dict``/``load_state_dict``, hooks, schedulers)
and only replaces the common step: every group fused, state already initialised, one device
and dtype per group, no hooks, no closure, no gradient scaler. It then makes the same two calls
torch's ``_fused_adam`` makes, ``_foreach_add_(steps, 1)`` and ``_fused_adam_``
(``_fused_adamw_`` for decoupled weight decay), with the same arguments, so the update is
bit-identical (``tests/kernel/test_fused_adam.py`` checks it). Any other case goes through
torch's step.
"""

from __future__ import annotations

import torch
from torch.optim import optimizer as torch_optimizer


def _with_hooks(step):
    """Torch's Adam step inside the hook/profiler wrapper that torch puts around the ``step``
    of every optimizer class (taken off first if this class already has it, so hooks run
    once)."""
    raw = step.__wrapped__ if getattr(step, "hooked", False) else step
    return torch_optimizer.Optimizer.profile_hook_step(raw)


_GENERAL_STEP = _with_hooks(torch.optim.Adam.step)
# the kernels are private torch functions: a torch build without them takes the general step
_KERNELS_PRESENT = all(hasattr(torch, n) for n in ("_fused_adam_", "_fused_adamw_"))


class _LeanStep:
    """Mixin over :class:`torch.optim.Adam` or :class:`torch.optim.AdamW`."""

    def step(self, closure=None):
        plan = None if closure is not None else self._lean_plan()
        if plan is None:
            return _GENERAL_STEP(self, closure)
        with torch.no_grad():
            for group, (params, grads, avgs, squares, maxima, steps) in plan:
                torch._foreach_add_(steps, 1)
                kernel = (
                    torch._fused_adamw_
                    if group.get("decoupled_weight_decay", False)
                    else torch._fused_adam_
                )
                kernel(
                    params,
                    grads,
                    avgs,
                    squares,
                    maxima,
                    steps,
                    amsgrad=group["amsgrad"],
                    lr=group["lr"],
                    beta1=group["betas"][0],
                    beta2=group["betas"][1],
                    weight_decay=group["weight_decay"],
                    eps=group["eps"],
                    maximize=group["maximize"],
                    grad_scale=None,
                    found_inf=None,
                )
        return None

    def _lean_plan(self):
        """Per group ``(group, tensor lists)`` for the direct kernel call, or None when this
        step needs torch's general path (nothing is modified while deciding)."""
        if (
            not _KERNELS_PRESENT
            or self._optimizer_step_pre_hooks
            or self._optimizer_step_post_hooks
            or torch_optimizer._global_optimizer_pre_hooks
            or torch_optimizer._global_optimizer_post_hooks
            or getattr(self, "grad_scale", None) is not None  # set by a GradScaler (fp16)
            or getattr(self, "found_inf", None) is not None
        ):
            return None
        plan = []
        for group, tensors in zip(self.param_groups, self._state_lists(), strict=True):
            if not group["fused"] or group["capturable"] or group["differentiable"]:
                return None
            if any(isinstance(v, torch.Tensor) for v in (group["lr"], *group["betas"])):
                return None
            grads = [p.grad for p in group["params"]]
            if tensors is not None and all(g is not None for g in grads):
                if any(g.is_sparse for g in grads):
                    return None
                params, avgs, squares, maxima, steps = tensors
                lists = (params, grads, avgs, squares, maxima, steps)
            else:
                lists = self._lists_with_grads(group)
                if lists is None:
                    return None
            if lists[0]:
                plan.append((group, lists))
        return plan

    def _state_lists(self) -> list:
        """Per group, the lists ``(params, exp_avg, exp_avg_sq, max_exp_avg_sq, step)`` over
        all its parameters (None where one has no state yet or the tensors are mixed), kept
        until the state or the groups are replaced (``load_state_dict``, ``add_param_group``).
        """
        key = (id(self.state), id(self.param_groups), len(self.param_groups), len(self.state))
        cached = self.__dict__.get("_lean_state_lists")
        if cached is None or cached[0] != key:
            lists = [self._lists_with_grads(g, every=True) for g in self.param_groups]
            lists = [None if t is None else (t[0], *t[2:]) for t in lists]
            cached = self._lean_state_lists = (key, lists)
        return cached[1]

    def _lists_with_grads(self, group: dict, every: bool = False):
        """``(params, grads, exp_avg, exp_avg_sq, max_exp_avg_sq, step)`` of the group's
        parameters that have a gradient (``every``: of all of them, grads left empty), or None
        when one lacks its state (first step: torch initialises it), is sparse or complex, or
        the tensors do not share one device and dtype (one kernel call per group)."""
        lists = ([], [], [], [], [], [])
        params, grads, avgs, squares, maxima, steps = lists
        kind = None
        for p in group["params"]:
            grad = p.grad
            if grad is None and not every:
                continue
            state = self.state.get(p)
            if not state or (grad is not None and grad.is_sparse) or p.is_complex():
                return None
            if kind is None:
                kind = (p.device, p.dtype)
            elif (p.device, p.dtype) != kind:
                return None
            params.append(p)
            if not every:
                grads.append(grad)
            avgs.append(state["exp_avg"])
            squares.append(state["exp_avg_sq"])
            steps.append(state["step"])
            if group["amsgrad"]:
                maxima.append(state["max_exp_avg_sq"])
        return lists


# torch wraps the ``step`` of each optimizer class in its hook/profiler wrapper unless marked
# as already wrapped; the lean step runs only when there are no hooks to call, and the general
# path above carries the wrapper itself
_LeanStep.step.hooked = True


class LeanAdam(_LeanStep, torch.optim.Adam):
    """:class:`torch.optim.Adam` with the lean fused step (see the module docstring)."""


class LeanAdamW(_LeanStep, torch.optim.AdamW):
    """:class:`torch.optim.AdamW` with the lean fused step (see the module docstring)."""


def lean_adam(params, *, decoupled: bool = False, **options) -> torch.optim.Optimizer:
    """:class:`LeanAdam` (``decoupled``: :class:`LeanAdamW`) with the fused kernel where the
    parameters' device and dtype allow it, torch's per-tensor step otherwise. The one way the
    Trainer, and a model fitting a stage of its own, build their Adam."""
    cls = LeanAdamW if decoupled else LeanAdam
    try:
        return cls(params, fused=True, **options)
    except (RuntimeError, ValueError):  # a device or dtype the fused kernel lacks
        return cls(params, **options)
