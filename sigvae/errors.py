"""User-facing errors.

Anything a user can cause (bad YAML, a missing file, a wrong parameter) is raised as a
:class:`SigvaeError`. The CLI prints its one-line message and exits with code 2; it never shows
a traceback for these unless ``--debug`` is given.
"""

from __future__ import annotations


class SigvaeError(Exception):
    """An error caused by the user's input; its message is one line that names the culprit."""

    exit_code = 2

    def __init__(self, message: str, *, path: object | None = None) -> None:
        self.path = path
        text = " ".join(str(message).split())
        super().__init__(f"{path}: {text}" if path is not None else text)


class ConfigError(SigvaeError):
    """A pipeline file or a parameter set is invalid."""


class DataError(SigvaeError):
    """A data file is missing, unreadable, empty or malformed."""


class RegistryError(SigvaeError):
    """An unknown or duplicate component name, or a plugin that cannot be used."""


class CheckpointError(SigvaeError):
    """A checkpoint that cannot be read or does not fit the model it is loaded into."""
