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
from collections.abc import Callable
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
    return (
        _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    )


def _is_str_or_none(value: Any) -> bool:
    return value is None or isinstance(value, str)


def _is_number_or_none(value: Any) -> bool:
    return value is None or (isinstance(value, (int, float)) and not isinstance(value, bool))


def _is_run_entry(entry: Any) -> bool:
    """Whether a ``runs`` entry has the shape the batch relies on.

    Examples
    --------
    >>> _is_run_entry({"key": "k", "files": {"html": 10}})
    True
    >>> _is_run_entry({"key": "k", "files": {"html": "10"}})
    False
    """
    if not isinstance(entry, dict) or not isinstance(entry.get("key"), str):
        return False
    files = entry.get("files", {})
    if not isinstance(files, dict) or not all(
        isinstance(k, str) and isinstance(v, int) and not isinstance(v, bool)
        for k, v in files.items()
    ):
        return False
    if not all(_is_str_or_none(entry.get(k)) for k in ("title", "summary", "notebook")):
        return False
    if not isinstance(entry.get("stale", {}), dict):
        return False
    return all(
        _is_number_or_none(entry.get(k))
        for k in ("execute_seconds", "render_seconds", "pdf_seconds", "docx_seconds")
    )


def _is_failure_entry(entry: Any) -> bool:
    return (
        isinstance(entry, dict)
        and _is_str_or_none(entry.get("message"))
        and _is_str_or_none(entry.get("notebook"))
    )


def _is_digest(entry: Any) -> bool:
    return (
        isinstance(entry, list)
        and len(entry) == 3
        and all(isinstance(x, int) and not isinstance(x, bool) for x in entry[:2])
        and isinstance(entry[2], str)
    )


def _entries(
    value: Any, valid: Callable[[Any], bool], where: str, warnings: list[str], quiet: bool = False
) -> dict[str, Any]:
    """The well-formed entries of one manifest table; the rest are dropped with a warning."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        warnings.append(f"{where} is not a mapping; ignored, so those reports are rebuilt")
        return {}
    kept = {k: v for k, v in value.items() if isinstance(k, str) and valid(v)}
    dropped = sorted(str(k) for k in value if k not in kept)
    if dropped and not quiet:
        warnings.append(
            f"{where}: malformed entr{'y' if len(dropped) == 1 else 'ies'} "
            f"{', '.join(dropped)} ignored; rebuilt"
        )
    return kept


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
    warnings : list of str
        What :meth:`load` had to drop from a corrupt manifest.
    """

    path: Path
    runs: dict[str, dict[str, Any]] = field(default_factory=dict)
    failures: dict[str, dict[str, Any]] = field(default_factory=dict)
    files: dict[str, list] = field(default_factory=dict)
    index_key: str = ""
    warnings: list[str] = field(default_factory=list)
    _saved: str = field(default="", repr=False, compare=False)

    @classmethod
    def load(cls, path: str | Path) -> Manifest:
        """Read the manifest; a missing or unreadable one means "nothing built".

        A corrupt manifest, or an entry of the wrong shape, is never fatal: what
        cannot be trusted is dropped (so those reports are rebuilt) and
        :attr:`warnings` says so.

        Examples
        --------
        >>> Manifest.load("/nonexistent/manifest.json").failures
        {}
        """
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return cls(path)
        except (OSError, ValueError) as exc:
            return cls(path, warnings=[f"{path}: unreadable ({exc}); every report is rebuilt"])
        try:
            data = json.loads(text)
        except ValueError as exc:
            return cls(path, warnings=[f"{path}: not valid JSON ({exc}); every report is rebuilt"])
        if not isinstance(data, dict) or data.get("schema") != SCHEMA:
            return cls(
                path, warnings=[f"{path}: not a schema-{SCHEMA} manifest; every report is rebuilt"]
            )
        warnings: list[str] = []
        runs = _entries(data.get("runs"), _is_run_entry, f"{path}: runs", warnings)
        failures = _entries(data.get("failures"), _is_failure_entry, f"{path}: failures", warnings)
        files = _entries(data.get("files"), _is_digest, f"{path}: files", warnings, quiet=True)
        index_key = data.get("index_key", "")
        return cls(
            path,
            runs=runs,
            failures=failures,
            files=files,
            index_key=index_key if isinstance(index_key, str) else "",
            warnings=warnings,
            _saved="" if warnings else text,
        )

    def to_json(self) -> str:
        """Serialise: sorted keys, one report (or file) a line, so the file diffs well.

        Each entry is encoded compactly by the json module's C encoder; ``indent``
        would use its pure-Python encoder, about ten times slower (a 7,758-report
        manifest: 0.35 s).

        Examples
        --------
        >>> m = Manifest(Path("m.json"), runs={"b": {"x": 1}, "a": {"y": "二"}})
        >>> print(m.to_json(), end="")
        {"failures": {},
         "files": {},
         "index_key": "",
         "runs": {
          "a": {"y":"二"},
          "b": {"x":1}
         },
         "schema": 1}
        >>> json.loads(m.to_json())["runs"]["a"]
        {'y': '二'}
        """

        def enc(value: Any) -> str:
            return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))

        def section(entries: dict[str, Any]) -> str:
            if not entries:
                return "{}"
            lines = [f"  {enc(k)}: {enc(entries[k])}" for k in sorted(entries)]
            return "{\n" + ",\n".join(lines) + "\n }"

        parts = {
            "failures": section(self.failures),
            "files": section(self.files),
            "index_key": enc(self.index_key),
            "runs": section(self.runs),
            "schema": enc(SCHEMA),
        }
        return "{" + ",\n ".join(f"{enc(k)}: {v}" for k, v in parts.items()) + "}\n"

    def save(self) -> None:
        """Write atomically (temp file, fsync, rename); nothing when the file already
        holds exactly this (a rebuild with nothing to do writes nothing)."""
        from analysis.render import atomic_write

        text = self.to_json()
        if text == self._saved:
            return
        try:
            atomic_write(self.path, text)
        except OSError as exc:  # a full disk names no file; say which one failed
            exc.filename = exc.filename or str(self.path)
            raise
        self._saved = text
