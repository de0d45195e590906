"""调研提纲: a field-research question list per case, for the scholar's next site visit.

The questions come from what the coded evidence leaves open (research standards: silence is
missing data, a recommendation is not a practice):

- ``contested``: the round's blind coders disagreed on a code (rounds coded under the current
  codebook); the question is the one that would settle the disputed boundary (exists or not,
  planned or practised, thin or definite, one pilot or area-wide), citing the adjudication;
- ``unverified_outcome``: an outcome whose claim is not an independent evaluation (asserted by
  the implementing authority, a party-school or an outside scholar); ask for independent data;
- ``proposed``: the source only recommends a practice; ask whether it was implemented;
- ``local_problem``: a problem the source reports for this locality; ask how it was addressed;
- ``weak``: a practice named or mentioned once; ask for its operating details;
- ``not_covered``: silence in a part of the work the corpus lacks; ask for the missing sections;
- ``before_era``: silence on a practice that became common only after the source was written;
  ask whether it was adopted later (never "does it exist");
- ``not_reported``: plain silence; ask whether the practice exists.

Every text is built from the named sentence templates in :data:`TEMPLATES` with codebook labels,
never ids.  The results are typed (:class:`FieldQuestion`, :class:`FieldGuide`) and carry their
evidence as verbatim spans; the report layer renders them.

Examples
--------
>>> from analysis.casebase import load_casebase
>>> cb = load_casebase("casebase", "../shared/seeds")          # doctest: +SKIP
>>> guide = field_questions(cb, "dongguan")                    # doctest: +SKIP
>>> guide.questions[0].priority                                # doctest: +SKIP
1
>>> [topic for topic, _ in guide.by_topic()][:2]               # doctest: +SKIP
['党建引领', '三治融合·法治']
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, get_args

from analysis.casebase import Framework

if TYPE_CHECKING:
    from analysis.casebase import CaseBase, Evidence, Mechanism
    from analysis.conditions import ConditionSet

__all__ = [
    "BASES",
    "DEFAULT_CAPS",
    "TEMPLATES",
    "Disagreement",
    "FieldGuide",
    "FieldQuestion",
    "Quote",
    "disagreements",
    "field_questions",
]

#: The bases of a question, in the order a guide lists them at equal priority.
BASES: tuple[str, ...] = (
    "contested",
    "unverified_outcome",
    "proposed",
    "local_problem",
    "weak",
    "not_covered",
    "before_era",
    "not_reported",
)

#: Priority of each basis (1 = ask first).  A not-reported or before-era code that feeds no
#: declared condition comes one level later than one that does.
PRIORITY: dict[str, int] = {
    "contested": 1,
    "unverified_outcome": 1,
    "proposed": 2,
    "local_problem": 2,
    "weak": 3,
    "not_covered": 3,
    "before_era": 4,
    "not_reported": 4,
}

#: How many questions of each basis a guide keeps by default (``None`` = all).
DEFAULT_CAPS: dict[str, int | None] = {
    "contested": None,
    "unverified_outcome": None,
    "proposed": None,
    "local_problem": 6,
    "weak": 8,
    "not_covered": None,
    "before_era": 5,
    "not_reported": 8,
}

#: Named sentence templates, by language.  Placeholders are filled with labels and quotes;
#: no text is ever assembled from fragments by position.
TEMPLATES: dict[str, dict[str, str]] = {
    "zh": {
        "q_contested_exists": (
            "{where}是否有专门的“{label}”安排（名称明确的制度、会议或机构）？"
            "它与来源写到的其他做法是不是同一件事？请提供相关文件或会议记录。"
        ),
        "q_contested_planned": (
            "“{label}”在{where}是已经实施，还是仍在计划或建议阶段？如已实施，始于何时、在哪些社区运行？"
        ),
        "q_contested_planned_or_missing": (
            "“{label}”在{where}是尚未建立，还是已列入计划？如已列入，依据哪份文件、预计何时实施？"
        ),
        "q_contested_thin": (
            "{where}的“{label}”具体如何运作？有无名称明确的文件、负责机构或固定程序？"
            "请提供文件和近一年的运行记录。"
        ),
        "q_contested_scope": (
            "{where}的“{label}”是只在个别社区试点，还是已在{scope}普遍运行？"
            "目前覆盖多少个社区，有无{scope}统一的文件或机构？"
        ),
        "why_contested": (
            "两位独立编码员判断不一：一位认为{first}，另一位认为{second}；裁定为{final}。裁定理由：{reason}"
        ),
        "why_contested_no_reason": (
            "两位独立编码员判断不一：一位认为{first}，另一位认为{second}；裁定为{final}。"
        ),
        "q_outcome_claim": (
            "来源称{where}在“{outcome}”方面取得了成效。能否提供可以独立印证的材料，例如{data}？"
        ),
        "q_outcome_poor": (
            "来源称{where}的“{outcome}”不够理想。此后情况有无变化？能否提供{data}？"
        ),
        "why_outcome": "这一判断出自《{title}》（{authors}），属于{claim}，尚无独立核实。原文：{quote}。",
        "why_outcome_anonymous": "这一判断出自《{title}》，属于{claim}，尚无独立核实。原文：{quote}。",
        "q_proposed": (
            "来源提出了“{label}”方面的建议。这一建议此后是否落实？"
            "如已实施，始于何时、依据哪份文件、目前覆盖多少社区？"
        ),
        "why_proposed": "来源只在建议中提到：{quote}。建议不是实践，尚不知是否落实。",
        "q_weak": (
            "{where}的“{label}”目前如何运作？请介绍依据的文件、负责的机构或人员、"
            "开展的频次和经费来源，并提供相关台账。"
        ),
        "why_weak": (
            "来源只写到{quote}，没有说明依据的文件、负责机构、频次或经费，按编码规则只记为做法薄弱。"
        ),
        "q_problem": (
            "来源指出：{problem}。此后这一问题是否得到解决？采取了哪些措施，有无前后对比的数据？"
        ),
        "q_problem_dated": (
            "来源（{year}年）指出：{problem}。此后这一问题是否得到解决？"
            "采取了哪些措施，有无前后对比的数据？"
        ),
        "why_problem": "来源对本地问题的原文：{quote}。",
        "q_not_covered": (
            "能否提供《{title}》缺失的章节，以及{where}关于“{family}”（{labels}）的文件或工作汇报？"
        ),
        "why_not_covered": (
            "语料情况：{held}。“{family}”方面的做法可能写在缺失部分，其未提及不能视为没有。"
        ),
        "q_before_era": (
            "“{label}”一般在{era_from}年以后才普遍出现。{where}此后是否引入了这一做法？"
            "如已引入，始于何时、依据哪份文件？"
        ),
        "why_before_era": "来源写于{year}年，早于这一做法普遍出现的时间（{era_from}年），其未提及不是缺失。",
        "why_before_era_note": (
            "来源写于{year}年，早于这一做法普遍出现的时间（{era_from}年），其未提及不是缺失。"
            "编码手册说明：{era_note}"
        ),
        "q_not_reported": (
            "{where}是否有“{label}”方面的做法？如有，始于何时、依据哪份文件、由谁负责、"
            "覆盖多少社区或人次？"
        ),
        "why_not_reported": "来源没有提到这一做法。未提及是缺失数据，不等于没有，需要当面核实。",
        "why_not_reported_condition": (
            "来源没有提到这一做法。未提及是缺失数据，不等于没有；"
            "它属于比较分析的条件“{conditions}”，核实后可补全比较数据。"
        ),
    },
    "en": {
        "q_contested_exists": (
            "Does {where} have a distinct arrangement for “{label}” (a named rule, meeting or "
            "body)? Is it the same thing as the other practices the source describes? Please "
            "provide the documents or minutes."
        ),
        "q_contested_planned": (
            "Is “{label}” already in practice in {where}, or still planned or recommended? If it "
            "is practised, since when and in which communities?"
        ),
        "q_contested_planned_or_missing": (
            "Is “{label}” still missing in {where}, or has it been planned? If planned, under "
            "which document and for when?"
        ),
        "q_contested_thin": (
            "How does “{label}” work in {where}? Is there a named document, a responsible body "
            "or a fixed procedure? Please provide the documents and last year's records."
        ),
        "q_contested_scope": (
            "Is “{label}” in {where} a pilot in a few communities, or does it run {scope}? How "
            "many communities does it cover, and is there one document or body for it {scope}?"
        ),
        "why_contested": (
            "The two blind coders disagreed: one coded {first}, the other {second}; the "
            "adjudication settled on {final}. Reason recorded: {reason}"
        ),
        "why_contested_no_reason": (
            "The two blind coders disagreed: one coded {first}, the other {second}; the "
            "adjudication settled on {final}."
        ),
        "q_outcome_claim": (
            "The source reports results for “{outcome}” in {where}. Is there material that can "
            "verify this independently, such as {data}?"
        ),
        "q_outcome_poor": (
            "The source reports “{outcome}” in {where} as poor. Has this changed since? Could "
            "you provide {data}?"
        ),
        "why_outcome": (
            "The claim comes from “{title}” ({authors}): {claim}, not independently verified. "
            "Text: {quote}."
        ),
        "why_outcome_anonymous": (
            "The claim comes from “{title}”: {claim}, not independently verified. Text: {quote}."
        ),
        "q_proposed": (
            "The source recommends “{label}”. Has the recommendation been implemented? If so, "
            "since when, under which document, and how many communities does it cover?"
        ),
        "why_proposed": (
            "The source mentions it only as a recommendation: {quote}. A recommendation is not "
            "a practice; whether it was implemented is unknown."
        ),
        "q_weak": (
            "How does “{label}” work in {where} today? Please describe the documents it rests "
            "on, the body or staff responsible, how often it takes place and how it is funded, "
            "and provide the records."
        ),
        "why_weak": (
            "The source only says {quote}, without the document, body, frequency or funding, so "
            "the coding rules record it as thin."
        ),
        "q_problem": (
            "The source reports a local problem: {problem}. Has it been addressed since? By "
            "what measures, and with what before-and-after figures?"
        ),
        "q_problem_dated": (
            "The source ({year}) reports a local problem: {problem}. Has it been addressed "
            "since? By what measures, and with what before-and-after figures?"
        ),
        "why_problem": "The source's text on the problem: {quote}.",
        "q_not_covered": (
            "Could we obtain the missing sections of “{title}”, and the documents or work "
            "reports of {where} on “{family}” ({labels})?"
        ),
        "why_not_covered": (
            "The corpus holds only part of this work; practices under “{family}” may be in the "
            "missing sections, so the source's silence on them does not mean they are absent."
        ),
        "q_before_era": (
            "“{label}” became common only after {era_from}. Has {where} adopted it since? If "
            "so, since when and under which document?"
        ),
        "why_before_era": (
            "The source was written in {year}, before the practice became common ({era_from}); "
            "its silence is not absence."
        ),
        "why_before_era_note": (
            "The source was written in {year}, before the practice became common ({era_from}); "
            "its silence is not absence."
        ),
        "q_not_reported": (
            "Does {where} practise “{label}”? If so, since when, under which document, who is "
            "responsible, and how many communities or people does it reach?"
        ),
        "why_not_reported": (
            "The source does not mention this practice. Silence is missing data, not absence; "
            "it needs to be checked on site."
        ),
        "why_not_reported_condition": (
            "The source does not mention this practice. Silence is missing data, not absence; "
            "the code feeds the comparison's condition “{conditions}”, so checking it completes "
            "the comparative data."
        ),
    },
}

#: How a coder's judgement is named in the text, by status (present splits by score).
JUDGEMENTS: dict[str, dict[str, str]] = {
    "zh": {
        "present_full": "制度化且为核心做法（1分）",
        "present": "有确定做法（0.67分）",
        "weak": "做法薄弱（0.33分）",
        "proposed": "仅为建议（0分）",
        "absent": "本地缺失（0分）",
        "not_reported": "来源未提及",
    },
    "en": {
        "present_full": "institutionalized and central (1)",
        "present": "a definite practice (0.67)",
        "weak": "thin (0.33)",
        "proposed": "only proposed (0)",
        "absent": "reported missing locally (0)",
        "not_reported": "not reported",
    },
}

#: How the place is addressed in a question, by the case's level.
WHERE: dict[str, dict[str, str]] = {
    "zh": {
        "subdistrict": "贵街道",
        "district": "贵区",
        "county": "贵县",
        "prefecture_city": "贵市",
        "multi_city": "当地",
    },
    "en": {
        "subdistrict": "your subdistrict",
        "district": "your district",
        "county": "your county",
        "prefecture_city": "your city",
        "multi_city": "these cities",
    },
}

#: The whole area of the model, by the case's level.
SCOPE: dict[str, dict[str, str]] = {
    "zh": {
        "subdistrict": "全街道",
        "district": "全区",
        "county": "全县",
        "prefecture_city": "全市",
        "multi_city": "各地",
    },
    "en": {
        "subdistrict": "across the subdistrict",
        "district": "across the district",
        "county": "across the county",
        "prefecture_city": "across the city",
        "multi_city": "in each city",
    },
}

#: Whom to ask: codebook actor ids (and a few roles beyond them) to informants.
INFORMANTS: dict[str, tuple[str, str]] = {
    "party": ("社区党委书记", "community party secretary"),
    "party_members": ("党员代表", "party-member representatives"),
    "government": ("街道干部", "subdistrict officials"),
    "grid_staff": ("网格员", "grid workers"),
    "residents_committee": ("居（村）委会主任", "residents' committee director"),
    "owners_committee": ("业委会主任和物业负责人", "owners' committee chair and property manager"),
    "collective_economic_orgs": ("股份经济合作社负责人", "head of the collective cooperative"),
    "self_organizations": ("居民自组织负责人", "leaders of residents' self-organizations"),
    "social_organizations": ("社会组织负责人", "heads of social organizations"),
    "social_workers": ("社工机构负责人和一线社工", "social-work agency heads and social workers"),
    "volunteers": ("志愿者队伍负责人", "volunteer team leaders"),
    "mass_organizations": (
        "工会、共青团、妇联干部",
        "trade union, Youth League and women's federation officers",
    ),
    "enterprises": ("辖区企业和商户负责人", "local business owners"),
    "resident_units": ("驻区单位党组织负责人", "party heads of resident units"),
    "experts": ("合作的专家学者", "partner experts"),
    "xiangxian": ("乡贤和道德模范", "local worthies and moral models"),
    "residents": ("居民", "residents"),
    "migrants": ("外来务工人员", "migrant residents"),
    "mediators": ("人民调解员", "people's mediators"),
    "third_party": ("第三方评估机构", "independent evaluators"),
    "author": ("来源作者或编写单位", "the source's author or compiling unit"),
    "archive": ("党委政府办公室（档案室）", "party and government offices (archives)"),
}

#: Informants for an outcome's independent evidence (roles of :data:`INFORMANTS`).
OUTCOME_INFORMANTS: dict[str, tuple[str, ...]] = {
    "resident_participation": ("residents", "residents_committee", "self_organizations"),
    "service_quality": ("residents", "social_workers", "government"),
    "harmony_stability": ("residents", "mediators", "grid_staff"),
    "multi_actor_collaboration": ("resident_units", "social_organizations", "party"),
    "resident_satisfaction": ("residents", "third_party"),
}
_OUTCOME_INFORMANTS_DEFAULT = ("residents", "third_party")

#: What independent evidence of an outcome looks like.
OUTCOME_DATA: dict[str, dict[str, str]] = {
    "zh": {
        "resident_participation": "参与人次统计、议事会会议记录或居民问卷",
        "service_quality": "服务台账、办件量和办结率统计或服务对象回访记录",
        "harmony_stability": "矛盾纠纷调解台账、信访量和警情数的前后对比",
        "multi_actor_collaboration": "共建协议、联席会议记录和参与单位、组织的名单",
        "resident_satisfaction": "居民满意度调查的原始数据（抽样方法、样本量、调查机构）",
        "": "原始数据、居民调查或第三方评估",
    },
    "en": {
        "resident_participation": "attendance figures, minutes of residents' councils or a resident survey",
        "service_quality": "service logs, case volumes and completion rates, or follow-up calls with users",
        "harmony_stability": "mediation records and before-and-after figures on petitions and police calls",
        "multi_actor_collaboration": "co-building agreements, minutes of joint meetings and lists of participating units",
        "resident_satisfaction": "the raw data of a resident satisfaction survey (sampling, sample size, who ran it)",
        "": "raw data, resident surveys or an independent evaluation",
    },
}

#: Methods of inquiry.
METHODS: dict[str, tuple[str, str]] = {
    "interview": ("访谈", "interview"),
    "group": ("座谈", "group discussion"),
    "records": ("查阅台账", "check the records"),
    "documents": ("查阅文件", "read the documents"),
    "observation": ("实地观察", "observe on site"),
}

#: Methods for each basis.
BASIS_METHODS: dict[str, tuple[str, ...]] = {
    "contested": ("interview", "documents", "observation"),
    "unverified_outcome": ("records", "group"),
    "proposed": ("interview", "documents"),
    "local_problem": ("group", "records"),
    "weak": ("interview", "records", "observation"),
    "not_covered": ("documents",),
    "before_era": ("interview", "documents"),
    "not_reported": ("interview", "observation"),
}

#: Informants for the questions that are not about one code or outcome.
BASIS_INFORMANTS: dict[str, tuple[str, ...]] = {
    "local_problem": ("party", "government", "residents"),
    "not_covered": ("author", "archive"),
}

#: Headings of each basis, for a report's table or legend.
BASIS_LABELS: dict[str, dict[str, str]] = {
    "zh": {
        "contested": "编码存在分歧",
        "unverified_outcome": "成效有待核实",
        "proposed": "仅为建议",
        "local_problem": "来源指出的本地问题",
        "weak": "证据薄弱",
        "not_covered": "节选未覆盖",
        "before_era": "时代未及",
        "not_reported": "来源未提及",
    },
    "en": {
        "contested": "Coders disagreed",
        "unverified_outcome": "Outcome claim to verify",
        "proposed": "Only proposed",
        "local_problem": "Local problem reported",
        "weak": "Thin evidence",
        "not_covered": "Not covered by the excerpt",
        "before_era": "Before its era",
        "not_reported": "Not reported",
    },
}

#: English names of the field's frameworks (the codebook's ``frameworks`` tags, in zh).
FRAMEWORK_EN: dict[str, str] = {
    "党建引领": "Party-building leadership",
    "一核多元": "One core, many actors",
    "三治融合·自治": "Three governances: self-governance",
    "三治融合·法治": "Three governances: rule of law",
    "三治融合·德治": "Three governances: rule of virtue",
    "枫桥经验": "The Fengqiao experience",
    "三社联动": "Community, social organizations and social work linked",
    "网格化": "Grid governance",
    "治理重心下沉": "Moving governance down",
    "共建共治共享": "Co-building, co-governance, sharing",
}

#: Topics beyond the codes' frameworks and families.
EXTRA_TOPICS: dict[str, tuple[str, str]] = {
    "outcomes": ("成效核实", "Verifying the outcomes"),
    "problems": ("问题整改", "Problems reported"),
    "sources": ("资料补充", "Missing material"),
}

#: The topic of the questions on each non-code basis.
BASIS_TOPIC: dict[str, str] = {
    "unverified_outcome": "outcomes",
    "local_problem": "problems",
    "not_covered": "sources",
}

#: Coding statuses in the language of the text (adjudication reasons name them in English).
STATUS_WORDS: dict[str, dict[str, str]] = {
    "zh": {
        "present": "有实践",
        "weak": "薄弱",
        "proposed": "建议",
        "absent": "缺失",
        "not_reported": "未提及",
    },
    "en": {},
}


# ----------------------------------------------------------------------------- results


class Quote(NamedTuple):
    """A verbatim span of a source: ``text[start:end] == quote``."""

    source_id: str
    start: int | None
    end: int | None
    quote: str


@dataclass(frozen=True)
class FieldQuestion:
    """One question for a site visit, with why it is asked and whom to ask.

    ``item_kind`` says what ``item`` names: a ``code``, an ``outcome``, a ``problem``
    (``problems[i]`` of the case file) or a ``family`` (for the excerpt's missing
    sections); ``codes`` lists the codebook codes the question concerns.
    """

    case_id: str
    topic: str
    topic_zh: str
    topic_en: str
    basis: str
    item_kind: str
    item: str
    codes: tuple[str, ...]
    conditions: tuple[str, ...]
    question_zh: str
    question_en: str
    why_zh: str
    why_en: str
    evidence: tuple[Quote, ...]
    informants_zh: tuple[str, ...]
    informants_en: tuple[str, ...]
    method_zh: tuple[str, ...]
    method_en: tuple[str, ...]
    priority: int


@dataclass(frozen=True)
class FieldGuide:
    """A case's field-research question list, in priority order.

    ``counts`` gives the questions kept per basis and ``omitted`` those left out by the caps
    (every basis of :data:`BASES` appears in both, in that order).
    """

    case_id: str
    questions: tuple[FieldQuestion, ...]
    counts: dict[str, int]
    omitted: dict[str, int]

    def by_topic(self) -> tuple[tuple[str, tuple[FieldQuestion, ...]], ...]:
        """The questions grouped by topic, topics in the guide's topic order.

        Examples
        --------
        >>> FieldGuide("x", (), {}, {}).by_topic()
        ()
        """
        order: dict[str, int] = {}
        for q in sorted(self.questions, key=lambda q: _topic_rank(q.topic)):
            order.setdefault(q.topic, len(order))
        return tuple(
            (t, tuple(q for q in self.questions if q.topic == t))
            for t in sorted(order, key=order.__getitem__)
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain data (for ``facts`` JSON)."""
        return asdict(self)


@dataclass(frozen=True)
class Disagreement:
    """Two blind coders' differing codings of one case x code in one round."""

    round_id: str
    code: str
    codings: tuple[tuple[float | None, str], ...]
    final_score: float | None
    final_status: str
    reason: str
    evidence: tuple[Quote, ...]


# ----------------------------------------------------------------------------- helpers

_TOPIC_ORDER: tuple[str, ...] = get_args(Framework)


def _topic_rank(topic: str) -> tuple[int, str]:
    if topic in _TOPIC_ORDER:
        return (0, f"{_TOPIC_ORDER.index(topic):03d}")
    if topic in EXTRA_TOPICS:
        return (2, f"{list(EXTRA_TOPICS).index(topic):03d}")
    return (1, topic)


def _nan(x: float | None) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def _quoted(text: str) -> str:
    """Wrap ``text`` in Chinese double quotes, its own inner quotes turned single.

    Examples
    --------
    >>> _quoted("实施“契约化”共建。")
    '“实施‘契约化’共建”'
    """
    inner = text.strip().rstrip("。；;，,").replace("“", "‘").replace("”", "’")
    return f"“{inner}”"


def _label(text: str) -> str:
    """A label for use inside “…”: its own double quotes turned single."""
    return text.replace("“", "‘").replace("”", "’")


# A line-folded YAML string leaves a space between two Chinese characters (or quote marks).
_CJK = "\u2018-\u201d\u3000-\u9fff\uff00-\uffef"
_CJK_GAP = re.compile(rf"(?<=[{_CJK}])\s+(?=[{_CJK}])")
_TRAILING_NOTE = re.compile(r"（[^（）]*）$")


def _readable(cb: CaseBase, text: str, lang: str) -> str:
    """Recorded prose made fit for a reader: ids become labels, YAML line-fold gaps go."""
    labels = cb.labels(lang)
    names = {**labels["outcome"], **labels["code"]}
    names |= {r.id: (r.label_zh if lang == "zh" else r.label_en) for r in cb.codebook.retired_codes}
    coder = "编码员" if lang == "zh" else "a coder"
    names |= dict.fromkeys(cb.codings, coder)
    names |= STATUS_WORDS[lang]
    pattern = re.compile(
        r"(?<![A-Za-z0-9_])(" + "|".join(map(re.escape, names)) + r")(?![A-Za-z0-9_])"
    )
    quote = _label if lang == "zh" else str

    def sub(m: re.Match[str]) -> str:
        word = m.group(1)
        if word in STATUS_WORDS[lang] or word in cb.codings:
            return names[word]
        return f"“{quote(names[word])}”"

    return _CJK_GAP.sub("", pattern.sub(sub, text.strip()))


def _quotes(evidence: list[Evidence] | tuple[Evidence, ...]) -> tuple[Quote, ...]:
    return tuple(Quote(e.source, e.start, e.end, e.quote) for e in evidence)


def _judgement(score: float | None, status: str, lang: str) -> str:
    key = "present_full" if status == "present" and score == 1 else status
    return JUDGEMENTS[lang][key]


def _informants(
    roles: tuple[str, ...] | list[str], cb: CaseBase, limit: int = 3
) -> dict[str, tuple[str, ...]]:
    actor = {a.id: (a.label_zh, a.label_en) for a in cb.codebook.actors}
    out: dict[str, list[str]] = {"zh": [], "en": []}
    for role in roles:
        zh, en = INFORMANTS.get(role) or actor.get(role, ("", ""))
        if zh and zh not in out["zh"] and len(out["zh"]) < limit:
            out["zh"].append(zh)
            out["en"].append(en)
    return {k: tuple(v) for k, v in out.items()}


def _methods(basis: str) -> dict[str, tuple[str, ...]]:
    ids = BASIS_METHODS[basis]
    return {"zh": tuple(METHODS[m][0] for m in ids), "en": tuple(METHODS[m][1] for m in ids)}


def _fill(name: str, **values: Any) -> dict[str, str]:
    """Template ``name`` in both languages; ``values`` maps a placeholder to ``{lang: text}``
    or to one value used in both."""

    def pick(v: Any, lang: str) -> Any:
        return v[lang] if isinstance(v, dict) else v

    return {
        lang: TEMPLATES[lang][name].format(**{k: pick(v, lang) for k, v in values.items()})
        for lang in ("zh", "en")
    }


def _load_conditions(cb: CaseBase) -> ConditionSet | None:
    path = Path(cb.root) / "conditions.yaml"
    if not path.is_file():
        return None
    from analysis.compare_cli import load_conditions

    return load_conditions(path, cb.codebook)


# ----------------------------------------------------------------------------- contested


def disagreements(cb: CaseBase, case_id: str) -> list[Disagreement]:
    """Codes of a case on which a round's two blind coders disagreed (score or status).

    Only rounds coded under the current codebook count: an earlier round's disputes concern
    codes since redefined, merged or re-coded blind.  The reason is the case file's
    adjudication for that round (else the final rationale); the evidence is the final
    coding's, or, when the final coding is not_reported, the quotes of the coder who saw the
    practice.

    Examples
    --------
    >>> [d.code for d in disagreements(cb, "shaoxing")][:1]     # doctest: +SKIP
    ['party_core_leadership']
    """
    from analysis.reliability import FINAL, read_rounds

    case = cb.cases[case_id]
    final = {m.code: m for m in case.mechanisms}
    out: list[Disagreement] = []
    seen: set[str] = set()
    for rnd in read_rounds(cb):
        if rnd.codebook_version != cb.codebook.version:
            continue
        coded: list[dict[str, Mechanism | None]] = []
        for coder in rnd.coders:
            if coder == FINAL:
                coded.append(dict(final))
                continue
            coding = cb.codings.get(coder, {}).get(case_id)
            if coding is None:
                break
            coded.append({m.code: m for m in coding.mechanisms})
        else:
            for code in cb.code_ids:
                if code in seen:
                    continue
                pairs = [_score_status(c.get(code)) for c in coded]
                if len(set(pairs)) < 2:
                    continue
                seen.add(code)
                m = final.get(code)
                adj = [a for a in (m.adjudication if m else []) if a.round == rnd.id]
                reason = adj[0].reason if adj else (m.rationale if m else "")
                evidence = _quotes(m.evidence) if m and m.evidence else ()
                if not evidence:
                    evidence = next(
                        (
                            _quotes(c[code].evidence)
                            for c in coded
                            if c.get(code) and c[code].evidence
                        ),
                        (),
                    )
                out.append(
                    Disagreement(
                        round_id=rnd.id,
                        code=code,
                        codings=tuple(pairs),
                        final_score=m.score if m else None,
                        final_status=m.status if m else "not_reported",
                        reason=reason,
                        evidence=evidence,
                    )
                )
    return out


def _score_status(m: Mechanism | None) -> tuple[float | None, str]:
    if m is None or m.status == "not_reported":
        return (None, "not_reported")
    return (m.score, m.status)


def _boundary(codings: tuple[tuple[float | None, str], ...]) -> str:
    """Which boundary two codings dispute: the template that would settle it."""
    scores = [s for s, _ in codings]
    if any(_nan(s) for s in scores):
        return "q_contested_exists"
    low, high = min(scores), max(scores)  # type: ignore[type-var]
    if high == 0:
        return "q_contested_planned_or_missing"
    if low == 0:
        return "q_contested_planned"
    if low >= 0.67:
        return "q_contested_scope"
    return "q_contested_thin"


# ----------------------------------------------------------------------------- questions


@dataclass(frozen=True)
class _Ctx:
    cb: CaseBase
    case_id: str
    where: dict[str, str]
    scope: dict[str, str]
    feeds: dict[str, tuple[str, ...]]
    condition_labels: dict[str, str]


def _question(
    ctx: _Ctx,
    basis: str,
    item: tuple[str, str, tuple[str, ...]],
    topic: tuple[str, str, str],
    texts: tuple[dict[str, str], dict[str, str]],
    roles: tuple[str, ...] | list[str],
    evidence: tuple[Quote, ...],
    priority: int,
) -> FieldQuestion:
    """A question on ``item`` = (kind, id, codes) under ``topic`` = (key, zh, en), from the
    filled templates ``texts`` = (question, why)."""
    (item_kind, item_id, codes), (q, why) = item, texts
    who = _informants(roles, ctx.cb)
    how = _methods(basis)
    return FieldQuestion(
        case_id=ctx.case_id,
        topic=topic[0],
        topic_zh=topic[1],
        topic_en=topic[2],
        basis=basis,
        item_kind=item_kind,
        item=item_id,
        codes=codes,
        conditions=tuple(sorted({c for code in codes for c in ctx.feeds.get(code, ())})),
        question_zh=q["zh"],
        question_en=q["en"],
        why_zh=why["zh"],
        why_en=why["en"],
        evidence=evidence,
        informants_zh=who["zh"],
        informants_en=who["en"],
        method_zh=how["zh"],
        method_en=how["en"],
        priority=priority,
    )


def _code_question(
    ctx: _Ctx,
    basis: str,
    code: str,
    texts_q: dict[str, str],
    texts_why: dict[str, str],
    evidence: tuple[Quote, ...] = (),
) -> FieldQuestion:
    """A question on one code, under its first framework tag (else its family)."""
    cbk = {c.id: c for c in ctx.cb.codebook.codes}[code]
    fam = {f.id: f for f in ctx.cb.codebook.families}[cbk.family]
    if cbk.frameworks:
        tag = cbk.frameworks[0]
        topic = (tag, tag, FRAMEWORK_EN.get(tag, fam.label_en))
    else:
        topic = (fam.id, fam.label_zh, fam.label_en)
    later = basis in ("not_reported", "before_era") and not ctx.feeds.get(code)
    return _question(
        ctx,
        basis,
        ("code", code, (code,)),
        topic,
        (texts_q, texts_why),
        cbk.actors,
        evidence,
        PRIORITY[basis] + later,
    )


def _other_question(
    ctx: _Ctx,
    basis: str,
    item: tuple[str, str, tuple[str, ...]],
    texts_q: dict[str, str],
    texts_why: dict[str, str],
    roles: tuple[str, ...],
    evidence: tuple[Quote, ...] = (),
) -> FieldQuestion:
    """A question on an outcome, a problem or missing sections, under its basis's topic."""
    key = BASIS_TOPIC[basis]
    topic = (key, *EXTRA_TOPICS[key])
    return _question(
        ctx, basis, item, topic, (texts_q, texts_why), roles, evidence, PRIORITY[basis]
    )


def _labels(ctx: _Ctx, code: str) -> dict[str, str]:
    return {
        "zh": _label(ctx.cb.labels("zh")["code"][code]),
        "en": ctx.cb.labels("en")["code"][code],
    }


def _contested(ctx: _Ctx, found: list[Disagreement]) -> list[FieldQuestion]:
    out = []
    for d in found:
        first, second = d.codings[0], d.codings[1]
        values = {
            "first": {lang: _judgement(*first, lang) for lang in ("zh", "en")},
            "second": {lang: _judgement(*second, lang) for lang in ("zh", "en")},
            "final": {
                lang: _judgement(d.final_score, d.final_status, lang) for lang in ("zh", "en")
            },
        }
        if d.reason:
            values["reason"] = {lang: _readable(ctx.cb, d.reason, lang) for lang in ("zh", "en")}
        why = _fill("why_contested" if d.reason else "why_contested_no_reason", **values)
        q = _fill(
            _boundary(d.codings), label=_labels(ctx, d.code), where=ctx.where, scope=ctx.scope
        )
        out.append(_code_question(ctx, "contested", d.code, q, why, d.evidence))
    return out


def _outcomes(ctx: _Ctx) -> list[FieldQuestion]:
    cb = ctx.cb
    case = cb.cases[ctx.case_id]
    order = {o: i for i, o in enumerate(cb.outcome_ids)}
    claims = sorted(
        (o for o in case.outcomes if o.claim_strength != "independent_evaluation"),
        key=lambda o: (o.claim_strength != "implementing_authority", order.get(o.outcome, 99)),
    )
    out = []
    for o in claims:
        ev = o.evidence[0]
        src = cb.sources[ev.source]
        authors = src.authors[0] + ("等" if len(src.authors) > 1 else "") if src.authors else ""
        authors_en = (
            src.authors[0] + (" et al." if len(src.authors) > 1 else "") if src.authors else ""
        )
        claim = {lang: cb.labels(lang)["claim"].get(o.claim_strength, "") for lang in ("zh", "en")}
        claim["en"] = claim["en"][:1].lower() + claim["en"][1:]
        why = _fill(
            "why_outcome" if authors else "why_outcome_anonymous",
            title=src.title,
            authors={"zh": authors, "en": authors_en},
            claim=claim,
            quote=_quoted(ev.quote),
        )
        outcome = {
            "zh": _label(cb.labels("zh")["outcome"][o.outcome]),
            "en": cb.labels("en")["outcome"][o.outcome],
        }
        data = {
            lang: OUTCOME_DATA[lang].get(o.outcome, OUTCOME_DATA[lang][""]) for lang in ("zh", "en")
        }
        q = _fill(
            "q_outcome_poor" if o.score == 0 else "q_outcome_claim",
            outcome=outcome,
            where=ctx.where,
            data=data,
        )
        roles = OUTCOME_INFORMANTS.get(o.outcome, _OUTCOME_INFORMANTS_DEFAULT)
        out.append(
            _other_question(
                ctx,
                "unverified_outcome",
                ("outcome", o.outcome, ()),
                q,
                why,
                roles,
                _quotes(o.evidence),
            )
        )
    return out


def _problems(ctx: _Ctx) -> list[FieldQuestion]:
    case = ctx.cb.cases[ctx.case_id]
    year = ctx.cb.source_year(ctx.case_id)
    out = []
    for i, p in enumerate(case.problems):
        if p.scope != "local":
            continue
        problem = _TRAILING_NOTE.sub("", p.problem_zh.strip().rstrip("。")) or p.problem_zh
        values: dict[str, Any] = {"problem": _quoted(problem)}
        if year:
            values["year"] = year
        q = _fill("q_problem_dated" if year else "q_problem", **values)
        why = _fill("why_problem", quote=_quoted(p.evidence[0].quote))
        roles = BASIS_INFORMANTS["local_problem"]
        out.append(
            _other_question(
                ctx,
                "local_problem",
                ("problem", f"problems[{i}]", ()),
                q,
                why,
                roles,
                _quotes(p.evidence),
            )
        )
    return out


def _mechanism_questions(ctx: _Ctx, skip: set[str]) -> dict[str, list[FieldQuestion]]:
    cb = ctx.cb
    frame = cb.codings_frame()
    frame = frame[frame["case_id"] == ctx.case_id]
    coded = {m.code: m for m in cb.cases[ctx.case_id].mechanisms}
    era = {c.id: c for c in cb.codebook.codes}
    year = cb.source_year(ctx.case_id)
    out: dict[str, list[FieldQuestion]] = {
        b: [] for b in ("proposed", "weak", "before_era", "not_reported")
    }
    for row in frame.itertuples():
        code, derived = row.code, row.status_derived
        if code in skip or derived not in out:
            continue
        label = _labels(ctx, code)
        m = coded.get(code)
        if derived in ("proposed", "weak"):
            assert m is not None
            q = _fill(f"q_{derived}", label=label, where=ctx.where)
            why = _fill(f"why_{derived}", quote=_quoted(m.evidence[0].quote))
            out[derived].append(_code_question(ctx, derived, code, q, why, _quotes(m.evidence)))
        elif derived == "before_era":
            c = era[code]
            q = _fill("q_before_era", label=label, where=ctx.where, era_from=c.era_from)
            note = {"zh": _readable(cb, c.era_note_zh or "", "zh"), "en": ""}
            name = "why_before_era_note" if c.era_note_zh else "why_before_era"
            why = _fill(name, year=year, era_from=c.era_from, era_note=note)
            out[derived].append(_code_question(ctx, derived, code, q, why))
        else:
            feeds = ctx.feeds.get(code, ())
            conds = {
                lang: "、".join(ctx.condition_labels[f"{lang}:{c}"] for c in feeds)
                for lang in ("zh", "en")
            }
            conds["en"] = conds["en"].replace("、", ", ")
            q = _fill("q_not_reported", label=label, where=ctx.where)
            why = _fill(
                "why_not_reported_condition" if feeds else "why_not_reported", conditions=conds
            )
            out[derived].append(_code_question(ctx, derived, code, q, why))
    return out


def _not_covered(ctx: _Ctx, skip: set[str]) -> list[FieldQuestion]:
    """One question per source and family whose codes the excerpt cannot speak to."""
    cb = ctx.cb
    frame = cb.codings_frame()
    silent = set(
        frame[(frame["case_id"] == ctx.case_id) & (frame["status_derived"] == "not_covered")][
            "code"
        ]
    )
    codes = {c.id: c for c in cb.codebook.codes}
    families = {f.id: f for f in cb.codebook.families}
    out = []
    for sid in cb.cases[ctx.case_id].sources:
        src = cb.sources.get(sid)
        if src is None:
            continue
        groups: dict[str, list[str]] = {}
        for code in cb.code_ids:
            listed = (
                code in src.coverage.not_covered or codes[code].family in src.coverage.not_covered
            )
            if code in silent and code not in skip and listed:
                groups.setdefault(codes[code].family, []).append(code)
        for fam_id, members in groups.items():
            fam = families[fam_id]
            labels = {
                "zh": "、".join(_label(cb.labels("zh")["code"][c]) for c in members),
                "en": "; ".join(cb.labels("en")["code"][c] for c in members),
            }
            family = {"zh": _label(fam.label_zh), "en": fam.label_en}
            q = _fill(
                "q_not_covered", title=src.title, where=ctx.where, family=family, labels=labels
            )
            held = src.coverage.held_zh.strip().rstrip("。")
            why = _fill("why_not_covered", held=held, family=family)
            roles = BASIS_INFORMANTS["not_covered"]
            out.append(
                _other_question(
                    ctx, "not_covered", ("family", fam_id, tuple(members)), q, why, roles
                )
            )
    return out


def field_questions(
    cb: CaseBase,
    case_id: str,
    *,
    caps: Mapping[str, int | None] | None = None,
    conditions: ConditionSet | None = None,
) -> FieldGuide:
    """The 调研提纲 of one case: questions for a site visit, highest priority first.

    Parameters
    ----------
    cb : CaseBase
        The loaded case base.
    case_id : str
        The case.
    caps : mapping, optional
        Most questions kept per basis (``None`` = all), over :data:`DEFAULT_CAPS`.  Within a
        basis, codes that feed a declared condition come first, then codebook order.
    conditions : ConditionSet, optional
        The declared conditions (default: ``conditions.yaml`` of the case base, if any); a
        not-reported code that feeds one is asked before the others.

    Returns
    -------
    FieldGuide

    Raises
    ------
    KeyError
        If ``case_id`` is not a case.
    ValueError
        If ``caps`` names an unknown basis or a negative cap.

    Examples
    --------
    >>> guide = field_questions(cb, "zhoushan_donggang")          # doctest: +SKIP
    >>> {q.basis for q in guide.questions} >= {"before_era"}      # doctest: +SKIP
    True
    """
    if case_id not in cb.cases:
        raise KeyError(f"unknown case {case_id!r}")
    limits = dict(DEFAULT_CAPS)
    for basis, cap in (caps or {}).items():
        if basis not in limits:
            raise ValueError(f"caps: unknown basis {basis!r} (one of {', '.join(BASES)})")
        if cap is not None and cap < 0:
            raise ValueError(f"caps: {basis}: a cap is a whole number >= 0, got {cap}")
        limits[basis] = cap
    if conditions is None:
        conditions = _load_conditions(cb)
    feeds: dict[str, list[str]] = {}
    cond_labels: dict[str, str] = {}
    for cond in conditions.conditions if conditions else []:
        cond_labels[f"zh:{cond.id}"] = cond.label_zh
        cond_labels[f"en:{cond.id}"] = cond.label_en
        for code in cond.codes:
            feeds.setdefault(code, []).append(cond.id)
    level = cb.cases[case_id].level
    ctx = _Ctx(
        cb=cb,
        case_id=case_id,
        where={lang: WHERE[lang][level] for lang in ("zh", "en")},
        scope={lang: SCOPE[lang][level] for lang in ("zh", "en")},
        feeds={k: tuple(v) for k, v in feeds.items()},
        condition_labels=cond_labels,
    )
    found = disagreements(cb, case_id)
    contested = {d.code for d in found}
    by_basis: dict[str, list[FieldQuestion]] = {
        "contested": _contested(ctx, found),
        "unverified_outcome": _outcomes(ctx),
        "local_problem": _problems(ctx),
        "not_covered": _not_covered(ctx, contested),
        **_mechanism_questions(ctx, contested),
    }
    code_rank = {c: i for i, c in enumerate(cb.code_ids)}
    kept: list[FieldQuestion] = []
    counts: dict[str, int] = {}
    omitted: dict[str, int] = {}
    for basis in BASES:
        items = by_basis[basis]
        if items and items[0].item_kind == "code":
            items = sorted(items, key=lambda q: (q.priority, not q.conditions, code_rank[q.item]))
        cap = limits[basis]
        keep = items if cap is None else items[:cap]
        kept += keep
        counts[basis] = len(keep)
        omitted[basis] = len(items) - len(keep)
    kept.sort(key=lambda q: (q.priority, BASES.index(q.basis)))  # stable: within-basis order kept
    return FieldGuide(case_id=case_id, questions=tuple(kept), counts=counts, omitted=omitted)
