"""The reliability report (编码信度): characterisation of the figures, then the report.

The characterisation tests pin what the old ``briefing.reliability_briefing`` showed,
as values of the analysis functions (:mod:`analysis.reliability`), so they hold
after the port to :mod:`analysis.reports.reliability`.
"""

from __future__ import annotations

import re

import pytest

from analysis.md_text import plain_text
from analysis.reliability import read_rounds, round_report
from analysis.reports import reliability as R
from analysis.reports.registry import KINDS
from tests.conftest import CASEBASE, SEEDS
from tests.reports.reader import RAW, all_text, latin_words


@pytest.fixture(scope="module")
def rounds(casebase):
    return {r.id: round_report(casebase, r) for r in read_rounds(casebase)}


# ---------------------------------------------------------------- characterisation


def test_rounds_one_and_two_silence_as_zero(rounds):
    """Rounds 1 and 2 as published: silence counted as 0, 175 units each."""
    assert rounds["1"]["units"] == rounds["2"]["units"] == 175
    assert f"{rounds['1']['alpha_ordinal']:.3f}" == "0.973"
    assert f"{rounds['2']['alpha_ordinal']:.3f}" == "0.949"
    assert f"{rounds['1']['kappa_presence']:.3f}" == "0.951"
    assert f"{rounds['2']['kappa_presence']:.3f}" == "0.881"
    assert (len(rounds["1"]["disagreements"]), len(rounds["2"]["disagreements"])) == (13, 22)
    assert rounds["1"]["codebook_version"] == 1 and rounds["2"]["codebook_version"] == 2


def test_round_three_missing_aware_measures(rounds):
    """Round 3 (codebook v4): silence as missing, statuses, outcomes, both-silent share."""
    r3 = rounds["3"]
    assert r3["codebook_version"] == 4
    assert r3["coders"] == ["coder_d", "coder_e"]
    assert f"{r3['alpha_ordinal_reported']:.3f}" == "0.921"
    assert r3["units_reported_by_either"] == 85
    assert f"{r3['alpha_status_nominal']:.3f}" == "0.948"
    assert f"{r3['outcomes']['alpha_ordinal']:.3f}" == "0.887"
    assert (r3["outcomes"]["scored_by_both"], r3["outcomes"]["scored_by_one"]) == (14, 4)
    assert r3["outcomes"]["same_claim_strength"] == 14
    assert f"{r3['both_zero_or_missing']:.0%}" == "60%"
    assert r3["units"] == 200 and f"{r3['alpha_ordinal']:.3f}" == "0.978"
    assert len(r3["disagreements"]) == 8


def test_rounds_one_and_two_have_no_outcome_alpha(rounds):
    """Outcomes were not double-coded before round 3: their alpha is undefined (None)."""
    for rid in ("1", "2"):
        assert rounds[rid]["outcomes"]["alpha_ordinal"] is None
        assert rounds[rid]["outcomes"]["scored_by_both"] == 0


def test_round_three_per_code_alpha(rounds):
    per = rounds["3"]["per_code"]
    assert len(per) == 40
    assert per["party_core_leadership"]["alpha"] == pytest.approx(0.4)
    assert per["high_level_push"]["alpha"] == pytest.approx(0.7333)
    assert per["cross_department_coordination"]["alpha"] == pytest.approx(0.7943)
    undefined = sorted(c for c, v in per.items() if v["alpha"] is None)
    assert undefined == ["dual_registration", "mass_org_hub", "party_project_leadership"]
    below = sorted(c for c, v in per.items() if v["alpha"] is not None and v["alpha"] < 0.8)
    assert below == ["cross_department_coordination", "high_level_push", "party_core_leadership"]


def test_round_one_per_code_alpha_lowest(rounds):
    per = rounds["1"]["per_code"]
    assert per["resident_deliberation"]["alpha"] == pytest.approx(0.55)
    assert per["grid_management"]["alpha"] == pytest.approx(0.7333)


def test_every_disagreement_is_adjudicated_with_a_reason(casebase, rounds):
    """Each disagreement of each round has the case file's adjudication of that round,
    under its code or, for a code v4 retired, under the code that replaced it (the
    old report showed "—" for those two)."""
    replaced = {r.id: r.replaced_by for r in casebase.codebook.retired_codes}
    followed = 0
    for rid, rep in rounds.items():
        a, b = rep["coders"]
        for d in rep["disagreements"]:
            mechs = {m.code: m for m in casebase.cases[d["case_id"]].mechanisms}
            codes = [d["code"], *replaced.get(d["code"], [])]
            adj = [
                x
                for c in codes
                if c in mechs
                for x in mechs[c].adjudication
                if x.round == rid
                and (x.scores.get(a) or 0) == d[a]
                and (x.scores.get(b) or 0) == d[b]
            ]
            assert len(adj) == 1, (rid, d["case_id"], d["code"])
            assert adj[0].reason.strip()
            followed += d["code"] not in mechs
    assert followed == 2


def test_round_three_first_disagreement(rounds):
    d = rounds["3"]["disagreements"][0]
    assert (d["case_id"], d["code"], d["coder_d"], d["coder_e"], d["steps"]) == (
        "dongguan",
        "local_dispute_resolution",
        1.0,
        0.33,
        -2,
    )


# ---------------------------------------------------------------- the report

ALLOWED_LATIN_ZH = {"Krippendorff", "Cohen", "casebase", "codings", "rounds", "yaml"}


@pytest.fixture(scope="module")
def rel_facts(casebase):
    return R.facts(casebase)


@pytest.fixture(scope="module", params=["zh", "en"])
def report(request, casebase, rel_facts):
    return R.write(casebase, rel_facts, request.param)


def test_facts_headline_the_current_round(rel_facts):
    assert rel_facts.current == "3"
    cur = rel_facts.current_round
    assert cur.codebook_version == 4 and cur.n_codes == 40
    assert [r.id for r in rel_facts.history] == ["1", "2"]
    assert (rel_facts.reliable, rel_facts.tentative) == (0.8, 0.667)
    assert all(d.adjudication is not None for r in rel_facts.rounds for d in r.disagreements)
    assert R.verdict(cur.alpha_ordinal_reported) == "reliable"


def test_facts_follow_retired_codes_to_their_adjudication(rel_facts):
    r1 = next(r for r in rel_facts.rounds if r.id == "1")
    d = next(d for d in r1.disagreements if d.code == "dispute_resolution")
    assert d.adjudication.code == "local_dispute_resolution"
    assert d.adjudication.final is None and "v2" in d.adjudication.reason


def test_sections_are_the_registrys_and_not_empty(report):
    assert tuple(report.sections) == KINDS["reliability"].sections
    for key, sec in report.sections.items():
        assert not sec.is_empty(), key
        assert report.section_markdown(key).strip()
    assert report.sections["codes"].figures
    assert report.judgements


def test_summary_names_the_current_round(report):
    if report.lang == "zh":
        assert report.summary.startswith("第 3 轮（编码手册第 4 版，当前一轮）")
        assert "第 1 轮" not in report.summary and "第 2 轮" not in report.summary
    else:
        assert report.summary.startswith("Round 3 (codebook v4, the current round)")
        assert "Round 1" not in report.summary
    for figure in ("0.921", "0.948", "0.887"):
        assert figure in report.summary


def test_round_figures_reach_the_text(report):
    rounds = report.section_markdown("rounds")
    for figure in ("0.921", "0.948", "0.887", "60%", "0.973", "0.949", "175", "200", "0.978"):
        assert figure in rounds, figure
    codes = plain_text(report.section_markdown("codes"))
    assert "0.40" in codes and "0.73" in codes and "0.79" in codes


def test_every_current_disagreement_with_its_reason(report, rel_facts):
    points = report.sections["disagreements"].points
    assert len(points) == len(rel_facts.current_round.disagreements) == 8
    reason = "理由" if report.lang == "zh" else "Reason"
    assert all(reason in p.text for p in points)
    for r in rel_facts.history:
        table = report.appendix[f"round_{r.id}"].tables[-1][1]
        assert len(table) == len(r.disagreements)


def test_no_raw_ids_none_or_nan_anywhere(report):
    text = all_text(report)
    assert not RAW.findall(text), sorted(set(RAW.findall(text)))
    for coder in ("coder_c", "coder_d", "primary_adj1"):
        assert coder not in text


def test_chinese_report_has_no_english_fragments(casebase, rel_facts):
    text = all_text(R.write(casebase, rel_facts, "zh"))
    latin = latin_words(text, ALLOWED_LATIN_ZH)
    assert not latin, sorted(latin)
    assert "编码者D" in text and "初始编码（第1轮裁决后）" in text


def test_english_report_marks_reasons_recorded_in_chinese(casebase, rel_facts):
    en = R.write(casebase, rel_facts, "en")
    text = en.section_markdown("disagreements")
    assert "(recorded in Chinese only)" in text
    # Round 2's reasons carry their own English sentence, used as is.
    r2 = en.appendix["round_2"].tables[-1][1]
    assert r2.iloc[:, -1].str.contains("under v2").any()


def test_split_reason_keeps_chinese_and_english_apart(casebase):
    """Every reason of a reliability round: no English phrase in the Chinese part; the
    English part (rounds 1-2) starts with a capital and holds English words."""
    n_en = 0
    for case in casebase.cases.values():
        for m in case.mechanisms:
            for a in m.adjudication:
                if a.round not in ("1", "2", "3"):
                    continue
                zh, en = R.split_reason(a.reason)
                assert zh and not re.search(r"[A-Za-z]{2,}[ ,:]+[A-Za-z]{2,}", zh), a.reason
                if en:
                    n_en += 1
                    assert re.match(r"['\"‘“(]?[A-Z]", en) and re.search(r"[a-z]{3,}", en), a.reason
    assert n_en == 13 + 22


def test_build_through_the_registry(casebase):
    from analysis import reports

    r = reports.build("reliability", lang="en", casebase_dir=str(CASEBASE), sources=str(SEEDS))
    assert r.kind == "reliability" and r.facts.current == "3"
    payload = r.facts_payload()
    assert payload["facts"]["current"] == "3"
    assert payload["summary"].startswith("Round 3")


def test_not_buildable_without_codings(tmp_path):
    import shutil

    from analysis.reports.errors import NotBuildable

    shutil.copytree(CASEBASE, tmp_path / "casebase", ignore=shutil.ignore_patterns("codings"))
    with pytest.raises(NotBuildable, match="casebase/codings"):
        R.build("zh", tmp_path / "casebase", str(SEEDS))
