"""The ``workbench`` command line.

Each subcommand lives in the module that owns its method family; this file only
wires them together.  A module joins the command line by exposing
``register(subparsers)``, which adds its sub-parser and sets ``func`` to a
callable ``func(args) -> int``.

Examples
--------
>>> from analysis.cli import build_parser
>>> build_parser().prog
'workbench'
"""

from __future__ import annotations

import argparse
import importlib
import sys

# Modules that contribute subcommands, in the order they appear in --help.
COMMAND_MODULES: tuple[str, ...] = (
    "analysis.casebase_cli",
    "analysis.qca.cli",
    "analysis.compare_cli",
    "analysis.reliability",
    "analysis.coding_sheet",
    "analysis.batch",
)


def build_parser() -> argparse.ArgumentParser:
    """Build the ``workbench`` argument parser from every command module."""
    parser = argparse.ArgumentParser(
        prog="workbench",
        description="基层社会治理比较研究工作台 / Comparative governance research workbench",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            # A module that is not written yet must not break the others.
            if exc.name and name.startswith(exc.name):
                continue
            raise
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
