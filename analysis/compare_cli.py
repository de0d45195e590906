"""``workbench compare``: the guarded cross-case comparison from the command line.

Loads the case base and ``casebase/conditions.yaml``, runs :func:`analysis.compare.compare`
and prints the method appendix as text or the results as JSON.

Examples
--------
>>> import argparse
>>> parser = argparse.ArgumentParser(prog="workbench")
>>> register(parser.add_subparsers())
>>> args = parser.parse_args(["compare", "--outcome", "a", "--outcome", "b"])
>>> args.outcome, args.format
(['a', 'b'], 'text')
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import pandas as pd

from analysis.compare import Comparison, compare, comparison_json


def load_conditions(path: str | Path, codebook=None):  # type: ignore[no-untyped-def]
    """Load and validate ``conditions.yaml``; against the codebook when given.

    Raises
    ------
    analysis.casebase.CaseBaseError
        With every problem as ``file:line: field: message``.
    """
    from analysis.casebase import (
        CaseBaseError,
        Problem,
        _field,
        _line_of,
        parse_model,
        read_yaml,
    )
    from analysis.conditions import ConditionSet

    path = Path(path)
    display = str(path)
    doc, problems = read_yaml(path, display)
    if doc is None:
        raise CaseBaseError(problems)
    cs, problems = parse_model(ConditionSet, doc, display)
    if cs is None:
        raise CaseBaseError(problems)
    if codebook is not None:
        codes = {c.id for c in codebook.codes}
        outcomes = {o.id for o in codebook.outcomes}

        def unknown(loc: tuple, msg: str) -> None:
            problems.append(Problem(display, _line_of(doc, loc), _field(loc), msg))

        for i, cond in enumerate(cs.conditions):
            for j, code in enumerate(cond.codes):
                if code not in codes:
                    unknown(
                        ("conditions", i, "codes", j),
                        f"unknown code {code!r} (not in codebook.yaml)",
                    )
            for outcome in cond.expectations:
                if outcome not in outcomes:
                    unknown(
                        ("conditions", i, "expectations", outcome),
                        f"unknown outcome {outcome!r}",
                    )
        for outcome in cs.outcome_conditions:
            if outcome not in outcomes:
                unknown(("outcome_conditions", outcome), f"unknown outcome {outcome!r}")
        if problems:
            raise CaseBaseError(problems)
    return cs


def casebase_frames(cb) -> tuple[pd.DataFrame, pd.DataFrame]:  # type: ignore[no-untyped-def]
    """Case × code scores (NaN where not reported) and case × outcome scores (NaN if silent)."""
    long = cb.codings_frame()
    long.loc[long["status"] == "not_reported", "score"] = float("nan")
    scores = long.pivot(index="case_id", columns="code", values="score")
    scores = scores.reindex(index=cb.case_ids, columns=cb.code_ids).astype(float)
    scores.columns.name = None
    outcomes = pd.DataFrame({o: cb.outcome_scores(o) for o in cb.outcome_ids}, index=cb.case_ids)
    return scores, outcomes


def format_comparison(c: Comparison) -> str:
    """The method appendix as plain text (English; reports render their own Chinese text)."""
    s = c.settings
    lines = [
        "Guarded cross-case comparison",
        f"settings: incl.cut {s.incl_cut}, PRI cut {s.pri_cut}, necessity inclN >= "
        f"{s.necessity_incl} and RoN >= {s.necessity_ron}, skew limit {s.skew_limit}, "
        f"alpha {s.alpha}",
        "",
        "Calibration (raw -> membership; '-' missing, * at the crossover, kept out):",
    ]
    cal = c.calibration
    for case in cal.raw.index:
        cells = []
        for cond in cal.raw.columns:
            m = cal.exact.get((case, cond))
            if m is None:
                cells.append(f"{cond}=- ({cal.reported.at[case, cond]} coded)")
            else:
                star = "*" if m == 0.5 else ""
                cells.append(f"{cond}={cal.raw.at[case, cond]:.2f}->{float(m):.2f}{star}")
        lines.append(f"  {case}: " + ", ".join(cells))
    for r in c.outcomes:
        lines += [
            "",
            f"Outcome {r.outcome} (N = {r.n_cases}; conditions {', '.join(r.conditions)})",
        ]
        for e in r.excluded:
            lines.append(f"  excluded {e.case}: {e.reason}")
        if r.benchmark is not None:
            b = r.benchmark
            lines.append(
                f"  benchmark: random data are contradiction-free in "
                f"{b.p_contradiction_free:.0%} of simulations (limit {b.threshold:.0%}): "
                + ("met" if b.met else "NOT met")
            )
        if r.permutation is not None:
            lines.append(
                f"  permutation test: a solution at least this good arises in "
                f"{r.permutation.p_value:.0%} of {r.permutation.permutations} permuted outcomes"
            )
        lines.append(
            f"  status: {r.status}; " + ("EXPLORATORY" if r.exploratory else "confirmatory")
        )
        for kind, sol in r.solutions.items():
            head = f"  {kind} ({len(sol.models)} model{'s' if len(sol.models) > 1 else ''}"
            head += ", ambiguous)" if sol.ambiguous else ")"
            if sol.directional_expectations:
                head += " dir.exp " + ",".join(
                    f"{k}={v}" for k, v in sol.directional_expectations.items()
                )
            lines.append(head)
            for m in sol.models:
                lines.append(
                    f"    {m.expression}  inclS {m.inclS:.3f}  PRI {m.PRI:.3f}  covS {m.covS:.3f}"
                )
        for v in r.necessity:
            if v.verdict != "not_necessary":
                lines.append(
                    f"  necessity {v.condition}: inclN {v.inclN:.3f} RoN {v.RoN:.3f} -> {v.verdict}"
                    + (" (skewed)" if v.skewed and v.verdict != "skewed" else "")
                    + (
                        " (exploratory: too few cases for a necessity claim)"
                        if r.exploratory and v.verdict == "necessary"
                        else ""
                    )
                )
    if c.typology:
        lines += ["", "Typology (best type, membership, margin over the runner-up):"]
        for a in c.typology:
            if a.best is None:
                lines.append(f"  {a.case}: no type (missing conditions)")
            else:
                lines.append(
                    f"  {a.case}: {a.best} {a.membership:.2f} (margin {a.margin:.2f})"
                    + ("" if a.belongs else " - belongs to no type (<= 0.5)")
                )
    return "\n".join(lines) + "\n"


def cmd_compare(args: argparse.Namespace) -> int:
    """Run ``workbench compare``."""
    from analysis.casebase import CaseBaseError, load_casebase
    from analysis.casebase_cli import casebase_of

    root = casebase_of(args)
    try:
        cb = load_casebase(root)
        cs = load_conditions(args.conditions or root / "conditions.yaml", cb.codebook)
    except CaseBaseError as exc:
        print(exc, file=sys.stderr)
        return 1
    scores, outcomes = casebase_frames(cb)
    unknown = [o for o in args.outcome or [] if o not in outcomes.columns]
    if unknown:
        print(
            f"unknown outcome(s): {', '.join(unknown)}; known: {', '.join(outcomes)}",
            file=sys.stderr,
        )
        return 2
    result = compare(scores, outcomes, cs, outcome_ids=args.outcome or None)
    if args.format == "json":
        print(json.dumps(comparison_json(result), ensure_ascii=False, indent=2))
    else:
        print(format_comparison(result), end="")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``compare`` to the ``workbench`` parser."""
    from analysis.casebase_cli import add_casebase_option, add_format_option

    p = sub.add_parser(
        "compare",
        help="有防护的跨案例比较：校准的条件、带检验的 QCA、类型学 / "
        "guarded cross-case comparison: calibrated conditions, QCA with its guards, typology",
    )
    add_casebase_option(p)
    p.add_argument(
        "--conditions",
        default=None,
        metavar="FILE.yaml",
        help="声明的条件（默认：案例库中的 conditions.yaml） / "
        "declared conditions (default: CASEBASE/conditions.yaml)",
    )
    p.add_argument(
        "--outcome",
        action="append",
        metavar="ID",
        help="要分析的结果变量，可重复（默认：全部） / "
        "outcome to analyse; repeat for several (default: every outcome)",
    )
    add_format_option(p)
    p.set_defaults(func=cmd_compare)
