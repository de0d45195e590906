"""Helpers every report kind shares: the cached case base, citations, tables, figures.

Moved from ``analysis/briefing.py`` (pinned by ``tests/reports/test_common.py``).
"""

from __future__ import annotations

import html
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from analysis.casebase import CaseBase, load_casebase
from analysis.formatting import cite  # noqa: F401  (re-exported: the reports cite through here)
from analysis.project import (
    corpus_folders,
    project_of,
    project_path,
    project_root,
    split_folders,
)
from analysis.reports.errors import ParameterError, UnknownCase


def figure_png(fig: Figure, dpi: int = 110) -> bytes:
    """PNG bytes of a figure, without metadata that would vary between runs.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots(); _ = ax.plot([0, 1])
    >>> figure_png(fig)[:4]
    b'\\x89PNG'
    """
    import io

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight", metadata={"Software": None})
    return buf.getvalue()


def table_html(df: pd.DataFrame, caption: str = "") -> str:
    """Deterministic HTML for a table (no random ids, values escaped).

    Examples
    --------
    >>> table_html(pd.DataFrame({"a": [1]}), "表").startswith('<table class="wb-table">')
    True
    """
    cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    body = df.to_html(
        index=False, border=0, escape=True, na_rep="—", float_format=lambda v: f"{v:.2f}"
    )
    body = body.replace('<table class="dataframe">', "", 1).replace("</table>", "", 1)
    return f'<table class="wb-table">{cap}{body}</table>'


# One loaded case base per (folder, corpus), with the stat fingerprint it was loaded from.
_LOADED: dict[tuple[Path, tuple[Path, ...]], tuple[tuple[Any, ...], CaseBase]] = {}


def _tree_stats(folder: Path) -> tuple[Any, ...]:
    """Path, size, mtime and inode of every file under ``folder``: cheap, and any edit
    (in place or by an editor's rename) changes it."""
    stats: list[tuple[str, int, int, int]] = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames.sort()
        for name in sorted(filenames):
            try:
                st = os.stat(os.path.join(dirpath, name))
            except OSError:
                continue
            stats.append((os.path.join(dirpath, name), st.st_size, st.st_mtime_ns, st.st_ino))
    return tuple(stats)


def resolve_folders(
    casebase_dir: str | Path = "casebase",
    sources: str | Path | Sequence[str | Path] | None = None,
) -> tuple[Path, tuple[Path, ...]]:
    """The case-base folder and the corpus folders, absolute, as :func:`open_casebase`
    reads them (relative paths from the project root; without ``sources``, the corpus
    configured for the case base's own project; empty when none is).

    Examples
    --------
    >>> resolve_folders("/data/casebase", "/data/seeds")
    (PosixPath('/data/casebase'), (PosixPath('/data/seeds'),))
    """
    here = project_root()
    casebase = project_path(casebase_dir, here)
    folders = (
        tuple(project_path(f, here) for f in split_folders(sources))
        if sources
        else corpus_folders(root=project_of(casebase))
    )
    return casebase, folders


def open_casebase(
    casebase_dir: str | Path = "casebase",
    sources: str | Path | Sequence[str | Path] | None = None,
) -> CaseBase:
    """The validated case base, reloaded only when its files or the corpus changed.

    Relative paths are taken from the project root (:mod:`analysis.project`), so a
    notebook means the same folders in JupyterLab (which runs it in ``notebooks/``),
    in the batch and on the command line.  ``sources`` (one folder, several, or an
    ``os.pathsep``-separated string) defaults to ``$WORKBENCH_SOURCES``, else to the
    project setting ``[tool.workbench] sources``.

    Without ``sources``, the corpus is the one configured for the case base's own project
    (:func:`analysis.project.project_of`).  A kernel keeps the loaded case base while nothing under the case-base folder or
    the corpus folders changed (sizes, mtimes, inodes); an edited or added case is
    picked up by the next call, without restarting the kernel.

    Examples
    --------
    >>> cb = open_casebase("casebase")          # doctest: +SKIP
    """
    casebase, folders = resolve_folders(casebase_dir, sources)
    key = (casebase, folders)
    stamp = tuple(_tree_stats(f) for f in key[:1] + folders)
    hit = _LOADED.get(key)
    if hit is not None and hit[0] == stamp:
        return hit[1]
    cb = load_casebase(key[0], folders or None, cache=True)
    _LOADED[key] = (stamp, cb)
    return cb


def id_list(value: Sequence[str] | str | None, name: str) -> list[str] | None:
    """Ids from a notebook parameter: a list, or one comma-separated string.

    papermill's ``-p cases shaoxing,dongguan`` passes a string, which would
    otherwise be taken letter by letter; ``-y "cases: [shaoxing, dongguan]"``
    passes a list.  Both mean the same.  ``"all"``, ``None`` or an empty list
    give None (every id).

    Parameters
    ----------
    value : list of str, str or None
        The parameter.
    name : str
        Its name, for the error message.

    Returns
    -------
    list of str or None

    Raises
    ------
    TypeError
        For anything else (a number, a mapping, a list holding non-strings).

    Examples
    --------
    >>> id_list("shaoxing, dongguan", "cases")
    ['shaoxing', 'dongguan']
    >>> id_list(["shaoxing"], "cases")
    ['shaoxing']
    >>> id_list("all", "cases") is None
    True
    >>> id_list(3, "cases")
    Traceback (most recent call last):
    TypeError: cases must be a list of ids or one comma-separated string (papermill: -p cases a,b or -y "cases: [a, b]"), got int 3
    """
    hint = f'(papermill: -p {name} a,b or -y "{name}: [a, b]")'
    if value is None:
        return None
    if isinstance(value, str):
        items = [part.strip() for part in value.split(",") if part.strip()]
        return None if items in ([], ["all"]) else items
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        raise TypeError(
            f"{name} must be a list of ids or one comma-separated string {hint}, "
            f"got {type(value).__name__} {value!r}"
        )
    return list(value) or None


def check_lang(lang: str) -> None:
    """Refuse a language the reports are not written in.

    Examples
    --------
    >>> check_lang("fr")
    Traceback (most recent call last):
    analysis.reports.errors.ParameterError: lang must be one of zh, en; got 'fr'
    """
    from analysis.reports.defaults import LANGS

    if lang not in LANGS:
        raise ParameterError(f"lang must be one of {', '.join(LANGS)}; got {lang!r}")


def check_case(cb: CaseBase, case_id: str) -> None:
    """Refuse a case id that is not in the case base (:class:`UnknownCase`)."""
    if case_id not in cb.cases:
        raise UnknownCase(case_id, cb.case_ids)
