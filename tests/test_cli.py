"""The ``workbench`` command line as a newcomer meets it: version, help, one option name."""

from __future__ import annotations

import argparse
import re

import pytest

from analysis.cli import _parsers, build_parser, main
from tests.conftest import ROOT

CJK = re.compile(r"[\u3400-\u9fff]")


def _subcommands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def _is_bilingual(text: str | None) -> bool:
    """The project's convention: Chinese first, then `` / `` and the English."""
    if not text or " / " not in text:
        return False
    zh, en = text.split(" / ", 1)
    return bool(CJK.search(zh)) and bool(re.search(r"[A-Za-z]{2}", en)) and not CJK.search(en)


def test_version(capsys):
    from analysis import __version__

    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"workbench {__version__}"


def test_every_subcommand_has_bilingual_help():
    parser = build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    helps = {a.dest: a.help for a in action._choices_actions}
    assert set(helps) == set(_subcommands())
    bad = {name: h for name, h in helps.items() if not _is_bilingual(h)}
    assert not bad, f"subcommand help not in the '中文 / English' convention: {bad}"


def test_every_option_has_bilingual_help():
    bad = []
    for p in _parsers(build_parser()):
        for a in p._actions:
            if isinstance(a, argparse._SubParsersAction) or a.help == argparse.SUPPRESS:
                continue
            if not _is_bilingual(a.help):
                bad.append(f"{p.prog} {'/'.join(a.option_strings) or a.dest}: {a.help!r}")
    assert not bad, "options without '中文 / English' help:\n" + "\n".join(bad)


def test_the_case_base_option_is_called_casebase_everywhere():
    """Whatever names a case-base folder is spelled ``--casebase DIR``."""
    seen = 0
    for name, p in _subcommands().items():
        for a in p._actions:
            if a.help and "case-base folder" in a.help:
                seen += 1
                assert a.option_strings == ["--casebase"] and a.dest == "casebase", name
    assert seen >= 6


@pytest.mark.parametrize("heading", ["### 命令一览", "### Commands"])
def test_readme_command_table_lists_every_subcommand(heading):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert heading in readme
    table = readme.split(heading, 1)[1].split("\n\n", 2)[1]
    listed = set(re.findall(r"^\| `workbench ([a-z-]+)", table, flags=re.M))
    assert listed == set(_subcommands())
