"""``workbench qca``: truth table, minimisation and necessity from a CSV file.

Examples
--------
>>> import argparse
>>> parser = argparse.ArgumentParser(prog="workbench")
>>> _ = register(parser.add_subparsers())
>>> args = parser.parse_args(["qca", "--data", "x.csv", "--outcome", "~Y"])
>>> args.outcome, args.format
('~Y', 'text')
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.qca.data import prepare, split_names
from analysis.qca.errors import QCAError
from analysis.qca.fit import necessity_table
from analysis.qca.minimize import SOLUTION_TYPES, minimize
from analysis.qca.report import (
    analysis_json,
    format_necessity,
    format_solution,
    format_truth_table,
)
from analysis.qca.truth_table import truth_table_from_sets

PROG = "workbench qca"


def register(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the ``qca`` sub-command to the ``workbench`` parser.

    Parameters
    ----------
    subparsers
        The object returned by ``ArgumentParser.add_subparsers()``.

    Returns
    -------
    ArgumentParser
        The new sub-parser; its default ``func`` is :func:`run`.

    Examples
    --------
    >>> parser = argparse.ArgumentParser()
    >>> sub = register(parser.add_subparsers())
    >>> sub.prog.endswith("qca")
    True
    """
    p = subparsers.add_parser(
        "qca",
        help="QCA: truth table, minimisation (as R's QCA package), necessity",
        description=(
            "Crisp- and fuzzy-set QCA of a CSV file, reproducing R's QCA 3.25: the "
            "truth table, the conservative and parsimonious solutions (and the "
            "intermediate one with --dir-exp), every minimal model with its fit."
        ),
    )
    p.add_argument("--data", required=True, metavar="FILE.csv", help="membership scores")
    p.add_argument(
        "--outcome", required=True, metavar="Y|~Y", help="outcome column; ~Y explains its absence"
    )
    p.add_argument(
        "--conditions",
        metavar="A,B,C",
        help="condition columns (default: every column but the outcome and the case column)",
    )
    p.add_argument(
        "--case-col",
        metavar="NAME",
        help="column with case labels (default: the first column if it is not numeric)",
    )
    p.add_argument("--incl-cut", default="1", metavar="X[,Y]", help="inclusion cut-off(s)")
    p.add_argument("--n-cut", type=int, default=1, metavar="N", help="minimum cases per row")
    p.add_argument("--pri-cut", type=float, default=0.0, metavar="X", help="minimum PRI")
    p.add_argument(
        "--dir-exp",
        metavar="A=1,B=0,C=-",
        help="directional expectations; adds the intermediate solution",
    )
    p.add_argument(
        "--solution",
        choices=("all", *SOLUTION_TYPES),
        default="all",
        help="compute only this solution type (default: all; intermediate needs --dir-exp)",
    )
    p.add_argument(
        "--row-dom",
        action="store_true",
        help="drop dominated prime implicants before solving the chart (R's row.dom)",
    )
    p.add_argument(
        "--necessity", action="store_true", help="also report necessity of single conditions"
    )
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(func=run)
    return p


def _read_csv(path: str) -> pd.DataFrame:
    file = Path(path)
    if not file.exists():
        raise QCAError(f"{path}: no such file")
    if not file.is_file():
        raise QCAError(f"{path}: not a file")
    try:
        return pd.read_csv(file)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise QCAError(f"{path}: cannot be read as CSV ({first})") from None
    except OSError as exc:
        raise QCAError(f"{path}: cannot be read ({exc.strerror or exc})") from None


def _case_column(frame: pd.DataFrame, wanted: str | None, path: str) -> str | None:
    if wanted is not None:
        if wanted not in frame.columns:
            raise QCAError(f"{path}: case column {wanted!r} not found")
        return wanted
    if len(frame.columns) and not pd.api.types.is_numeric_dtype(frame[frame.columns[0]]):
        return str(frame.columns[0])
    return None


def _parse_incl_cut(text: str) -> list[float]:
    try:
        return [float(p) for p in text.split(",") if p.strip()]
    except ValueError:
        raise QCAError(f"--incl-cut {text!r} is not one or two numbers") from None


def _analyse(args: argparse.Namespace) -> tuple[dict, str]:
    frame = _read_csv(args.data)
    source = args.data
    case_col = _case_column(frame, args.case_col, source)
    if case_col is None:
        # Without a case column, R labels the cases 1..n.
        frame.index = pd.RangeIndex(1, len(frame) + 1)
    conditions = split_names(args.conditions)
    sets = prepare(frame, args.outcome, conditions, case_col=case_col, source=source)
    tt = truth_table_from_sets(
        sets, incl_cut=_parse_incl_cut(args.incl_cut), n_cut=args.n_cut, pri_cut=args.pri_cut
    )
    solutions = {}
    notes = []
    row_dom = bool(getattr(args, "row_dom", False))
    requests = [
        ("conservative", {"include": "", "row_dom": row_dom}),
        ("parsimonious", {"include": "?", "row_dom": row_dom}),
    ]
    if args.dir_exp is not None:
        requests.append(
            ("intermediate", {"include": "?", "dir_exp": args.dir_exp, "row_dom": row_dom})
        )
    only = getattr(args, "solution", "all")
    if only != "all":
        if only == "intermediate" and args.dir_exp is None:
            raise QCAError("--solution intermediate needs --dir-exp")
        requests = [r for r in requests if r[0] == only]
    for kind, kwargs in requests:
        try:
            solutions[kind] = minimize(tt, **kwargs)
        except QCAError as exc:
            if "directional expectation" in str(exc):
                raise
            notes.append(f"no {kind} solution: {exc}")
    nec = None
    if args.necessity:
        cols, names = [], []
        for j, name in enumerate(sets.conditions):
            cols.extend([sets.x[:, j], 1.0 - sets.x[:, j]])
            names.extend([name, "~" + name])
        nec = necessity_table(np.column_stack(cols), sets.y, names)
    if args.format == "json":
        return analysis_json(tt, solutions, nec), "\n".join(notes)
    parts = [format_truth_table(tt)]
    parts.extend(format_solution(s) for s in solutions.values())
    parts.extend(f"\n{note}" for note in notes)
    if nec is not None:
        parts.append(format_necessity(nec, tt.outcome))
    return {"text": "\n".join(parts) + "\n"}, ""


def run(args: argparse.Namespace) -> int:
    """Run ``workbench qca``; return the exit status (2 on bad input).

    Examples
    --------
    >>> args = argparse.Namespace(data="/nonexistent.csv", outcome="Y", conditions=None,
    ...     case_col=None, incl_cut="1", n_cut=1, pri_cut=0.0, dir_exp=None,
    ...     solution="all", row_dom=False, necessity=False, format="text")
    >>> run(args)
    2
    """
    try:
        doc, notes = _analyse(args)
    except QCAError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2
    if args.format == "json":
        json.dump(doc, sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
        if notes:
            for line in notes.splitlines():
                print(f"{PROG}: note: {line}", file=sys.stderr)
    else:
        sys.stdout.write(doc["text"])
    return 0


def main(argv: list[str] | None = None) -> int:
    """Stand-alone entry point, same as ``workbench qca`` (``python -m analysis.qca.cli``).

    Examples
    --------
    >>> main(["--data", "/nonexistent.csv", "--outcome", "Y"])
    2
    """
    parser = argparse.ArgumentParser(prog="workbench")
    sub = parser.add_subparsers(dest="command")
    register(sub)
    args = parser.parse_args(["qca", *(sys.argv[1:] if argv is None else argv)])
    return int(args.func(args))


if __name__ == "__main__":
    raise SystemExit(main())
