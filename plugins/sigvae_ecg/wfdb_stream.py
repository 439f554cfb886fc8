"""A WFDB record written chunk by chunk (format 16, or 32 for wider converters).

The header is written last, once the checksums and initial values are known. Samples are
stored with each channel's own gain and baseline (taken from the input), so a channel that is
copied unchanged reads back exactly; NaN is stored as WFDB's invalid-sample value.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

FORMATS = {"16": ("<i2", 32767), "32": ("<i4", 2**31 - 1)}


class WfdbStreamWriter:
    def __init__(
        self,
        directory: Path,
        name: str,
        frame_fs: float,
        n_frames: int,
        channels: list[str],
        units: list[str],
        spf: list[int],
        gains: list[float],
        baselines: list[int],
        adc_bits: int = 16,
        comments: list[str] | None = None,
        header_extra: str = "",
    ) -> None:
        self.directory, self.name = Path(directory), name
        self.frame_fs, self.n_frames = frame_fs, n_frames
        self.channels, self.units, self.spf = channels, units, spf
        self.gains, self.baselines = gains, baselines
        self.fmt = "16" if adc_bits <= 16 else "32"
        self.dtype, self.top = FORMATS[self.fmt]
        self.comments = list(comments or [])
        self.header_extra = header_extra
        self.sums = [0] * len(channels)
        self.first: list[int | None] = [None] * len(channels)
        self.written = 0
        self.handle = open(self.directory / f"{name}.dat", "wb")

    def digital(self, channel: int, physical: np.ndarray) -> np.ndarray:
        """Physical values to stored integers; NaN becomes the invalid-sample value."""
        values = (
            np.asarray(physical, dtype=np.float64) * self.gains[channel] + self.baselines[channel]
        )
        bad = ~np.isfinite(values)
        out = np.clip(np.round(np.where(bad, 0, values)), -self.top, self.top).astype(np.int64)
        out[bad] = -self.top - 1
        return out

    def write(self, chunk: list[np.ndarray]) -> None:
        """Append frames: ``chunk[c]`` holds ``frames * spf[c]`` physical samples of channel c."""
        frames = len(chunk[0]) // self.spf[0]
        columns = []
        for c, values in enumerate(chunk):
            d = self.digital(c, values)
            self.sums[c] += int(d.sum())
            if self.first[c] is None and len(d):
                self.first[c] = int(d[0])
            columns.append(d.reshape(frames, self.spf[c]))
        np.concatenate(columns, axis=1).astype(self.dtype).tofile(self.handle)
        self.written += frames

    def abort(self) -> None:
        """Close the data file after a failure (the caller discards the partial output)."""
        self.handle.close()

    def close(self) -> None:
        """Finish the data file and write the header."""
        self.handle.close()
        if self.written != self.n_frames:
            raise RuntimeError(f"wrote {self.written} frames, expected {self.n_frames}")
        head = f"{self.name} {len(self.channels)} {self.frame_fs:.12g} {self.n_frames}"
        lines = [f"{head} {self.header_extra}".rstrip()]
        for c, channel in enumerate(self.channels):
            fmt = self.fmt + (f"x{self.spf[c]}" if self.spf[c] > 1 else "")
            checksum = (self.sums[c] + 32768) % 65536 - 32768
            lines.append(
                f"{self.name}.dat {fmt} {self.gains[c]:.12g}({self.baselines[c]})/{_unit(self.units[c])} "
                f"{self.fmt} 0 {self.first[c] or 0} {checksum} 0 {channel}"
            )
        lines += [f"# {c}" if not c.startswith("#") else c for c in self.comments]
        (self.directory / f"{self.name}.hea").write_text("\n".join(lines) + "\n")


def _unit(unit: str) -> str:
    """WFDB units are one token."""
    return "_".join(str(unit).split()) or "NU"
