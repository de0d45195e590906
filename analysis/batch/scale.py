"""Which pairs of cases a large batch compares, and compact neighbour tables.

With N cases there are N·(N−1)/2 pairs: 10 at N = 5, 44,850 at N = 300.  A small
case base gets every pair; a large one gets, for each case, its ``k`` most similar
cases (fuzzy Jaccard over the codes both report, ties broken by case id), plus any
pairs the user names.  :func:`casebase_similarity` computes that similarity from a
case-base folder cheaply (no validation, no source texts; parsed case files are
cached by size and modification time), and :func:`top_k_neighbours` turns a
similarity matrix into the short table a cross-case report can show for hundreds
of cases.

Nothing here is imported by a no-change rebuild unless the plan asks for it:
pandas comes in only with :func:`casebase_similarity` and :func:`top_k_neighbours`.

Examples
--------
>>> select_pairs(["b", "a", "c"], None)
[('a', 'b'), ('a', 'c'), ('b', 'c')]
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Sequence
from itertools import combinations
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "casebase_membership",
    "casebase_similarity",
    "nearest_pairs",
    "select_pairs",
    "top_k_neighbours",
]

#: Version of the membership cache file's layout.
_CACHE_VERSION = 1


def _pair(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a <= b else (b, a)


def select_pairs(
    cases: list[str],
    similarity: pd.DataFrame | None,
    k: int = 3,
    named: Sequence[tuple[str, str]] = (),
    small: int = 10,
) -> list[tuple[str, str]]:
    """The pairs of cases to compare: all of them for a small case base, else nearest neighbours.

    Parameters
    ----------
    cases : list of str
        Case ids.
    similarity : pandas.DataFrame or None
        Case × case similarity (e.g. :func:`casebase_similarity`); NaN for a pair
        that shares no reported code.  Needed only when ``len(cases) > small``.
    k : int
        Neighbours per case when the case base is large.
    named : sequence of (str, str)
        Pairs the user wants whatever their similarity.
    small : int
        Up to this many cases, every pair is compared.

    Returns
    -------
    list of (str, str)
        Each pair once, its ids in order, the list sorted.  For a large case base:
        each case with its ``k`` most similar other cases (highest similarity first,
        equal similarities by case id; pairs whose similarity is unknown are never
        chosen), then the named pairs.

    Raises
    ------
    ValueError
        If a named pair names a case not in ``cases`` or one case twice, ``k`` is
        negative, or a large case base comes without a similarity for its cases.

    Examples
    --------
    >>> import pandas as pd
    >>> ids = ["a", "b", "c", "d"]
    >>> sim = pd.DataFrame([[1, .9, .1, .2], [.9, 1, .3, .2], [.1, .3, 1, .8],
    ...                     [.2, .2, .8, 1]], index=ids, columns=ids)
    >>> select_pairs(ids, sim, k=1, small=3)
    [('a', 'b'), ('c', 'd')]
    >>> select_pairs(ids, sim, k=1, small=3, named=[("d", "a")])
    [('a', 'b'), ('a', 'd'), ('c', 'd')]
    """
    if k < 0:
        raise ValueError(f"k must be at least 0, got {k}")
    known = set(cases)
    extra = []
    for a, b in named:
        missing = [c for c in (a, b) if c not in known]
        if missing:
            raise ValueError(f"named pair ({a}, {b}): unknown case(s) {', '.join(missing)}")
        if a == b:
            raise ValueError(f"named pair ({a}, {b}) names one case twice")
        extra.append(_pair(a, b))
    ordered = sorted(known)
    if len(ordered) <= small:
        return sorted(set(combinations(ordered, 2)) | set(extra))
    if similarity is None:
        raise ValueError(f"{len(ordered)} cases (more than {small}): a similarity is needed")
    absent = [c for c in ordered if c not in similarity.index or c not in similarity.columns]
    if absent:
        raise ValueError(f"no similarity for case(s) {', '.join(absent[:5])}")
    return sorted(set(_nearest(similarity, ordered, k)) | set(extra))


def _nearest(similarity: pd.DataFrame, ordered: list[str], k: int) -> list[tuple[str, str]]:
    """Each case's ``k`` most similar others; equal similarities by case id."""
    import numpy as np

    values = similarity.loc[ordered, ordered].to_numpy(dtype=float, copy=True)
    np.fill_diagonal(values, np.nan)
    known = ~np.isnan(values)
    # Columns are in id order, so a stable sort on the negated similarity breaks
    # ties by case id; unknown similarities sort last and are dropped.
    order = np.argsort(np.where(known, -values, np.inf), axis=1, kind="stable")[:, :k]
    pairs = []
    for i, row in enumerate(order):
        for j in row:
            if known[i, j]:
                pairs.append(_pair(ordered[i], ordered[j]))
    return pairs


def top_k_neighbours(similarity: pd.DataFrame, k: int = 3) -> pd.DataFrame:
    """Each case's ``k`` most similar cases, as a compact long table.

    Parameters
    ----------
    similarity : pandas.DataFrame
        Square case × case similarity; NaN where unknown.
    k : int
        Neighbours per case.

    Returns
    -------
    pandas.DataFrame
        Columns ``case``, ``rank`` (1 = most similar), ``neighbour``, ``similarity``;
        at most ``k`` rows per case, cases in id order, equal similarities by
        neighbour id, unknown similarities left out.

    Examples
    --------
    >>> import pandas as pd
    >>> ids = ["a", "b", "c"]
    >>> sim = pd.DataFrame([[1, .5, .5], [.5, 1, .2], [.5, .2, 1]], index=ids, columns=ids)
    >>> top_k_neighbours(sim, 1).to_dict("records")[0]
    {'case': 'a', 'rank': 1, 'neighbour': 'b', 'similarity': 0.5}
    """
    import numpy as np
    import pandas as pd

    ordered = sorted(str(c) for c in similarity.index)
    frame = similarity.copy()
    frame.index, frame.columns = frame.index.map(str), frame.columns.map(str)
    values = frame.loc[ordered, ordered].to_numpy(dtype=float, copy=True)
    np.fill_diagonal(values, np.nan)
    known = ~np.isnan(values)
    order = np.argsort(np.where(known, -values, np.inf), axis=1, kind="stable")[:, : max(0, k)]
    rows = []
    for i, row in enumerate(order):
        rank = 0
        for j in row:
            if known[i, j]:
                rank += 1
                rows.append((ordered[i], rank, ordered[j], float(values[i, j])))
    return pd.DataFrame(rows, columns=["case", "rank", "neighbour", "similarity"])


# -- membership straight from the case files ---------------------------------------------


def _score(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return math.nan
    return float(value)


def _case_scores(path: Path) -> dict[str, float]:
    """``{code: score}`` of one case file (NaN for a null score); {} if it cannot be read."""
    from analysis.safe_yaml import YamlError, read_yaml_file

    try:
        data = read_yaml_file(path)[0]
    except (YamlError, OSError):
        return {}
    mechanisms = data.get("mechanisms") if isinstance(data, dict) else None
    scores: dict[str, float] = {}
    for m in mechanisms if isinstance(mechanisms, list) else []:
        if isinstance(m, dict) and isinstance(m.get("code"), str):
            scores[m["code"]] = _score(m.get("score"))
    return scores


def _codebook_codes(casebase_dir: Path) -> list[str]:
    from analysis.safe_yaml import YamlError, read_yaml_file

    try:
        data = read_yaml_file(casebase_dir / "codebook.yaml")[0]
    except (YamlError, OSError):
        return []
    codes = data.get("codes") if isinstance(data, dict) else None
    return [
        str(c["id"])
        for c in (codes if isinstance(codes, list) else [])
        if isinstance(c, dict) and "id" in c
    ]


def _write_cache(path: Path | None, key: str, files: Any, section: str = "folders") -> None:
    if path is None:
        return
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or data.get("version") != _CACHE_VERSION:
            data = {}
    except (OSError, ValueError):
        data = {}
    kept = data.get(section)
    kept = kept if isinstance(kept, dict) else {}
    kept[key] = files
    data.update({"version": _CACHE_VERSION, section: kept})
    try:
        from analysis.render import atomic_write

        atomic_write(path, json.dumps(data))
    except OSError:
        pass  # a cache that cannot be written only costs time next run


def _read_section(path: Path | None, key: str, section: str) -> Any:
    if path is None:
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("version") != _CACHE_VERSION:
        return None
    kept = data.get(section)
    return kept.get(key) if isinstance(kept, dict) else None


def _folder_stamp(root: Path) -> list[list[Any]]:
    """Name, size and mtime of the codebook and of every case file: what the pairs read."""
    stamp: list[list[Any]] = []
    for path in [root / "codebook.yaml"]:
        try:
            st = path.stat()
        except OSError:
            continue
        stamp.append([path.name, st.st_size, st.st_mtime_ns])
    folder = root / "cases"
    entries = sorted(os.scandir(folder), key=lambda e: e.name) if folder.is_dir() else []
    for entry in entries:
        if entry.name.endswith((".yaml", ".yml")) and not entry.name.startswith("."):
            st = entry.stat()
            stamp.append([f"cases/{entry.name}", st.st_size, st.st_mtime_ns])
    return stamp


def nearest_pairs(
    casebase_dir: str | os.PathLike[str],
    cases: list[str],
    k: int = 3,
    named: Sequence[tuple[str, str]] = (),
    cache: str | os.PathLike[str] | None = None,
    small: int = 10,
    metric: str = "fuzzy_jaccard",
) -> list[tuple[str, str]]:
    """:func:`select_pairs` over :func:`casebase_similarity`, remembered in ``cache``.

    While neither the codebook nor any case file changed (names, sizes, modification
    times) and the question is the same (cases, ``k``, named pairs, metric), the
    pairs are read back from the cache without computing the similarity or importing
    pandas: what keeps a no-change rebuild of a large case base fast.

    Examples
    --------
    >>> nearest_pairs("/nonexistent", ["b", "a", "c"])
    [('a', 'b'), ('a', 'c'), ('b', 'c')]
    """
    if len(cases) <= small:
        return select_pairs(cases, None, k, named, small)
    import hashlib

    root = Path(casebase_dir)
    cache_path = Path(cache) if cache is not None else None
    key = str(root.resolve())
    question = {
        "stamp": _folder_stamp(root),
        "cases": sorted(cases),
        "k": k,
        "named": sorted(sorted(p) for p in named),
        "small": small,
        "metric": metric,
    }
    digest = hashlib.sha256(json.dumps(question, sort_keys=True).encode()).hexdigest()
    hit = _read_section(cache_path, key, "pairs")
    if isinstance(hit, dict) and hit.get("digest") == digest and isinstance(hit.get("pairs"), list):
        return [(str(a), str(b)) for a, b in hit["pairs"]]
    similarity = casebase_similarity(root, metric, cache)
    pairs = select_pairs(cases, similarity, k, named, small)
    _write_cache(cache_path, key, {"digest": digest, "pairs": pairs}, section="pairs")
    return pairs


def casebase_membership(
    casebase_dir: str | os.PathLike[str], cache: str | os.PathLike[str] | None = None
) -> pd.DataFrame:
    """Case × code scores read straight from ``cases/*.yaml`` (NaN where not reported).

    The same matrix as :meth:`analysis.casebase.CaseBase.membership` for a valid
    case base (codebook column order, cases by id), without validating anything or
    reading any source text.  With ``cache`` (a JSON file), a case file whose size
    and modification time are unchanged is not parsed again.

    Parameters
    ----------
    casebase_dir : path-like
        The ``casebase/`` folder.
    cache : path-like, optional
        Cache file (written atomically; a broken one is ignored and rewritten).

    Returns
    -------
    pandas.DataFrame

    Examples
    --------
    >>> casebase_membership("/nonexistent").shape
    (0, 0)
    """
    import numpy as np
    import pandas as pd

    root = Path(casebase_dir)
    cache_path = Path(cache) if cache is not None else None
    key = str(root.resolve())
    old = _read_section(cache_path, key, "folders")
    old = old if isinstance(old, dict) else {}
    files: dict[str, Any] = {}
    rows: dict[str, dict[str, float]] = {}
    folder = root / "cases"
    entries = sorted(os.scandir(folder), key=lambda e: e.name) if folder.is_dir() else []
    for entry in entries:
        name = entry.name
        if not name.endswith((".yaml", ".yml")) or name.startswith("."):
            continue
        st = entry.stat()
        hit = old.get(name)
        if isinstance(hit, list) and hit[:2] == [st.st_size, st.st_mtime_ns]:
            scores = {c: (math.nan if v is None else float(v)) for c, v in hit[2].items()}
        else:
            scores = _case_scores(Path(entry.path))
        files[name] = [
            st.st_size,
            st.st_mtime_ns,
            {c: (None if math.isnan(v) else v) for c, v in scores.items()},
        ]
        rows[Path(name).stem] = scores
    if files != old:
        _write_cache(cache_path, key, files)
    codes = _codebook_codes(root)
    ids = sorted(rows)
    values = np.full((len(ids), len(codes)), np.nan)
    where = {c: j for j, c in enumerate(codes)}
    for i, case in enumerate(ids):
        for code, score in rows[case].items():
            if code in where:
                values[i, where[code]] = score
    return pd.DataFrame(values, index=pd.Index(ids, name="case_id"), columns=codes)


def casebase_similarity(
    casebase_dir: str | os.PathLike[str],
    metric: str = "fuzzy_jaccard",
    cache: str | os.PathLike[str] | None = None,
) -> pd.DataFrame:
    """Similarity of every pair of cases, from the case files alone (see :func:`casebase_membership`).

    Examples
    --------
    >>> casebase_similarity("/nonexistent").shape
    (0, 0)
    """
    from analysis.similarity import METRICS

    if metric not in METRICS:
        raise ValueError(f"unknown metric {metric!r}; choose from {sorted(METRICS)}")
    return METRICS[metric](casebase_membership(casebase_dir, cache))
