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
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from analysis.casebase import Problem

# The heavy imports (pandas, pydantic) happen inside each command so that
# `workbench --help` and the batch's no-change path stay fast.


def _add_common(p: argparse.ArgumentParser, sources: bool = True) -> None:
    p.add_argument("--casebase", default="casebase", help="case-base folder (default: casebase)")
    if sources:
        p.add_argument(
            "--sources",
            default=None,
            help="folder of source texts; quotes are checked against it "
            "(default: $WORKBENCH_SOURCES if set)",
        )


def _sources(args: argparse.Namespace) -> Path | None:
    from analysis.casebase import default_sources_dir

    return Path(args.sources) if args.sources else default_sources_dir()


def _print_problems(problems: list[Problem]) -> None:
    for p in problems:
        print(p, file=sys.stderr)
    print(f"{len(problems)} problem(s) found", file=sys.stderr)


def cmd_validate(args: argparse.Namespace) -> int:
    """Validate the case base; print OK with counts or every problem."""
    from analysis.casebase import CaseBaseError, load_casebase, summary_counts

    src = _sources(args)
    try:
        cb = load_casebase(args.casebase, src)
    except CaseBaseError as exc:
        _print_problems(exc.problems)
        return 1
    counts = summary_counts(cb)
    checked = f"quotes checked against {src}" if src else "quotes NOT checked (no --sources given)"
    print(
        "OK: " + ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in counts.items()) + f"; {checked}"
    )
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    """Export tables (CSV with BOM + datapackage.json)."""
    from analysis.casebase import CaseBaseError, load_casebase
    from analysis.export import export_tables

    try:
        cb = load_casebase(args.casebase, _sources(args))
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
        print("locate needs --sources DIR (the folder of source texts)", file=sys.stderr)
        return 2
    root = Path(args.casebase)
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
    root = Path(args.casebase)
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
        f"wrote {path}: fill it in, then run `workbench locate --sources DIR` and "
        "`workbench validate --sources DIR`"
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
    p = sub.add_parser("validate", help="validate the case base (and quotes, with --sources)")
    _add_common(p)
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("export", help="export tables for Excel/WPS/Stata/R")
    _add_common(p)
    p.add_argument(
        "--out", default="reports/tables", help="output folder (default: reports/tables)"
    )
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("locate", help="fill in evidence offsets from quotes")
    _add_common(p)
    p.add_argument("files", nargs="*", help="YAML files (default: every case and coding file)")
    p.set_defaults(func=cmd_locate)

    p = sub.add_parser("new-case", help="write a commented template for a new case")
    _add_common(p, sources=False)
    p.add_argument(
        "id", help="snake_case id of the new case (at most 64 characters), e.g. chengdu_wuhou"
    )
    p.add_argument("--force", action="store_true", help="overwrite an existing file")
    p.set_defaults(func=cmd_new_case)

    p = sub.add_parser("schema", help="export JSON Schemas for editors")
    p.add_argument(
        "--out", default="casebase/schema", help="output folder (default: casebase/schema)"
    )
    p.set_defaults(func=cmd_schema)
