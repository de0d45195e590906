"""Fixtures for the QCA tests: where R's reference output and the datasets are."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[2]
QCA_SHARED = (ROOT / ".." / "shared" / "qca").resolve()


@pytest.fixture(scope="session")
def qca_dir() -> Path:
    """The shared QCA folder (datasets and R QCA 3.25 reference output)."""
    if not (QCA_SHARED / "reference").is_dir():
        pytest.skip(f"R reference material not found at {QCA_SHARED} (expected ../shared/qca)")
    return QCA_SHARED


@pytest.fixture(scope="session")
def load_dataset(qca_dir: Path):
    """Read one of the bundled datasets, case names as the index."""

    def load(name: str) -> pd.DataFrame:
        return pd.read_csv(qca_dir / "data" / f"{name}.csv", index_col=0)

    return load


def reference_files(kind: str) -> list[Path]:
    """Reference JSON files of one kind (sufficiency, necessity, calibration)."""
    folder = QCA_SHARED / "reference" / kind
    return sorted(folder.glob("*.json")) if folder.is_dir() else []


def load_json(path: Path) -> dict:
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)
