"""`workbench locate` fills offsets from quotes and refuses what it cannot place."""

from __future__ import annotations

import codecs
import os
import shutil
import stat
import textwrap
from pathlib import Path

import pytest
import yaml

from analysis.casebase import load_casebase
from analysis.cli import main
from analysis.locate import LocateError, find_span
from tests.conftest import CASEBASE
from tests.test_casebase import QUOTE, SHAOXING, _mini, _span, good_case, problems_of


def test_find_span_unique_and_hinted():
    assert find_span("共建共治共享", "共治") == (2, 4)
    assert find_span("甲乙甲乙", "甲乙", occurrence=2) == (2, 4)


def test_find_span_refuses_missing_and_ambiguous():
    with pytest.raises(LocateError, match="appears nowhere"):
        find_span("共建共治", "共享")
    with pytest.raises(LocateError, match="occurs 2 times .*occurrence: N"):
        find_span("甲乙甲乙", "甲乙")
    with pytest.raises(LocateError, match="occurrence 3 requested"):
        find_span("甲乙甲乙", "甲乙", occurrence=3)


def _strip_offsets(text: str) -> str:
    return "\n".join(
        line for line in text.splitlines() if "start:" not in line and "end:" not in line
    )


def test_locate_fills_offsets_and_keeps_comments(tmp_path, seeds, capsys):
    text = _strip_offsets(good_case(seeds)).replace(
        "rationale: 测试", "rationale: 测试  # 保留这条注释"
    )
    root = _mini(tmp_path, seeds, text)
    path = root / "cases" / "mini.yaml"
    assert main(["locate", "--casebase", str(root), "--sources", str(seeds)]) == 0
    after = path.read_text(encoding="utf-8")
    assert "# 保留这条注释" in after
    body = (seeds / "001_7a74fcaebfa6efba.txt").read_text(encoding="utf-8")
    start = body.index(QUOTE)
    assert f"start: {start}" in after and f"end: {start + len(QUOTE)}" in after
    # The filled file now validates against the corpus.
    assert main(["validate", "--casebase", str(root), "--sources", str(seeds)]) == 0
    capsys.readouterr()


def test_locate_refuses_unknown_quote_and_leaves_file(tmp_path, seeds, capsys):
    text = _strip_offsets(good_case(seeds, quote="这句话不在原文中"))
    root = _mini(tmp_path, seeds, text)
    path = root / "cases" / "mini.yaml"
    before = path.read_text(encoding="utf-8")
    assert main(["locate", "--casebase", str(root), "--sources", str(seeds)]) == 1
    err = capsys.readouterr().err
    assert (
        "casebase/cases/mini.yaml:17: mechanisms[0].evidence[0].quote: quote appears nowhere in its source"
        in err
    )
    assert path.read_text(encoding="utf-8") == before


def test_locate_refuses_ambiguous_quote_without_hint(tmp_path, seeds, capsys):
    text = _strip_offsets(good_case(seeds, quote="契约化"))
    root = _mini(tmp_path, seeds, text)
    assert main(["locate", "--casebase", str(root), "--sources", str(seeds)]) == 1
    assert "add `occurrence: N`" in capsys.readouterr().err
    path = root / "cases" / "mini.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    i = next(i for i, line in enumerate(lines) if line.strip() == "quote: 契约化")
    indent = lines[i][: len(lines[i]) - len(lines[i].lstrip())]
    lines.insert(i + 1, f"{indent}occurrence: 2")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["locate", "--casebase", str(root), "--sources", str(seeds)]) == 0
    capsys.readouterr()


# --------------------------------------------------------------- occurrence hints


def _with_occurrence(seeds, quote: str, occurrence: str, *, strip: bool = True) -> str:
    """A mini case whose only evidence quotes ``quote`` with an ``occurrence:`` line."""
    s, e = _span(seeds, quote)
    text = good_case(seeds, quote=quote, start=str(s), end=str(e))
    if strip:
        text = _strip_offsets(text)
    lines = textwrap.dedent(text).splitlines()
    i = next(i for i, line in enumerate(lines) if line.strip() == f"quote: {quote}")
    indent = lines[i][: len(lines[i]) - len(lines[i].lstrip())]
    lines.insert(i + 1, f"{indent}occurrence: {occurrence}")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("bad", ["0", "-1", "1.5", "abc", "true", "'2'", "[1]"])
def test_locate_refuses_an_occurrence_that_is_not_a_positive_integer(tmp_path, seeds, capsys, bad):
    root = _mini(tmp_path, seeds, _with_occurrence(seeds, "契约化", bad))
    path = root / "cases" / "mini.yaml"
    before = path.read_bytes()
    assert main(["locate", "--casebase", str(root), "--sources", str(seeds)]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert (
        "casebase/cases/mini.yaml:18: mechanisms[0].evidence[0].occurrence: "
        "occurrence must be a positive whole number (1 = the first occurrence), got "
    ) in err
    assert path.read_bytes() == before


@pytest.mark.parametrize("bad", [0, -1, 1.5, "abc", True])
def test_find_span_refuses_a_bad_occurrence(bad):
    with pytest.raises(LocateError, match="positive whole number"):
        find_span("甲乙甲乙", "甲乙", occurrence=bad)


@pytest.mark.parametrize("bad", ["0", "-1", "1.5", "abc", "true"])
def test_validate_refuses_an_occurrence_that_is_not_a_positive_integer(tmp_path, seeds, bad):
    text = _with_occurrence(seeds, QUOTE, bad, strip=False)
    msgs = problems_of(_mini(tmp_path, seeds, text), seeds)
    assert msgs == [
        "casebase/cases/mini.yaml:20: mechanisms[0].evidence[0].occurrence: occurrence must be "
        f"a positive whole number (1 = the first occurrence), got {yaml.safe_load(bad)!r}"
    ]


def test_validate_checks_occurrence_against_the_offsets(tmp_path, seeds):
    body = (seeds / SHAOXING).read_text(encoding="utf-8")
    first = body.index("契约化")
    second = body.index("契约化", first + 1)
    total = body.count("契约化")
    # Offsets of the first occurrence but `occurrence: 2`: wrong, and said so.
    text = _with_occurrence(seeds, "契约化", "2", strip=False)
    msgs = problems_of(_mini(tmp_path / "a", seeds, text), seeds)
    assert msgs == [
        "casebase/cases/mini.yaml:20: mechanisms[0].evidence[0].occurrence: start "
        f"{first} is occurrence 1 of the quote's {total}, not occurrence 2 (which starts at "
        f"{second}): correct `occurrence` or rerun `workbench locate`"
    ]
    # An occurrence beyond the last one.
    text = _with_occurrence(seeds, "契约化", str(total + 1), strip=False)
    [msg] = problems_of(_mini(tmp_path / "b", seeds, text), seeds)
    assert msg.endswith(
        f"occurrence: start {first} is occurrence 1 of the quote's {total}, not occurrence "
        f"{total + 1} (the quote occurs {total} times): correct `occurrence` or rerun "
        "`workbench locate`"
    )
    # The right hint validates, and locate keeps it.
    text = _with_occurrence(seeds, "契约化", "1", strip=False)
    root = _mini(tmp_path / "c", seeds, text)
    load_casebase(root, seeds)


# ------------------------------------------------------- rewriting files faithfully


def _located(path: Path, seeds: Path) -> bytes:
    root = path.parents[1] if path.parent.name == "cases" else path.resolve().parents[1]
    assert main(["locate", "--casebase", str(root), "--sources", str(seeds)]) == 0
    return path.read_bytes()


def _offsets_line(seeds: Path) -> bytes:
    start = (seeds / SHAOXING).read_text(encoding="utf-8").index(QUOTE)
    return f"start: {start}".encode()


def test_locate_keeps_crlf_line_endings(tmp_path, seeds, capsys):
    root = _mini(tmp_path, seeds, _strip_offsets(good_case(seeds)))
    path = root / "cases" / "mini.yaml"
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    after = _located(path, seeds)
    assert _offsets_line(seeds) in after
    assert after.count(b"\n") == after.count(b"\r\n") > 10
    capsys.readouterr()


def test_locate_keeps_a_utf8_bom(tmp_path, seeds, capsys):
    root = _mini(tmp_path, seeds, _strip_offsets(good_case(seeds)))
    path = root / "cases" / "mini.yaml"
    path.write_bytes(codecs.BOM_UTF8 + path.read_bytes())
    after = _located(path, seeds)
    assert _offsets_line(seeds) in after
    assert after.startswith(codecs.BOM_UTF8) and not after.startswith(codecs.BOM_UTF8 * 2)
    capsys.readouterr()


def test_locate_writes_through_a_symlink_and_keeps_the_mode(tmp_path, seeds, capsys):
    root = _mini(tmp_path, seeds, "id: placeholder\n", name="placeholder")
    (root / "cases" / "placeholder.yaml").unlink()
    elsewhere = tmp_path / "drafts" / "mini.yaml"
    elsewhere.parent.mkdir()
    elsewhere.write_text(textwrap.dedent(_strip_offsets(good_case(seeds))), encoding="utf-8")
    elsewhere.chmod(0o640)
    link = root / "cases" / "mini.yaml"
    link.symlink_to(elsewhere)
    assert main(["locate", "--casebase", str(root), "--sources", str(seeds)]) == 0
    assert link.is_symlink() and link.resolve() == elsewhere.resolve()
    assert _offsets_line(seeds) in elsewhere.read_bytes()
    assert stat.S_IMODE(elsewhere.stat().st_mode) == 0o640
    # No temporary files are left behind in either folder.
    assert sorted(p.name for p in elsewhere.parent.iterdir()) == ["mini.yaml"]
    assert sorted(p.name for p in link.parent.iterdir()) == ["mini.yaml"]
    capsys.readouterr()


def test_locate_write_failure_keeps_the_file_and_says_so(tmp_path, seeds, capsys, monkeypatch):
    root = _mini(tmp_path, seeds, _strip_offsets(good_case(seeds)))
    path = root / "cases" / "mini.yaml"
    before = path.read_bytes()

    def disk_full(*_args, **_kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", disk_full)
    assert main(["locate", "--casebase", str(root), "--sources", str(seeds)]) == 1
    err = capsys.readouterr().err
    assert "casebase/cases/mini.yaml: cannot write the file: No space left on device" in err
    assert "Traceback" not in err
    assert path.read_bytes() == before
    assert sorted(p.name for p in path.parent.iterdir()) == ["mini.yaml"]


# ------------------------------------------------------------ the shipped case base


def test_locate_over_the_shipped_case_base_changes_nothing(tmp_path, seeds, capsys):
    root = tmp_path / "casebase"
    shutil.copytree(CASEBASE, root)
    before = {p: p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}
    assert main(["locate", "--casebase", str(root), "--sources", str(seeds)]) == 0
    out = capsys.readouterr()
    assert "OK: every quote is located" in out.out, out.err
    after = {p: p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}
    assert after == before
