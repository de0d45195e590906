"""`workbench reliability`: alpha, kappa, units, per-code figures and disagreements."""

from __future__ import annotations

import json
import shutil

import pytest

from analysis.casebase import CaseBaseError, load_casebase
from analysis.cli import main
from analysis.reliability import coder_frame, freeze_coding, read_rounds, reliability_report
from analysis.stats import agreement
from tests.conftest import CASEBASE


def test_rounds_are_declared(casebase):
    rounds = read_rounds(casebase)
    assert [r.coders for r in rounds][:3] == [
        ("primary", "coder_b"),
        ("primary_adj1", "coder_c"),
        ("coder_d", "coder_e"),
    ]
    assert [r.codebook_version for r in rounds][:3] == [1, 2, 4]


def test_round_one_figures_equal_a_direct_recomputation(casebase):
    rep = reliability_report(casebase, "1")
    direct = agreement(coder_frame(casebase, "primary"), coder_frame(casebase, "coder_b"))
    # Round 1 compares the codes of codebook v1 (frozen codings), not today's codes.
    codes = {m.code for c in casebase.codings["primary"].values() for m in c.mechanisms}
    assert rep["units"] == direct.n_units == len(casebase.codings["primary"]) * len(codes)
    assert rep["alpha_ordinal"] == pytest.approx(direct.alpha_ordinal, abs=1e-4)
    assert rep["kappa_presence"] == pytest.approx(direct.kappa_presence, abs=1e-4)
    assert len(rep["disagreements"]) == len(direct.disagreements)
    # The target the project set itself: alpha >= 0.80 overall.
    assert rep["alpha_ordinal"] >= 0.80


@pytest.mark.parametrize(
    ("round_id", "a", "b"),
    [("1", "primary", "coder_b"), ("2", "primary_adj1", "coder_c"), ("3", "coder_d", "coder_e")],
)
def test_every_disagreement_is_adjudicated_in_the_case_file(casebase, round_id, a, b):
    rep = reliability_report(casebase, round_id)
    assert rep["disagreements"]
    for d in rep["disagreements"]:
        # A code a later codebook merged keeps its trail under the code it went into.
        retired = {r.id: r.replaced_by[0] for r in casebase.codebook.retired_codes}
        code = retired.get(d["code"], d["code"])
        mech = next(m for m in casebase.cases[d["case_id"]].mechanisms if m.code == code)
        entry = next(
            (
                x
                for x in mech.adjudication
                if x.round == round_id
                and set(x.scores) == {a, b}
                and (code == d["code"] or x.reason.startswith(f"[{d['code']}]"))
            ),
            None,
        )
        assert entry is not None, (round_id, d["case_id"], d["code"])
        # Silence is recorded as null in the trail; the silence-as-0 comparison reads it as 0.
        assert {k: v or 0 for k, v in entry.scores.items()} == {a: d[a], b: d[b]}
        assert entry.reason
        # Both coders' evidence travels with the disagreement (or it was not reported).
        assert d["evidence"][b] or d[b] == 0
    for case in casebase.cases.values():
        for m in case.mechanisms:
            if m.adjudication:
                assert m.adjudication[-1].final == m.score


def test_json_output_has_the_documented_keys(casebase, capsys):
    assert main(["reliability", "--format", "json"]) == 0
    rep = json.loads(capsys.readouterr().out)
    assert {
        "alpha_ordinal",
        "kappa_presence",
        "units",
        "per_code",
        "disagreements",
        "rounds",
    } <= set(rep)
    code, pc = next(iter(rep["per_code"].items()))
    assert set(pc) >= {"alpha", "n"} and pc["n"] == 5


def test_text_output_reads_like_a_report(casebase, capsys):
    assert main(["reliability", "--round", "1"]) == 0
    out = capsys.readouterr().out
    assert "Krippendorff's alpha (ordinal)" in out and "Disagreements (" in out
    assert main(["reliability", "--round", "nope"]) == 1
    assert "unknown round" in capsys.readouterr().err


def test_adjudicated_final_must_equal_the_score(tmp_path):
    root = tmp_path / "casebase"
    shutil.copytree(CASEBASE, root)
    path = root / "cases" / "shaoxing.yaml"
    text = path.read_text(encoding="utf-8")
    i = text.index("    adjudication:")
    stop = text.find("\n  - code:", i)
    j = text.rindex("        final:", i, stop if stop != -1 else len(text))  # the last entry
    k = text.index("\n", j)
    current = text[j:k].split(":")[1].strip()
    wrong = "0.33" if current != "0.33" else "1"
    path.write_text(text[:j] + f"        final: {wrong}" + text[k:], encoding="utf-8")
    with pytest.raises(CaseBaseError) as info:
        load_casebase(root)
    assert any(
        f"adjudicated final score {wrong} differs from score" in str(p) for p in info.value.problems
    )


def test_freeze_never_overwrites(tmp_path):
    root = tmp_path / "casebase"
    shutil.copytree(CASEBASE, root)
    cb = load_casebase(root)
    with pytest.raises(FileExistsError):
        freeze_coding(cb, "primary")
    written = freeze_coding(cb, "snapshot")
    assert len(written) == len(cb.cases)
    again = load_casebase(root)
    assert set(again.codings["snapshot"]) == set(cb.cases)


def test_readme_reports_the_current_figures(casebase):
    from tests.conftest import ROOT

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for r in ("1", "2", "3"):
        rep = reliability_report(casebase, r)
        assert f"{rep['alpha_ordinal']:.3f}" in readme
        assert f"{rep['alpha_ordinal_reported']:.3f}" in readme
        assert f"{rep['alpha_status_nominal']:.3f}" in readme
    rep = reliability_report(casebase, "3")
    assert f"{rep['outcomes']['alpha_ordinal']:.3f}" in readme


def test_a_coding_of_a_case_that_does_not_exist_is_an_error(tmp_path, capsys):
    root = tmp_path / "casebase"
    shutil.copytree(CASEBASE, root)
    coder = root / "codings" / "coder_b"
    text = (coder / "shaoxing.yaml").read_text(encoding="utf-8")
    assert text.startswith("id: shaoxing\n")
    (coder / "ghost.yaml").write_text(text.replace("id: shaoxing", "id: ghost", 1), "utf-8")
    expected = (
        "casebase/codings/coder_b/ghost.yaml:1: id: no case 'ghost' in cases/ "
        "(an independent coding codes a case of the case base; check the file name)"
    )
    with pytest.raises(CaseBaseError) as info:
        load_casebase(root)
    assert [str(p) for p in info.value.problems] == [expected]
    for command in ("validate", "reliability"):
        assert main([command, "--casebase", str(root)]) == 1
        out = capsys.readouterr()
        assert expected in out.err and "Traceback" not in out.err


def test_the_same_coder_twice_in_a_round_is_refused(tmp_path, capsys):
    root = tmp_path / "casebase"
    shutil.copytree(CASEBASE, root)
    rounds = root / "codings" / "rounds.yaml"
    text = rounds.read_text(encoding="utf-8")
    assert "    coders: [primary, coder_b]\n" in text
    rounds.write_text(text.replace("[primary, coder_b]", "[coder_b, coder_b]"), "utf-8")
    line = text.splitlines().index("    coders: [primary, coder_b]") + 1
    expected = (
        f"casebase/codings/rounds.yaml:{line}: rounds[0].coders: coder 'coder_b' is listed "
        "twice (a round compares two different coders)"
    )
    for command in ("validate", "reliability"):
        assert main([command, "--casebase", str(root)]) == 1
        out = capsys.readouterr()
        assert expected in out.err and "Traceback" not in out.err
        assert "alpha" not in out.out
