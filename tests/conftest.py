"""Shared test fixtures.

``shared_data`` points at the real data set kept next to the checkout (``../shared/data``
relative to the repository root). Tests that need it skip, with the reason, when it is absent,
so the suite still passes on a machine without the data.
"""

from __future__ import annotations

from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = (REPO_ROOT / ".." / "shared" / "data").resolve()


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The Path of ``../shared/data``; skips the test when that directory does not exist."""
    if not SHARED_DATA.is_dir():
        pytest.skip(
            f"real data not found at {SHARED_DATA} (expected ../shared/data next to the repo)"
        )
    return SHARED_DATA
