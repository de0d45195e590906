"""Batch plans: which notebook to run with which parameters, under which name.

A plan file is a YAML list of runs::

    - notebook: notebooks/case_brief.ipynb     # or the jupytext .py
      output: case_fengqiao                      # reports/case_fengqiao.html
      parameters: {case_id: fengqiao, lang: zh}
      title: 枫桥案例画像 / Fengqiao profile     # optional; else read from the notebook
      summary: ...                               # optional; else read from the notebook

Paths in a plan are relative to the project root (the directory the batch
runs from).  Without ``--plan`` the batch uses :func:`default_plan`.

This module imports nothing heavy: the no-change rebuild must stay ~1 s.

Examples
--------
>>> from analysis.batch.plan import Run
>>> Run("notebooks/corpus.ipynb", "corpus", {"lang": "zh"}).output
'corpus'
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: Up to this many cases the default plan compares every pair.
SMALL_CASEBASE = 10

#: Beyond it, each case is compared with this many most similar cases.
PAIRS_K = 3


DEFAULT_LANG = "zh"
"""Reports are Chinese-first."""

_OUTPUT_RE = re.compile(r"^[A-Za-z0-9\u4e00-\u9fff][A-Za-z0-9_.\-\u4e00-\u9fff]*$")
_RUN_KEYS = {"notebook", "output", "parameters", "title", "summary"}

#: Output names the batch itself uses in the reports folder (``index.html``,
#: ``manifest.json``, the ``pdf/`` and ``notebooks/`` folders); compared without
#: case, since ``Index.html`` is ``index.html`` on macOS and Windows.
RESERVED_OUTPUTS = frozenset({"index", "manifest", "pdf", "docx", "facts", "notebooks"})


class PlanError(Exception):
    """A plan is malformed or its parameters do not fit its notebooks.

    ``problems`` lists every problem found (not just the first), each already
    prefixed with the plan file and run index.
    """

    def __init__(self, problems: list[str], source: str = "") -> None:
        self.problems = problems
        self.source = source
        head = f"{len(problems)} problem(s) in plan {source}" if source else "invalid plan"
        super().__init__(head + "; nothing was run:\n" + "\n".join(f"  - {p}" for p in problems))


@dataclass(frozen=True)
class Run:
    """One report: a notebook, its parameters and the output name.

    Parameters
    ----------
    notebook : str
        Notebook path (``.ipynb`` or jupytext ``.py``) relative to the project.
    output : str
        Report name: ``reports/<output>.html``, ``reports/pdf/<output>.pdf``,
        ``reports/notebooks/<output>.ipynb``.
    parameters : dict
        Passed to the notebook's ``parameters`` cell, papermill-style.
    title, summary : str, optional
        Index line; when absent they are read from the executed notebook.

    Examples
    --------
    >>> Run("notebooks/case_brief.ipynb", "case_a", {"case_id": "a"}).parameters
    {'case_id': 'a'}
    """

    notebook: str
    output: str
    parameters: dict[str, Any] = field(default_factory=dict)
    title: str | None = None
    summary: str | None = None

    def label(self) -> str:
        """Short human label, used in error messages."""
        return f"{self.output} ({self.notebook})"


def _load_yaml(path: Path) -> Any:
    """Parse a YAML file safely; raises :class:`analysis.safe_yaml.YamlError`."""
    from analysis.safe_yaml import read_yaml_file

    return read_yaml_file(path)[0]


def parse_plan(data: Any, source: str = "<plan>") -> list[Run]:
    """Turn loaded YAML into runs, collecting every structural problem.

    Parameters
    ----------
    data : Any
        The YAML document: a list of mappings (or ``{runs: [...]}``).
    source : str
        Shown in error messages.

    Returns
    -------
    list of Run

    Raises
    ------
    PlanError
        Listing every malformed run.

    Examples
    --------
    >>> parse_plan([{"notebook": "n.ipynb", "output": "a"}])[0].output
    'a'
    """
    if isinstance(data, dict) and "runs" in data:
        data = data["runs"]
    if not isinstance(data, list):
        raise PlanError([f"{source}: a plan is a YAML list of runs"], source)
    problems: list[str] = []
    runs: list[Run] = []
    seen: dict[str, int] = {}
    for index, item in enumerate(data):
        where = f"{source} run {index}"
        if not isinstance(item, dict):
            problems.append(f"{where}: expected a mapping, got {type(item).__name__}")
            continue
        unknown = sorted(set(item) - _RUN_KEYS)
        if unknown:
            problems.append(
                f"{where}: unknown key(s) {', '.join(unknown)} "
                f"(allowed: {', '.join(sorted(_RUN_KEYS))})"
            )
        notebook, output = item.get("notebook"), item.get("output")
        params = item.get("parameters") or {}
        if not isinstance(notebook, str) or not notebook:
            problems.append(f"{where}: 'notebook' is required")
        if not isinstance(output, str) or not _OUTPUT_RE.match(output or ""):
            problems.append(
                f"{where}: 'output' must be a plain file name "
                f"(letters, digits, _ - .), got {output!r}"
            )
        elif output.lower() in RESERVED_OUTPUTS:
            problems.append(
                f"{where}: output {output!r} is reserved for the batch's own files "
                f"(reserved: {', '.join(sorted(RESERVED_OUTPUTS))})"
            )
        elif output in seen:
            problems.append(f"{where}: output {output!r} already used by run {seen[output]}")
        else:
            seen[output] = index
        if not isinstance(params, dict):
            problems.append(f"{where}: 'parameters' must be a mapping")
            params = {}
        for key in ("title", "summary"):
            if item.get(key) is not None and not isinstance(item[key], str):
                problems.append(f"{where}: '{key}' must be a string")
        if isinstance(notebook, str) and isinstance(output, str):
            runs.append(Run(notebook, output, dict(params), item.get("title"), item.get("summary")))
    if problems:
        raise PlanError(problems, source)
    return runs


def load_plan(path: str | Path, cache: str | Path | None = None) -> list[Run]:
    """Read a plan file.

    Parameters
    ----------
    path : str or Path
        A YAML plan.
    cache : str or Path, optional
        A JSON file keeping the parsed document of the last plan read, keyed by the
        SHA-256 of its bytes: a plan of thousands of runs is parsed once, not at every
        rebuild (7,758 runs: 0.8 s of YAML).  What is read back is checked by
        :func:`parse_plan` exactly like a freshly parsed document.

    Returns
    -------
    list of Run

    Raises
    ------
    PlanError
        If the file is missing, not YAML, or malformed.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "plan.yaml"
    >>> _ = p.write_text("- {notebook: n.ipynb, output: x, parameters: {lang: zh}}")
    >>> load_plan(p)[0].parameters
    {'lang': 'zh'}
    """
    import hashlib
    import json

    from analysis.safe_yaml import YamlError

    path = Path(path)
    if not path.is_file():
        raise PlanError([f"{path}: no such plan file"], str(path))
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    data = _cached_document(cache, digest)
    if data is None:
        try:
            data = _load_yaml(path)
        except YamlError as exc:  # malformed, unsafe (aliases, depth) or not UTF-8
            raise PlanError([str(exc)], str(path)) from None
        runs = parse_plan(data, str(path))
        if cache is not None and Path(cache).parent.is_dir():
            try:
                from analysis.render import atomic_write

                document = {"version": _PLAN_CACHE_VERSION, "sha256": digest, "plan": data}
                atomic_write(Path(cache), json.dumps(document, ensure_ascii=False))
            except (OSError, TypeError, ValueError):
                pass  # not JSON-able (dates in parameters) or not writable: parse next time
        return runs
    return parse_plan(data, str(path))


_PLAN_CACHE_VERSION = 1


def _cached_document(cache: str | Path | None, digest: str) -> Any:
    import json

    if cache is None:
        return None
    try:
        kept = json.loads(Path(cache).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if (
        isinstance(kept, dict)
        and kept.get("version") == _PLAN_CACHE_VERSION
        and kept.get("sha256") == digest
    ):
        return kept.get("plan")
    return None


def case_ids(casebase_root: str | Path) -> list[str]:
    """Case ids: the file names of ``casebase/cases/*.yaml``, sorted.

    Examples
    --------
    >>> case_ids("/nonexistent")
    []
    """
    cases = Path(casebase_root) / "cases"
    if not cases.is_dir():
        return []
    return sorted({p.stem for p in cases.iterdir() if p.suffix in (".yaml", ".yml")})


def outcome_ids(casebase_root: str | Path) -> list[str]:
    """Outcome ids from ``casebase/codebook.yaml`` key ``outcomes: [{id: ...}]``.

    Examples
    --------
    >>> outcome_ids("/nonexistent")
    []

    Raises
    ------
    analysis.safe_yaml.YamlError
        If the codebook is not safe, well-formed UTF-8 YAML (``file:line: message``).
    """
    path = Path(casebase_root) / "codebook.yaml"
    if not path.is_file():
        return []
    data = _load_yaml(path) or {}
    outcomes = data.get("outcomes", []) if isinstance(data, dict) else []
    if not isinstance(outcomes, list):
        return []
    return [str(o["id"]) for o in outcomes if isinstance(o, dict) and "id" in o]


def _corpus_available(corpus: list[str | Path] | None) -> bool:
    """Whether any corpus folder holds a file (None: not checked, assumed yes)."""
    if corpus is None:
        return True
    for folder in corpus:
        folder = Path(folder)
        if folder.is_dir() and any(p.is_file() for p in folder.iterdir()):
            return True
    return False


def default_plan(
    casebase_root: str | Path = "casebase",
    lang: str = DEFAULT_LANG,
    corpus: list[str | Path] | None = None,
    pairs_k: int = PAIRS_K,
    named_pairs: Sequence[tuple[str, str]] = (),
    cache: str | Path | None = None,
) -> list[Run]:
    """The standard set of reports for a case base, from the registry of report kinds.

    Per case a 案例参阅 (``case_ID``) with its 要报 and a 调研提纲 (``fieldguide_ID``);
    per pair a 比较借鉴 (``pair_A__B``) with its 要报; one 综合比较 (``synthesis``)
    with its 要报; the reliability report and the corpus report.  What each kind is
    and which parameters it takes is :data:`analysis.reports.registry.KINDS`.

    Parameters
    ----------
    casebase_root : str or Path
        The ``casebase/`` directory.
    lang : str
        Report language (Chinese first).
    corpus : list of path, optional
        The corpus folders; when given and empty, the reports that need the source
        texts are left out (:func:`skipped_reports` says why).
    pairs_k : int
        With more than :data:`SMALL_CASEBASE` cases, pair reports only for each case's
        ``pairs_k`` most similar cases (:func:`analysis.batch.scale.select_pairs`).
    named_pairs : sequence of (str, str)
        Pairs the user wants whatever their similarity.
    cache : path, optional
        Where the parsed case files for the similarity are cached (large case bases).

    Returns
    -------
    list of Run

    Examples
    --------
    >>> [r.output for r in default_plan("/nonexistent")]
    ['synthesis', 'synthesis_yaobao', 'reliability', 'corpus']
    """
    from analysis.reports.registry import default_runs

    planned, _ = default_runs(
        case_ids(casebase_root),
        lang,
        pairs=pair_selector(casebase_root, pairs_k, named_pairs, cache),
        corpus_available=_corpus_available(corpus),
    )
    return [Run(r.notebook, r.output, dict(r.parameters)) for r in planned]


def pair_selector(
    casebase_root: str | Path,
    k: int = PAIRS_K,
    named: Sequence[tuple[str, str]] = (),
    cache: str | Path | None = None,
):  # type: ignore[no-untyped-def]
    """``pairs(cases)`` for the default plan: all pairs up to :data:`SMALL_CASEBASE`
    cases, else each case's ``k`` nearest (similarity computed only then) plus ``named``.

    Examples
    --------
    >>> pair_selector("/nonexistent")(["b", "a", "c"])
    [('a', 'b'), ('a', 'c'), ('b', 'c')]
    """
    from analysis.batch.scale import nearest_pairs

    def pairs(cases: list[str]) -> list[tuple[str, str]]:
        return nearest_pairs(casebase_root, cases, k, named, cache, small=SMALL_CASEBASE)

    return pairs


def skipped_reports(
    casebase_root: str | Path = "casebase",
    lang: str = DEFAULT_LANG,
    corpus: list[str | Path] | None = None,
) -> list[tuple[str, str]]:
    """Reports of the default plan that cannot be built honestly here, with the reason.

    Examples
    --------
    >>> skipped_reports("/nonexistent", corpus=[])[0][0]
    'corpus'
    """
    from analysis.reports.registry import default_runs

    return default_runs(case_ids(casebase_root), lang, corpus_available=_corpus_available(corpus))[
        1
    ]
