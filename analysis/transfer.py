"""What one case can learn from another: prioritised lessons, verifications and exclusions.

The 比较借鉴 report of a pair, and the 对策建议 of every briefing, rest on this module.  For a
*learner* and a *model* case it answers, code by code, whether the model's practice is a
lesson for the learner, a question to verify first (先核实), or neither, and says why.

Rules (issue 11; codebook rules R2, R4, R16, R19):

* **Only practice is transferred.**  A lesson's code is practised in the model (status
  ``present`` or ``weak``, with evidence).  A code the model only *proposes* is never a lesson
  (a recommendation is not a practice); it is listed in ``excluded`` as
  ``model_proposes_only``.
* **Only clear gaps.**  The learner must be ``absent``, ``proposed`` or ``weak`` on the code, and
  below the model: a learner that already practises it (``present``, or ``weak`` where the model
  is also only ``weak``) is excluded (``learner_already_practises``, ``no_clear_gap``).
* **Silence is not a gap.**  Where the learner's source does not report the code
  (``not_reported``, including ``not_covered`` excerpts and ``before_era`` sources), the
  practice may already exist there: it becomes a :class:`Verification` (先核实), never a lesson.
* **Eras are said, never silently applied.**  A lesson whose code became possible or common
  (``era_from``) after the learner's source was written is kept but marked
  ``learner_predates``, with a sentence saying it can be raised only as a question about the
  learner's present situation, and it is ranked **below every era-compatible lesson** (so it
  reaches the top ``max_items`` only when fewer compatible lessons exist; otherwise it is in
  ``excluded`` as ``ranked_out``).  A learner whose source has no date is ``learner_undated``
  when the year cannot be bounded from the case (start year, dated context, 十八大/十九大 in the
  policy period) and ranks between the two.
* **Context is compared, never assumed.**  Administrative level, urban/rural form, migrant
  share, fiscal capacity, stage and policy period are put into coarse classes (see
  :func:`context_class`); a field either case does not report is listed as not reported, and
  one whose texts cannot be put into a class as not comparable -- never as equal.

Ranking of lessons (deterministic): era (compatible, undated, predates), then the model's
evidence strength (1 > 0.67 > 0.33), then the learner's gap (absent > proposed > weak), then
the number of outcomes the model reports (score > 0) that the declared conditions link to the
code (``conditions.yaml``: the code feeds a condition declared for that outcome), then whether
the code feeds a declared condition at all, then codebook order.

All text is plain (not Markdown): the report layer escapes it.  Sentences come from the named
templates in :data:`TEMPLATES`; quotes are verbatim spans of the source texts.

Examples
--------
>>> from analysis.casebase import load_casebase            # doctest: +SKIP
>>> cb = load_casebase("casebase", "../shared/seeds")      # doctest: +SKIP
>>> ls = lessons(cb, "zhoushan_donggang", "dongguan")       # doctest: +SKIP
>>> len(ls.lessons) <= 5                                    # doctest: +SKIP
True
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from analysis.formatting import cite

if TYPE_CHECKING:
    from analysis.casebase import Case, CaseBase, Code, ContextItem, Evidence
    from analysis.conditions import ConditionSet

#: How many lessons a direction of a pair lists at most (issue 11: at most five).
MAX_ITEMS = 5
#: ``era_from`` at or before this year means "no era threshold in the reform era" (R16).
NO_ERA_THRESHOLD = 1978

Era = Literal["compatible", "learner_undated", "learner_predates"]
#: Era order in the ranking: compatible lessons first, those that predate the era last.
ERA_RANK: dict[str, int] = {"compatible": 0, "learner_undated": 1, "learner_predates": 2}
#: Learner gap order: a stated absence is the clearest gap, a thin practice the least.
GAP_RANK: dict[str, int] = {"absent": 0, "proposed": 1, "weak": 2}
#: The context fields compared between learner and model, in display order.
CONTEXT_FIELDS: tuple[str, ...] = (
    "admin_level",
    "urban_rural",
    "migrant_share",
    "fiscal_capacity",
    "stage",
    "policy_period",
)

# -- named texts ------------------------------------------------------------------------------

#: Named reasons a lesson, verification or exclusion carries (ids in ``reasons`` / ``reason``).
REASONS: dict[str, dict[str, str]] = {
    "model_core": {
        "zh": "对方做法制度化、是其模式核心（1）",
        "en": "core, institutionalised practice in the model (1)",
    },
    "model_definite": {
        "zh": "对方有明确做法（0.67）",
        "en": "definite practice in the model (0.67)",
    },
    "model_thin": {"zh": "对方有实践但较薄（0.33）", "en": "thin practice in the model (0.33)"},
    "learner_absent": {
        "zh": "本方来源称本地缺失",
        "en": "the learner's source says it is missing there",
    },
    "learner_proposed": {"zh": "本方只作为建议提出", "en": "the learner only proposes it"},
    "learner_weak": {"zh": "本方仅有简单提及", "en": "the learner's practice is thin"},
    "outcome_link": {"zh": "对方报告了相关成效", "en": "the model reports a linked outcome"},
    "feeds_condition": {"zh": "属于比较分析声明的条件", "en": "feeds a declared condition"},
    "era_compatible": {"zh": "时代相容", "en": "era compatible"},
    "era_learner_undated": {
        "zh": "本方来源未注年份，无法确认时代是否相容，排在时代相容的借鉴之后",
        "en": "the learner's source is undated, so the era cannot be checked; ranked below "
        "era-compatible lessons",
    },
    "era_learner_predates": {
        "zh": "本方来源早于该做法的年代，只能作为现状问题，排在时代相容的借鉴之后",
        "en": "the learner's source predates the practice: a question about today, ranked below "
        "era-compatible lessons",
    },
    "learner_not_reported": {
        "zh": "本方来源未报告，先核实",
        "en": "not reported by the learner's source: verify first",
    },
    "learner_not_covered": {
        "zh": "本方节选未覆盖，先核实",
        "en": "outside the learner's excerpt: verify first",
    },
    "learner_before_era": {
        "zh": "本方来源早于该做法的年代，只能核实现状",
        "en": "the learner's source predates the practice: a question about today",
    },
    "model_proposes_only": {
        "zh": "对方只提出建议，不是实践",
        "en": "the model only proposes it: not a practice",
    },
    "model_absent": {"zh": "对方来源称其缺失", "en": "the model's source says it is missing"},
    "learner_already_practises": {"zh": "本方已有此做法", "en": "the learner already practises it"},
    "no_clear_gap": {
        "zh": "双方都只有简单提及，无明显差距",
        "en": "both practices are thin: no clear gap",
    },
    "ranked_out": {"zh": "排在前五项之后", "en": "ranked below the listed lessons"},
}

#: Named sentence templates (``str.format`` fields), one per language.
TEMPLATES: dict[str, dict[str, str]] = {
    "lesson": {
        "zh": "{learner}可借鉴{model}的“{label}”：{model}{model_desc}（{quote}，{cite}）；{learner}{learner_desc}。",
        "en": "{learner} can learn “{label}” from {model}: {model} {model_desc} ({quote}, {cite}); "
        "{learner} {learner_desc}.",
    },
    "learner_desc_absent": {
        "zh": "的来源称本地缺失此项（{quote}）",
        "en": "is reported by its source as lacking it ({quote})",
    },
    "learner_desc_proposed": {
        "zh": "只把它作为建议提出（{quote}）",
        "en": "only proposes it ({quote})",
    },
    "learner_desc_weak": {
        "zh": "仅有简单提及（{quote}）",
        "en": "mentions it only thinly ({quote})",
    },
    "model_desc_1": {
        "zh": "已形成制度化、成体系的核心做法",
        "en": "has an institutionalised, central practice",
    },
    "model_desc_0.67": {"zh": "有明确做法", "en": "has a definite practice"},
    "model_desc_0.33": {"zh": "有实践但较薄", "en": "has a thin practice"},
    "era_predates": {
        "zh": "{learner}的来源写于{year}年，早于“{label}”普遍出现的年代（约{era_from}年起），只能作为现状问题提出：{learner}现在是否已有此做法。",
        "en": "{learner}'s source was written in {year}, before “{label}” became possible or common "
        "(from about {era_from}); it can be raised only as a question about {learner}'s present situation.",
    },
    "era_undated": {
        "zh": "{learner}的来源未注明写作年份，无法确认写作时“{label}”（约{era_from}年起）是否已经可行。",
        "en": "{learner}'s source is undated, so whether “{label}” (from about {era_from}) was "
        "already possible when it was written cannot be checked.",
    },
    "verify_not_reported": {
        "zh": "先核实：{learner}的来源未报告“{label}”，不能据此认为{learner}没有这项做法；{model}{model_desc}（{quote}，{cite}）。应先核实{learner}的现状，再考虑是否借鉴。",
        "en": "Verify first: {learner}'s source does not report “{label}”, which does not mean "
        "{learner} lacks it; {model} {model_desc} ({quote}, {cite}). Check {learner}'s "
        "present situation before considering it.",
    },
    "verify_not_covered": {
        "zh": "先核实：{learner}的来源是节选，未覆盖“{label}”所在的内容；{model}{model_desc}（{quote}，{cite}）。应先查阅全文或实地核实。",
        "en": "Verify first: {learner}'s source is an excerpt that does not cover “{label}”; "
        "{model} {model_desc} ({quote}, {cite}). Read the full work or check on site first.",
    },
    "verify_before_era": {
        "zh": "现状问题：{learner}的来源写于{year}年，早于“{label}”普遍出现的年代（约{era_from}年起），其未报告不说明任何问题；{model}{model_desc}（{quote}，{cite}）。只能作为现状问题核实：{learner}现在是否已有此做法。",
        "en": "A question about today: {learner}'s source was written in {year}, before “{label}” "
        "became possible or common (from about {era_from}), so its silence says nothing; {model} "
        "{model_desc} ({quote}, {cite}). Ask whether {learner} has it now.",
    },
    "conditions": {
        "zh": "适用条件：{model}的这项做法是在以下条件下运行的——{items}。",
        "en": "Conditions: {model}'s practice ran under these conditions: {items}.",
    },
    "condition_item": {"zh": "{field}：{value}", "en": "{field}: {value}"},
    "risk_differs": {
        "zh": "{field}不同（{model}：{model_value}；{learner}：{learner_value}）",
        "en": "{field} differs ({model}: {model_value}; {learner}: {learner_value})",
    },
    "risk_not_reported": {
        "zh": "{field}：{side}的来源未报告，不能假定两地相同",
        "en": "{field}: not reported by {side}'s source, so it cannot be assumed to be the same",
    },
    "risk_not_comparable": {
        "zh": "{field}：两地来源的说法无法直接比较",
        "en": "{field}: the two sources' statements cannot be compared directly",
    },
    "risk_admin_down": {
        "zh": "{model}在更高的行政层级运行，移到{learner}需要上级的统筹、授权和财力支持",
        "en": "{model} runs at a higher administrative level; at {learner} it needs the higher "
        "levels' coordination, authority and funds",
    },
    "risk_admin_up": {
        "zh": "{model}在更低的行政层级运行，放大到{learner}的范围未经检验",
        "en": "{model} runs at a lower administrative level; scaling it up to {learner} is untested",
    },
    "risk_pilot": {
        "zh": "{model}仍处试点阶段，做法在更大范围的效果未经检验",
        "en": "{model} is still a pilot; its effect at a larger scale is untested",
    },
    "risk_problem": {
        "zh": "{model}来源自身报告的{scope}：{problem}（{quote}，{cite}）",
        "en": "{scope} reported by {model}'s own source: {problem} ({quote}, {cite})",
    },
    "risk_problem_family": {
        "zh": "{model}来源就同类做法（{framework}）报告的{scope}：{problem}（{quote}，{cite}）",
        "en": "{scope} reported by {model}'s own source on related practices ({framework}): "
        "{problem} ({quote}, {cite})",
    },
    "risk_self_reported": {
        "zh": "{model}相关成效均为实施方自述，未经独立评估",
        "en": "{model}'s linked outcomes are all asserted by the implementing authority, not independently evaluated",
    },
    "risks": {"zh": "风险：{items}。", "en": "Risks: {items}."},
    "risks_none": {
        "zh": "风险：两地可比的背景条件相同，来源也未报告与此相关的问题。",
        "en": "Risks: the comparable context is the same and the sources report no related problem.",
    },
    "exclusion": {"zh": "“{label}”：{reason}。", "en": "“{label}”: {reason}."},
}

_SEP = {"zh": "；", "en": "; "}

#: Class labels of the context fields (see :func:`context_class`).
CONTEXT_CLASSES: dict[str, dict[str, str]] = {
    "subdistrict": {"zh": "街道", "en": "subdistrict"},
    "district": {"zh": "市辖区", "en": "urban district"},
    "county": {"zh": "县", "en": "county"},
    "prefecture_city": {"zh": "地级市", "en": "prefecture-level city"},
    "multi_city": {"zh": "多个城市", "en": "several cities"},
    "urban": {"zh": "城市社区为主", "en": "mainly urban"},
    "rural": {"zh": "农村为主", "en": "mainly rural"},
    "mixed": {"zh": "城乡混合", "en": "mixed urban and rural"},
    "high": {"zh": "较高", "en": "high"},
    "moderate": {"zh": "中等", "en": "moderate"},
    "low": {"zh": "较低", "en": "low"},
    "limited": {"zh": "有限", "en": "limited"},
    "pilot": {"zh": "试点", "en": "pilot"},
    "citywide": {"zh": "全域推开", "en": "rolled out across the area"},
    "diffused": {"zh": "向外扩散", "en": "diffused beyond the locality"},
    "before_18th": {"zh": "党的十八大以前", "en": "before the 18th Party Congress (2012)"},
    "18th": {"zh": "党的十八大至十九大之间", "en": "between the 18th and 19th Party Congresses"},
    "19th": {"zh": "党的十九大以后", "en": "after the 19th Party Congress (2017)"},
}
#: Administrative levels from low to high (``multi_city`` above a single city).
ADMIN_RANK: dict[str, int] = {
    "subdistrict": 0,
    "district": 1,
    "county": 1,
    "prefecture_city": 2,
    "multi_city": 3,
}
#: Migrant share at or above this (numeric) is ``high``, below :data:`MIGRANT_LOW` ``low``.
MIGRANT_HIGH = 0.2
MIGRANT_LOW = 0.1
#: A reported model budget at or above this (元) marks ``high`` fiscal capacity.
FISCAL_HIGH = 100_000_000
#: Policy-period lower bounds named in text: 十七大 2007, 十八大 2012, 十九大 2017, 二十大 2022.
CONGRESS_YEARS: dict[str, int] = {"十七大": 2007, "十八大": 2012, "十九大": 2017, "二十大": 2022}


def quoted(text: str) -> str:
    """A verbatim quote in quotation marks, without doubling the source's own marks.

    The quote is wrapped in “…”; when it contains “ or ” itself (which would print as ““ or
    ””), it is wrapped in 「…」 instead, so the quoted text stays exactly as in the source.

    Examples
    --------
    >>> quoted("划分为2958个管理网格"), quoted("“万名社会建设人才培训工程”亟待向纵深发展")
    ('“划分为2958个管理网格”', '「“万名社会建设人才培训工程”亟待向纵深发展」')
    """
    return f"「{text}」" if ("“" in text or "”" in text) else f"“{text}”"


def say(key: str, lang: str, **values: Any) -> str:
    """Fill a named template; a missing or None value is an error, never the word "None".

    Examples
    --------
    >>> say("condition_item", "zh", field="行政层级", value="街道")
    '行政层级：街道'
    """
    bad = [k for k, v in values.items() if v is None or (isinstance(v, float) and v != v)]
    if bad:
        raise ValueError(f"template {key!r}: no value for {', '.join(sorted(bad))}")
    return TEMPLATES[key]["zh" if lang == "zh" else "en"].format(**values)


# -- typed results ----------------------------------------------------------------------------


class Quote(NamedTuple):
    """A verbatim span of a source: ``text[start:end] == quote``."""

    source_id: str
    start: int | None
    end: int | None
    quote: str


@dataclass(frozen=True)
class ContextDifference:
    """One context field on which learner and model differ, or cannot be compared.

    ``kind`` is ``differs`` (both classified, classes differ), ``not_reported`` (a side's source
    does not report it: its value is None) or ``not_comparable`` (reported, but the text cannot
    be put into a class).
    """

    field: str
    label_zh: str
    label_en: str
    model_value: str | None
    learner_value: str | None
    model_class: str | None
    learner_class: str | None
    kind: Literal["differs", "not_reported", "not_comparable"]


@dataclass(frozen=True)
class LinkedOutcome:
    """An outcome the model reports that a declared condition links to the code."""

    outcome: str
    label_zh: str
    label_en: str
    score: float
    claim_strength: str
    claim_zh: str
    claim_en: str
    via: tuple[str, ...]
    evidence: tuple[Quote, ...]


@dataclass(frozen=True)
class LinkedProblem:
    """A problem the model's source reports whose passage overlaps the evidence of the code
    (``link="code"``) or of another code of the same family (``link="family"``)."""

    problem_zh: str
    scope: str
    link: Literal["code", "family"]
    evidence: tuple[Quote, ...]


@dataclass(frozen=True)
class Lesson:
    """What ``learner`` can learn from ``model`` on one code, with its basis and limits."""

    learner: str
    model: str
    code: str
    label_zh: str
    label_en: str
    family: str
    framework_zh: str
    framework_en: str
    frameworks: tuple[str, ...]
    model_status: str
    model_score: float
    learner_status: str
    learner_score: float
    model_evidence: tuple[Quote, ...]
    learner_evidence: tuple[Quote, ...]
    priority: int
    reasons: tuple[str, ...]
    era: Era
    era_from: int | None
    learner_year: int | None
    context_differences: tuple[ContextDifference, ...]
    problems: tuple[LinkedProblem, ...]
    outcomes: tuple[LinkedOutcome, ...]
    sentence_zh: str
    sentence_en: str
    era_note_zh: str
    era_note_en: str
    conditions_zh: str
    conditions_en: str
    risks_zh: str
    risks_en: str


@dataclass(frozen=True)
class Verification:
    """A model practice the learner's source does not report: 先核实, not a lesson."""

    learner: str
    model: str
    code: str
    label_zh: str
    label_en: str
    family: str
    framework_zh: str
    framework_en: str
    model_status: str
    model_score: float
    model_evidence: tuple[Quote, ...]
    learner_status: str
    learner_status_derived: str
    priority: int
    reasons: tuple[str, ...]
    era: Era
    era_from: int | None
    outcomes: tuple[LinkedOutcome, ...]
    question_zh: str
    question_en: str


@dataclass(frozen=True)
class Exclusion:
    """A code the model has evidence for that is not among the lessons, and why."""

    code: str
    label_zh: str
    label_en: str
    reason: str
    model_status: str
    learner_status: str
    text_zh: str
    text_en: str


@dataclass(frozen=True)
class LessonSet:
    """What ``learner`` can learn from ``model``: lessons (at most ``max_items``), questions
    to verify first, and exclusions with reasons."""

    learner: str
    model: str
    max_items: int
    learner_year: int | None
    model_year: int | None
    lessons: tuple[Lesson, ...]
    verifications: tuple[Verification, ...]
    excluded: tuple[Exclusion, ...]
    context_differences: tuple[ContextDifference, ...]


@dataclass(frozen=True)
class PairLessons:
    """Both directions of a pair: what ``a`` can learn from ``b`` and ``b`` from ``a``."""

    a: str
    b: str
    a_from_b: LessonSet
    b_from_a: LessonSet


# -- context ----------------------------------------------------------------------------------


def _context_item(case: Case, field: str) -> ContextItem | None:
    return next((c for c in case.context if c.field == field), None)


def context_class(case: Case, field: str) -> tuple[str | None, str | None]:
    """``(value, class)`` of one context field of a case.

    ``value`` is the case file's text (None when the source does not report the field);
    ``class`` is a coarse class used to compare cases, or None when the text cannot be put in
    one.  Classes: ``admin_level`` from the case's ``level``; ``urban_rural`` from the words
    城乡/混合/兼有 (mixed), 城市 (urban), 农村/村 (rural); ``migrant_share`` from a number
    (≥ :data:`MIGRANT_HIGH` high, < :data:`MIGRANT_LOW` low, else moderate) or the words 多
    (high) / 少 (low); ``fiscal_capacity`` high for 发达 or a budget ≥ :data:`FISCAL_HIGH`,
    none when the text says the finances are not reported (未报告), limited for 有限/不足/困难;
    ``stage`` the stage id (``unknown`` has no class); ``policy_period`` by year (item year,
    else the Party congress the text names): before 2012, 2012–2016, from 2017.

    Examples
    --------
    >>> from analysis.casebase import Case
    >>> case = Case.model_validate({"id": "x", "name_zh": "x", "name_en": "x", "province": "p",
    ...     "city": "c", "level": "subdistrict", "sources": ["s"], "context": [{"field":
    ...     "urban_rural", "value": "城乡兼有", "evidence": [{"source": "s", "quote": "q"}]}]})
    >>> context_class(case, "urban_rural"), context_class(case, "migrant_share")
    (('城乡兼有', 'mixed'), (None, None))
    """
    item = _context_item(case, field)
    if field == "admin_level":
        return (item.value if item else CONTEXT_CLASSES[case.level]["zh"]), case.level
    if item is None:
        return None, None
    text, num = item.value, item.value_num
    cls: str | None = None
    if field == "urban_rural":
        if any(w in text for w in ("城乡", "混合", "兼有")):
            cls = "mixed"
        elif "城市" in text:
            cls = "urban"
        elif "农村" in text or "村" in text:
            cls = "rural"
    elif field == "migrant_share":
        if num is not None:
            cls = "high" if num >= MIGRANT_HIGH else "low" if num < MIGRANT_LOW else "moderate"
        elif "多" in text and "不多" not in text:
            cls = "high"
        elif "少" in text or "不多" in text:
            cls = "low"
    elif field == "fiscal_capacity":
        if "发达" in text or (num is not None and num >= FISCAL_HIGH):
            cls = "high"
        elif "未报告" in text:
            cls = None
        elif any(w in text for w in ("有限", "不足", "困难")):
            cls = "limited"
    elif field == "stage":
        cls = text if text in ("pilot", "citywide", "diffused") else None
    elif field == "policy_period":
        year = item.year or _congress_year(text)
        if year is not None:
            cls = "before_18th" if year < 2012 else "18th" if year < 2017 else "19th"
    return text, cls


def _congress_year(text: str) -> int | None:
    years = [y for name, y in CONGRESS_YEARS.items() if name in text]
    return max(years) if years else None


def _field_label(cb: CaseBase, field: str, lang: str) -> str:
    for f in cb.codebook.context_fields:
        if f.id == field:
            return f.label_zh if lang == "zh" else f.label_en
    return field


def _stage_label(cb: CaseBase, value: str, lang: str) -> str:
    for s in cb.codebook.stages:
        if s.id == value:
            return s.label_zh if lang == "zh" else s.label_en
    return value


def context_differences(cb: CaseBase, learner: str, model: str) -> tuple[ContextDifference, ...]:
    """The context fields on which two cases differ or cannot be compared.

    A field equal in class on both sides is left out; a field either source does not report
    is listed (``not_reported``), never assumed equal.

    Examples
    --------
    >>> diffs = context_differences(cb, "zhoushan_donggang", "dongguan")   # doctest: +SKIP
    >>> [d.field for d in diffs if d.kind == "differs"][:1]                # doctest: +SKIP
    ['admin_level']
    """
    out = []
    for field in CONTEXT_FIELDS:
        mv, mc = context_class(cb.cases[model], field)
        lv, lc = context_class(cb.cases[learner], field)
        if mv is None or lv is None:
            kind = "not_reported"
        elif mc is None or lc is None:
            kind = "not_comparable"
        elif mc != lc:
            kind = "differs"
        else:
            continue
        out.append(
            ContextDifference(
                field=field,
                label_zh=_field_label(cb, field, "zh"),
                label_en=_field_label(cb, field, "en"),
                model_value=mv,
                learner_value=lv,
                model_class=mc,
                learner_class=lc,
                kind=kind,
            )
        )
    return tuple(out)


# -- eras -------------------------------------------------------------------------------------


def learner_year(cb: CaseBase, case_id: str) -> tuple[int | None, bool]:
    """``(year, exact)``: the year the case's source was written, or a lower bound for it.

    Exact when a source is dated (:meth:`CaseBase.source_year`); otherwise a lower bound: a
    source cannot be older than the practices it reports (the case's ``start_year``, the years
    of its context items and mechanisms) or the Party congress its policy period names.

    Examples
    --------
    >>> learner_year(cb, "zhoushan_donggang")     # doctest: +SKIP
    (2011, True)
    """
    year = cb.source_year(case_id)
    if year is not None:
        return year, True
    case = cb.cases[case_id]
    bounds = [case.start_year] + [c.year for c in case.context] + [m.year for m in case.mechanisms]
    period = _context_item(case, "policy_period")
    if period is not None:
        bounds.append(_congress_year(period.value))
    known = [b for b in bounds if b is not None]
    return (max(known) if known else None), False


def era_of(era_from: int | None, year: int | None, exact: bool) -> Era:
    """Whether a practice from ``era_from`` fits a learner source of ``year``.

    Examples
    --------
    >>> era_of(2015, 2011, True), era_of(2015, 2013, False), era_of(2000, 2013, False)
    ('learner_predates', 'learner_undated', 'compatible')
    >>> era_of(1978, None, False)
    'compatible'
    """
    if era_from is None or era_from <= NO_ERA_THRESHOLD:
        return "compatible"
    if year is not None and era_from <= year:
        return "compatible"
    return "learner_predates" if exact and year is not None else "learner_undated"


# -- helpers ----------------------------------------------------------------------------------


def _quotes(evidence: Iterable[Evidence]) -> tuple[Quote, ...]:
    return tuple(Quote(e.source, e.start, e.end, e.quote) for e in evidence)


def _short(cb: CaseBase, case_id: str, lang: str) -> str:
    return cb.labels(lang)["case_short"][case_id]


def _spans_overlap(a: Quote, b: Quote) -> bool:
    if a.source_id != b.source_id or None in (a.start, a.end, b.start, b.end):
        return a.source_id == b.source_id and (a.quote in b.quote or b.quote in a.quote)
    return a.start < b.end and b.start < a.end  # type: ignore[operator]


def _linked_problems(cb: CaseBase, model: str, code: Code) -> tuple[LinkedProblem, ...]:
    case = cb.cases[model]
    family_codes = {c.id for c in cb.codebook.codes if c.family == code.family}
    own = [q for m in case.mechanisms if m.code == code.id for q in _quotes(m.evidence)]
    kin = [
        q
        for m in case.mechanisms
        if m.code in family_codes and m.code != code.id
        for q in _quotes(m.evidence)
    ]
    out = []
    for p in case.problems:
        pq = _quotes(p.evidence)
        if any(_spans_overlap(a, b) for a in pq for b in own):
            link: Literal["code", "family"] = "code"
        elif any(_spans_overlap(a, b) for a in pq for b in kin):
            link = "family"
        else:
            continue
        out.append(LinkedProblem(p.problem_zh, p.scope, link, pq))
    return tuple(sorted(out, key=lambda p: p.link != "code"))


def _condition_links(conditions: ConditionSet | None, code: str) -> dict[str, tuple[str, ...]]:
    """``{outcome: (condition ids)}`` the declared conditions link the code to."""
    if conditions is None:
        return {}
    links: dict[str, list[str]] = {}
    for cond in conditions.conditions:
        if code not in cond.codes:
            continue
        outcomes = {o for o, cs in conditions.outcome_conditions.items() if cond.id in cs}
        outcomes |= {o for o, e in cond.expectations.items() if e.direction == "present"}
        for o in sorted(outcomes):
            links.setdefault(o, []).append(cond.id)
    return {o: tuple(cs) for o, cs in links.items()}


def _feeds_condition(conditions: ConditionSet | None, code: str) -> bool:
    return conditions is not None and any(code in c.codes for c in conditions.conditions)


def _linked_outcomes(
    cb: CaseBase, model: str, code: str, conditions: ConditionSet | None
) -> tuple[LinkedOutcome, ...]:
    links = _condition_links(conditions, code)
    claims = {c.id: c for c in cb.codebook.claim_strengths}
    labels = {o.id: o for o in cb.codebook.outcomes}
    out = []
    for o in cb.cases[model].outcomes:
        if o.outcome not in links:
            continue
        claim = claims.get(o.claim_strength)
        out.append(
            LinkedOutcome(
                outcome=o.outcome,
                label_zh=labels[o.outcome].label_zh,
                label_en=labels[o.outcome].label_en,
                score=float(o.score),
                claim_strength=o.claim_strength,
                claim_zh=claim.label_zh if claim else o.claim_strength,
                claim_en=claim.label_en if claim else o.claim_strength,
                via=links[o.outcome],
                evidence=_quotes(o.evidence),
            )
        )
    return tuple(sorted(out, key=lambda x: (-x.score, cb.outcome_ids.index(x.outcome))))


def default_conditions(cb: CaseBase) -> ConditionSet | None:
    """The case base's declared conditions (``conditions.yaml`` beside the cases), if any."""
    path = Path(cb.root) / "conditions.yaml"
    if not path.is_file():
        return None
    from analysis.compare_cli import load_conditions

    return load_conditions(path, cb.codebook)


def _score_key(score: float) -> str:
    return "1" if score >= 0.99 else "0.67" if score >= 0.5 else "0.33"


def _model_reason(score: float) -> str:
    return {"1": "model_core", "0.67": "model_definite", "0.33": "model_thin"}[_score_key(score)]


# -- the analysis -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Candidate:
    code: Code
    order: int
    model_status: str
    model_score: float
    learner_status: str
    learner_derived: str
    learner_score: float | None
    era: Era
    outcomes: tuple[LinkedOutcome, ...]
    feeds: bool

    @property
    def n_outcomes(self) -> int:
        return sum(1 for o in self.outcomes if o.score > 0)

    def key(self) -> tuple[Any, ...]:
        return (
            ERA_RANK[self.era],
            -self.model_score,
            GAP_RANK.get(self.learner_status, len(GAP_RANK)),
            -self.n_outcomes,
            not self.feeds,
            self.order,
        )

    def reasons(self) -> tuple[str, ...]:
        out = [_model_reason(self.model_score)]
        if self.learner_status in GAP_RANK:
            out.append(f"learner_{self.learner_status}")
        else:
            out.append(f"learner_{self.learner_derived}")
        if self.n_outcomes:
            out.append("outcome_link")
        if self.feeds:
            out.append("feeds_condition")
        out.append(f"era_{self.era}")
        return tuple(out)


def condition_items(cb: CaseBase, model: str, lang: str) -> tuple[str, ...]:
    """The model's context, field by field (``行政层级：街道``), plain text.

    The items of a lesson's ``conditions_zh`` / ``conditions_en`` sentence, for a report
    that writes its own sentence around them.

    Examples
    --------
    >>> condition_items(cb, "zhoushan_donggang", "zh")[0]       # doctest: +SKIP
    '行政层级：街道（舟山市普陀区东港街道，城区部分）'
    """
    items = []
    for field in CONTEXT_FIELDS:
        value, cls = context_class(cb.cases[model], field)
        if lang == "zh":
            shown = (
                _stage_label(cb, value, "zh")
                if field == "stage" and value
                else value or "来源未报告"
            )
        else:
            shown = (
                CONTEXT_CLASSES[cls]["en"]
                if cls
                else ("not reported" if value is None else "not classifiable from the text")
            )
        items.append(say("condition_item", lang, field=_field_label(cb, field, lang), value=shown))
    return tuple(items)


def _conditions_text(cb: CaseBase, model: str, lang: str) -> str:
    items = condition_items(cb, model, lang)
    return say("conditions", lang, model=_short(cb, model, lang), items=_SEP[lang].join(items))


def _risk_items(
    cb: CaseBase,
    learner: str,
    model: str,
    diffs: Sequence[ContextDifference],
    problems: Sequence[LinkedProblem],
    outcomes: Sequence[LinkedOutcome],
    framework: dict[str, str],
    lang: str,
) -> tuple[str, ...]:
    lm, ll = _short(cb, model, lang), _short(cb, learner, lang)
    items = []
    for d in diffs:
        label = d.label_zh if lang == "zh" else d.label_en
        if d.kind == "differs":
            mval, lval = (CONTEXT_CLASSES[c][lang] for c in (d.model_class, d.learner_class))  # type: ignore[index]
            items.append(
                say(
                    "risk_differs",
                    lang,
                    field=label,
                    model=lm,
                    learner=ll,
                    model_value=mval,
                    learner_value=lval,
                )
            )
            if d.field == "admin_level":
                up = ADMIN_RANK[d.model_class] - ADMIN_RANK[d.learner_class]  # type: ignore[index]
                if up:
                    items.append(
                        say(
                            "risk_admin_down" if up > 0 else "risk_admin_up",
                            lang,
                            model=lm,
                            learner=ll,
                        )
                    )
        elif d.kind == "not_reported":
            sides = [s for s, v in ((lm, d.model_value), (ll, d.learner_value)) if v is None]
            side = ("、" if lang == "zh" else " and ").join(sides)
            items.append(say("risk_not_reported", lang, field=label, side=side))
        else:
            items.append(say("risk_not_comparable", lang, field=label))
    stage = _context_item(cb.cases[model], "stage")
    if stage is not None and stage.value == "pilot":
        items.append(say("risk_pilot", lang, model=lm))
    for p in problems:
        q = p.evidence[0]
        scope = {
            ("zh", "local"): "本地问题",
            ("zh", "general"): "一般性风险",
            ("en", "local"): "A local problem",
            ("en", "general"): "A general risk",
        }.get((lang, p.scope), "问题" if lang == "zh" else "A problem")
        items.append(
            say(
                "risk_problem" if p.link == "code" else "risk_problem_family",
                lang,
                model=lm,
                framework=framework[lang],
                scope=scope,
                problem=p.problem_zh,
                quote=quoted(q.quote),
                cite=cite(cb, q.source_id, lang),
            )
        )
    if outcomes and all(o.claim_strength == "implementing_authority" for o in outcomes):
        items.append(say("risk_self_reported", lang, model=lm))
    return tuple(items)


def lesson_risk_items(cb: CaseBase, lesson: Lesson, lang: str) -> tuple[str, ...]:
    """The items of a lesson's ``risks_zh`` / ``risks_en`` sentence, plain text (empty when
    the comparable context is the same and the sources report no related problem).

    Examples
    --------
    >>> ls = lessons(cb, "dongguan", "shaoxing")                 # doctest: +SKIP
    >>> lesson_risk_items(cb, ls.lessons[0], "zh")[0]            # doctest: +SKIP
    '城乡形态不同（绍兴：城市社区为主；东莞：城乡混合）'
    """
    return _risk_items(
        cb,
        lesson.learner,
        lesson.model,
        lesson.context_differences,
        lesson.problems,
        lesson.outcomes,
        {"zh": lesson.framework_zh, "en": lesson.framework_en},
        lang,
    )


def _risks_text(items: Sequence[str], lang: str) -> str:
    if not items:
        return say("risks_none", lang)
    return say("risks", lang, items=_SEP[lang].join(items))


def _era_note(cb: CaseBase, learner: str, c: _Candidate, year: int | None, lang: str) -> str:
    if c.era == "compatible":
        return ""
    label = c.code.label_zh if lang == "zh" else c.code.label_en
    if c.era == "learner_predates":
        return say(
            "era_predates",
            lang,
            learner=_short(cb, learner, lang),
            year=year,
            label=label,
            era_from=c.code.era_from,
        )
    return say(
        "era_undated",
        lang,
        learner=_short(cb, learner, lang),
        label=label,
        era_from=c.code.era_from,
    )


def _lesson(
    cb: CaseBase,
    learner: str,
    model: str,
    c: _Candidate,
    priority: int,
    year: int | None,
    diffs: tuple[ContextDifference, ...],
) -> Lesson:
    mm = next(m for m in cb.cases[model].mechanisms if m.code == c.code.id)
    lm = next(m for m in cb.cases[learner].mechanisms if m.code == c.code.id)
    mq, lq = _quotes(mm.evidence), _quotes(lm.evidence)
    problems = _linked_problems(cb, model, c.code)
    fam = next(f for f in cb.codebook.families if f.id == c.code.family)
    text: dict[str, dict[str, str]] = {}
    for lang in ("zh", "en"):
        label = c.code.label_zh if lang == "zh" else c.code.label_en
        learner_desc = (
            say(f"learner_desc_{c.learner_status}", lang, quote=quoted(lq[0].quote)) if lq else ""
        )
        sentence = say(
            "lesson",
            lang,
            learner=_short(cb, learner, lang),
            model=_short(cb, model, lang),
            label=label,
            model_desc=say(f"model_desc_{_score_key(c.model_score)}", lang),
            quote=quoted(mq[0].quote),
            cite=cite(cb, mq[0].source_id, lang),
            learner_desc=learner_desc,
        )
        text[lang] = {
            "sentence": sentence,
            "era": _era_note(cb, learner, c, year, lang),
            "conditions": _conditions_text(cb, model, lang),
            "risks": _risks_text(
                _risk_items(
                    cb,
                    learner,
                    model,
                    diffs,
                    problems,
                    c.outcomes,
                    {"zh": fam.label_zh, "en": fam.label_en},
                    lang,
                ),
                lang,
            ),
        }
    return Lesson(
        learner=learner,
        model=model,
        code=c.code.id,
        label_zh=c.code.label_zh,
        label_en=c.code.label_en,
        family=c.code.family,
        framework_zh=fam.label_zh,
        framework_en=fam.label_en,
        frameworks=tuple(c.code.frameworks),
        model_status=c.model_status,
        model_score=c.model_score,
        learner_status=c.learner_status,
        learner_score=float(c.learner_score or 0.0),
        model_evidence=mq,
        learner_evidence=lq,
        priority=priority,
        reasons=c.reasons(),
        era=c.era,
        era_from=c.code.era_from,
        learner_year=year,
        context_differences=diffs,
        problems=problems,
        outcomes=c.outcomes,
        sentence_zh=text["zh"]["sentence"],
        sentence_en=text["en"]["sentence"],
        era_note_zh=text["zh"]["era"],
        era_note_en=text["en"]["era"],
        conditions_zh=text["zh"]["conditions"],
        conditions_en=text["en"]["conditions"],
        risks_zh=text["zh"]["risks"],
        risks_en=text["en"]["risks"],
    )


def _verification(
    cb: CaseBase, learner: str, model: str, c: _Candidate, priority: int, year: int | None
) -> Verification:
    mm = next(m for m in cb.cases[model].mechanisms if m.code == c.code.id)
    mq = _quotes(mm.evidence)
    fam = next(f for f in cb.codebook.families if f.id == c.code.family)
    key = {"not_covered": "verify_not_covered", "before_era": "verify_before_era"}.get(
        c.learner_derived, "verify_not_reported"
    )
    text = {}
    for lang in ("zh", "en"):
        values: dict[str, Any] = {
            "learner": _short(cb, learner, lang),
            "model": _short(cb, model, lang),
            "label": c.code.label_zh if lang == "zh" else c.code.label_en,
            "model_desc": say(f"model_desc_{_score_key(c.model_score)}", lang),
            "quote": quoted(mq[0].quote),
            "cite": cite(cb, mq[0].source_id, lang),
        }
        if key == "verify_before_era":
            values.update(year=year, era_from=c.code.era_from)
        text[lang] = say(key, lang, **values)
    return Verification(
        learner=learner,
        model=model,
        code=c.code.id,
        label_zh=c.code.label_zh,
        label_en=c.code.label_en,
        family=c.code.family,
        framework_zh=fam.label_zh,
        framework_en=fam.label_en,
        model_status=c.model_status,
        model_score=c.model_score,
        model_evidence=mq,
        learner_status=c.learner_status,
        learner_status_derived=c.learner_derived,
        priority=priority,
        reasons=c.reasons(),
        era=c.era,
        era_from=c.code.era_from,
        outcomes=c.outcomes,
        question_zh=text["zh"],
        question_en=text["en"],
    )


def _exclusion(code: Code, reason: str, model_status: str, learner_status: str) -> Exclusion:
    return Exclusion(
        code=code.id,
        label_zh=code.label_zh,
        label_en=code.label_en,
        reason=reason,
        model_status=model_status,
        learner_status=learner_status,
        text_zh=say("exclusion", "zh", label=code.label_zh, reason=REASONS[reason]["zh"]),
        text_en=say("exclusion", "en", label=code.label_en, reason=REASONS[reason]["en"]),
    )


def lessons(
    cb: CaseBase,
    learner: str,
    model: str,
    max_items: int = MAX_ITEMS,
    conditions: ConditionSet | None | Literal["default"] = "default",
) -> LessonSet:
    """What ``learner`` can learn from ``model``: at most ``max_items`` ranked lessons.

    Parameters
    ----------
    cb : CaseBase
        The loaded case base.
    learner, model : str
        Case ids.
    max_items : int
        The most lessons listed (default 5); lower-ranked candidates are in ``excluded`` as
        ``ranked_out``.
    conditions : ConditionSet, None or "default"
        Declared conditions that link codes to outcomes; ``"default"`` reads
        ``conditions.yaml`` beside the cases, None uses no links.

    Returns
    -------
    LessonSet
        ``lessons`` (ranked, ``priority`` 1..n), ``verifications`` (codes the learner's source
        does not report, ranked the same way), ``excluded`` (with a reason each) and the
        pair's ``context_differences``.

    Examples
    --------
    >>> ls = lessons(cb, "zhoushan_donggang", "dongguan")                 # doctest: +SKIP
    >>> all(l.model_status in ("present", "weak") for l in ls.lessons)   # doctest: +SKIP
    True
    """
    if learner == model:
        raise ValueError("a case cannot learn from itself")
    for cid in (learner, model):
        if cid not in cb.cases:
            raise KeyError(f"unknown case {cid!r}")
    if max_items < 0:
        raise ValueError("max_items must be 0 or more")
    conds = default_conditions(cb) if conditions == "default" else conditions
    frame = cb.codings_frame()
    frame = frame[frame["case_id"].isin([learner, model])]
    rows = {(r.case_id, r.code): r for r in frame.itertuples(index=False)}
    year, exact = learner_year(cb, learner)
    diffs = context_differences(cb, learner, model)
    model_mechs = {m.code: m for m in cb.cases[model].mechanisms}

    gaps: list[_Candidate] = []
    unreported: list[_Candidate] = []
    excluded: list[Exclusion] = []
    for order, code in enumerate(cb.codebook.codes):
        m = model_mechs.get(code.id)
        if m is None or m.status == "not_reported":
            continue
        lrow = rows[(learner, code.id)]
        lstatus, lderived = str(lrow.status), str(lrow.status_derived)
        if m.status in ("proposed", "absent"):
            reason = "model_proposes_only" if m.status == "proposed" else "model_absent"
            excluded.append(_exclusion(code, reason, m.status, lstatus))
            continue
        if not m.evidence or m.score is None:
            continue
        lscore = None if lrow.score != lrow.score else float(lrow.score)
        cand = _Candidate(
            code=code,
            order=order,
            model_status=m.status,
            model_score=float(m.score),
            learner_status=lstatus,
            learner_derived=lderived,
            learner_score=lscore,
            era=era_of(code.era_from, year, exact),
            outcomes=_linked_outcomes(cb, model, code.id, conds),
            feeds=_feeds_condition(conds, code.id),
        )
        if lstatus == "not_reported":
            unreported.append(cand)
            excluded.append(_exclusion(code, f"learner_{lderived}", m.status, lstatus))
        elif lstatus == "present":
            excluded.append(_exclusion(code, "learner_already_practises", m.status, lstatus))
        elif lscore is not None and lscore >= cand.model_score:
            excluded.append(_exclusion(code, "no_clear_gap", m.status, lstatus))
        else:
            gaps.append(cand)

    gaps.sort(key=_Candidate.key)
    unreported.sort(key=_Candidate.key)
    kept, dropped = gaps[:max_items], gaps[max_items:]
    excluded += [
        _exclusion(
            c.code,
            "ranked_out" if c.era == "compatible" else f"era_{c.era}",
            c.model_status,
            c.learner_status,
        )
        for c in dropped
    ]
    order_of = {c.id: i for i, c in enumerate(cb.codebook.codes)}
    excluded.sort(key=lambda e: (list(REASONS).index(e.reason), order_of[e.code]))
    return LessonSet(
        learner=learner,
        model=model,
        max_items=max_items,
        learner_year=year if exact else None,
        model_year=cb.source_year(model),
        lessons=tuple(
            _lesson(cb, learner, model, c, i + 1, year, diffs) for i, c in enumerate(kept)
        ),
        verifications=tuple(
            _verification(cb, learner, model, c, i + 1, year) for i, c in enumerate(unreported)
        ),
        excluded=tuple(excluded),
        context_differences=diffs,
    )


def pair_lessons(
    cb: CaseBase,
    a: str,
    b: str,
    max_items: int = MAX_ITEMS,
    conditions: ConditionSet | None | Literal["default"] = "default",
) -> PairLessons:
    """Both directions of a pair: what ``a`` can learn from ``b``, and ``b`` from ``a``.

    Examples
    --------
    >>> p = pair_lessons(cb, "dongguan", "shaoxing")          # doctest: +SKIP
    >>> p.a_from_b.learner, p.b_from_a.learner                # doctest: +SKIP
    ('dongguan', 'shaoxing')
    """
    conds = default_conditions(cb) if conditions == "default" else conditions
    return PairLessons(
        a=a,
        b=b,
        a_from_b=lessons(cb, a, b, max_items, conds),
        b_from_a=lessons(cb, b, a, max_items, conds),
    )
