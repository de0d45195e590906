"""案例参阅: the genre, traceable recommendations, honest effects, for every case."""

from __future__ import annotations

import json

import pytest

from analysis.reports import build
from analysis.reports.case_brief import facts
from analysis.reports.facts import facts_json

from .conftest import all_markdown, assert_genre


@pytest.fixture(scope="module")
def briefs(cb):
    return {c: build("case", case_id=c) for c in cb.case_ids}


def test_every_case_brief_has_the_genre_and_traceable_recommendations(briefs, cb):
    for report in briefs.values():
        assert_genre(report, cb)
        assert 1 <= len(report.recommendations) <= 4


def test_recommendations_rest_on_practice_never_on_proposals(briefs, cb):
    for case_id, report in briefs.items():
        bf = report.facts
        for lesson in bf.lessons:
            m = bf.case.mechanism(lesson.code)
            assert m.status in ("present", "weak") and m.score >= 0.67, (case_id, lesson.code)


def test_effects_say_who_asserts_them(briefs, cb):
    claims = {c.label_zh for c in cb.codebook.claim_strengths}
    for case_id, report in briefs.items():
        reported = [o for o in report.facts.case.outcomes if o.score is not None]
        notes = [p.note for p in report.sections["effects"].points if p.note]
        assert len(notes) == len(reported), case_id
        assert all(n in claims for n in notes)


def test_silence_is_not_a_gap(briefs):
    for report in briefs.values():
        for gap in report.facts.gaps:
            assert gap.status in ("absent", "proposed") and gap.evidence


def test_gap_requires_another_case_that_practises_the_code(briefs):
    for report in briefs.values():
        for gap in report.facts.gaps:
            assert gap.practised_by and report.facts.case.case_id not in gap.practised_by


def test_facts_are_json_and_language_free(cb):
    case_id = cb.case_ids[0]
    data = json.loads(facts_json(facts(case_id, cb)))
    assert data["case"]["case_id"] == case_id
    assert {m["status"] for m in data["case"]["mechanisms"]} <= {
        "present",
        "weak",
        "proposed",
        "absent",
        "not_reported",
    }
    assert facts_json(facts(case_id, cb)) == facts_json(facts(case_id, cb))


def test_english_version_has_no_chinese_headings(cb):
    report = build("case", case_id=cb.case_ids[-1], lang="en")
    text = all_markdown(report)
    for heading in ("核心判断", "基本情况", "主要做法", "存在问题", "对策建议"):
        assert heading not in text
    assert "Key judgements" in text and "Recommendations" in text


def test_chinese_version_has_no_english_headings(briefs):
    text = all_markdown(next(iter(briefs.values())))
    for heading in ("Background", "Findings", "Recommendations", "Case profile"):
        assert heading not in text


def test_yaobao_is_the_briefing_in_short(cb, briefs):
    case_id = cb.case_ids[0]
    y = build("yaobao", report_kind="case", case_id=case_id)
    full = briefs[case_id]
    assert y.kind == "case_yaobao" and y.compact
    assert [p.text for p in y.judgements] == [p.text for p in full.judgements]
    assert [r.text for r in y.recommendations] == [r.text for r in full.recommendations[:3]]
    assert y.basis and "详见" in y.basis
    assert not y.appendix
    assert len(all_markdown(y)) < 2200


def test_each_place_is_named_once_and_several_places_paired(briefs, cb):
    """A multi-city model read "上海市/浙江省上海市/宁波市"; a city that is its own
    province-level unit is named once; the level is not "多个城市层级"."""
    from analysis.formatting import place_name

    for case_id, report in briefs.items():
        case = cb.cases[case_id]
        text = report.section_markdown("background")
        assert place_name(case.province, case.city) in text, case_id
        if "/" in case.province:
            assert f"{case.province}{case.city}" not in text
        assert "多个城市层级" not in all_markdown(report)
