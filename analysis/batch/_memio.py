"""An in-memory papermill output location.

papermill only hands back the executed notebook when it succeeds; when a cell
raises it writes the notebook (with its error markers) to ``output_path`` and
raises.  Registering this handler under ``wbmem://`` lets the batch keep that
notebook for the audit trail without a round trip through the disk.

Examples
--------
>>> from analysis.batch import _memio
>>> key = _memio.new_key()
>>> key.startswith("wbmem://") and key.endswith(".ipynb")
True
"""

from __future__ import annotations

import itertools
from typing import Any

SCHEME = "wbmem://"
_store: dict[str, str] = {}
_counter = itertools.count()
_registered = False


class _MemoryHandler:
    def read(self, path: str) -> str:
        return _store[path]

    def write(self, buf: str, path: str) -> None:
        _store[path] = buf

    def listdir(self, path: str) -> list[str]:
        return [k for k in _store if k.startswith(path)]

    def pretty_path(self, path: str) -> str:
        return path


def _register() -> None:
    global _registered
    if not _registered:
        from papermill.iorw import papermill_io

        papermill_io.register(SCHEME, _MemoryHandler())
        _registered = True


def new_key() -> str:
    """Return a fresh output path for one execution (and register the handler)."""
    _register()
    return f"{SCHEME}{next(_counter)}.ipynb"


def pop(key: str) -> Any:
    """Return the notebook papermill wrote under ``key`` (or None) and forget it."""
    buf = _store.pop(key, None)
    if buf is None:
        return None
    import nbformat

    return nbformat.reads(buf, as_version=4)
