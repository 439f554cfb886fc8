"""Channel selection shared by the readers: by name or index, in the order the caller gives."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from sigvae.errors import DataError


class MissingChannelError(DataError):
    """A requested channel is not in the file; readers of many records may skip such files."""


def channel_indices(
    names: list[str], channels: Sequence[str | int] | str | int | None, path: Path
) -> list[int]:
    """Indices of ``channels`` (names or integer indices) among ``names``; all when ``None``.

    An unknown name lists the channels the file has, so the user can correct the selection.
    """
    if channels is None:
        return list(range(len(names)))
    if isinstance(channels, str | int):
        channels = [channels]
    index = []
    for channel in channels:
        if isinstance(channel, int) and not isinstance(channel, bool):
            if not 0 <= channel < len(names):
                raise MissingChannelError(
                    f"channel index {channel} out of range (the file has {len(names)} channels)",
                    path=path,
                )
            index.append(channel)
        elif channel in names:
            index.append(names.index(channel))
        else:
            raise MissingChannelError(
                f"no channel {channel!r} (channels: {', '.join(names)})", path=path
            )
    if not index:
        raise DataError("empty channel selection", path=path)
    return index
