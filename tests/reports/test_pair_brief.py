"""比较借鉴: the genre for every pair, ≤ 5 lessons each way, traceable recommendations,
silence never a weakness, eras said, the 要报, both languages."""

from __future__ import annotations

import dataclasses
import json
from itertools import combinations

import pytest

from analysis.md_text import plain_text
from analysis.reports import build, defaults
from analysis.reports.errors import ParameterError, UnknownCase
from analysis.reports.facts import facts_json
from analysis.reports.pair_brief import (
    MAX_VERIFICATIONS,
    facts,
    lesson_recommendation,
    recommendations,
    selection,
)

from .conftest import RAW, all_markdown, assert_evidence_verbatim, assert_genre


@pytest.fixture(scope="module")
def pairs(cb):
    return {(a, b): build("pair", case_a=a, case_b=b) for a, b in combinations(cb.case_ids, 2)}


def _sets(report):
    pl = report.facts.lessons
    return (pl.a_from_b, pl.b_from_a)


def test_every_pair_has_the_genre_and_traceable_recommendations(pairs, cb):
    assert len(pairs) == len(cb.case_ids) * (len(cb.case_ids) - 1) // 2
    for report in pairs.values():
        assert_genre(report, cb)
        assert len(report.judgements) == defaults.MAX_JUDGEMENTS
        assert len(report.recommendations) <= defaults.MAX_RECOMMENDATIONS
        assert [r.priority for r in report.recommendations] == list(
            range(1, len(report.recommendations) + 1)
        )


def test_at_most_five_lessons_each_way_and_only_practice(pairs):
    for (a, b), report in pairs.items():
        for ls in _sets(report):
            assert len(ls.lessons) <= defaults.MAX_LESSONS == 5
            for x in ls.lessons:
                assert x.model_status in ("present", "weak"), (a, b, x.code)
                assert x.learner_status in ("absent", "proposed", "weak"), (a, b, x.code)
        learners = {ls.learner for ls in _sets(report)}
        assert learners == {a, b}


def test_recommendations_rest_on_both_cases_and_on_a_quote_of_the_model(pairs, cb):
    lab = cb.labels("zh")["case_short"]
    for (a, b), report in pairs.items():
        for r in report.recommendations:
            assert set(r.cases) == {lab[a], lab[b]}
            assert r.evidence and r.evidence[0].case_id in (a, b)
            assert_evidence_verbatim(cb, r.evidence)
            assert not r.conditions.startswith("适用条件") and not r.risks.startswith("风险")
        chosen, _ = selection(report.facts)
        n_lessons = sum(len(ls.lessons) for ls in _sets(report))
        assert len(chosen) == min(
            n_lessons,
            defaults.MAX_RECOMMENDATIONS
            - sum(1 for ls in _sets(report) if not ls.lessons and ls.verifications),
        )
        # the recommended lessons are the quotes of the model's practice, verbatim; a
        # model's conditions are given in full once, then referred to
        first: dict[str, int] = {}
        for x, r in zip(chosen, report.recommendations, strict=False):
            assert r.evidence[0].quote == x.model_evidence[0].quote
            assert r.evidence[0].case_id == x.model
            if x.model in first:
                assert r.conditions == f"{lab[x.model]}实行这项做法的条件同第 {first[x.model]} 条。"
            else:
                first[x.model] = r.priority
                assert "行政层级：" in r.conditions


def test_a_direction_without_lessons_says_so_and_points_to_the_verifications(pairs, cb):
    lab = cb.labels("zh")["case_short"]
    seen = 0
    for report in pairs.values():
        text = plain_text(report.section_markdown("recommendations"))
        for ls in _sets(report):
            sentence = f"{lab[ls.learner]}没有可直接借鉴{lab[ls.model]}的做法"
            if ls.lessons:
                assert sentence not in text
                continue
            seen += 1
            assert sentence in text
            if ls.verifications:
                assert "应先核实" in text
                assert any(
                    r.text.startswith(f"{lab[ls.learner]}先核实") for r in report.recommendations
                )
    assert seen  # the real case base has directions with nothing to learn


def test_silence_is_never_called_a_weakness(pairs, cb):
    lab = cb.labels("zh")["case_short"]
    for report in pairs.values():
        groups = dict(report.sections["problems"].groups)
        for ls in _sets(report):
            gaps = [v for k, v in groups.items() if k.startswith(f"{lab[ls.learner]}的短板")]
            verified = {v.code for v in ls.verifications}
            stated = [x for x in ls.lessons if x.learner_status in ("absent", "proposed")]
            assert len(gaps) == (1 if stated else 0)
            for points in gaps:
                assert len(points) == len(stated)
                for p, x in zip(points, stated, strict=True):
                    assert x.code not in verified
                    # the gap rests on the learner's own words, quoted
                    assert p.evidence and p.evidence[0].case_id == ls.learner


def test_verifications_are_capped_and_the_rest_counted(pairs, cb):
    lab = cb.labels("zh")["case_short"]
    capped = 0
    for report in pairs.values():
        groups = report.sections["problems"].groups
        for ls in _sets(report):
            found = [pts for k, pts in groups if k.startswith(f"{lab[ls.learner]}先核实事项")]
            if not ls.verifications:
                assert not found
                continue
            (points,) = found
            n = len(ls.verifications)
            assert len(points) == min(n, MAX_VERIFICATIONS) + (n > MAX_VERIFICATIONS)
            if n > MAX_VERIFICATIONS:
                capped += 1
                assert f"另有 {n - MAX_VERIFICATIONS} 项待核实" in points[-1].text
            for p in points[:MAX_VERIFICATIONS]:
                assert p.evidence and p.evidence[0].case_id == ls.model
    assert capped


def test_similarity_is_said_with_its_interval_joint_codes_and_ties(pairs, cb):
    membership = cb.membership()
    for (a, b), report in pairs.items():
        s = report.facts.similarity
        joint = int((membership.loc[a].notna() & membership.loc[b].notna()).sum())
        assert s.n_joint == joint
        assert s.n_pairs == len(pairs)
        text = plain_text(report.judgements[0].text)
        if s.similarity is None:
            assert "无从判断" in text
            continue
        assert s.lower <= s.similarity <= s.upper
        assert f"{s.similarity:.2f}" in text and f"{s.n_joint} 项机制" in text
        assert f"{s.lower:.2f}–{s.upper:.2f}" in text
        assert ("名次并列" in text) == (s.n_tied > 1)
        assert 1 <= s.rank <= s.last_rank <= s.n_pairs


def test_an_era_incompatible_lesson_says_so_and_comes_last(pairs, cb):
    report = next(r for r in pairs.values() if sum(len(ls.lessons) for ls in _sets(r)) >= 2)
    pf = report.facts
    ls = next(x for x in _sets(report) if x.lessons)
    first = ls.lessons[0]
    note = f"{first.learner}的来源早于该做法的年代"
    late = dataclasses.replace(first, era="learner_predates", era_note_zh=note)
    rec = lesson_recommendation(cb, late, 1, "zh")
    assert "时代不相容" in rec.text and "只能作为现状问题提出" in rec.text
    assert rec.conditions.startswith(note)
    assert "先核实现状" in rec.scope
    rec_en = lesson_recommendation(cb, late, 1, "en")
    assert "era-incompatible" in rec_en.text
    # ranked below every era-compatible lesson of either direction
    moved = dataclasses.replace(ls, lessons=(late, *ls.lessons[1:]))
    pl = pf.lessons
    pl = (
        dataclasses.replace(pl, a_from_b=moved)
        if ls is pl.a_from_b
        else dataclasses.replace(pl, b_from_a=moved)
    )
    chosen, _ = selection(dataclasses.replace(pf, lessons=pl))
    eras = [x.era for x in chosen]
    assert eras == sorted(eras, key=lambda e: e != "compatible")
    recs = recommendations(cb, dataclasses.replace(pf, lessons=pl), "zh")
    if late in chosen:
        assert "时代不相容" in recs[chosen.index(late)].text


def test_no_proposal_is_recommended(pairs, cb):
    for report in pairs.values():
        chosen, _ = selection(report.facts)
        for x in chosen:
            m = (report.facts.a if x.model == report.facts.a.case_id else report.facts.b).mechanism(
                x.code
            )
            assert m.status in ("present", "weak") and m.evidence


def test_facts_are_json_and_deterministic(cb):
    a, b = cb.case_ids[:2]
    text = facts_json(facts(cb, a, b))
    data = json.loads(text)
    assert data["a"]["case_id"] == a and data["b"]["case_id"] == b
    assert len(data["lessons"]["a_from_b"]["lessons"]) <= 5
    assert {r["kind"] for r in data["context"]} <= {
        "same",
        "differs",
        "not_reported",
        "not_comparable",
    }
    assert text == facts_json(facts(cb, a, b))


def test_a_pair_needs_two_known_different_cases(cb):
    a = cb.case_ids[0]
    with pytest.raises(ParameterError, match="two different cases"):
        build("pair", case_a=a, case_b=a)
    with pytest.raises(UnknownCase):
        build("pair", case_a=a, case_b="nowhere")


def test_english_version_has_no_chinese_headings(cb):
    a, b = cb.case_ids[0], cb.case_ids[-1]
    report = build("pair", case_a=a, case_b=b, lang="en")
    assert_genre(report, cb)
    text = all_markdown(report)
    headings = "\n".join(line for line in text.splitlines() if line.startswith("#"))
    headings += "\n".join(label for sec in report.sections.values() for label, _ in sec.groups)
    for heading in ("核心判断", "基本情况", "主要做法", "成效", "存在问题", "对策建议", "先核实"):
        assert heading not in headings
    assert "Key judgements" in headings and "Recommendations" in headings
    assert "Main practices" in headings and "To verify first" in headings


def test_chinese_version_has_no_english_headings(pairs):
    text = all_markdown(next(iter(pairs.values())))
    for heading in ("Background", "Main practices", "Recommendations", "Key judgements"):
        assert heading not in text


def test_yaobao_is_the_briefing_in_short(cb, pairs):
    (a, b), full = next(iter(pairs.items()))
    y = build("yaobao", report_kind="pair", case_a=a, case_b=b)
    assert y.kind == "pair_yaobao" and y.compact
    assert [p.text for p in y.judgements] == [p.text for p in full.judgements]
    assert [r.text for r in y.recommendations] == [
        r.text for r in full.recommendations[: defaults.YAOBAO_RECOMMENDATIONS]
    ]
    assert y.basis and "详见" in y.basis
    assert not y.appendix
    text = plain_text(all_markdown(y))
    assert not RAW.search(text), RAW.search(text)
