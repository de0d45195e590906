"""Content hashes that decide what the batch must rebuild.

A run's key combines the hashes of its notebook file, its parameters, the
whole case base (``casebase/``) and the analysis code (``analysis/**/*.py``).
Hashing every file on every run would cost more than the 1 s budget for a
no-change rebuild once the case base holds source texts, so file digests are
cached by (size, mtime_ns) the way git's index does; a file whose size and
modification time are unchanged is not read again.

Examples
--------
>>> from analysis.batch.hashing import canonical_hash
>>> canonical_hash({"b": 1, "a": [1, 2]}) == canonical_hash({"a": [1, 2], "b": 1})
True
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, MutableMapping
from pathlib import Path
from typing import Any

# Bump when the rendering or layout of reports changes in a way the code hash
# would not see (e.g. a change of nbconvert template semantics).
FORMAT_VERSION = "1"

StatCache = MutableMapping[str, list]
"""``relpath -> [size, mtime_ns, sha256]``, persisted in the manifest."""


def canonical_hash(value: Any) -> str:
    """SHA-256 of a JSON-able value, independent of dict key order.

    Examples
    --------
    >>> len(canonical_hash([1, "二"]))
    64
    """
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def file_digest(path: Path, cache: StatCache | None = None, key: str | None = None) -> str:
    """SHA-256 of a file, reusing ``cache[key]`` when size and mtime match.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "f"
    >>> _ = p.write_bytes(b"x")
    >>> file_digest(p)[:8]
    '2d711642'
    """
    st = path.stat()
    key = key or str(path)
    if cache is not None:
        hit = cache.get(key)
        if hit and hit[0] == st.st_size and hit[1] == st.st_mtime_ns:
            return hit[2]
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    digest = h.hexdigest()
    if cache is not None:
        cache[key] = [st.st_size, st.st_mtime_ns, digest]
    return digest


def _walk(root: Path, suffixes: tuple[str, ...] | None) -> Iterable[Path]:
    for dirpath, dirnames, filenames in os.walk(root):
        # Caches and hidden folders are not content.
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d != "__pycache__")
        for name in sorted(filenames):
            if name.startswith(".") or name.endswith((".pyc", ".tmp")):
                continue
            if suffixes is None or name.endswith(suffixes):
                yield Path(dirpath, name)


def tree_digest(
    root: str | Path,
    suffixes: tuple[str, ...] | None = None,
    cache: StatCache | None = None,
    base: str | Path | None = None,
) -> str:
    """Hash of a directory tree: every file's relative path and content.

    Parameters
    ----------
    root : path
        Directory to hash; a missing directory hashes as empty.
    suffixes : tuple of str, optional
        Only files ending in one of these (e.g. ``(".py",)``).
    cache : StatCache, optional
        Digest cache keyed by path relative to ``base``.
    base : path, optional
        What cache keys are relative to (default: ``root``'s parent).

    Examples
    --------
    >>> tree_digest("/nonexistent") == tree_digest("/also-missing")
    True
    """
    root = Path(root)
    base = Path(base) if base is not None else root.parent
    h = hashlib.sha256()
    if root.is_dir():
        for path in _walk(root, suffixes):
            rel = os.path.relpath(path, base)
            h.update(rel.encode("utf-8") + b"\0")
            h.update(file_digest(path, cache, rel).encode("ascii") + b"\n")
    return h.hexdigest()


def run_key(notebook_hash: str, parameters_hash: str, casebase_hash: str, code_hash: str) -> str:
    """Combine the four input hashes of a run into its rebuild key.

    Examples
    --------
    >>> run_key("a", "b", "c", "d") == run_key("a", "b", "c", "d")
    True
    """
    return canonical_hash(
        [FORMAT_VERSION, notebook_hash, parameters_hash, casebase_hash, code_hash]
    )
