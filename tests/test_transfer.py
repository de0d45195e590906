"""Lessons between cases (analysis.transfer): a constructed case base with hand-checked
outcomes, and invariants over every ordered pair of the real case base."""

from __future__ import annotations

import dataclasses
import re
from itertools import permutations
from pathlib import Path

import pytest

from analysis.casebase import Case, CaseBase, Source, load_codebook
from analysis.conditions import ConditionSet
from analysis.transfer import (
    REASONS,
    Lesson,
    LessonSet,
    context_differences,
    lessons,
    pair_lessons,
    quoted,
)

ROOT = Path(__file__).resolve().parents[1]

# -- a constructed case base ---------------------------------------------------------------

M_TEXT = (
    "本市划分为120个管理网格。建成统一平台接入各部门数据。组织志愿服务队开展活动。"
    "引导成立了一些自组织。建立干部联系户制度。建立一村一法律顾问制度。偶尔开展邻里活动。"
    "建议建立居民议事会。制订社区工作两份清单。党员进入社会组织。网格员流失严重。"
    "群众参与明显扩大。"
)
L_TEXT = (
    "建议推行网格化管理。本街道没有信息平台。本街道没有居民议事机制。有少量志愿者。"
    "本街道没有自组织培育。建立一村一法律顾问制度。偶尔开展邻里活动。"
)


def _ev(source: str, text: str, quote: str) -> dict:
    start = text.index(quote)
    return {"source": source, "start": start, "end": start + len(quote), "quote": quote}


def _mechs(source: str, text: str, rows: list[tuple[str, str, float, str]]) -> list[dict]:
    """Mechanism codings from ``(code, status, score, quote)`` rows."""
    return [
        {"code": c, "status": st, "score": sc, "evidence": [_ev(source, text, q)]}
        for c, st, sc, q in rows
    ]


def _source(sid: str, date: str, not_covered: list[str] | None = None) -> Source:
    return Source.model_validate(
        {
            "id": sid,
            "file": f"{sid}.txt",
            "sha256": "0" * 64,
            "title": f"标题{sid}",
            "authors": ["作者甲", "作者乙"],
            "venue": "刊物",
            "date": date,
            "doc_type": "journal_article",
            "genre": "academic_article",
            "author_relation": "local_party_school",
            "author_relation_basis": "作者简介",
            "coverage": {
                "held_zh": "全文",
                "complete": not not_covered,
                "not_covered": not_covered or [],
            },
        }
    )


def _case(cid: str, level: str, source: str, mechanisms: list, **extra) -> Case:
    short = {"m": ("模范", "Model"), "l": ("学习", "Learner")}[cid]
    return Case.model_validate(
        {
            "id": cid,
            "name_zh": f"{short[0]}模式",
            "name_en": f"{short[1]} model",
            "short_zh": short[0],
            "short_en": short[1],
            "province": "某省",
            "city": "某市",
            "level": level,
            "sources": [source],
            "mechanisms": mechanisms,
            **extra,
        }
    )


def _model_case() -> Case:
    t, s = M_TEXT, "msrc"
    return _case(
        "m",
        "prefecture_city",
        s,
        _mechs(
            s,
            t,
            [
                ("grid_management", "present", 1, "本市划分为120个管理网格"),
                ("smart_platform", "present", 1, "建成统一平台接入各部门数据"),
                ("volunteer_mechanism", "present", 0.67, "组织志愿服务队开展活动"),
                ("self_org_cultivation", "weak", 0.33, "引导成立了一些自组织"),
                ("cadre_contact", "present", 0.67, "建立干部联系户制度"),
                ("legal_services", "present", 0.67, "建立一村一法律顾问制度"),
                ("neighbourhood_activities", "weak", 0.33, "偶尔开展邻里活动"),
                ("resident_deliberation", "proposed", 0, "建议建立居民议事会"),
                ("responsibility_lists", "present", 0.67, "制订社区工作两份清单"),
                ("party_embedding", "present", 0.67, "党员进入社会组织"),
            ],
        ),
        context=[
            {"field": "urban_rural", "value": "城市社区", "evidence": [_ev(s, t, "本市")]},
            {"field": "stage", "value": "citywide", "evidence": [_ev(s, t, "本市")]},
        ],
        problems=[
            {
                "problem_zh": "网格员流失严重",
                "scope": "local",
                "evidence": [_ev(s, t, "网格员流失严重")],
            }
        ],
        outcomes=[
            {
                "outcome": "resident_participation",
                "score": 0.67,
                "claim_strength": "party_school_analysis",
                "evidence": [_ev(s, t, "群众参与明显扩大")],
            }
        ],
    )


def _learner_case() -> Case:
    t, s = L_TEXT, "lsrc"
    return _case(
        "l",
        "subdistrict",
        s,
        _mechs(
            s,
            t,
            [
                ("grid_management", "proposed", 0, "建议推行网格化管理"),
                ("smart_platform", "absent", 0, "本街道没有信息平台"),
                ("resident_deliberation", "absent", 0, "本街道没有居民议事机制"),
                ("volunteer_mechanism", "weak", 0.33, "有少量志愿者"),
                ("self_org_cultivation", "absent", 0, "本街道没有自组织培育"),
                ("legal_services", "present", 0.67, "建立一村一法律顾问制度"),
                ("neighbourhood_activities", "weak", 0.33, "偶尔开展邻里活动"),
            ],
        ),
        context=[{"field": "urban_rural", "value": "农村", "evidence": [_ev(s, t, "本街道")]}],
    )


def _with_mech(case: Case, code: str, **update) -> Case:
    mechs = [m.model_copy(update=update) if m.code == code else m for m in case.mechanisms]
    return case.model_copy(update={"mechanisms": mechs})


@pytest.fixture(scope="module")
def small() -> CaseBase:
    """Model (2020, a city) and learner (2011, a subdistrict whose excerpt misses party
    embedding)."""
    return CaseBase(
        root=Path("/nonexistent"),
        codebook=load_codebook(ROOT / "casebase"),
        sources={
            "msrc": _source("msrc", "2020"),
            "lsrc": _source("lsrc", "2011", not_covered=["party_embedding"]),
        },
        cases={"m": _model_case(), "l": _learner_case()},
        texts={"msrc": M_TEXT, "lsrc": L_TEXT},
    )


def test_lessons_are_ranked_gaps_with_the_era_incompatible_one_last(small):
    got = lessons(small, "l", "m", conditions=None)
    # compatible first: model 1 > 0.67 > 0.33; smart_platform (era_from 2015 > 2011) last
    assert [x.code for x in got.lessons] == [
        "grid_management",
        "volunteer_mechanism",
        "self_org_cultivation",
        "smart_platform",
    ]
    assert [x.priority for x in got.lessons] == [1, 2, 3, 4]
    assert [x.era for x in got.lessons] == ["compatible"] * 3 + ["learner_predates"]
    sp = got.lessons[-1]
    assert "2011" in sp.era_note_zh and "2015" in sp.era_note_zh and "现状问题" in sp.era_note_zh
    assert "era_learner_predates" in sp.reasons
    assert got.lessons[0].reasons == ("model_core", "learner_proposed", "era_compatible")
    assert got.lessons[0].learner_evidence[0].quote == "建议推行网格化管理"
    assert got.learner_year == 2011 and got.model_year == 2020


def test_the_era_incompatible_lesson_is_cut_first_and_says_why(small):
    got = lessons(small, "l", "m", max_items=3, conditions=None)
    assert [x.code for x in got.lessons] == [
        "grid_management",
        "volunteer_mechanism",
        "self_org_cultivation",
    ]
    reasons = {e.code: e.reason for e in got.excluded}
    assert reasons["smart_platform"] == "era_learner_predates"
    assert len(lessons(small, "l", "m", max_items=1, conditions=None).lessons) == 1
    assert lessons(small, "l", "m", max_items=0, conditions=None).lessons == ()


def test_a_proposal_in_the_model_is_never_a_lesson(small):
    got = lessons(small, "l", "m", conditions=None)
    assert "resident_deliberation" not in {x.code for x in got.lessons}
    assert "resident_deliberation" not in {v.code for v in got.verifications}
    reasons = {e.code: e.reason for e in got.excluded}
    assert reasons["resident_deliberation"] == "model_proposes_only"
    assert reasons["legal_services"] == "learner_already_practises"
    assert reasons["neighbourhood_activities"] == "no_clear_gap"


def test_unreported_learner_codes_become_verifications_not_lessons(small):
    got = lessons(small, "l", "m", conditions=None)
    v = {x.code: x for x in got.verifications}
    assert set(v) == {"cadre_contact", "responsibility_lists", "party_embedding"}
    assert v["cadre_contact"].learner_status_derived == "not_reported"
    assert v["cadre_contact"].question_zh.startswith("先核实")
    assert v["party_embedding"].learner_status_derived == "not_covered"
    assert "节选" in v["party_embedding"].question_zh
    # responsibility lists: era_from 2015, learner source 2011
    assert v["responsibility_lists"].learner_status_derived == "before_era"
    assert v["responsibility_lists"].era == "learner_predates"
    assert "2011" in v["responsibility_lists"].question_zh
    assert not set(v) & {x.code for x in got.lessons}
    reasons = {e.code: e.reason for e in got.excluded}
    assert reasons["cadre_contact"] == "learner_not_reported"
    assert reasons["party_embedding"] == "learner_not_covered"
    assert reasons["responsibility_lists"] == "learner_before_era"


def test_context_not_reported_is_never_equal(small):
    diffs = {d.field: d for d in context_differences(small, "l", "m")}
    assert diffs["admin_level"].kind == "differs"
    assert (diffs["admin_level"].model_class, diffs["admin_level"].learner_class) == (
        "prefecture_city",
        "subdistrict",
    )
    assert diffs["urban_rural"].kind == "differs"
    assert diffs["stage"].kind == "not_reported" and diffs["stage"].learner_value is None
    assert diffs["migrant_share"].kind == "not_reported"
    lesson = lessons(small, "l", "m", conditions=None).lessons[0]
    assert "学习的来源未报告" in lesson.risks_zh  # stage
    assert "模范、学习的来源未报告" in lesson.risks_zh  # migrant share: neither reports it
    assert "需要上级的统筹" in lesson.risks_zh  # a city's practice moved to a subdistrict
    assert "外来人口比例：来源未报告" in lesson.conditions_zh


def test_the_models_own_problem_on_the_code_is_a_risk(small):
    grid = lessons(small, "l", "m", conditions=None).lessons[0]
    # the problem's passage does not overlap the grid evidence: no link by span
    assert grid.problems == ()
    m = small.cases["m"]
    problem = m.problems[0].model_copy(update={"evidence": m.mechanisms[0].evidence})
    case = m.model_copy(update={"problems": [problem]})
    cb = dataclasses.replace(small, cases={"m": case, "l": small.cases["l"]})
    grid = lessons(cb, "l", "m", conditions=None).lessons[0]
    assert [p.link for p in grid.problems] == ["code"]
    assert "网格员流失严重" in grid.risks_zh and "“本市划分为120个管理网格”" in grid.risks_zh


def test_outcome_links_break_ties(small):
    cond = ConditionSet.model_validate(
        {
            "version": 1,
            "conditions": [
                {
                    "id": "VOL",
                    "label_zh": "志愿",
                    "label_en": "Volunteers",
                    "codes": ["volunteer_mechanism"],
                    "rule": "max",
                    "min_reported": 1,
                    "anchors": {"full_non": 0, "crossover": "1/2", "full": 1},
                }
            ],
            "outcome_conditions": {"resident_participation": ["VOL"]},
        }
    )
    # make volunteer_mechanism tie with self_org_cultivation (model 0.33, learner absent)
    model = _with_mech(small.cases["m"], "volunteer_mechanism", status="weak", score=0.33)
    learner = _with_mech(small.cases["l"], "volunteer_mechanism", status="absent", score=0.0)
    cb = dataclasses.replace(small, cases={"m": model, "l": learner})
    plain = [x.code for x in lessons(cb, "l", "m", conditions=None).lessons]
    assert plain.index("self_org_cultivation") < plain.index(
        "volunteer_mechanism"
    )  # codebook order
    linked = lessons(cb, "l", "m", conditions=cond)
    codes = [x.code for x in linked.lessons]
    assert codes.index("volunteer_mechanism") < codes.index("self_org_cultivation")
    vol = next(x for x in linked.lessons if x.code == "volunteer_mechanism")
    assert [(o.outcome, o.score, o.claim_strength, o.via) for o in vol.outcomes] == [
        ("resident_participation", 0.67, "party_school_analysis", ("VOL",))
    ]
    assert "outcome_link" in vol.reasons and "feeds_condition" in vol.reasons


def test_order_is_deterministic_and_independent_of_case_order(small):
    a = lessons(small, "l", "m", conditions=None)
    flipped = dataclasses.replace(small, cases=dict(reversed(list(small.cases.items()))))
    assert (
        lessons(flipped, "l", "m", conditions=None)
        == a
        == lessons(small, "l", "m", conditions=None)
    )


def test_pair_lessons_gives_both_directions(small):
    p = pair_lessons(small, "l", "m", conditions=None)
    assert (p.a_from_b.learner, p.a_from_b.model) == ("l", "m")
    assert (p.b_from_a.learner, p.b_from_a.model) == ("m", "l")
    # the learner has nothing practised that the model lacks or only proposes
    assert p.b_from_a.lessons == ()
    with pytest.raises(ValueError):
        lessons(small, "l", "l")


def test_quotes_are_not_doubled():
    assert quoted("甲") == "“甲”"
    assert quoted("“甲”乙") == "「“甲”乙」"


# -- the real case base --------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_sets(casebase) -> list[LessonSet]:
    return [lessons(casebase, a, b) for a, b in permutations(casebase.case_ids, 2)]


def _texts(x: object) -> list[str]:
    return [
        v
        for f in dataclasses.fields(x)  # type: ignore[arg-type]
        if f.name.endswith(("_zh", "_en")) and isinstance(v := getattr(x, f.name), str)
    ]


def test_every_pair_has_at_most_five_lessons_of_practised_codes(casebase, real_sets):
    assert len(real_sets) == len(casebase.case_ids) * (len(casebase.case_ids) - 1)
    for s in real_sets:
        assert len(s.lessons) <= 5
        assert [x.priority for x in s.lessons] == list(range(1, len(s.lessons) + 1))
        for x in s.lessons:
            assert x.model_status in ("present", "weak") and x.model_evidence
            assert x.learner_status in ("absent", "proposed", "weak")
            assert x.model_score > x.learner_score
        for v in s.verifications:
            assert v.learner_status == "not_reported"
        proposed = {m.code for m in casebase.cases[s.model].mechanisms if m.status == "proposed"}
        assert not proposed & {x.code for x in s.lessons + s.verifications}  # type: ignore[operator]
        assert {e.code for e in s.excluded if e.reason == "model_proposes_only"} == proposed
        assert all(e.reason in REASONS for e in s.excluded)


def test_every_quote_is_verbatim_in_its_source(casebase, real_sets):
    for s in real_sets:
        for item in s.lessons + s.verifications:  # type: ignore[operator]
            for q in item.model_evidence:
                assert casebase.texts[q.source_id][q.start : q.end] == q.quote
            text = item.sentence_zh if isinstance(item, Lesson) else item.question_zh
            assert item.model_evidence[0].quote in text
        for x in s.lessons:
            for q in x.learner_evidence:
                assert casebase.texts[q.source_id][q.start : q.end] == q.quote
            for p in x.problems:
                for q in p.evidence:
                    assert casebase.texts[q.source_id][q.start : q.end] == q.quote


def test_no_lesson_crosses_an_era_unmarked(casebase, real_sets):
    eras = {c.id: c.era_from for c in casebase.codebook.codes}
    checked = 0
    for s in real_sets:
        year = casebase.source_year(s.learner)
        for x in s.lessons:
            if year is not None and (eras[x.code] or 0) > max(year, 1978):
                assert x.era == "learner_predates" and x.era_note_zh and x.era_note_en
            if x.era == "compatible":
                assert _compatible_first(s, x)
        for v in s.verifications:
            if year is not None and (eras[v.code] or 0) > max(year, 1978):
                assert v.era == "learner_predates"
                checked += 1
    donggang = [s for s in real_sets if s.learner == "zhoushan_donggang"]
    if donggang and casebase.source_year("zhoushan_donggang") == 2011:
        late = {c for c, y in eras.items() if y and y > 2011}
        for s in donggang:
            for x in s.lessons:
                assert x.code not in late or x.era == "learner_predates"
        assert checked  # Dongguan's 2017 platform reaches Donggang only as a question about today


def _compatible_first(s: LessonSet, x: Lesson) -> bool:
    """Every compatible lesson ranks above every lesson that is not."""
    return all(y.era == "compatible" for y in s.lessons[: x.priority])


def test_texts_carry_no_raw_ids_none_or_nan(casebase, real_sets):
    ids = set(casebase.code_ids) | set(casebase.case_ids) | set(casebase.sources)
    words = sorted(map(re.escape, ids | {"None", "nan", "NaN"}), key=len, reverse=True)
    pattern = re.compile(r"(?<![A-Za-z0-9_])(" + "|".join(words) + r")(?![A-Za-z0-9_])")
    n = 0
    for s in real_sets:
        for item in s.lessons + s.verifications + s.excluded:  # type: ignore[operator]
            quotes = [q.quote for q in getattr(item, "model_evidence", ())]
            quotes += [q.quote for q in getattr(item, "learner_evidence", ())]
            quotes += [q.quote for p in getattr(item, "problems", ()) for q in p.evidence]
            for text in _texts(item):
                for q in quotes:
                    text = text.replace(q, "")
                assert not pattern.search(text), text
                assert "““" not in text and "””" not in text, text
                n += 1
    assert n


def test_condition_and_risk_items_are_the_items_of_the_lesson_sentences(small):
    """A report writes its own sentence around the items (no 适用条件：适用条件：)."""
    from analysis.transfer import TEMPLATES, condition_items, lesson_risk_items, say

    got = lessons(small, "l", "m", conditions=None)
    assert got.lessons
    for lesson in got.lessons:
        for lang in ("zh", "en"):
            cond = condition_items(small, lesson.model, lang)
            assert len(cond) == 6 and not any(
                c.startswith(("适用条件", "Conditions")) for c in cond
            )
            sep = "；" if lang == "zh" else "; "
            model = small.labels(lang)["case_short"][lesson.model]
            assert say("conditions", lang, model=model, items=sep.join(cond)) == getattr(
                lesson, f"conditions_{lang}"
            )
            risks = lesson_risk_items(small, lesson, lang)
            expected = (
                say("risks", lang, items=sep.join(risks))
                if risks
                else TEMPLATES["risks_none"][lang]
            )
            assert expected == getattr(lesson, f"risks_{lang}")
            assert not any(r.startswith(("风险", "Risks")) for r in risks)
    assert any("需要上级的统筹" in r for r in lesson_risk_items(small, got.lessons[0], "zh"))
