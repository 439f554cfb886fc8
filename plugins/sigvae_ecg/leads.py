"""Which channels of a record are ECG leads.

A record often carries other signals (blood pressure, respiration, plethysmogram, EEG). A
channel is taken as ECG when its name looks like an ECG lead (I, II, aVR, V1, MLII, MCL1,
ECG 2, vx ...); a name that looks like another signal (ABP, RESP, PLETH, SpO2, Fp1 ...) is not;
any other name counts as ECG only when its unit is a voltage.
"""

from __future__ import annotations

import re

_ECG_NAME = re.compile(
    r"^(i{1,3}|a?v[rlf]|v\d{1,2}r?|m?l+i*|ml\d|mcl\d|cm\d|d[1-3]|v[xyz]|[xyz]|"
    r"(ecg|ekg|lead)[\s_-]*\w*)$",
    re.IGNORECASE,
)
_OTHER_NAME = re.compile(
    r"(bp|art|pap|cvp|icp|pleth|resp|spo2|sao2|co2|temp|eeg|emg|eog|flow|press|pulse|ppg|"
    r"stim|status|event|annot|edf|^hr$|^rr$)|^(fp|af|f|fc|ft|c|cp|tp|t|p|po|o|a)(z|\d{1,2})$",
    re.IGNORECASE,
)
_VOLTAGE_UNITS = {"mv", "uv", "µv", "μv", "v", "nv", "millivolt", "microvolt", "mvolt"}


def is_ecg(name: str, unit: str | None) -> bool:
    """True when the channel ``name`` (with ``unit``) is an ECG lead by the rules above."""
    label = (name or "").strip()
    if _ECG_NAME.match(label):
        return True
    if _OTHER_NAME.search(label):
        return False
    return (unit or "").strip().lower() in _VOLTAGE_UNITS


def choose_leads(
    channels: list[str], units: list[str], requested: list[str] | None
) -> tuple[list[int], list[str]]:
    """Indices of the channels to denoise and a note per skipped channel. ``requested`` names
    leads explicitly (any signal may be named; unknown names raise ``KeyError``)."""
    if requested:
        missing = [name for name in requested if name not in channels]
        if missing:
            raise KeyError(", ".join(missing))
        wanted = set(requested)
        chosen = [i for i, c in enumerate(channels) if c in wanted]
        notes = [
            f"channel {c!r} not in --leads; copied unchanged" for c in channels if c not in wanted
        ]
        return chosen, notes
    chosen, notes = [], []
    for i, (name, unit) in enumerate(zip(channels, units)):
        if is_ecg(name, unit):
            chosen.append(i)
        else:
            notes.append(f"channel {name!r} ({unit}) is not ECG; copied unchanged")
    return chosen, notes
