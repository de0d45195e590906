"""调研提纲: field-research questions from what the coded evidence leaves open."""

from __future__ import annotations

import dataclasses
import re
import string
from pathlib import Path
from typing import get_args

import pytest

from analysis.casebase import (
    Case,
    CaseBase,
    Coding,
    Framework,
    Source,
    load_codebook,
)
from analysis.conditions import ConditionSet
from analysis.fieldwork import (
    BASES,
    FRAMEWORK_EN,
    INFORMANTS,
    OUTCOME_DATA,
    TEMPLATES,
    FieldQuestion,
    disagreements,
    field_questions,
)
from tests.conftest import CASEBASE

# ------------------------------------------------------------------ a small case base

TEXT = (
    "街道建立网格党员活动小组，每月与自组织结对联系。"
    "社区有志愿者队伍。"
    "网格员每周走访。"
    "下一步建议推行在职党员到社区报到。"
    "居民参与率明显提高。"
    "邻里纠纷仍然较多。"
    "社区办公用房不足。"
    "全国社区普遍行政化。"
)
EMBED = "街道建立网格党员活动小组"
VOLUNTEER = "社区有志愿者队伍"
GRID = "网格员每周走访"
PROPOSAL = "建议推行在职党员到社区报到"
PARTICIPATION = "居民参与率明显提高"
DISPUTES = "邻里纠纷仍然较多"
OFFICE = "社区办公用房不足"
NATIONAL = "全国社区普遍行政化"


def ev(quote: str) -> dict:
    start = TEXT.index(quote)
    return {"source": "src_a", "start": start, "end": start + len(quote), "quote": quote}


def mech(code: str, score, status: str, quote: str | None = None, **kw) -> dict:
    return {
        "code": code,
        "score": score,
        "status": status,
        "rationale": "测试",
        "evidence": [ev(quote)] if quote else [],
        **kw,
    }


REASON = "结对联系只写了一句， 按 R8 记 0.67；与 party_embedding 的 weak 无关，由 coder_x 提出。"


def small_casebase(root: Path) -> CaseBase:
    """One subdistrict case written in 2012, with a disagreement of the current round, one of
    an old round, a proposal, a thin practice, a before-era silence, an excerpt that leaves a
    family out, two outcome claims (one independent) and two problems (one general)."""
    codebook = load_codebook(CASEBASE)
    source = Source(
        id="src_a",
        file="a.txt",
        sha256="0" * 64,
        title="某街道调查",
        authors=["张三", "李四"],
        venue="测试",
        date="2012-05-01",
        doc_type="decision_advisory_report",
        genre="party_school_report",
        author_relation="implementing_authority",
        author_relation_basis="测试",
        coverage={
            "held_zh": "报告第一部分",
            "complete": False,
            "not_covered": ["institutions_law"],
        },
    )
    case = Case(
        id="mini",
        name_zh="测试街道",
        name_en="Test subdistrict",
        province="浙江省",
        city="舟山市",
        level="subdistrict",
        sources=["src_a"],
        mechanisms=[
            mech(
                "party_embedding",
                0.67,
                "present",
                EMBED,
                adjudication=[
                    {
                        "round": "9",
                        "scores": {"coder_x": 1.0, "coder_y": 0.67},
                        "final": 0.67,
                        "reason": REASON,
                    }
                ],
            ),
            mech("volunteer_mechanism", 0.33, "weak", VOLUNTEER),
            mech("dual_registration", 0.0, "proposed", PROPOSAL),
        ],
        outcomes=[
            {
                "outcome": "resident_participation",
                "score": 0.67,
                "claim_strength": "implementing_authority",
                "evidence": [ev(PARTICIPATION)],
            },
            {
                "outcome": "harmony_stability",
                "score": 0.0,
                "claim_strength": "implementing_authority",
                "evidence": [ev(DISPUTES)],
            },
            {
                "outcome": "service_quality",
                "score": 0.33,
                "claim_strength": "independent_evaluation",
                "claim_note": "测试",
                "evidence": [ev(VOLUNTEER)],
            },
        ],
        problems=[
            {"problem_zh": "社区办公用房不足（本地）", "scope": "local", "evidence": [ev(OFFICE)]},
            {"problem_zh": "社区行政化", "scope": "general", "evidence": [ev(NATIONAL)]},
        ],
    )

    def coding(coder: str, *mechanisms: dict) -> Coding:
        return Coding(id="mini", coder=coder, sources=["src_a"], mechanisms=list(mechanisms))

    codings = {
        "coder_x": {
            "mini": coding(
                "coder_x",
                mech("party_embedding", 1.0, "present", EMBED),
                mech("volunteer_mechanism", 0.33, "weak", VOLUNTEER),
                mech("grid_management", 0.33, "weak", GRID),
                mech("dual_registration", 0.0, "proposed", PROPOSAL),
            )
        },
        "coder_y": {
            "mini": coding(
                "coder_y",
                mech("party_embedding", 0.67, "present", EMBED),
                mech("volunteer_mechanism", 0.33, "weak", VOLUNTEER),
                mech("dual_registration", 0.0, "proposed", PROPOSAL),
            )
        },
        # an old round (codebook v2) disagreeing on volunteer_mechanism: not contested today
        "coder_old": {
            "mini": coding("coder_old", mech("volunteer_mechanism", 1.0, "present", VOLUNTEER))
        },
    }
    (root / "codings").mkdir(parents=True)
    (root / "codings" / "rounds.yaml").write_text(
        "rounds:\n"
        '  - {id: "8", codebook_version: 2, coders: [coder_old, coder_x]}\n'
        '  - {id: "9", codebook_version: 4, coders: [coder_x, coder_y]}\n',
        encoding="utf-8",
    )
    return CaseBase(
        root=root,
        codebook=codebook,
        sources={"src_a": source},
        cases={"mini": case},
        codings=codings,
        texts={"src_a": TEXT},
    )


CONDITIONS = ConditionSet.model_validate(
    {
        "version": 1,
        "conditions": [
            {
                "id": "MORAL",
                "label_zh": "德治",
                "label_en": "Moral governance",
                "codes": ["moral_governance"],
                "rule": "max",
                "min_reported": 1,
                "anchors": {"full_non": "0", "crossover": "1/2", "full": "1"},
            }
        ],
    }
)


@pytest.fixture
def small(tmp_path):
    return small_casebase(tmp_path / "casebase")


@pytest.fixture
def guide(small):
    return field_questions(small, "mini", conditions=CONDITIONS)


def _of(guide, basis: str) -> list[FieldQuestion]:
    return [q for q in guide.questions if q.basis == basis]


# ------------------------------------------------------------------ hand-checked questions


def test_contested_only_in_rounds_of_the_current_codebook(small):
    found = disagreements(small, "mini")
    assert [(d.round_id, d.code) for d in found] == [
        ("9", "party_embedding"),
        ("9", "grid_management"),
    ]
    assert found[0].codings == ((1.0, "present"), (0.67, "present"))
    assert found[1].codings == ((0.33, "weak"), (None, "not_reported"))


def test_contested_asks_what_settles_the_boundary_and_cites_the_adjudication(guide):
    scope, exists = _of(guide, "contested")
    assert scope.item == "party_embedding" and scope.priority == 1
    assert scope.question_zh == (
        "贵街道的“党组织与党员嵌入社会组织和网格”是只在个别社区试点，还是已在全街道普遍运行？"
        "目前覆盖多少个社区，有无全街道统一的文件或机构？"
    )
    # the reason is cited with ids turned into labels and the YAML fold closed
    assert scope.why_zh == (
        "两位独立编码员判断不一：一位认为制度化且为核心做法（1分），另一位认为有确定做法（0.67分）；"
        "裁定为有确定做法（0.67分）。裁定理由：结对联系只写了一句，按 R8 记 0.67；与"
        "“党组织与党员嵌入社会组织和网格”的薄弱无关，由编码员提出。"
    )
    assert scope.evidence == (("src_a", 0, len(EMBED), EMBED),)
    assert scope.informants_zh == ("社区党委书记", "党员代表", "居民自组织负责人")
    assert scope.method_zh == ("访谈", "查阅文件", "实地观察")
    # final not_reported: the coder who saw it supplies the quote; asked once, as contested
    assert exists.item == "grid_management"
    assert exists.question_zh.startswith("贵街道是否有专门的“网格化管理与组团式服务”安排")
    assert exists.evidence[0].quote == GRID
    assert "另一位认为来源未提及；裁定为来源未提及。" in exists.why_zh
    assert "grid_management" not in {q.item for q in guide.questions if q.basis != "contested"}


def test_unverified_outcomes_name_who_asserts_them(guide):
    claim, poor = _of(guide, "unverified_outcome")
    assert claim.question_zh == (
        "来源称贵街道在“居民参与”方面取得了成效。能否提供可以独立印证的材料，"
        "例如参与人次统计、议事会会议记录或居民问卷？"
    )
    assert claim.why_zh == (
        "这一判断出自《某街道调查》（张三等），属于实施方自述或官方数据，尚无独立核实。"
        "原文：“居民参与率明显提高”。"
    )
    assert poor.question_zh.startswith("来源称贵街道的“社会和谐稳定”不够理想。此后情况有无变化？")
    assert poor.informants_zh == ("居民", "人民调解员", "网格员")
    # an independent evaluation is not asked again
    assert "service_quality" not in {q.item for q in guide.questions}


def test_proposed_weak_and_problem_questions(guide):
    [proposed] = _of(guide, "proposed")
    assert proposed.item == "dual_registration" and proposed.priority == 2
    assert proposed.question_zh == (
        "来源提出了“在职党员‘双报到’”方面的建议。这一建议此后是否落实？"
        "如已实施，始于何时、依据哪份文件、目前覆盖多少社区？"
    )
    assert (
        proposed.why_zh
        == "来源只在建议中提到：“建议推行在职党员到社区报到”。建议不是实践，尚不知是否落实。"
    )
    [weak] = _of(guide, "weak")
    assert weak.item == "volunteer_mechanism" and weak.priority == 3
    assert weak.question_zh.startswith("贵街道的“志愿服务机制”目前如何运作？")
    assert weak.why_zh.startswith("来源只写到“社区有志愿者队伍”，")
    [problem] = _of(guide, "local_problem")  # the general diagnosis is not asked
    assert problem.item == "problems[0]"
    assert problem.question_zh == (
        "来源（2012年）指出：“社区办公用房不足”。此后这一问题是否得到解决？"
        "采取了哪些措施，有无前后对比的数据？"
    )
    assert problem.evidence[0].quote == OFFICE


def test_silences_explained_by_era_or_excerpt_are_not_asked_as_existence(small, guide):
    era = {q.item: q for q in _of(guide, "before_era")}
    assert "smart_platform" in era  # era_from 2015, source written 2012
    assert era["smart_platform"].question_zh.startswith(
        "“信息平台与大数据治理”一般在2015年以后才普遍出现。贵街道此后是否引入了这一做法？"
    )
    assert era["smart_platform"].why_zh.startswith(
        "来源写于2012年，早于这一做法普遍出现的时间（2015年）"
    )
    [covered] = _of(guide, "not_covered")
    law = [c.id for c in small.codebook.codes if c.family == "institutions_law"]
    assert covered.item == "institutions_law" and covered.codes == tuple(law)
    assert covered.question_zh.startswith(
        "能否提供《某街道调查》缺失的章节，以及贵街道关于“制度保障与矛盾化解”（"
    )
    assert covered.why_zh.startswith("语料情况：报告第一部分。")
    asked = {q.item for q in _of(guide, "not_reported")}
    assert not asked & (set(law) | set(era))


def test_not_reported_feeding_a_condition_comes_first_and_caps_count(small):
    guide = field_questions(small, "mini", conditions=CONDITIONS, caps={"not_reported": 2})
    first, second = _of(guide, "not_reported")
    assert (first.item, first.priority, first.conditions) == ("moral_governance", 4, ("MORAL",))
    assert "它属于比较分析的条件“德治”" in first.why_zh
    assert (second.item, second.priority) == ("party_core_leadership", 5)
    assert second.question_zh == (
        "贵街道是否有“基层党组织领导核心与统筹”方面的做法？如有，始于何时、依据哪份文件、"
        "由谁负责、覆盖多少社区或人次？"
    )
    frame = small.codings_frame()
    silent = int((frame["status_derived"] == "not_reported").sum()) - 1  # grid: contested
    assert guide.counts["not_reported"] == 2
    assert guide.omitted["not_reported"] == silent - 2


def test_guide_order_counts_and_topics(small, guide):
    priorities = [q.priority for q in guide.questions]
    assert priorities == sorted(priorities)
    assert list(guide.counts) == list(BASES) == list(guide.omitted)
    for basis in BASES:
        assert guide.counts[basis] == len(_of(guide, basis))
    topics = dict(guide.by_topic())
    assert [q.item for q in topics["党建引领"]][:2] == ["party_embedding", "dual_registration"]
    assert {q.basis for q in topics["outcomes"]} == {"unverified_outcome"}
    assert list(topics)[-3:] == ["outcomes", "problems", "sources"]
    assert field_questions(small, "mini", conditions=CONDITIONS) == guide
    assert guide.to_dict()["questions"][0]["evidence"][0][3] == EMBED


def test_bad_caps_and_unknown_case(small):
    with pytest.raises(ValueError, match="unknown basis 'weakk'"):
        field_questions(small, "mini", caps={"weakk": 1})
    with pytest.raises(ValueError, match="a cap is a whole number"):
        field_questions(small, "mini", caps={"weak": -1})
    with pytest.raises(KeyError):
        field_questions(small, "nowhere")


# ------------------------------------------------------------------ vocabularies


def test_templates_exist_in_both_languages_with_the_same_placeholders():
    assert set(TEMPLATES["zh"]) == set(TEMPLATES["en"])
    fields = string.Formatter()
    for name, zh in TEMPLATES["zh"].items():
        used_zh = {f for _, f, _, _ in fields.parse(zh) if f}
        used_en = {f for _, f, _, _ in fields.parse(TEMPLATES["en"][name]) if f}
        assert used_en <= used_zh, name


def test_every_framework_actor_and_outcome_has_its_words():
    codebook = load_codebook(CASEBASE)
    assert set(get_args(Framework)) <= set(FRAMEWORK_EN)
    assert {a.id for a in codebook.actors} <= set(INFORMANTS)
    for lang in ("zh", "en"):
        assert {o.id for o in codebook.outcomes} <= set(OUTCOME_DATA[lang])


# ------------------------------------------------------------------ the real case base

TEXT_FIELDS = [
    f.name
    for f in dataclasses.fields(FieldQuestion)
    if f.name.endswith(("_zh", "_en")) and f.name not in ("topic_zh", "topic_en")
] + ["topic_zh", "topic_en"]


def _texts(q: FieldQuestion) -> list[str]:
    out = []
    for name in TEXT_FIELDS:
        value = getattr(q, name)
        out += list(value) if isinstance(value, tuple) else [value]
    return out


@pytest.fixture(scope="module")
def guides(casebase):
    return {cid: field_questions(casebase, cid) for cid in casebase.case_ids}


def test_every_case_gets_questions(casebase, guides):
    assert set(guides) == set(casebase.case_ids)
    for cid, guide in guides.items():
        assert guide.questions, cid
        assert sum(guide.counts.values()) == len(guide.questions)


def test_no_raw_ids_none_or_nan_in_any_text(casebase, guides):
    ids = set(casebase.code_ids) | set(casebase.outcome_ids) | set(casebase.codings)
    ids |= {r.id for r in casebase.codebook.retired_codes}
    raw = re.compile(r"(?<![A-Za-z0-9_])(" + "|".join(map(re.escape, ids)) + r")(?![A-Za-z0-9_])")
    bad = re.compile(r"\bNone\b|\bnan\b|\{|\}")
    for guide in guides.values():
        for q in guide.questions:
            for text in _texts(q):
                assert text, (q.case_id, q.item)
                assert not raw.search(text), (q.case_id, q.item, text)
                assert not bad.search(text), (q.case_id, q.item, text)
            # a question in Chinese carries no English words
            assert not re.search(r"[A-Za-z]", q.question_zh), q.question_zh


def test_evidence_of_weak_proposed_contested_is_verbatim(casebase, guides):
    for guide in guides.values():
        for q in guide.questions:
            if q.basis in ("weak", "proposed", "contested"):
                assert q.evidence, (q.case_id, q.item)
            for source_id, start, end, quote in q.evidence:
                assert casebase.texts[source_id][start:end] == quote


def test_explained_silences_are_never_asked_as_existence(casebase, guides):
    frame = casebase.codings_frame()
    for cid, guide in guides.items():
        rows = frame[frame["case_id"] == cid].set_index("code")["status_derived"]
        asked = {q.item: q for q in guide.questions if q.item_kind == "code"}
        for code, derived in rows.items():
            q = asked.get(code)
            if derived == "before_era" and q is not None:
                assert q.basis in ("before_era", "contested"), (cid, code)
            if derived == "not_covered":
                assert q is None or q.basis == "contested", (cid, code)
                assert any(code in x.codes for x in guide.questions if x.basis == "not_covered")
            if derived in ("present", "absent"):
                assert q is None or q.basis == "contested", (cid, code)


def test_real_guides_are_deterministic(casebase, guides):
    for cid, guide in guides.items():
        assert field_questions(casebase, cid) == guide
