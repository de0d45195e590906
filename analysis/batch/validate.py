"""Check every run's parameters against its notebook before anything executes.

Each notebook's ``parameters`` cell is read with papermill's own inspection
(:func:`papermill.inspect_notebook`), so the batch agrees with papermill about
what a notebook accepts.  A run is rejected for

- a notebook that does not exist, cannot be read, or has no ``parameters`` cell
  while parameters are given;
- a parameter the notebook does not declare;
- a value whose type does not fit the default's type (``int`` fits a float
  default; anything fits a ``None`` default or a non-literal default);
- whatever the optional case-base validator reports (e.g. an unknown case id).

All problems of all runs are gathered into one :class:`PlanError`.

Examples
--------
>>> from analysis.batch.validate import type_problem
>>> type_problem("n", 3, "int", "12") is None
True
>>> type_problem("n", "3", "int", "12")
"parameter 'n' should be int like its default 12, got str '3'"
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from analysis.batch.plan import PlanError, Run, case_ids, outcome_ids

RunValidator = Callable[[Run], Iterable[str]]
"""Extra check supplied by the case-base module: ``validator(run) -> problems``."""

_SIMPLE = {
    "str": (str,),
    "int": (int,),
    "float": (int, float),
    "bool": (bool,),
    "list": (list, tuple),
    "tuple": (list, tuple),
    "dict": (dict,),
    "set": (list, tuple, set),
}


def _expected(type_name: str, default_src: str) -> tuple[tuple[type, ...], bool] | None:
    """Accepted Python types for a parameter, and whether None is accepted."""
    name = (type_name or "").replace("typing.", "").strip()
    optional = False
    if name.startswith("Optional[") and name.endswith("]"):
        name, optional = name[len("Optional[") : -1], True
    parts = [p.strip() for p in name.split("|")]
    if "None" in parts and len(parts) > 1:
        parts.remove("None")
        optional = True
    if len(parts) != 1:
        return None
    base = parts[0].split("[", 1)[0].lower()
    if base in _SIMPLE:
        return _SIMPLE[base], optional
    # Unannotated, untyped-by-papermill: fall back on the default's literal value.
    try:
        value = ast.literal_eval(default_src)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return None
    if value is None:
        return None
    tname = type(value).__name__
    return (_SIMPLE[tname], optional) if tname in _SIMPLE else None


def type_problem(name: str, value: Any, type_name: str, default_src: str) -> str | None:
    """Describe why ``value`` does not fit the parameter's declared default, if it does not.

    Parameters
    ----------
    name : str
        Parameter name.
    value : Any
        Value from the plan.
    type_name : str
        papermill's ``inferred_type_name``.
    default_src : str
        papermill's ``default`` (the default's source text).

    Returns
    -------
    str or None

    Examples
    --------
    >>> type_problem("cut", 1, "float", "0.8") is None
    True
    >>> type_problem("cases", "a", "None", "['a', 'b']")
    "parameter 'cases' should be list like its default ['a', 'b'], got str 'a'"
    """
    expected = _expected(type_name, default_src)
    if expected is None:
        return None
    types, optional = expected
    if value is None and optional:
        return None
    ok = isinstance(value, types) and not (isinstance(value, bool) and bool not in types)
    if ok:
        return None
    wanted = types[-1].__name__ if types[0] is int and len(types) > 1 else types[0].__name__
    return (
        f"parameter {name!r} should be {wanted} like its default {default_src}, "
        f"got {type(value).__name__} {value!r}"
    )


def inspect_parameters(notebook: Path) -> dict[str, dict[str, Any]] | None:
    """papermill's view of a notebook's parameters cell (``None`` if it has none).

    Jupytext ``.py`` notebooks are converted in memory first.

    Examples
    --------
    >>> inspect_parameters(Path("tests/fixtures/notebooks/report_fail.ipynb"))["lang"]["default"]
    '"zh"'
    """
    import papermill

    from analysis.batch.notebooks import read_notebook

    nb = read_notebook(notebook)
    if not any("parameters" in c.metadata.get("tags", []) for c in nb.cells):
        return None
    return papermill.inspect_notebook(nb)


def casebase_validator(casebase_root: str | Path) -> RunValidator:
    """Default case-base check: case and outcome ids must exist in ``casebase/``.

    Checks parameters named ``case_id``, ``case_a``, ``case_b`` and ``cases``
    against ``casebase/cases/*.yaml``, and ``outcome`` against the codebook.
    A case base without cases (or outcomes) skips that check.  The case-base
    module may supply a richer validator with the same signature.

    Examples
    --------
    >>> check = casebase_validator("/nonexistent")
    >>> list(check(Run("n.ipynb", "x", {"case_id": "anything"})))
    []
    """
    from analysis.reports.registry import check_run, kind_of_notebook

    known_cases = set(case_ids(casebase_root))
    known_outcomes = set(outcome_ids(casebase_root))

    def check(run: Run) -> Iterable[str]:
        params = run.parameters
        if kind_of_notebook(run.notebook) is not None:  # the registry knows its parameters
            yield from check_run(run.notebook, params, known_cases)
            return
        if known_cases:
            for key in ("case_id", "case_a", "case_b"):
                value = params.get(key)
                if isinstance(value, str) and value not in known_cases:
                    yield f"unknown case id {value!r} in parameter {key!r}"
            cases = params.get("cases")
            if isinstance(cases, (list, tuple)):
                for value in cases:
                    if value not in known_cases:
                        yield f"unknown case id {value!r} in parameter 'cases'"
        outcome = params.get("outcome")
        if known_outcomes and isinstance(outcome, str) and outcome not in known_outcomes:
            yield f"unknown outcome {outcome!r}"

    return check


def validate_runs(
    runs: Sequence[tuple[int, Run]],
    root: str | Path = ".",
    source: str = "<default plan>",
    validator: RunValidator | None = None,
) -> None:
    """Check runs against their notebooks; raise one error listing every problem.

    Parameters
    ----------
    runs : sequence of (index, Run)
        Runs with their index in the plan (for the messages).
    root : path
        Project root that notebook paths are relative to.
    source : str
        Plan file name for the messages.
    validator : callable, optional
        ``validator(run) -> iterable of problem strings``.

    Raises
    ------
    PlanError
        If any run has a problem.

    Examples
    --------
    >>> validate_runs([])  # nothing to check
    """
    root = Path(root)
    problems: list[str] = []
    inspected: dict[str, dict[str, dict[str, Any]] | None | Exception] = {}
    for index, run in runs:
        where = f"{source} run {index} ({run.output}, {run.notebook})"
        path = root / run.notebook
        if run.notebook not in inspected:
            try:
                inspected[run.notebook] = (
                    inspect_parameters(path) if path.is_file() else FileNotFoundError(run.notebook)
                )
            except Exception as exc:  # unreadable notebook: report, keep checking others
                inspected[run.notebook] = exc
        declared = inspected[run.notebook]
        if isinstance(declared, FileNotFoundError):
            problems.append(f"{where}: notebook not found")
            continue
        if isinstance(declared, Exception):
            problems.append(f"{where}: cannot read notebook: {type(declared).__name__}: {declared}")
            continue
        if declared is None:
            if run.parameters:
                problems.append(
                    f"{where}: notebook has no cell tagged 'parameters', "
                    f"so it accepts none (got {', '.join(run.parameters)})"
                )
        else:
            for name, value in run.parameters.items():
                if name not in declared:
                    problems.append(
                        f"{where}: unknown parameter {name!r} "
                        f"(notebook declares: {', '.join(declared) or 'none'})"
                    )
                    continue
                spec = declared[name]
                issue = type_problem(
                    name, value, spec.get("inferred_type_name", ""), spec.get("default", "")
                )
                if issue:
                    problems.append(f"{where}: {issue}")
        if validator is not None:
            try:
                problems.extend(f"{where}: {p}" for p in validator(run))
            except Exception as exc:  # a broken validator must not hide the others' findings
                problems.append(f"{where}: case-base validator failed: {type(exc).__name__}: {exc}")
    if problems:
        raise PlanError(problems, source)
