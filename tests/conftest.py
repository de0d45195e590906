"""Shared fixtures: where the repository, the case base and the shared corpus are."""

from __future__ import annotations

from pathlib import Path

import pytest

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
