"""Text (R-like printouts) and JSON renderings of truth tables and solutions."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from analysis.qca.fit import NecessityFit, TermFit
from analysis.qca.minimize import Model, Solution
from analysis.qca.truth_table import MAX_LISTED_CONDITIONS, TruthTable

# Above this many models one combined covU table gets too wide; print one per model.
_MAX_COMBINED_MODELS = 6


def _num(v: float | None) -> float | None:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    return float(v)


def _fmt(v: float | None) -> str:
    return "  -  " if v is None or math.isnan(v) else f"{v:.3f}"


def truth_table_json(tt: TruthTable) -> dict:
    """The ``truth_table`` member of the command's JSON: every row, remainders included.

    Beyond :data:`MAX_LISTED_CONDITIONS` conditions only the observed rows are
    listed, and ``remainders_not_listed`` counts the others.

    Examples
    --------
    >>> import pandas as pd
    >>> from analysis.qca import truth_table
    >>> tt = truth_table(pd.DataFrame({"A": [1, 0], "Y": [1, 0]}), "Y", "A")
    >>> truth_table_json(tt)["rows"][1]["OUT"]
    '1'
    """
    every = tt.k <= MAX_LISTED_CONDITIONS
    rows = []
    for r in tt.rows(remainders=every):
        rows.append(
            {
                "values": list(r.values),
                "OUT": r.out,
                "n": r.n,
                "incl": _num(r.incl),
                "PRI": _num(r.pri),
                "cases": list(r.cases),
            }
        )
    if not every:
        # 2^k rows cannot be listed: the observed ones, and how many were left out.
        return {"rows": rows, "remainders_not_listed": tt.counts["remainders"]}
    return {"rows": rows}


def _term_fit_json(t: TermFit) -> dict:
    return {
        "term": t.term,
        "inclS": _num(t.inclS),
        "PRI": _num(t.PRI),
        "covS": _num(t.covS),
        "covU": _num(t.covU),
    }


def _model_json(m: Model) -> dict:
    return {
        "terms": list(m.terms),
        "solution_fit": {
            "inclS": _num(m.solution_fit.inclS),
            "PRI": _num(m.solution_fit.PRI),
            "covS": _num(m.solution_fit.covS),
        },
        "term_fit": [_term_fit_json(t) for t in m.term_fit],
    }


def solution_json(solution: Solution) -> dict:
    """One member of the command's ``solutions`` object.

    Examples
    --------
    >>> import pandas as pd
    >>> from analysis.qca import truth_table, minimize
    >>> tt = truth_table(pd.DataFrame({"A": [1, 0], "Y": [1, 0]}), "Y", "A")
    >>> solution_json(minimize(tt))["models"][0]["terms"]
    ['A']
    """
    return {"models": [_model_json(m) for m in solution.models]}


def necessity_json(fits: Sequence[NecessityFit]) -> list[dict]:
    """The ``necessity`` member of the command's JSON.

    Examples
    --------
    >>> necessity_json([NecessityFit("~A", 1.0, 0.5, 0.6)])[0]["condition"]
    '~A'
    """
    return [
        {"condition": f.condition, "inclN": _num(f.inclN), "RoN": _num(f.RoN), "covN": _num(f.covN)}
        for f in fits
    ]


def analysis_json(
    tt: TruthTable,
    solutions: Mapping[str, Solution],
    necessity: Sequence[NecessityFit] | None = None,
) -> dict:
    """The whole JSON document printed by ``workbench qca --format json``.

    Examples
    --------
    >>> import pandas as pd
    >>> from analysis.qca import truth_table, solve_all
    >>> tt = truth_table(pd.DataFrame({"A": [1, 0], "Y": [1, 0]}), "~Y", "A")
    >>> doc = analysis_json(tt, solve_all(tt))
    >>> doc["outcome"], doc["negated"], sorted(doc["solutions"])
    ('Y', True, ['conservative', 'parsimonious'])
    """
    doc = {
        "outcome": tt.data.outcome,
        "negated": tt.data.negated,
        "conditions": list(tt.conditions),
        "truth_table": truth_table_json(tt),
        "solutions": {kind: solution_json(s) for kind, s in solutions.items()},
    }
    if necessity is not None:
        doc["necessity"] = necessity_json(necessity)
    return doc


def format_truth_table(tt: TruthTable, remainders: bool = False) -> str:
    """R-style printout of a truth table (observed rows, in row-number order).

    Examples
    --------
    >>> import pandas as pd
    >>> from analysis.qca import truth_table
    >>> tt = truth_table(pd.DataFrame({"A": [1, 0], "Y": [1, 0]}, index=["a", "b"]), "Y", "A")
    >>> print(format_truth_table(tt).splitlines()[-3])
    2  1    1    1  1.000 1.000 a
    """
    names = list(tt.conditions)
    rows = list(tt.rows(remainders=remainders))
    width_row = max([len(str(r.row)) for r in rows] + [1])
    lines = [
        "",
        "  OUT: output value",
        "    n: number of cases in configuration",
        " incl: sufficiency inclusion score",
        "  PRI: proportional reduction in inconsistency",
        "",
    ]
    widths = [max(len(n), 1) for n in names]
    n_width = max([len(str(r.n)) for r in rows] + [1])
    head = " " * (width_row + 2) + " ".join(n.center(w) for n, w in zip(names, widths, strict=True))
    head += "   OUT   " + "n".rjust(n_width) + "  incl  PRI   cases"
    lines.append(head)
    for r in rows:
        vals = " ".join(str(v).center(w) for v, w in zip(r.values, widths, strict=True))
        line = f"{str(r.row).rjust(width_row)}  {vals}    {r.out}    {str(r.n).rjust(n_width)}"
        line += f"  {_fmt(r.incl)} {_fmt(r.pri)} {','.join(r.cases)}"
        lines.append(line.rstrip())
    c = tt.counts
    total = 1 << tt.k
    lines.append("")
    lines.append(
        f"  {total - c['remainders']} observed configurations (OUT=1: {c['OUT1']}, "
        f"OUT=0: {c['OUT0']}, C: {c['OUTC']}); {c['remainders']} remainders of {total} "
        f"(limited diversity {100 * tt.limited_diversity:.1f}%)"
    )
    return "\n".join(lines)


def _arrow(model: Model) -> str:
    # R writes "<->" when the model also covers the outcome fully (covS = 1).
    return "<->" if model.solution_fit.covS + 2.0**-26 > 1 else "->"


def _model_line(model: Model, essential: Sequence[str], outcome: str) -> str:
    terms = list(model.terms)
    ess = [t for t in terms if t in essential]
    rest = [t for t in terms if t not in essential]
    if ess and rest and len(essential) > 0:
        body = " + ".join(ess) + " + (" + " + ".join(rest) + ")"
    else:
        body = " + ".join(terms)
    return f"{model.name}: {body} {_arrow(model)} {outcome}"


def _fit_table(rows: Sequence[TermFit], totals: Sequence[tuple[str, Sequence[float]]]) -> list[str]:
    width = max([len(t.term) for t in rows] + [len(n) for n, _ in totals] + [2])
    num_w = len(str(len(rows)))
    header = " " * (num_w + 2 + width) + "  inclS   PRI   covS   covU"
    sep = "-" * len(header)
    out = [header, sep]
    for i, t in enumerate(rows, start=1):
        out.append(
            f"{str(i).rjust(num_w)}  {t.term.rjust(width)}  {_fmt(t.inclS)}  {_fmt(t.PRI)}  "
            f"{_fmt(t.covS)}  {_fmt(t.covU)}"
        )
    out.append(sep)
    for name, fit in totals:
        out.append(" " * (num_w + 2) + f"{name.rjust(width)}  " + "  ".join(_fmt(v) for v in fit))
    return out


def format_solution(solution: Solution, title: str | None = None) -> str:
    """R-style printout of a solution: the models, then their parameters of fit.

    Examples
    --------
    >>> import pandas as pd
    >>> from analysis.qca import truth_table, minimize
    >>> tt = truth_table(pd.DataFrame({"A": [1, 0], "Y": [1, 0]}), "Y", "A")
    >>> print(format_solution(minimize(tt)).splitlines()[3])
    M1: A <-> Y
    """
    outcome = solution.outcome
    lines = ["", title or f"{solution.kind.capitalize()} solution", ""]
    if solution.kind == "intermediate" and solution.branches:
        groups: dict[tuple, list[str]] = {}
        first: dict[tuple, object] = {}
        for b in solution.branches:
            key = tuple(frozenset(m.terms) for m in b.models)
            groups.setdefault(key, []).append(b.combination)
            first.setdefault(key, b)
        for key, combos in groups.items():
            b = first[key]
            lines.append(f"From {', '.join(combos)}:")
            lines.append("")
            lines.extend(_models_block(b.models, b.term_fit_overall, b.essential, outcome))
        return "\n".join(lines)
    lines.extend(
        _models_block(solution.models, solution.term_fit_overall, solution.essential, outcome)
    )
    return "\n".join(lines)


def _combined_table(
    models: Sequence[Model], overall: Sequence[TermFit], essential: Sequence[str]
) -> list[str]:
    """R's table for several models: essential terms first, then one covU column per model."""
    rows = [t for t in overall if t.term in essential] + [
        t for t in overall if t.term not in essential
    ]
    width = max([len(t.term) for t in rows] + [len(m.name) for m in models] + [2])
    num_w = len(str(len(rows)))
    header = (
        " " * (num_w + 2 + width)
        + "  inclS   PRI   covS   covU"
        + "".join(f"  {'(' + m.name + ')':>5}" for m in models)
    )
    sep = "-" * len(header)
    within = [{f.term: f.covU for f in m.term_fit} for m in models]
    out = [sep, header, sep]
    for i, t in enumerate(rows, start=1):
        line = (
            f"{str(i).rjust(num_w)}  {t.term.rjust(width)}  {_fmt(t.inclS)}  {_fmt(t.PRI)}  "
            f"{_fmt(t.covS)}  {_fmt(t.covU)}"
        )
        for covu in within:
            line += f"  {_fmt(covu[t.term])}" if t.term in covu else "       "
        out.append(line.rstrip())
        if i == len([r for r in rows if r.term in essential]) and i < len(rows):
            out.append(sep)
    out.append(sep)
    for m in models:
        fit = m.solution_fit
        out.append(
            " " * (num_w + 2)
            + f"{m.name.rjust(width)}  "
            + "  ".join(_fmt(v) for v in (fit.inclS, fit.PRI, fit.covS))
        )
    return out


def _models_block(
    models: Sequence[Model], overall: Sequence[TermFit], essential: Sequence[str], outcome: str
) -> list[str]:
    lines = [_model_line(m, essential if len(models) > 1 else (), outcome) for m in models]
    lines.append("")
    if len(models) == 1:
        m = models[0]
        fit = m.solution_fit
        lines.extend(_fit_table(m.term_fit, [(m.name, (fit.inclS, fit.PRI, fit.covS))]))
    elif len(models) <= _MAX_COMBINED_MODELS:
        lines.extend(_combined_table(models, overall, essential))
    else:
        for m in models:
            fit = m.solution_fit
            lines.extend(_fit_table(m.term_fit, [(m.name, (fit.inclS, fit.PRI, fit.covS))]))
            lines.append("")
    return lines


def format_necessity(fits: Sequence[NecessityFit], outcome: str) -> str:
    """R-style printout of necessity fit for single conditions.

    Examples
    --------
    >>> from analysis.qca.fit import NecessityFit
    >>> print(format_necessity([NecessityFit("A", 1.0, 0.5, 0.6)], "Y").splitlines()[4])
    1   A  1.000  0.500  0.600
    """
    width = max([len(f.condition) for f in fits] + [2])
    num_w = len(str(len(fits)))
    header = " " * (num_w + 2 + width) + "  inclN   RoN   covN"
    sep = "-" * len(header)
    lines = ["", f"Necessity of single conditions for {outcome}", header, sep]
    for i, f in enumerate(fits, start=1):
        lines.append(
            f"{str(i).rjust(num_w)}  {f.condition.rjust(width)}  {_fmt(f.inclN)}  "
            f"{_fmt(f.RoN)}  {_fmt(f.covN)}"
        )
    lines.append(sep)
    return "\n".join(lines)
