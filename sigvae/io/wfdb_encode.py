"""WFDB signal-file encodings and header text, written with NumPy directly.

wfdb's ``wrsamp`` scans every sample in Python-level ``min``/``max`` calls and packs bytes
slowly (about 0.5 s for a 30-minute two-lead record); the encodings themselves are a few vector
operations. Definitions from the WFDB ``signal(5)`` and ``header(5)`` manual pages:

* ``16``/``32``: little-endian two's complement, 2/4 bytes; ``24``: the low three bytes of it.
* ``80``: one byte, offset binary (value + 128).
* ``212``: pairs of 12-bit two's complement samples in three bytes: byte 0 = low 8 bits of
  the first, byte 1 = high 4 bits of the first (low nibble) and of the second (high nibble),
  byte 2 = low 8 bits of the second. An odd count drops the unused last byte.

Samples are stored frame by frame (all channels of sample 0, then sample 1, ...).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

BIT_RESOLUTION = {"16": 16, "212": 12, "24": 24, "32": 32, "80": 8}


def encode_samples(digital: np.ndarray, fmt: str) -> bytes:
    """The bytes of a signal file holding ``digital`` (``[samples, channels]`` integers)."""
    flat = np.ascontiguousarray(digital, dtype=np.int64).reshape(-1)
    if fmt == "16":
        return flat.astype("<i2").tobytes()
    if fmt == "32":
        return flat.astype("<i4").tobytes()
    if fmt == "24":
        return flat.astype("<i4").view(np.uint8).reshape(-1, 4)[:, :3].tobytes()
    if fmt == "80":
        return (flat + 128).astype(np.uint8).tobytes()
    if fmt == "212":
        return _pack_212(flat)
    raise ValueError(f"no encoder for WFDB format {fmt!r}")


def _pack_212(flat: np.ndarray) -> bytes:
    codes = flat & 0xFFF  # 12-bit two's complement
    odd = codes.size % 2
    if odd:
        codes = np.append(codes, 0)
    first, second = codes[0::2], codes[1::2]
    packed = np.empty((first.size, 3), dtype=np.uint8)
    packed[:, 0] = first & 0xFF
    packed[:, 1] = ((first >> 8) & 0x0F) | (((second >> 8) & 0x0F) << 4)
    packed[:, 2] = second & 0xFF
    raw = packed.tobytes()
    return raw[:-1] if odd else raw


def header_text(
    record_name: str,
    fs: float,
    fmt: str,
    gains: Sequence[float],
    baselines: Sequence[int],
    units: Sequence[str],
    names: Sequence[str],
    digital: np.ndarray,
    comments: Sequence[str] = (),
) -> str:
    """The ``.hea`` text for one signal file ``record_name.dat`` holding ``digital``.

    Each signal line: file, format, ``gain(baseline)/units``, ADC resolution, ADC zero,
    initial value, checksum (sum of the samples as a signed 16-bit number), block size, name.
    """
    n_samples, n_signals = digital.shape
    fs_text = str(int(fs)) if float(fs).is_integer() else repr(float(fs))
    lines = [f"{record_name} {n_signals} {fs_text} {n_samples}"]
    sums = digital.sum(axis=0, dtype=np.int64) % 65536
    for ch in range(n_signals):
        checksum = int(sums[ch]) - 65536 if sums[ch] > 32767 else int(sums[ch])
        lines.append(
            f"{record_name}.dat {fmt} {float(gains[ch])!r}({int(baselines[ch])})/{units[ch]} "
            f"{BIT_RESOLUTION[fmt]} 0 {int(digital[0, ch])} {checksum} 0 {names[ch]}"
        )
    lines.extend(f"# {comment}" for comment in comments)
    return "\n".join(lines) + "\n"
