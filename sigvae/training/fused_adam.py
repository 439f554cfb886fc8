"""Adam and AdamW whose ``step`` calls torch's fused kernel directly.

Why: for the small models sigvae trains on CPU, ``torch.optim.Adam(fused=True).step`` spends
more time in Python (hook and profiler bookkeeping, ``_init_group``, regrouping the tensors by
device and dtype on every call) than in the kernel itself. :class:`LeanAdam` keeps everything
of torch's optimizer (the state layout, ``state_dict``/``load_state_dict``, hooks, schedulers)
and only replaces the common step: every group fused, state already initialised, one device
and dtype per group, no hooks, no closure, no gradient scaler. It then makes the same two calls torch's
``_fused_adam`` makes, ``_foreach_add_(steps, 1)`` and ``_fused_adam_`` (``_fused_adamw_`` for
decoupled weight decay), with the same arguments, so the update is bit-identical
(``tests/kernel/test_fused_adam.py`` checks it). Any other case goes through torch's step.
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
            self._optimizer_step_pre_hooks
            or self._optimizer_step_post_hooks
            or torch_optimizer._global_optimizer_pre_hooks
            or torch_optimizer._global_optimizer_post_hooks
            or getattr(self, "grad_scale", None) is not None  # set by a GradScaler (fp16)
            or getattr(self, "found_inf", None) is not None
        ):
            return None
        plan = []
        for group in self.param_groups:
            if not group["fused"] or group["capturable"] or group["differentiable"]:
                return None
            if any(isinstance(v, torch.Tensor) for v in (group["lr"], *group["betas"])):
                return None
            lists = ([], [], [], [], [], [])
            params, grads, avgs, squares, maxima, steps = lists
            kind = None
            for p in group["params"]:
                grad = p.grad
                if grad is None:
                    continue
                state = self.state.get(p)
                if not state or grad.is_sparse or p.is_complex():
                    return None  # first step (torch initialises the state) or unusual tensors
                if kind is None:
                    kind = (p.device, p.dtype)
                elif (p.device, p.dtype) != kind:
                    return None
                params.append(p)
                grads.append(grad)
                avgs.append(state["exp_avg"])
                squares.append(state["exp_avg_sq"])
                steps.append(state["step"])
                if group["amsgrad"]:
                    maxima.append(state["max_exp_avg_sq"])
            if params:
                plan.append((group, lists))
        return plan


# torch wraps the ``step`` of each optimizer class in its hook/profiler wrapper unless marked
# as already wrapped; the lean step runs only when there are no hooks to call, and the general
# path above carries the wrapper itself
_LeanStep.step.hooked = True


class LeanAdam(_LeanStep, torch.optim.Adam):
    """:class:`torch.optim.Adam` with the lean fused step (see the module docstring)."""


class LeanAdamW(_LeanStep, torch.optim.AdamW):
    """:class:`torch.optim.AdamW` with the lean fused step (see the module docstring)."""
