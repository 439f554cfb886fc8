"""The bundled demo record ``noisy_100`` (a package only so that its data files ship in the
wheel; see README.md for its source and licence). ``DEMO_RECORD`` is its path without suffix."""

from pathlib import Path

DEMO_RECORD = Path(__file__).resolve().parent / "noisy_100"
