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
>>> main(["--version"])                  # doctest: +ELLIPSIS
workbench 0...
0
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Iterator

# Modules that contribute subcommands, in the order they appear in --help.
COMMAND_MODULES: tuple[str, ...] = (
    "analysis.casebase_cli",
    "analysis.qca.cli",
    "analysis.compare_cli",
    "analysis.reliability",
    "analysis.coding_sheet",
    "analysis.batch",
)


HELP_HELP = "显示本帮助并退出 / show this help message and exit"


def version() -> str:
    """The installed version of the workbench (the package's own when not installed)."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as dist_version

    try:
        return dist_version("governance-workbench")
    except PackageNotFoundError:
        import analysis

        return analysis.__version__


def _parsers(parser: argparse.ArgumentParser) -> Iterator[argparse.ArgumentParser]:
    """``parser`` and every subcommand's parser below it."""
    yield parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in dict.fromkeys(action.choices.values()):
                yield from _parsers(sub)


#: Commands whose module alone is loaded when they are run (the no-change rebuild of
#: ``workbench batch`` must stay under a second; the other command modules import pandas).
FAST_COMMANDS: dict[str, str] = {"batch": "analysis.batch"}


def build_parser(modules: tuple[str, ...] = COMMAND_MODULES) -> argparse.ArgumentParser:
    """Build the ``workbench`` argument parser from the command modules (default: all).

    Examples
    --------
    >>> sorted(build_parser(("analysis.batch",))._subparsers._group_actions[0].choices)
    ['batch']
    """
    parser = argparse.ArgumentParser(
        prog="workbench",
        description="基层社会治理比较研究工作台 / Comparative governance research workbench",
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"workbench {version()}",
        help="显示版本号并退出 / show the version and exit",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", title="子命令 / commands")
    for name in modules:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            # A module that is not written yet must not break the others.
            if exc.name and name.startswith(exc.name):
                continue
            raise
        module.register(sub)
    for p in _parsers(parser):
        # argparse's own -h text, in the same bilingual convention as every other option.
        for action in p._actions:
            if isinstance(action, argparse._HelpAction):
                action.help = HELP_HELP
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the process exit code."""
    from analysis.project import ProjectSettingsError

    argv = sys.argv[1:] if argv is None else list(argv)
    fast = FAST_COMMANDS.get(argv[0]) if argv else None
    parser = build_parser((fast,) if fast else COMMAND_MODULES)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, or a usage error (already printed)
        return int(exc.code or 0)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except ProjectSettingsError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
