"""Batch plans: which notebook to run with which parameters, under which name.

A plan file is a YAML list of runs::

    - notebook: notebooks/case_profile.ipynb     # or the jupytext .py
      output: profile_fengqiao                   # reports/profile_fengqiao.html
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
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path
from typing import Any

#: Notebooks of the default plan, relative to the project root.
NOTEBOOKS = {
    "case_profile": "notebooks/case_profile.ipynb",
    "pairwise_comparison": "notebooks/pairwise_comparison.ipynb",
    "cross_case": "notebooks/cross_case.ipynb",
    "reliability": "notebooks/reliability.ipynb",
    "corpus": "notebooks/corpus.ipynb",
}

DEFAULT_LANG = "zh"
"""Reports are Chinese-first."""

_OUTPUT_RE = re.compile(r"^[A-Za-z0-9\u4e00-\u9fff][A-Za-z0-9_.\-\u4e00-\u9fff]*$")
_RUN_KEYS = {"notebook", "output", "parameters", "title", "summary"}

#: Output names the batch itself uses in the reports folder (``index.html``,
#: ``manifest.json``, the ``pdf/`` and ``notebooks/`` folders); compared without
#: case, since ``Index.html`` is ``index.html`` on macOS and Windows.
RESERVED_OUTPUTS = frozenset({"index", "manifest", "pdf", "notebooks"})


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
    >>> Run("notebooks/case_profile.ipynb", "profile_a", {"case_id": "a"}).parameters
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


def load_plan(path: str | Path) -> list[Run]:
    """Read a plan file.

    Parameters
    ----------
    path : str or Path
        A YAML plan.

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
    from analysis.safe_yaml import YamlError

    path = Path(path)
    if not path.is_file():
        raise PlanError([f"{path}: no such plan file"], str(path))
    try:
        data = _load_yaml(path)
    except YamlError as exc:  # malformed, unsafe (aliases, depth) or not UTF-8
        raise PlanError([str(exc)], str(path)) from None
    return parse_plan(data, str(path))


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


def default_plan(casebase_root: str | Path = "casebase", lang: str = DEFAULT_LANG) -> list[Run]:
    """The standard set of briefing reports for a case base.

    One profile per case, one comparison per pair of cases, one cross-case
    (QCA) report per outcome, one reliability report and one corpus report.

    Hook
    ----
    This is the single place that decides what the default batch contains.
    For now it reads case ids from ``casebase/cases/*.yaml`` file names and
    outcomes from ``casebase/codebook.yaml``; when :mod:`analysis.casebase`
    offers a loader (families of cases, the source list, per-outcome
    inclusion cut-offs), replace the marked lines below with calls to it.
    The parameter names are the notebooks' contract:

    - ``case_profile(case_id, lang)``
    - ``pairwise_comparison(case_a, case_b, lang)``
    - ``cross_case(cases, families, outcome, incl_cut, lang)`` (``families``
      only once the hook supplies it)
    - ``reliability(lang)``
    - ``corpus(sources, lang)`` (``sources`` only once the hook supplies it)

    Parameters
    ----------
    casebase_root : str or Path
        The ``casebase/`` directory.
    lang : str
        Report language (Chinese first).

    Returns
    -------
    list of Run

    Examples
    --------
    >>> [r.output for r in default_plan("/nonexistent")]
    ['reliability', 'corpus']
    """
    cases = case_ids(casebase_root)  # HOOK: analysis.casebase case list
    outcomes = outcome_ids(casebase_root)  # HOOK: analysis.casebase codebook outcomes
    # HOOK: mechanism families for the QCA conditions (a list of family ids, as
    # the notebook's parameter); None keeps the notebook's own default selection.
    families: list[str] | None = None
    incl_cut = 0.8  # HOOK: per-outcome consistency threshold from the codebook
    # HOOK: corpus sources (the notebook takes a path string; "" = the case base's).
    sources: str | None = None

    runs = [
        Run(NOTEBOOKS["case_profile"], f"profile_{c}", {"case_id": c, "lang": lang}) for c in cases
    ]
    runs += [
        Run(
            NOTEBOOKS["pairwise_comparison"],
            f"pair_{a}__{b}",
            {"case_a": a, "case_b": b, "lang": lang},
        )
        for a, b in combinations(cases, 2)
    ]
    optional_families = {} if families is None else {"families": list(families)}
    runs += [
        Run(
            NOTEBOOKS["cross_case"],
            f"cross_case_{o}",
            {
                "cases": list(cases),
                **optional_families,
                "outcome": o,
                "incl_cut": incl_cut,
                "lang": lang,
            },
        )
        for o in outcomes
    ]
    runs.append(Run(NOTEBOOKS["reliability"], "reliability", {"lang": lang}))
    runs.append(
        Run(
            NOTEBOOKS["corpus"],
            "corpus",
            {**({} if sources is None else {"sources": sources}), "lang": lang},
        )
    )
    return runs
