"""The registry: one name per kind, clear errors for unknown and duplicate names, and broken
plugins reported without taking the others down."""

from __future__ import annotations

import pytest

from sigvae import hookimpl
from sigvae.errors import ConfigError, RegistryError
from sigvae.registry import PluginLoadWarning, Registry
from sigvae.specs import EvaluatorSpec, ModelSpec, Params


class Scale(Params):
    factor: float = 1.0


class Scaler:
    def __init__(self, params):
        self.params = params

    def evaluate(self, reference, estimate, **context):
        return {"scaled": self.params.factor}


class PluginA:
    @hookimpl
    def sigvae_evaluators(self):
        return [EvaluatorSpec("scaled", Scaler, Scale, "Scale by a factor.\nMore text.")]


class PluginB:
    @hookimpl
    def sigvae_evaluators(self):
        return [EvaluatorSpec("scaled", Scaler, Scale, "Another one.")]


class BrokenHook:
    @hookimpl
    def sigvae_models(self):
        raise RuntimeError("boom")


class WrongSpec:
    @hookimpl
    def sigvae_models(self):
        return [EvaluatorSpec("oops", Scaler)]


def test_build_validates_params_and_records_plugin():
    reg = Registry([("a", PluginA())], autoload=False)
    spec = reg.get("evaluator", "scaled")
    assert spec.plugin == "a" and spec.summary == "Scale by a factor."
    assert reg.build("evaluator", "scaled", {"factor": 3}).evaluate(None, None) == {"scaled": 3.0}
    with pytest.raises(ConfigError, match="factor"):
        reg.build("evaluator", "scaled", {"factor": "big"})
    with pytest.raises(ConfigError, match="nope: unknown key"):
        reg.build("evaluator", "scaled", {"nope": 1})


def test_duplicate_name_names_both_plugins():
    reg = Registry([("a", PluginA()), ("b", PluginB())], autoload=False)
    with pytest.raises(RegistryError, match=r"'scaled'.*'a'.*'b'"):
        reg.specs()


def test_unknown_name_lists_closest():
    reg = Registry([("a", PluginA())], autoload=False)
    with pytest.raises(RegistryError, match=r"unknown evaluator 'scaeld'; did you mean 'scaled'"):
        reg.get("evaluator", "scaeld")


def test_broken_hook_is_a_warning_and_others_work():
    with pytest.warns(PluginLoadWarning, match="broken.*boom"):
        reg = Registry([("a", PluginA()), ("broken", BrokenHook())], autoload=False)
        assert [s.name for s in reg.specs("evaluator")] == ["scaled"]
    assert reg.specs("model") == []


def test_wrong_spec_type_is_an_error():
    reg = Registry([("w", WrongSpec())], autoload=False)
    with pytest.raises(RegistryError, match="expected ModelSpec"):
        reg.specs()


def test_default_registry_has_kernel_builtins():
    reg = Registry()
    names = {(s.kind, s.name) for s in reg.specs()}
    assert {
        ("preprocessor", "window"),
        ("command", "run"),
        ("reader", "wfdb"),
        ("model", "vae"),
    } <= names
    assert all(isinstance(s, ModelSpec) for s in reg.specs("model"))
