"""Blind coding sheets for human coders: ``workbench coding-sheet`` and ``import-coding``.

Human coders work in Excel or WPS, not in YAML.  :func:`write_coding_sheet` writes an
XLSX workbook with one row per case x code (and per case x outcome): the code's
definition and the status / score anchors are shown, status, score and claim strength
are chosen from drop-down lists, and there are columns for a rationale and up to
three quotes with their source ids.  Nobody else's scores are in it (blind coding).

:func:`read_coding_sheet` reads a filled-in sheet back, checks every row, places each
quote in its source (as ``workbench locate`` does) and returns one coding per case;
``workbench import-coding`` writes them to ``casebase/codings/<coder>/<case>.yaml``,
where ``workbench reliability`` finds them once a round in ``rounds.yaml`` names the
coder.  Problems are reported as ``sheet:row: column: message``, all at once.

Examples
--------
>>> from analysis.casebase import load_casebase
>>> cb = load_casebase("casebase")                                   # doctest: +SKIP
>>> write_coding_sheet(cb, "coder_d", out="coder_d.xlsx")            # doctest: +SKIP
PosixPath('coder_d.xlsx')
"""

from __future__ import annotations

import argparse
import io
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from analysis.casebase import (
    MAX_QUOTE,
    SCORES,
    STATUS_SCORES,
    STATUSES,
    Coding,
    Problem,
    parse_model,
)
from analysis.locate import LocateError, find_span
from analysis.render import atomic_write
from analysis.safe_yaml import roundtrip_yaml

if TYPE_CHECKING:
    from analysis.casebase import CaseBase

SHEET = "coding"
GUIDE = "guide"
LISTS = "lists"
N_QUOTES = 3
#: Columns of the coding sheet: (key, header).  The key names a column in messages.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("case_id", "case_id 案例编号"),
    ("case", "案例 case"),
    ("kind", "kind 类型"),
    ("item", "item 编码编号"),
    ("label", "名称 label"),
    ("definition", "定义 definition"),
    ("anchors", "锚点 anchors"),
    ("status", "status 状态"),
    ("score", "score 得分"),
    ("claim_strength", "claim_strength 主张来源"),
    ("rationale", "rationale 理由"),
    *(
        pair
        for i in range(1, N_QUOTES + 1)
        for pair in ((f"quote{i}", f"quote{i} 引文{i}"), (f"source{i}", f"source{i} 来源{i}"))
    ),
)
_COL = {key: i + 1 for i, (key, _) in enumerate(COLUMNS)}
MECHANISM_ANCHORS = (
    "present 存在: 0.67 / 1 · weak 薄弱: 0.33 · proposed 仅为建议: 0 · "
    "absent 本地缺失: 0 · not_reported 未报告: 得分留空 / leave score empty"
)
_GUIDE_ZH = [
    "编码说明 / How to code",
    "每一行是一个案例 × 编码（或结果变量）。只看编码手册和原文，独立完成。",
    "机制行：选择状态（status）和得分（score）。未报告（not_reported）时得分留空，不填 0；"
    "其余状态至少摘一条原文引文（≤120 字，逐字照抄），并选择来源编号。",
    "结果行：来源没有谈到该结果时整行留空；否则填得分、主张来源（claim_strength）和引文。",
    "完成后交回文件，由项目用 `workbench import-coding 文件.xlsx --sources 语料文件夹` 导入。",
    "Each row is one case x code (or outcome). Code from the codebook and the texts only.",
    "Mechanism rows: choose a status and a score; not_reported leaves the score empty "
    "(never 0); every other status needs at least one verbatim quote (<= 120 characters) "
    "with its source id.",
    "Outcome rows: leave the row empty when the source is silent on the outcome; otherwise "
    "give a score, a claim_strength and a quote.",
]


@dataclass(frozen=True)
class ImportResult:
    """Result of :func:`read_coding_sheet`: the coder, codings by case, problems."""

    coder: str
    codings: dict[str, dict[str, Any]]
    problems: list[Problem]


def write_coding_sheet(
    cb: CaseBase,
    coder: str,
    cases: Sequence[str] | None = None,
    out: str | Path | None = None,
) -> Path:
    """Write a blind XLSX coding sheet for one coder.

    Parameters
    ----------
    cb : CaseBase
        The case base (for the codebook, the cases and their sources).
    coder : str
        The coder's name (snake_case); recorded in the workbook.
    cases : sequence of str, optional
        Case ids to code (default: every case).
    out : path-like, optional
        File to write (default: ``coding_<coder>.xlsx``).

    Returns
    -------
    Path
        The file written.

    Examples
    --------
    >>> write_coding_sheet(cb, "coder_d", ["shaoxing"], "s.xlsx")   # doctest: +SKIP
    PosixPath('s.xlsx')
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    case_ids = list(cases) if cases else list(cb.cases)
    unknown = [c for c in case_ids if c not in cb.cases]
    if unknown:
        raise ValueError(f"unknown case(s): {', '.join(unknown)}")
    _check_coder(coder)
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    ws.append([header for _, header in COLUMNS])
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    ws.freeze_panes = "H2"
    cbk = cb.codebook
    mech_rows: list[int] = []
    out_rows: list[int] = []
    for cid in case_ids:
        case = cb.cases[cid]
        for code in cbk.codes:
            ws.append(
                [
                    cid,
                    case.name_zh,
                    "mechanism",
                    code.id,
                    f"{code.label_zh} / {code.label_en}",
                    code.definition,
                    MECHANISM_ANCHORS,
                ]
            )
            mech_rows.append(ws.max_row)
        for o in cbk.outcomes:
            anchors = " · ".join(f"{k}: {v}" for k, v in o.anchors.items())
            ws.append(
                [
                    cid,
                    case.name_zh,
                    "outcome",
                    o.id,
                    f"{o.label_zh} / {o.label_en}",
                    o.definition,
                    anchors,
                ]
            )
            out_rows.append(ws.max_row)
    widths = {"definition": 60, "anchors": 40, "rationale": 40, "label": 24, "case": 18}
    for key, col in _COL.items():
        letter = ws.cell(row=1, column=col).column_letter
        width = 40 if key.startswith("quote") else widths.get(key, 14)
        ws.column_dimensions[letter].width = width
    for row in ws.iter_rows(min_row=2):
        for key in ("definition", "anchors"):
            row[_COL[key] - 1].alignment = Alignment(wrap_text=True, vertical="top")

    # Drop-down lists live on a hidden sheet (a list typed into the rule is capped at
    # 255 characters, which a few source ids could exceed).
    lists = wb.create_sheet(LISTS)
    sources = sorted({s for cid in case_ids for s in cb.cases[cid].sources})
    columns = {
        "A": list(STATUSES),
        "B": [f"{s:g}" for s in SCORES],
        "C": [c.id for c in cbk.claim_strengths],
        "D": sources,
    }
    for letter, values in columns.items():
        for i, v in enumerate(values, start=1):
            lists[f"{letter}{i}"] = v
    lists.sheet_state = "hidden"

    def dropdown(letter: str, n: int, title: str) -> DataValidation:
        dv = DataValidation(
            type="list", formula1=f"{LISTS}!${letter}$1:${letter}${max(n, 1)}", allow_blank=True
        )
        dv.error = f"choose a value from the list ({title})"
        dv.errorTitle = title
        ws.add_data_validation(dv)
        return dv

    status_dv = dropdown("A", len(STATUSES), "status")
    score_dv = dropdown("B", len(SCORES), "score")
    claim_dv = dropdown("C", len(cbk.claim_strengths), "claim_strength")
    source_dv = dropdown("D", len(sources), "source")

    def letter(key: str) -> str:
        return ws.cell(row=1, column=_COL[key]).column_letter

    for r in mech_rows:
        status_dv.add(f"{letter('status')}{r}")
    for r in mech_rows + out_rows:
        score_dv.add(f"{letter('score')}{r}")
        for i in range(1, N_QUOTES + 1):
            source_dv.add(f"{letter(f'source{i}')}{r}")
    for r in out_rows:
        claim_dv.add(f"{letter('claim_strength')}{r}")

    guide = wb.create_sheet(GUIDE, 0)
    guide["A1"] = "coder"
    guide["B1"] = coder
    guide["A2"] = "codebook_version"
    guide["B2"] = cbk.version
    for i, line in enumerate(_GUIDE_ZH, start=4):
        guide[f"A{i}"] = line
    guide.column_dimensions["A"].width = 110
    wb.active = 1  # open on the coding sheet
    wb.properties.creator = coder

    path = Path(out) if out else Path(f"coding_{coder}.xlsx")
    buf = io.BytesIO()
    wb.save(buf)
    atomic_write(path, buf.getvalue())
    return path


def _check_coder(coder: str) -> None:
    import re

    if not re.fullmatch(r"[a-z][a-z0-9_]*", coder or ""):
        raise ValueError(f"coder name {coder!r} must be snake_case (letters, digits, _)")


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _score(value: Any) -> float | None | str:
    """A score cell: None when empty, a scale point, or the offending text."""
    if value is None or _text(value) == "":
        return None
    try:
        x = float(value)
    except (TypeError, ValueError):
        return _text(value)
    for s in SCORES:
        if abs(x - s) < 0.006:  # Excel may show 0.33 as 0.333...
            return int(s) if s in (0.0, 1.0) else s  # written as 0 / 1 in the YAML
    return _text(value)


def read_coding_sheet(path: str | Path, cb: CaseBase, texts: dict[str, str]) -> ImportResult:
    """Read a filled-in coding sheet into one coding per case, checking every row.

    Parameters
    ----------
    path : path-like
        The XLSX file written by :func:`write_coding_sheet` and filled in.
    cb : CaseBase
        The case base (codebook, cases, sources).
    texts : dict
        Source texts by source id: every quote is placed in its source.

    Returns
    -------
    ImportResult
        ``codings`` maps case id to a coding ready to be written as YAML (evidence
        with ``start``/``end``); ``problems`` lists every bad cell as
        ``sheet:row: column: message``.

    Examples
    --------
    >>> res = read_coding_sheet("coder_d.xlsx", cb, cb.texts)    # doctest: +SKIP
    >>> sorted(res.codings)[:1], res.problems                    # doctest: +SKIP
    (['dongguan'], [])
    """
    from openpyxl import load_workbook

    problems: list[Problem] = []
    try:
        wb = load_workbook(path, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not XLSX
        return ImportResult("", {}, [Problem(str(path), None, "", f"not an XLSX file ({exc})")])
    if SHEET not in wb.sheetnames:
        return ImportResult("", {}, [Problem(str(path), None, "", f"no sheet named {SHEET!r}")])
    coder = ""
    version = cb.codebook.version
    if GUIDE in wb.sheetnames:
        coder = _text(wb[GUIDE]["B1"].value)
        v = wb[GUIDE]["B2"].value
        version = int(v) if isinstance(v, int | float) else version
    try:
        _check_coder(coder)
    except ValueError as exc:
        problems.append(Problem(GUIDE, 1, "coder", str(exc)))
    ws = wb[SHEET]
    header = [_text(c.value) for c in ws[1]]
    expected = [h for _, h in COLUMNS]
    if header[: len(expected)] != expected:
        problems.append(
            Problem(SHEET, 1, "", "the header row was changed; use a sheet from `coding-sheet`")
        )
        return ImportResult(coder, {}, problems)

    codes = {c.id for c in cb.codebook.codes}
    outcome_ids = {o.id for o in cb.codebook.outcomes}
    claims = {c.id for c in cb.codebook.claim_strengths}
    codings: dict[str, dict[str, Any]] = {}
    for r, row in enumerate(ws.iter_rows(min_row=2, values_only=True), start=2):
        cell = {key: row[i - 1] if i - 1 < len(row) else None for key, i in _COL.items()}
        if all(_text(v) == "" for v in cell.values()):
            continue

        def bad(column: str, message: str, r: int = r) -> None:
            problems.append(Problem(SHEET, r, column, message))

        cid, kind, item = _text(cell["case_id"]), _text(cell["kind"]), _text(cell["item"])
        if cid not in cb.cases:
            bad("case_id", f"unknown case {cid!r}")
            continue
        case_sources = cb.cases[cid].sources
        coding = codings.setdefault(
            cid,
            {
                "id": cid,
                "coder": coder,
                "codebook_version": version,
                "sources": list(case_sources),
                "mechanisms": [],
                "outcomes": [],
            },
        )
        status = _text(cell["status"])
        score = _score(cell["score"])
        claim = _text(cell["claim_strength"])
        rationale = _text(cell["rationale"])
        if isinstance(score, str):
            bad("score", f"{score!r} is not one of 0, 0.33, 0.67, 1")
            score = None
        evidence = []
        for i in range(1, N_QUOTES + 1):
            quote = _text(cell[f"quote{i}"])
            source = _text(cell[f"source{i}"])
            if not quote and not source:
                continue
            if not quote:
                bad(f"quote{i}", f"source{i} is given but the quote is empty")
                continue
            if len(quote) > MAX_QUOTE:
                bad(f"quote{i}", f"quote has {len(quote)} characters; at most {MAX_QUOTE}")
                continue
            if not source and len(case_sources) == 1:
                source = case_sources[0]
            if source not in case_sources:
                ok = ", ".join(case_sources)
                bad(f"source{i}", f"source {source!r} is not a source of {cid} ({ok})")
                continue
            if source not in texts:
                bad(f"source{i}", f"the text of {source!r} is not in the corpus (--sources)")
                continue
            try:
                start, end = find_span(texts[source], quote)
            except LocateError as exc:
                bad(f"quote{i}", f"{exc}: {quote[:30]!r}")
                continue
            evidence.append({"source": source, "start": start, "end": end, "quote": quote})

        if kind == "mechanism":
            if item not in codes:
                bad("item", f"unknown code {item!r}")
                continue
            if status not in STATUS_SCORES:
                what = "is empty" if not status else f"{status!r} is not valid"
                bad("status", f"status {what}: one of {', '.join(STATUSES)}")
                continue
            allowed = STATUS_SCORES[status]
            if status == "not_reported":
                if score is not None:
                    bad("score", "not_reported is missing data: leave the score empty (not 0)")
                if evidence:
                    bad(
                        "quote1",
                        "not_reported takes no quotes (use absent if the source says it is missing)",
                    )
            else:
                if score not in allowed:
                    ok = " or ".join(f"{s:g}" for s in allowed)
                    got = "empty" if score is None else f"{score:g}"
                    bad("score", f"status {status!r} requires score {ok}, got {got}")
                if not evidence and not any(_text(cell[f"quote{i}"]) for i in range(1, 4)):
                    bad("quote1", f"status {status!r} needs at least one quote")
            coding["mechanisms"].append(
                {
                    "code": item,
                    "score": score if status != "not_reported" else None,
                    "status": status,
                    "rationale": rationale,
                    "evidence": evidence,
                }
            )
        elif kind == "outcome":
            if item not in outcome_ids:
                bad("item", f"unknown outcome {item!r}")
                continue
            if score is None and not claim and not evidence:
                continue  # the source is silent on this outcome
            if score is None:
                bad("score", "an outcome row with a claim or quote needs a score")
            if claim not in claims:
                what = "is empty" if not claim else f"{claim!r} is not valid"
                bad("claim_strength", f"claim_strength {what}: one of {', '.join(sorted(claims))}")
            if not evidence and not any(_text(cell[f"quote{i}"]) for i in range(1, 4)):
                bad("quote1", "an outcome needs at least one quote")
            coding["outcomes"].append(
                {
                    "outcome": item,
                    "score": score,
                    "claim_strength": claim,
                    "rationale": rationale,
                    "evidence": evidence,
                }
            )
        else:
            bad("kind", f"kind {kind!r} must be mechanism or outcome")
    if not problems:
        # The model checks too (e.g. a field the sheet cannot express wrongly today).
        for cid, data in codings.items():
            _, probs = parse_model(Coding, data, f"{SHEET}:{cid}")
            problems += probs
    return ImportResult(coder, codings, problems)


def write_codings(
    result: ImportResult, casebase_dir: str | Path, force: bool = False
) -> list[Path]:
    """Write imported codings to ``codings/<coder>/<case>.yaml`` (atomically).

    Existing codings are independent records and are not overwritten unless ``force``.

    Examples
    --------
    >>> write_codings(res, "casebase")        # doctest: +SKIP
    [PosixPath('casebase/codings/coder_d/dongguan.yaml')]
    """
    folder = Path(casebase_dir) / "codings" / result.coder
    targets = {cid: folder / f"{cid}.yaml" for cid in result.codings}
    existing = [p for p in targets.values() if p.exists()]
    if existing and not force:
        names = ", ".join(p.as_posix() for p in existing)
        raise FileExistsError(f"{names} already exist(s); codings are not overwritten (--force)")
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for cid, data in result.codings.items():
        buf = io.StringIO()
        roundtrip_yaml().dump(data, buf)
        atomic_write(targets[cid], buf.getvalue())
        written.append(targets[cid])
    return written


# ------------------------------------------------------------------------------ CLI


def _print_problems(problems: list[Problem]) -> None:
    from analysis.casebase_cli import _print_problems as print_all

    print_all(problems)


def cmd_coding_sheet(args: argparse.Namespace) -> int:
    """Write a blind coding sheet."""
    from analysis.casebase import CaseBaseError, load_casebase
    from analysis.casebase_cli import casebase_of

    try:
        cb = load_casebase(casebase_of(args))
        cases = [c for part in args.cases for c in part.split(",") if c] if args.cases else None
        path = write_coding_sheet(cb, args.coder, cases, args.out)
    except CaseBaseError as exc:
        _print_problems(exc.problems)
        return 1
    except ValueError as exc:
        print(f"coding-sheet: {exc}", file=sys.stderr)
        return 2
    print(path)
    return 0


def cmd_import_coding(args: argparse.Namespace) -> int:
    """Import a filled-in coding sheet into ``codings/<coder>/``."""
    from analysis.casebase import CaseBaseError, load_casebase
    from analysis.casebase_cli import casebase_of, corpus_of

    sources = corpus_of(args)
    if not sources:
        print(
            "import-coding: the corpus is needed to place the quotes: --sources DIR, "
            "$WORKBENCH_SOURCES or [tool.workbench] sources in pyproject.toml",
            file=sys.stderr,
        )
        return 2
    try:
        cb = load_casebase(casebase_of(args), sources)
    except CaseBaseError as exc:
        _print_problems(exc.problems)
        return 1
    if not Path(args.file).is_file():
        print(f"{args.file}: file not found", file=sys.stderr)
        return 2
    res = read_coding_sheet(args.file, cb, cb.texts)
    if res.problems:
        print(f"{args.file}: nothing imported", file=sys.stderr)
        _print_problems(res.problems)
        return 1
    try:
        written = write_codings(res, casebase_of(args), force=args.force)
    except FileExistsError as exc:
        print(f"import-coding: {exc}", file=sys.stderr)
        return 1
    for p in written:
        print(p)
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``coding-sheet`` and ``import-coding`` to the command line."""
    from analysis.casebase_cli import add_casebase_option, add_sources_option

    p = sub.add_parser(
        "coding-sheet",
        help="为人工编码员生成盲编码 XLSX 表 / write a blind XLSX coding sheet for a human coder",
    )
    p.add_argument(
        "--coder", required=True, help="编码者名称（snake_case） / coder name (snake_case)"
    )
    p.add_argument("--cases", nargs="*", help="案例 id（默认：全部） / case ids (default: all)")
    p.add_argument(
        "--out",
        default=None,
        help="输出文件（默认：coding_<coder>.xlsx） / file to write (default: coding_<coder>.xlsx)",
    )
    add_casebase_option(p)
    p.set_defaults(func=cmd_coding_sheet)
    p = sub.add_parser(
        "import-coding",
        help="把填好的编码表读入 casebase/codings/<coder>/ / "
        "read a filled-in coding sheet into casebase/codings/<coder>/",
    )
    p.add_argument("file", help="填好的 XLSX 文件 / the XLSX file")
    add_casebase_option(p)
    add_sources_option(p)
    p.add_argument(
        "--force", action="store_true", help="覆盖已有的编码 / overwrite existing codings"
    )
    p.set_defaults(func=cmd_import_coding)
