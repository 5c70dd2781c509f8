"""Shared test fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

#: One Spark session and one parity data set for the whole run, shared by tests/spark and the insight parity.
pytest_plugins = ["tests.spark.fixtures"]

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """``../shared/data`` (real public data sets); skips the test cleanly where it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"shared data not present at {SHARED_DATA}")
    return SHARED_DATA


def shared_file(relative: str) -> Path:
    """Path of one shared data file, skipping the calling test when it is absent."""
    path = SHARED_DATA / relative
    if not path.exists():
        pytest.skip(f"shared data file not present: {path}")
    return path
