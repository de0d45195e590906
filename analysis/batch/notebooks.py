"""Reading source notebooks (``.ipynb`` or jupytext ``.py``) reproducibly.

Notebooks without cell ids (older ``.ipynb``, and every notebook jupytext
builds from a ``.py``) would get *random* ids from nbformat's upgrade; ids
appear in the executed notebook and in the HTML anchors, so they are given
stable ids derived from the cell position instead.

Examples
--------
>>> from analysis.batch.notebooks import read_notebook
>>> nb = read_notebook("tests/fixtures/notebooks/report_text.py")
>>> nb.cells[0].id
'cell-0'
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

JUPYTEXT_SUFFIXES = (".py", ".md", ".R", ".jl")


def _fast_imports() -> None:
    """Skip the slowest import of the notebook stack.

    ``nbformat`` imports ``jsonschema``, whose format checkers import
    ``rfc3987_syntax`` when installed; building its grammar costs ~1.2 s per
    process and nbformat's schema never uses the IRI formats it checks.
    jsonschema treats the module as optional, so hiding it is safe.
    """
    import sys

    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[assignment]


def read_notebook(path: str | os.PathLike[str]) -> Any:
    """Read a notebook as nbformat v4.5 with deterministic cell ids.

    Parameters
    ----------
    path : path-like
        ``.ipynb``, or any format jupytext reads (``.py`` percent/light, ``.md``).

    Returns
    -------
    nbformat.NotebookNode

    Examples
    --------
    >>> read_notebook("tests/fixtures/notebooks/report_ok.ipynb").nbformat_minor >= 5
    True
    """
    _fast_imports()
    path = Path(path)
    if path.suffix in JUPYTEXT_SUFFIXES:
        import jupytext

        nb = jupytext.read(path)
        for index, cell in enumerate(nb.cells):
            cell["id"] = f"cell-{index}"
    else:
        import nbformat

        nb = nbformat.read(path, as_version=4)
        seen: set[str] = set()
        for index, cell in enumerate(nb.cells):
            if not cell.get("id") or cell["id"] in seen:
                cell["id"] = f"cell-{index}"
            seen.add(cell["id"])
    # Ids are present now; marking 4.5 stops nbformat.v4.upgrade adding random ones.
    nb.nbformat, nb.nbformat_minor = 4, max(5, int(nb.get("nbformat_minor", 0)))
    return nb
