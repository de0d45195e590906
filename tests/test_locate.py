"""`workbench locate` fills offsets from quotes and refuses what it cannot place."""

from __future__ import annotations

import pytest

from analysis.cli import main
from analysis.locate import LocateError, find_span
from tests.test_casebase import QUOTE, _mini, good_case


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
