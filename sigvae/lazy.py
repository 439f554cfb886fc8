"""Lazy imports, so that ``import sigvae``, plugin modules and ``sigvae --help`` stay fast:
torch, wfdb, pandas and friends load only when something that needs them is used."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any


def lazy_getattr(owner: str, table: dict[str, str | None]) -> Callable[[str], Any]:
    """A module-level ``__getattr__`` for package ``owner``: ``table`` maps a public name to
    the module that defines it, or to ``None`` for a sub-module of ``owner`` itself."""

    def __getattr__(name: str) -> Any:
        if name not in table:
            raise AttributeError(f"module {owner!r} has no attribute {name!r}")
        source = table[name]
        if source is None:
            value = importlib.import_module(f"{owner}.{name}")
        else:
            value = getattr(importlib.import_module(source), name)
        setattr(importlib.import_module(owner), name, value)
        return value

    return __getattr__


def lazy_factory(module: str, attr: str) -> Callable[..., Any]:
    """A component factory that imports ``module`` only when the component is built and
    passes every argument on to ``module.attr``."""

    def factory(*args: Any, **kwargs: Any) -> Any:
        return getattr(importlib.import_module(module), attr)(*args, **kwargs)

    factory.__qualname__ = factory.__name__ = f"build_{attr}"
    factory.__module__ = module
    return factory
