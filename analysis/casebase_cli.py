"""Case-base subcommands: ``validate``, ``export``, ``locate``, ``new-case``, ``schema``.

Examples
--------
>>> from analysis.cli import main
>>> main(["validate", "--casebase", "casebase"])   # doctest: +SKIP
OK ...
0
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from analysis.casebase import Problem

# The heavy imports (pandas, pydantic) happen inside each command so that
# `workbench --help` and the batch's no-change path stay fast.


CASEBASE_HELP = (
    "案例库文件夹（默认：项目根目录下的 casebase） / "
    "case-base folder (default: casebase in the project root)"
)
SOURCES_HELP = (
    f"语料文件夹，可重复或用 {os.pathsep} 分隔（默认：$WORKBENCH_SOURCES，其次 pyproject.toml 的 "
    f"[tool.workbench] sources） / corpus folder(s) of source texts, repeatable or "
    f"{os.pathsep}-separated (default: $WORKBENCH_SOURCES, else [tool.workbench] sources in "
    "pyproject.toml)"
)


def add_casebase_option(p: argparse.ArgumentParser) -> None:
    """Add ``--casebase DIR``, the case-base folder option every subcommand shares."""
    p.add_argument("--casebase", metavar="DIR", default=None, help=CASEBASE_HELP)


def add_sources_option(p: argparse.ArgumentParser, help: str = SOURCES_HELP) -> None:
    """Add ``--sources DIR`` (repeatable, or ``os.pathsep``-separated)."""
    p.add_argument("--sources", metavar="DIR", action="append", default=None, help=help)


def add_format_option(p: argparse.ArgumentParser) -> None:
    """Add ``--format text|json``, the output-format option of the reporting subcommands."""
    p.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="输出格式（默认：text） / output format (default: text)",
    )


def casebase_of(args: argparse.Namespace) -> Path:
    """The case-base folder: ``--casebase`` (from the working directory), else the project's."""
    from analysis.project import project_path

    return Path(args.casebase) if args.casebase else project_path("casebase")


def corpus_of(args: argparse.Namespace) -> tuple[Path, ...]:
    """The corpus folders: ``--sources`` > ``$WORKBENCH_SOURCES`` > the setting of the
    case base's project."""
    from analysis.project import corpus_folders, project_of

    return corpus_folders(args.sources, root=project_of(casebase_of(args)))


def _add_common(p: argparse.ArgumentParser, sources: bool = True) -> None:
    add_casebase_option(p)
    if sources:
        add_sources_option(p)


def _sources(args: argparse.Namespace) -> tuple[Path, ...] | None:
    return corpus_of(args) or None


def _print_problems(problems: list[Problem]) -> None:
    for p in problems:
        print(p, file=sys.stderr)
    print(f"{len(problems)} problem(s) found", file=sys.stderr)


def cmd_validate(args: argparse.Namespace) -> int:
    """Validate the case base; print OK with counts or every problem."""
    from analysis.casebase import CaseBaseError, load_casebase, summary_counts

    src = _sources(args)
    try:
        cb = load_casebase(casebase_of(args), src)
    except CaseBaseError as exc:
        _print_problems(exc.problems)
        return 1
    counts = summary_counts(cb)
    checked = (
        "quotes checked against " + ", ".join(map(str, src))
        if src
        else "quotes NOT checked (no --sources given)"
    )
    print(
        "OK: " + ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in counts.items()) + f"; {checked}"
    )
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    """Export tables (CSV with BOM + datapackage.json)."""
    from analysis.casebase import CaseBaseError, load_casebase
    from analysis.export import export_tables

    try:
        cb = load_casebase(casebase_of(args), _sources(args))
    except CaseBaseError as exc:
        _print_problems(exc.problems)
        return 1
    for path in export_tables(cb, args.out):
        print(path)
    return 0


def cmd_locate(args: argparse.Namespace) -> int:
    """Fill in start/end offsets for every quote."""
    from analysis.casebase import evidence_files, read_source_texts
    from analysis.locate import locate_file

    src = _sources(args)
    if src is None:
        print(
            "locate needs the corpus: --sources DIR, $WORKBENCH_SOURCES or "
            "[tool.workbench] sources in pyproject.toml",
            file=sys.stderr,
        )
        return 2
    root = casebase_of(args)
    texts, problems = read_source_texts(root, src)
    if problems:
        _print_problems(problems)
        return 1
    files = [Path(f) for f in args.files] or evidence_files(root)
    all_problems: list[Problem] = []
    for f in files:
        res = locate_file(f, texts, root)
        all_problems += res.problems
        if res.updated:
            print(f"{f}: {res.updated} span(s) updated")
    if all_problems:
        _print_problems(all_problems)
        print("files with problems were left unchanged", file=sys.stderr)
        return 1
    print("OK: every quote is located")
    return 0


def cmd_new_case(args: argparse.Namespace) -> int:
    """Write a commented template case file."""
    from analysis.casebase import CaseBaseError, load_codebook
    from analysis.render import atomic_write
    from analysis.template import case_template, check_case_id

    try:
        check_case_id(args.id)
    except ValueError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    root = casebase_of(args)
    if not root.is_dir():
        print(f"{root}: case-base folder not found (give it with --casebase DIR)", file=sys.stderr)
        return 1
    path = root / "cases" / f"{args.id}.yaml"
    if path.exists() and not args.force:
        print(f"{path} exists; use --force to overwrite", file=sys.stderr)
        return 1
    try:
        codebook = load_codebook(root)
    except CaseBaseError as exc:
        _print_problems(exc.problems)
        return 1
    try:
        # The first case of a new case base also creates its cases/ folder.
        atomic_write(path, case_template(args.id, codebook))
    except OSError as exc:
        print(f"{path}: cannot write the template: {exc.strerror or exc}", file=sys.stderr)
        return 1
    print(
        f"wrote {path}: fill it in, then run `workbench locate` and `workbench validate` "
        "(the corpus: [tool.workbench] sources in pyproject.toml, or --sources DIR)"
    )
    return 0


def cmd_schema(args: argparse.Namespace) -> int:
    """Export JSON Schemas of the case-base files."""
    from analysis.casebase import json_schemas

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for name, schema in json_schemas().items():
        path = out / f"{name}.schema.json"
        path.write_text(json.dumps(schema, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        print(path)
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add the case-base subcommands to the ``workbench`` parser."""
    p = sub.add_parser(
        "validate",
        help="校验案例库（给出语料时逐条核对引文） / validate the case base "
        "(and every quote, when a corpus is given)",
    )
    _add_common(p)
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser(
        "export",
        help="导出 CSV 数据表和 datapackage.json / export tables for Excel/WPS/Stata/R",
    )
    _add_common(p)
    p.add_argument(
        "--out",
        metavar="DIR",
        default="reports/tables",
        help="输出文件夹（默认：reports/tables） / output folder (default: reports/tables)",
    )
    p.set_defaults(func=cmd_export)

    p = sub.add_parser(
        "locate", help="由引文补全证据的字符位置 / fill in evidence offsets from quotes"
    )
    _add_common(p)
    p.add_argument(
        "files",
        nargs="*",
        metavar="FILE",
        help="要处理的 YAML 文件（默认：全部案例和编码文件） / "
        "YAML files (default: every case and coding file)",
    )
    p.set_defaults(func=cmd_locate)

    p = sub.add_parser(
        "new-case",
        help="生成带注释的新案例模板 / write a commented template for a new case",
    )
    _add_common(p, sources=False)
    p.add_argument(
        "id",
        help="新案例的 id（小写字母、数字、下划线，至多 64 个字符），如 chengdu_wuhou / "
        "snake_case id of the new case (at most 64 characters), e.g. chengdu_wuhou",
    )
    p.add_argument("--force", action="store_true", help="覆盖已有文件 / overwrite an existing file")
    p.set_defaults(func=cmd_new_case)

    p = sub.add_parser(
        "schema", help="导出供编辑器使用的 JSON Schema / export JSON Schemas for editors"
    )
    p.add_argument(
        "--out",
        metavar="DIR",
        default="casebase/schema",
        help="输出文件夹（默认：casebase/schema） / output folder (default: casebase/schema)",
    )
    p.set_defaults(func=cmd_schema)
