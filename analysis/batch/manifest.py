"""``reports/manifest.json``: what was built from which inputs, and when.

The manifest is the batch's memory.  A run's entry holds its input hashes and
rebuild key, its outputs and their sizes, its index line and timings.  The
entry is written only after the run's report files are in place, so a killed
batch leaves either a complete report with an entry or no entry (and the
report is rebuilt).  Timestamps live here and never in reports, which keeps
the reports byte-identical across rebuilds.

Examples
--------
>>> import tempfile, pathlib
>>> m = Manifest.load(pathlib.Path(tempfile.mkdtemp()) / "manifest.json")
>>> m.runs
{}
"""

from __future__ import annotations

import datetime as _dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SCHEMA = 1


def utc_now() -> str:
    """ISO-8601 UTC timestamp, second precision.

    Examples
    --------
    >>> utc_now().endswith("Z")
    True
    """
    return _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat().replace(
        "+00:00", "Z")


@dataclass
class Manifest:
    """In-memory manifest; :meth:`save` writes it atomically.

    Attributes
    ----------
    path : Path
        ``reports/manifest.json``.
    runs : dict
        ``output name -> entry`` for successfully built reports.
    failures : dict
        ``output name -> failure record`` from the latest batch.
    files : dict
        Digest cache (see :mod:`analysis.batch.hashing`).
    index_key : str
        Hash of what ``index.html`` was last rendered from.
    """

    path: Path
    runs: dict[str, dict[str, Any]] = field(default_factory=dict)
    failures: dict[str, dict[str, Any]] = field(default_factory=dict)
    files: dict[str, list] = field(default_factory=dict)
    index_key: str = ""

    @classmethod
    def load(cls, path: str | Path) -> Manifest:
        """Read the manifest; a missing or unreadable one means "nothing built".

        Examples
        --------
        >>> Manifest.load("/nonexistent/manifest.json").failures
        {}
        """
        path = Path(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return cls(path)
        if not isinstance(data, dict) or data.get("schema") != SCHEMA:
            return cls(path)
        return cls(
            path,
            runs=dict(data.get("runs", {})),
            failures=dict(data.get("failures", {})),
            files=dict(data.get("files", {})),
            index_key=str(data.get("index_key", "")),
        )

    def to_json(self) -> str:
        """Serialise (sorted keys, so the file diffs well)."""
        return json.dumps(
            {"schema": SCHEMA, "index_key": self.index_key, "runs": self.runs,
             "failures": self.failures, "files": self.files},
            ensure_ascii=False, indent=1, sort_keys=True,
        ) + "\n"

    def save(self) -> None:
        """Write atomically (temp file, fsync, rename)."""
        from analysis.render import atomic_write

        atomic_write(self.path, self.to_json())
