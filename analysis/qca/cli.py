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
import csv
import io
import json
import math
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.qca.calibrate import calibrate
from analysis.qca.data import numeric_column, prepare, split_names
from analysis.qca.errors import QCAError
from analysis.qca.fit import necessity_table
from analysis.qca.minimize import SOLUTION_TYPES, minimize
from analysis.qca.report import (
    analysis_json,
    format_necessity,
    format_solution,
    format_truth_table,
)
from analysis.qca.truth_table import TruthTable, truth_table_from_sets
from analysis.safe_yaml import YamlError, decode_utf8

PROG = "workbench qca"

# minimize() says this when no row has OUT = 1.
_NOTHING_TO_EXPLAIN = "no truth table row has OUT = 1"


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
    from analysis.casebase_cli import add_format_option

    p = subparsers.add_parser(
        "qca",
        help="定性比较分析：真值表、最小化（与 R 的 QCA 包一致）、必要性 / "
        "QCA: truth table, minimisation (as R's QCA package), necessity",
        description=(
            "Crisp- and fuzzy-set QCA of a CSV file, reproducing R's QCA 3.25: the "
            "truth table, the conservative and parsimonious solutions (and the "
            "intermediate one with --dir-exp), every minimal model with its fit."
        ),
    )
    p.add_argument(
        "--data", required=True, metavar="FILE.csv", help="隶属度数据表 / membership scores"
    )
    p.add_argument(
        "--outcome",
        required=True,
        metavar="Y|~Y",
        help="结果变量列；~Y 解释其不出现 / outcome column; ~Y explains its absence",
    )
    p.add_argument(
        "--conditions",
        metavar="A,B,C",
        help="条件变量列（默认：除结果列和案例列外的全部列） / "
        "condition columns (default: every column but the outcome and the case column)",
    )
    p.add_argument(
        "--case-col",
        metavar="NAME",
        help="案例名称列（默认：第一列，若非数值） / "
        "column with case labels (default: the first column if it is not numeric)",
    )
    p.add_argument(
        "--incl-cut", default="1", metavar="X[,Y]", help="一致性阈值 / inclusion cut-off(s)"
    )
    p.add_argument(
        "--n-cut", type=int, default=1, metavar="N", help="每行最少案例数 / minimum cases per row"
    )
    p.add_argument("--pri-cut", type=float, default=0.0, metavar="X", help="最低 PRI / minimum PRI")
    p.add_argument(
        "--dir-exp",
        metavar="A=1,B=0,C=-",
        help="方向性预期；增加中间解 / directional expectations; adds the intermediate solution",
    )
    p.add_argument(
        "--solution",
        choices=("all", *SOLUTION_TYPES),
        default="all",
        help="只计算这一种解（默认：all；中间解需要 --dir-exp） / "
        "compute only this solution type (default: all; intermediate needs --dir-exp)",
    )
    p.add_argument(
        "--row-dom",
        action="store_true",
        help="求解前去掉被支配的素蕴涵项（R 的 row.dom） / "
        "drop dominated prime implicants before solving the chart (R's row.dom)",
    )
    p.add_argument(
        "--necessity",
        action="store_true",
        help="同时报告单个条件的必要性 / also report necessity of single conditions",
    )
    p.add_argument(
        "--calibrate",
        action="append",
        default=[],
        metavar="COL=e,c,i",
        help=(
            "先把原始数据列校准为模糊集（同 R 的 calibrate(type = 'fuzzy')）：排除、交叉、"
            "包含三个锚点，可重复 / "
            "calibrate a raw column into a fuzzy set first, as R's calibrate(type = 'fuzzy'): "
            "exclusion, crossover and inclusion anchors, e.g. DEV=400,550,900 or "
            "DEV=e=400,c=550,i=900 (e above i gives a decreasing set; six values "
            "e1,c1,i1,i2,c2,e2 a bell shape); repeat for each column"
        ),
    )
    p.add_argument(
        "--crisp",
        action="append",
        default=[],
        metavar="COL=T",
        help=(
            "先把原始数据列校准为清晰集（同 R 的 calibrate(type = 'crisp')），可重复 / "
            "calibrate a raw column into a crisp set first, as R's calibrate(type = 'crisp'): "
            "1 where the value reaches the threshold T, else 0; repeat for each column"
        ),
    )
    p.add_argument(
        "--idm",
        type=float,
        default=0.95,
        metavar="X",
        help="--calibrate 在包含锚点处的隶属度（R 的 idm，默认 0.95） / "
        "membership at the inclusion anchor of --calibrate (R's idm; default 0.95)",
    )
    p.add_argument(
        "--max-memory",
        type=float,
        metavar="GB",
        help=(
            "简约解搜索可用的内存上限（GB；默认 2 GB，可用内存不足时取其一半） / "
            "memory the parsimonious search may use, in GB "
            "(default: 2 GB, or half the free memory if less)"
        ),
    )
    add_format_option(p)
    p.set_defaults(func=run)
    return p


def _read_csv(path: str) -> pd.DataFrame:
    file = Path(path)
    if not file.exists():
        raise QCAError(f"{path}: no such file")
    if not file.is_file():
        raise QCAError(f"{path}: not a file")
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise QCAError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    try:
        text = decode_utf8(data.removeprefix(b"\xef\xbb\xbf"), path, 'or save it as "CSV UTF-8"')
    except YamlError as exc:
        raise QCAError(str(exc)) from None
    header = next(csv.reader(io.StringIO(text)), [])
    seen: dict[str, int] = {}
    for number, name in enumerate(header, start=1):
        if name in seen:
            raise QCAError(
                f"{path}:1: column {name!r} appears twice (columns {seen[name]} and {number}); "
                "rename one of them"
            )
        seen[name] = number
    try:
        return pd.read_csv(io.StringIO(text))
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise QCAError(f"{path}: cannot be read as CSV ({first})") from None


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


def _calibration_specs(args: argparse.Namespace) -> list[tuple[str, str, str]]:
    """``(column, type, thresholds)`` for every ``--calibrate`` and ``--crisp``."""
    specs = []
    for option, kind, given in (
        ("--calibrate", "fuzzy", getattr(args, "calibrate", None) or []),
        ("--crisp", "crisp", getattr(args, "crisp", None) or []),
    ):
        for spec in given:
            column, sep, thresholds = spec.partition("=")
            if not sep or not column.strip() or not thresholds.strip():
                example = "DEV=400,550,900" if kind == "fuzzy" else "DEV=550"
                raise QCAError(f"{option} {spec!r}: write COLUMN=THRESHOLDS, e.g. {example}")
            specs.append((column.strip(), kind, thresholds.strip()))
    columns = [c for c, _, _ in specs]
    twice = sorted({c for c in columns if columns.count(c) > 1})
    if twice:
        raise QCAError(f"column {twice[0]!r} is calibrated twice; give one --calibrate or --crisp")
    return specs


def _calibrate_columns(
    frame: pd.DataFrame, args: argparse.Namespace, source: str
) -> dict[str, dict]:
    """Replace raw columns by their calibrated set membership; describe what was done."""
    done: dict[str, dict] = {}
    for column, kind, thresholds in _calibration_specs(args):
        option = "--calibrate" if kind == "fuzzy" else "--crisp"
        if column not in frame.columns:
            raise QCAError(f"{option} {column}: {source}: column {column!r} not found")
        raw = numeric_column(frame, column, source)
        try:
            if kind == "crisp":
                cuts = [float(t) for t in thresholds.split(",") if t.strip()]
                if len(cuts) != 1:
                    raise QCAError(
                        "give one threshold (several make a multi-value set, not supported)"
                    )
                scores = calibrate(raw, type="crisp", thresholds=cuts).astype(float)
            else:
                scores = calibrate(raw, type="fuzzy", thresholds=thresholds, idm=args.idm)
        except ValueError as exc:
            raise QCAError(f"{option} {column}={thresholds}: {exc}") from None
        frame[column] = scores
        done[column] = {"type": kind, "thresholds": thresholds, "scores": scores.tolist()}
        if kind == "fuzzy":
            done[column]["idm"] = args.idm
    return done


def _uncalibrated_hint(frame: pd.DataFrame, columns: list[str], source: str) -> None:
    """Refuse raw (not yet calibrated) columns, saying how to calibrate them."""
    for column in columns:
        if column not in frame.columns:
            continue
        values = pd.to_numeric(frame[column], errors="coerce")
        if values.notna().any() and (values.min() < 0 or values.max() > 1):
            raise QCAError(
                f"{source}: column {column!r} has values outside [0, 1] "
                f"({values.min():g} to {values.max():g}): calibrate it with "
                f"--calibrate {column}=e,c,i (fuzzy: exclusion, crossover, inclusion) or "
                f"--crisp {column}=T (crisp threshold)"
            )


def _incl_cut_hint(tt: TruthTable) -> str:
    """What to try when no truth table row is positive at the cut-offs given."""
    observed = [i for i, out in enumerate(tt.out) if out != "?" and not math.isnan(tt.incl[i])]
    if not observed:
        return "no configuration has enough cases: try a lower --n-cut"
    incl = sorted((float(tt.incl[i]) for i in observed), reverse=True)
    seen = ", ".join(f"{v:.3f}" for v in incl[:6]) + (", ..." if len(incl) > 6 else "")
    ic1 = tt.incl_cut[0]
    if incl[0] + 1e-9 < ic1:
        lower = math.floor(incl[0] * 100) / 100
        advice = f"try a lower cut, e.g. --incl-cut {lower:g}"
        if lower < 0.75:
            advice += " (cuts below 0.75 are rarely defensible)"
        return (
            f"no row reaches the inclusion cut-off {ic1:g}; the observed rows' consistencies "
            f"are {seen}: {advice}"
        )
    pri = sorted((float(tt.pri[i]) for i in observed if tt.incl[i] + 1e-9 >= ic1), reverse=True)
    return (
        f"rows reach --incl-cut {ic1:g} but not --pri-cut {tt.pri_cut:g} (their PRI: "
        + ", ".join(f"{v:.3f}" for v in pri[:6])
        + "): try a lower --pri-cut"
    )


def _analyse(args: argparse.Namespace) -> tuple[dict, list[str]]:
    frame = _read_csv(args.data)
    source = args.data
    case_col = _case_column(frame, args.case_col, source)
    if case_col is None:
        # Without a case column, R labels the cases 1..n.
        frame.index = pd.RangeIndex(1, len(frame) + 1)
    calibrated = _calibrate_columns(frame, args, source)
    conditions = split_names(args.conditions)
    outcome = args.outcome.strip().lstrip("~").strip()
    used = conditions or [c for c in frame.columns if c not in (case_col, outcome)]
    _uncalibrated_hint(frame, [*used, outcome], source)
    sets = prepare(frame, args.outcome, conditions, case_col=case_col, source=source)
    tt = truth_table_from_sets(
        sets, incl_cut=_parse_incl_cut(args.incl_cut), n_cut=args.n_cut, pri_cut=args.pri_cut
    )
    solutions = {}
    notes = []
    row_dom = bool(getattr(args, "row_dom", False))
    max_gb = getattr(args, "max_memory", None)
    if max_gb is not None and not (max_gb > 0 and math.isfinite(max_gb)):
        raise QCAError(f"--max-memory {max_gb:g}: give a positive number of GB")
    memory = None if max_gb is None else int(max_gb * 1024**3)
    requests = [
        ("conservative", {"include": "", "row_dom": row_dom}),
        ("parsimonious", {"include": "?", "row_dom": row_dom, "max_memory": memory}),
    ]
    if args.dir_exp is not None:
        requests.append(
            (
                "intermediate",
                {"include": "?", "dir_exp": args.dir_exp, "row_dom": row_dom, "max_memory": memory},
            )
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
    if any(_NOTHING_TO_EXPLAIN in note for note in notes):
        notes.append(_incl_cut_hint(tt))
    nec = None
    if args.necessity:
        cols, names = [], []
        for j, name in enumerate(sets.conditions):
            cols.extend([sets.x[:, j], 1.0 - sets.x[:, j]])
            names.extend([name, "~" + name])
        nec = necessity_table(np.column_stack(cols), sets.y, names)
    if args.format == "json":
        doc = analysis_json(tt, solutions, nec)
        if calibrated:
            doc["calibration"] = {"cases": list(sets.cases), "columns": calibrated}
        return doc, notes
    parts = [_format_calibration(calibrated, sets.cases)] if calibrated else []
    parts.append(format_truth_table(tt))
    parts.extend(format_solution(s) for s in solutions.values())
    if nec is not None:
        parts.append(format_necessity(nec, tt.outcome))
    return {"text": "\n".join(parts) + "\n"}, notes


def _format_calibration(calibrated: dict[str, dict], cases: tuple[str, ...]) -> str:
    lines = ["Calibrated before the analysis (direct method, as R's calibrate()):"]
    for column, done in calibrated.items():
        if done["type"] == "crisp":
            how = f"crisp, threshold {done['thresholds']}"
        else:
            how = f"fuzzy, thresholds {done['thresholds']}, idm {done['idm']:g}"
        scores = np.asarray(done["scores"])
        at_half = [c for c, v in zip(cases, scores, strict=True) if abs(v - 0.5) < 1e-9]
        line = f"  {column}: {how}; scores {scores.min():.3f} to {scores.max():.3f}"
        if at_half:
            line += f"; exactly 0.5 (in no truth table row): {', '.join(at_half)}"
        lines.append(line)
    return "\n".join(lines) + "\n"


def run(args: argparse.Namespace) -> int:
    """Run ``workbench qca``; return the exit status.

    0 when every solution asked for was found, 1 when one could not be (the
    reason and what to try are printed on stderr), 2 on bad input.

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
    else:
        sys.stdout.write(doc["text"])
    for line in notes:
        print(f"{PROG}: {line}", file=sys.stderr)
    return 1 if notes else 0


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
