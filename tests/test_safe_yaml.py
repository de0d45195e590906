"""Every YAML the workbench reads is parsed safely: no alias bombs, no deep nesting, UTF-8 only."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from analysis.batch.plan import PlanError, load_plan, outcome_ids
from analysis.casebase import CaseBaseError, load_casebase, load_codebook
from analysis.cli import main
from analysis.locate import locate_file
from analysis.reliability import read_rounds
from analysis.safe_yaml import MAX_DEPTH, YamlError, load_yaml, read_utf8
from tests.conftest import CASEBASE


def bomb(levels: int = 9, width: int = 9) -> str:
    """A "billion laughs": each anchor refers to ``width`` copies of the one before."""
    lines = ['a0: &a0 "lol"']
    for i in range(1, levels):
        refs = ", ".join([f"*a{i - 1}"] * width)
        lines.append(f"a{i}: &a{i} [{refs}]")
    return "\n".join(lines) + "\n"


def deep(levels: int) -> str:
    return "".join("  " * i + "k:\n" for i in range(levels)) + "  " * levels + "v: 1\n"


BOMB = bomb()  # 9**8 = 43 million strings if expanded; a few hundred bytes written out


def _copy_casebase(tmp_path: Path) -> Path:
    root = tmp_path / "casebase"
    shutil.copytree(CASEBASE, root)
    return root


def test_bomb_is_small_but_refused_at_once():
    assert len(BOMB.encode()) < 600
    t0 = time.perf_counter()
    with pytest.raises(YamlError) as info:
        load_yaml(BOMB, "cases/x.yaml")
    assert time.perf_counter() - t0 < 1
    assert str(info.value) == (
        "cases/x.yaml:1: YAML anchors and aliases are not allowed (&a0): write the value out in full"
    )


def test_deep_nesting_is_refused_without_recursion_error():
    assert load_yaml(deep(MAX_DEPTH - 1), "x.yaml") is not None
    with pytest.raises(YamlError) as info:
        load_yaml(deep(300), "x.yaml")
    assert f"nested more than {MAX_DEPTH} levels deep" in str(info.value)
    assert str(info.value).startswith(f"x.yaml:{MAX_DEPTH + 1}: ")
    with pytest.raises(YamlError, match="malformed YAML"):
        load_yaml("[" * 5000 + "]" * 5000, "x.yaml")  # libyaml's own limit


def test_validate_refuses_a_bomb_in_a_case_file(tmp_path, capsys):
    root = _copy_casebase(tmp_path)
    (root / "cases" / "bomb.yaml").write_text(BOMB, encoding="utf-8")
    t0 = time.perf_counter()
    assert main(["validate", "--casebase", str(root)]) == 1
    assert time.perf_counter() - t0 < 20
    err = capsys.readouterr().err
    assert "casebase/cases/bomb.yaml:1: YAML anchors and aliases are not allowed (&a0)" in err
    assert "Traceback" not in err
    assert err.strip().endswith("1 problem(s) found")


def test_validate_refuses_deep_nesting_in_a_case_file(tmp_path, capsys):
    root = _copy_casebase(tmp_path)
    (root / "cases" / "deep.yaml").write_text(deep(250), encoding="utf-8")
    assert main(["validate", "--casebase", str(root)]) == 1
    err = capsys.readouterr().err
    assert f"casebase/cases/deep.yaml:{MAX_DEPTH + 1}: nested more than" in err
    assert "Traceback" not in err and "RecursionError" not in err


@pytest.mark.parametrize(
    "name",
    ["codebook.yaml", "sources.yaml", "codings/coder_b/shaoxing.yaml", "codings/rounds.yaml"],
)
def test_every_casebase_file_refuses_aliases(tmp_path, name):
    root = _copy_casebase(tmp_path)
    (root / name).write_text(BOMB, encoding="utf-8")
    with pytest.raises(CaseBaseError) as info:
        load_casebase(root)
    assert [str(p) for p in info.value.problems] == [
        f"casebase/{name}:1: YAML anchors and aliases are not allowed (&a0): "
        "write the value out in full"
    ]


def test_locate_refuses_a_bomb_and_leaves_the_file(tmp_path):
    root = _copy_casebase(tmp_path)
    path = root / "cases" / "bomb.yaml"
    path.write_text(BOMB, encoding="utf-8")
    res = locate_file(path, {}, root)
    assert res.updated == 0
    assert [p.message for p in res.problems] == [
        "YAML anchors and aliases are not allowed (&a0): write the value out in full"
    ]
    assert path.read_text(encoding="utf-8") == BOMB


def test_batch_plan_and_codebook_refuse_aliases(tmp_path, capsys):
    plan = tmp_path / "plan.yaml"
    plan.write_text(BOMB, encoding="utf-8")
    with pytest.raises(PlanError) as info:
        load_plan(plan)
    assert info.value.problems == [
        f"{plan}:1: YAML anchors and aliases are not allowed (&a0): write the value out in full"
    ]
    (tmp_path / "casebase").mkdir()
    (tmp_path / "casebase" / "codebook.yaml").write_text(BOMB, encoding="utf-8")
    with pytest.raises(YamlError, match="anchors and aliases"):
        outcome_ids(tmp_path / "casebase")
    # The batch (default plan) stops with the message, before any notebook runs.
    assert main(["batch", "--root", str(tmp_path), "--out", str(tmp_path / "out")]) != 0
    err = capsys.readouterr().err
    assert "codebook.yaml:1: YAML anchors and aliases are not allowed" in err
    assert "Traceback" not in err and not (tmp_path / "out" / "index.html").exists()


def test_malformed_rounds_file_is_a_clean_error(tmp_path, casebase, capsys):
    root = _copy_casebase(tmp_path)
    rounds = root / "codings" / "rounds.yaml"
    rounds.write_text("rounds:\n  - id: r1\n    coders: primary\n", encoding="utf-8")
    cb = load_casebase(CASEBASE)
    cb.root = root
    with pytest.raises(CaseBaseError) as info:
        read_rounds(cb)
    assert [str(p) for p in info.value.problems] == [
        "casebase/codings/rounds.yaml:3: rounds[0].coders: Input should be a valid list"
    ]
    for argv in (["validate"], ["reliability"]):
        assert main([*argv, "--casebase", str(root)]) == 1
        err = capsys.readouterr().err
        assert (
            "casebase/codings/rounds.yaml:3: rounds[0].coders: Input should be a valid list" in err
        )
        assert "Traceback" not in err
    rounds.write_text("- just\n- a list\n", encoding="utf-8")
    assert main(["reliability", "--casebase", str(root)]) == 1
    assert (
        "rounds.yaml:1: expected a mapping at the top level, found list" in capsys.readouterr().err
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("codes: [", "casebase/codebook.yaml:2: malformed YAML"),
        ("- a\n- b\n", "casebase/codebook.yaml:1: expected a mapping at the top level"),
        ("version: one\n", "casebase/codebook.yaml:1: version: Input should be a valid integer"),
    ],
)
def test_malformed_codebook_is_a_clean_error(tmp_path, capsys, text, message):
    root = _copy_casebase(tmp_path)
    (root / "codebook.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(CaseBaseError):
        load_codebook(root)
    for argv in (["validate"], ["reliability"]):
        assert main([*argv, "--casebase", str(root)]) == 1
        err = capsys.readouterr().err
        assert message in err and "Traceback" not in err


def test_non_utf8_yaml_says_how_to_convert(tmp_path, capsys):
    root = _copy_casebase(tmp_path)
    text = (root / "cases" / "shaoxing.yaml").read_text(encoding="utf-8")
    (root / "cases" / "shaoxing.yaml").write_bytes(text.encode("gbk"))
    assert main(["validate", "--casebase", str(root)]) == 1
    err = capsys.readouterr().err
    line = next(i for i, ln in enumerate(text.splitlines(), 1) if not ln.isascii())
    assert (
        f"casebase/cases/shaoxing.yaml:{line}: not UTF-8 text (GBK?): convert it with "
        "`iconv -f GBK -t UTF-8 shaoxing.yaml > shaoxing.utf8 && mv shaoxing.utf8 shaoxing.yaml`"
    ) in err


def test_utf16_and_unknown_encodings_are_named(tmp_path):
    p = tmp_path / "a.txt"
    p.write_bytes("共治".encode("utf-16"))
    with pytest.raises(YamlError, match=r"^a.txt:1: not UTF-8 text \(UTF-16\?\): convert it with"):
        read_utf8(p, "a.txt")
    p.write_bytes(b"ok\n\xff\xff")
    with pytest.raises(YamlError, match=r"^a.txt:2: not UTF-8 text \(bad byte at offset 3\)"):
        read_utf8(p, "a.txt")


def test_outcome_ids_of_a_malformed_codebook_is_no_type_error(tmp_path):
    (tmp_path / "codebook.yaml").write_text("outcomes: 5\n", encoding="utf-8")
    assert outcome_ids(tmp_path) == []
