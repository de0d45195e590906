"""The case-base check a batch makes once, before any notebook runs.

Every report notebook loads the case base (and, for the evidence and corpus
reports, the source texts).  A case base that does not validate would make
every one of them fail, one by one, after the whole batch has run; checking it
once up front stops the batch with ``workbench validate``'s own messages and
leaves the reports folder as it was.

Examples
--------
>>> check_casebase("/nonexistent/casebase")[0]
'/nonexistent/casebase: case base folder not found'
"""

from __future__ import annotations

import os
from pathlib import Path


def check_casebase(
    casebase_root: str | os.PathLike[str],
    sources_dir: str | os.PathLike[str] | None = None,
) -> list[str]:
    """Validate the case base as ``workbench validate --sources`` does.

    Parameters
    ----------
    casebase_root : path-like
        The ``casebase/`` folder.
    sources_dir : path-like, optional
        The corpus folder; when given, every source file's sha256 and every
        quote are checked against it.

    Returns
    -------
    list of str
        One ``file:line: field: message`` per problem; empty when valid.

    Examples
    --------
    >>> check_casebase("casebase") == []                  # doctest: +SKIP
    True
    """
    root = Path(casebase_root)
    if not root.is_dir():
        return [f"{root}: case base folder not found"]
    from analysis.casebase import CaseBaseError, load_casebase

    try:
        casebase = load_casebase(root, sources_dir, cache=True)
    except CaseBaseError as exc:
        return [str(p) for p in exc.problems]
    return rounds_problems(casebase)


def rounds_problems(casebase: object) -> list[str]:
    """Problems of ``codings/rounds.yaml``, which the reliability report reads.

    Examples
    --------
    >>> rounds_problems(cb)                               # doctest: +SKIP
    []
    """
    from analysis.reliability import read_rounds

    try:
        read_rounds(casebase)  # type: ignore[arg-type]
    except Exception as exc:  # any parse or shape error: reported, never raised
        text = " ".join(str(exc).split()) or type(exc).__name__
        where = "codings/rounds.yaml"
        return [text if where in text else f"{where}: {text}"]
    return []
