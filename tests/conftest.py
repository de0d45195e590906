"""Shared fixtures: where the repository, the case base and the shared corpus are."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

# The validated case bases of the test run are cached in a folder of their own (never
# the user's), shared by the subprocesses the tests start; the fonts keep their cache.
_CACHE = tempfile.mkdtemp(prefix="wb-test-cache-")
os.environ["WORKBENCH_CASEBASE_CACHE"] = os.path.join(_CACHE, "casebase")


def pytest_unconfigure(config: pytest.Config) -> None:
    shutil.rmtree(_CACHE, ignore_errors=True)


ROOT = Path(__file__).resolve().parents[1]
CASEBASE = ROOT / "casebase"
SEEDS = (ROOT / ".." / "shared" / "seeds").resolve()
QCA_REF = (ROOT / ".." / "shared" / "qca").resolve()


@pytest.fixture(scope="session")
def seeds() -> Path:
    """The source texts; tests that check quotes need them."""
    if not SEEDS.is_dir():
        pytest.skip(f"source corpus not found at {SEEDS} (CI provides ../shared/seeds)")
    return SEEDS


@pytest.fixture(scope="session")
def casebase(seeds: Path):
    """The project's case base, validated against the corpus."""
    from analysis.casebase import load_casebase

    return load_casebase(CASEBASE, seeds)
