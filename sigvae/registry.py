"""The plugin registry: entry-point loading and one ``name -> spec`` table per kind.

Use the module-level functions (``sigvae.registry.specs()``, ``get``, ``build``,
``validate_params``) for the default registry, which loads every plugin registered under the
``sigvae`` entry-point group the first time it is needed. Set
``SIGVAE_DISABLE_PLUGIN_AUTOLOAD=1`` to load only the plugins that ship with sigvae.
"""

from __future__ import annotations

import difflib
import os
import warnings
from collections.abc import Iterable
from importlib import metadata
from typing import Any

import pluggy
from pydantic import ValidationError

from sigvae import hookspecs
from sigvae.errors import ConfigError, RegistryError
from sigvae.specs import SPEC_KINDS, ComponentSpec, Params

ENTRY_POINT_GROUP = "sigvae"
BUILTIN_DISTRIBUTION = "sigvae"
AUTOLOAD_ENV = "SIGVAE_DISABLE_PLUGIN_AUTOLOAD"


class PluginLoadWarning(UserWarning):
    """A plugin failed to import; everything else keeps working."""


class Registry:
    """Holds the plugin manager and the spec tables built from every plugin's hooks."""

    def __init__(self, plugins: Iterable[tuple[str, object]] = (), autoload: bool = True) -> None:
        self.pm = pluggy.PluginManager(hookspecs.PROJECT)
        self.pm.add_hookspecs(hookspecs)
        self.load_errors: list[str] = []
        self._tables: dict[str, dict[str, ComponentSpec]] | None = None
        if autoload:
            self._load_entry_points()
        for name, plugin in plugins:
            self.register(plugin, name)

    def _load_entry_points(self) -> None:
        third_party = os.environ.get(AUTOLOAD_ENV, "") not in ("1", "true", "yes")
        for ep in metadata.entry_points(group=ENTRY_POINT_GROUP):
            dist = ep.dist.name if ep.dist is not None else "?"
            if dist != BUILTIN_DISTRIBUTION and not third_party:
                continue
            label = ep.name if dist == BUILTIN_DISTRIBUTION else f"{ep.name} ({dist})"
            if self.pm.has_plugin(label):
                continue
            try:
                module = ep.load()
            except Exception as exc:  # a broken plugin must not take the others down
                self._warn(
                    f"plugin {label!r} failed to load and is skipped: {type(exc).__name__}: {exc}"
                )
                continue
            self.pm.register(module, name=label)

    def register(self, plugin: object, name: str) -> None:
        """Register a plugin object (a module or any object with hook implementations)."""
        self.pm.register(plugin, name=name)
        self._tables = None

    def _build_tables(self) -> dict[str, dict[str, ComponentSpec]]:
        tables: dict[str, dict[str, ComponentSpec]] = {kind: {} for kind in SPEC_KINDS}
        for kind, hook_name in hookspecs.HOOKS_BY_KIND.items():
            hook = getattr(self.pm.hook, hook_name)
            for impl in hook.get_hookimpls():
                plugin_name = self.pm.get_name(impl.plugin) or "?"
                try:
                    contributed = list(impl.function() or [])
                except Exception as exc:  # one broken hook must not take the others down
                    self._warn(
                        f"plugin {plugin_name!r} failed in {hook_name} and its {kind}s "
                        f"are skipped: {type(exc).__name__}: {exc}"
                    )
                    continue
                for spec in contributed:
                    self._add(tables[kind], kind, spec, plugin_name)
        return tables

    def _warn(self, message: str) -> None:
        self.load_errors.append(message)
        warnings.warn(message, PluginLoadWarning, stacklevel=4)

    @staticmethod
    def _add(table: dict[str, ComponentSpec], kind: str, spec: ComponentSpec, plugin: str) -> None:
        if not isinstance(spec, SPEC_KINDS[kind]):
            raise RegistryError(
                f"plugin {plugin!r} returned {type(spec).__name__} from its {kind} hook; "
                f"expected {SPEC_KINDS[kind].__name__}"
            )
        if spec.name in table:
            other = table[spec.name].plugin
            raise RegistryError(
                f"{kind} name {spec.name!r} is registered by both plugin {other!r} and plugin "
                f"{plugin!r}; uninstall one, or set {AUTOLOAD_ENV}=1 to load only built-ins"
            )
        object.__setattr__(spec, "plugin", plugin)
        table[spec.name] = spec

    @property
    def tables(self) -> dict[str, dict[str, ComponentSpec]]:
        if self._tables is None:
            self._tables = self._build_tables()
        return self._tables

    def specs(self, kind: str | None = None) -> list[ComponentSpec]:
        """Every registered spec, or those of one kind, sorted by kind then name."""
        kinds = [kind] if kind else list(self.tables)
        return [self.tables[k][n] for k in kinds for n in sorted(self.tables[k])]

    def get(self, kind: str, name: str) -> ComponentSpec:
        """The spec registered as ``name``; an unknown name lists the closest known names."""
        if kind not in self.tables:
            raise RegistryError(f"unknown component kind {kind!r}; kinds are {sorted(self.tables)}")
        table = self.tables[kind]
        if name not in table:
            close = difflib.get_close_matches(name, list(table), n=3, cutoff=0.4)
            hint = f"; did you mean {', '.join(map(repr, close))}?" if close else ""
            known = ", ".join(sorted(table)) or "none"
            raise RegistryError(f"unknown {kind} {name!r}{hint} (known: {known})")
        return table[name]

    def find(self, name: str) -> list[ComponentSpec]:
        """Every spec called ``name``, whatever its kind."""
        return [t[name] for t in self.tables.values() if name in t]

    def validate_params(self, kind: str, name: str, params: dict | Params | None) -> Params:
        """Validate ``params`` against the component's own schema."""
        spec = self.get(kind, name)
        if isinstance(params, spec.params):
            return params
        try:
            return spec.params.model_validate(dict(params or {}))
        except ValidationError as exc:
            raise ConfigError(f"{kind} {name!r}: {format_validation_error(exc)}") from None

    def build(self, kind: str, name: str, params: dict | Params | None = None, **extra: Any):
        """Build the component ``name`` of ``kind`` from (validated) ``params``."""
        spec = self.get(kind, name)
        return spec.factory(self.validate_params(kind, name, params), **extra)


def format_validation_error(exc: ValidationError) -> str:
    """pydantic's errors as one line: ``field.path: message; ...``."""
    parts = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"]) or "(root)"
        msg = err["msg"]
        if err["type"] == "extra_forbidden":
            msg = "unknown key"
        parts.append(f"{loc}: {msg}")
    return "; ".join(parts)


_default: Registry | None = None


def default_registry() -> Registry:
    """The process-wide registry, loaded from entry points on first use."""
    global _default
    if _default is None:
        _default = Registry()
    return _default


def reset() -> None:
    """Forget the default registry (the next use reloads the entry points)."""
    global _default
    _default = None


def specs(kind: str | None = None) -> list[ComponentSpec]:
    return default_registry().specs(kind)


def get(kind: str, name: str) -> ComponentSpec:
    return default_registry().get(kind, name)


def validate_params(kind: str, name: str, params: dict | Params | None) -> Params:
    return default_registry().validate_params(kind, name, params)


def build(kind: str, name: str, params: dict | Params | None = None, **extra: Any):
    return default_registry().build(kind, name, params, **extra)
