"""Reading a pipeline file: ``yaml.safe_load`` plus a map from key paths to line numbers, so
that every validation error can point at the line the user has to fix, and ``--set``
overrides of any key."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from sigvae.errors import ConfigError

KeyPath = tuple[Any, ...]


class PipelineSource:
    """The parsed mapping of a pipeline file and where each key was written."""

    def __init__(self, data: dict, path: Path | None, lines: dict[KeyPath, int]) -> None:
        self.data = data
        self.path = path
        self.lines = lines
        self.overridden: set[KeyPath] = set()

    @classmethod
    def from_file(cls, path: str | Path) -> PipelineSource:
        path = Path(path)
        if not path.is_file():
            raise ConfigError(
                "pipeline file not found" if not path.exists() else "not a file", path=path
            )
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"cannot read pipeline file: {exc}", path=path) from None
        return cls.from_text(text, path)

    @classmethod
    def from_text(cls, text: str, path: Path | None = None) -> PipelineSource:
        try:
            data = yaml.safe_load(text)
            node = yaml.compose(text, Loader=yaml.SafeLoader)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f"line {mark.line + 1}: " if mark is not None else ""
            problem = getattr(exc, "problem", None) or str(exc)
            raise ConfigError(f"{where}malformed YAML: {problem}", path=path) from None
        if not isinstance(data, dict):
            raise ConfigError(
                "a pipeline file must be a YAML mapping (key: value lines)", path=path
            )
        lines: dict[KeyPath, int] = {}
        _collect_lines(node, (), lines)
        return cls(data, path, lines)

    def line_of(self, key_path: KeyPath) -> str:
        """``'line N'`` for the deepest written key on ``key_path`` (or ``'--set'``)."""
        for end in range(len(key_path), 0, -1):
            prefix = tuple(key_path[:end])
            if prefix in self.overridden:
                return "--set " + ".".join(map(str, prefix))
            if prefix in self.lines:
                return f"line {self.lines[prefix]}"
        return "top level"

    def apply_override(self, assignment: str) -> None:
        """Apply one ``key.path=value`` override; the value is parsed as YAML."""
        if "=" not in assignment:
            raise ConfigError(f"--set {assignment!r}: expected key.path=value")
        key, raw = assignment.split("=", 1)
        parts = [p for p in key.strip().split(".")]
        if not all(parts):
            raise ConfigError(f"--set {assignment!r}: empty key in the path")
        try:
            value = yaml.safe_load(raw) if raw.strip() else ""
        except yaml.YAMLError:
            value = raw
        path: list[Any] = []
        node: Any = self.data
        for part in parts[:-1]:
            node, step = _descend(node, part, assignment)
            path.append(step)
        last = parts[-1]
        if isinstance(node, list):
            index = _index(last, node, assignment)
            node[index] = value
            path.append(index)
        elif isinstance(node, dict):
            node[last] = value
            path.append(last)
        else:
            raise ConfigError(f"--set {assignment!r}: {'.'.join(parts[:-1])} is not a mapping")
        self.overridden.add(tuple(path))


def _descend(node: Any, part: str, assignment: str) -> tuple[Any, Any]:
    if isinstance(node, list):
        index = _index(part, node, assignment)
        return node[index], index
    if isinstance(node, dict):
        if node.get(part) is None:
            node[part] = {}
        return node[part], part
    raise ConfigError(f"--set {assignment!r}: cannot descend into {part!r}")


def _index(part: str, node: list, assignment: str) -> int:
    if not part.lstrip("-").isdigit() or not -len(node) <= int(part) < len(node):
        raise ConfigError(
            f"--set {assignment!r}: {part!r} is not an index of a list of {len(node)} items"
        )
    return int(part) % len(node)


def _collect_lines(node: yaml.Node, prefix: KeyPath, out: dict[KeyPath, int]) -> None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value
            out[prefix + (key,)] = key_node.start_mark.line + 1
            _collect_lines(value_node, prefix + (key,), out)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            out[prefix + (i,)] = item.start_mark.line + 1
            _collect_lines(item, prefix + (i,), out)
