"""案例参阅: one governance model as a 决策咨询 briefing.

Facts first (:func:`facts`): the case's coded mechanisms, named practices,
outcomes with who asserts them, numbers, context, drivers, problems, the gaps
the comparison reveals, the lessons it offers with their conditions and risks,
and its place in the typology.  Then text (:func:`build`): 核心判断 → 一、基本情况
→ 二、主要做法 (grouped by the field's own families: 党建引领, 三治融合, 网格化 …)
→ 三、成效 → 四、存在问题 → 五、对策建议与启示 → 附：方法与证据.

Examples
--------
>>> r = build("shaoxing")                                  # doctest: +SKIP
>>> [k for k in r.sections]                                # doctest: +SKIP
['background', 'practices', 'effects', 'problems', 'recommendations']
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis.casebase import CaseBase
from analysis.formatting import place_name
from analysis.reports import defaults
from analysis.reports.casefacts import (
    CaseFacts,
    Mechanism,
    Quote,
    as_evidence,
    case_facts,
    comparison,
)
from analysis.reports.common import check_case, check_lang, cite, open_casebase
from analysis.reports.labels import (
    level_label,
    level_phrase,
    status_label,
    type_label,
    vocab_label,
)
from analysis.reports.model import GENRE_HEADINGS, Point, Recommendation, Report, Section
from analysis.reports.text import Templates, joined, t

T = Templates(
    {
        "title": {"zh": "{{ name }}的做法与启示", "en": "{{ name }}: practices and lessons"},
        "subtitle": {
            "zh": "案例参阅 · 依据 {{ sources }} · 共比较 {{ n }} 个案例",
            "en": "Case briefing · based on {{ sources }} · {{ n }} cases compared",
        },
        "summary": {
            "zh": "{{ short }}：{{ n_practised }} 项机制有原文证据，成效{{ claim }}；首要启示：{{ first }}",
            "en": "{{ short }}: {{ n_practised }} mechanisms with textual evidence; results "
            "{{ claim }}; first lesson: {{ first }}",
        },
        "judge_what": {
            "zh": "{{ short }}的做法以{{ families }}为主：来源报告的 {{ n_practised }} 项机制中，"
            "{{ n_present }} 项有具体安排，最具体的是{{ practice }}。",
            "en": "{{ short }} works mainly through {{ families }}: of the {{ n_practised }} "
            "mechanisms its source reports, {{ n_present }} come with concrete arrangements, "
            "most concretely {{ practice }}.",
        },
        "judge_effects": {
            "zh": "来源称{% if improved %}在{{ improved }}方面取得成效{% endif %}{% if limited %}{% if improved %}，{% endif %}"
            "在{{ limited }}方面成效有限{% endif %}{% if weak %}，同时报告{{ weak }}不足{% endif %}；"
            "这些成效依据的是{{ claim }}，未经独立评估。",
            "en": "The source reports {% if improved %}improvement in {{ improved }}{% endif %}"
            "{% if limited %}{% if improved %} and {% endif %}limited improvement in {{ limited }}{% endif %}"
            "{% if weak %}, and shortfalls in {{ weak }}{% endif %}; these results rest on "
            "{{ claim }} and have not been independently evaluated.",
        },
        "judge_no_effects": {
            "zh": "来源没有报告可核对的成效，其效果无从判断。",
            "en": "The source reports no results that can be checked; its effects cannot be judged.",
        },
        "judge_lesson": {
            "zh": "首要启示：{{ lesson }}；适用条件与风险见“对策建议与启示”第 1 条。",
            "en": "First lesson: {{ lesson }}; its conditions and risks are under "
            "Recommendations, item 1.",
        },
        "background_place": {
            "zh": "{{ name }}（{{ place }}，{{ level }}）{% if start %}始于 {{ start }} 年{% else %}起始年份来源未给出{% endif %}。",
            "en": "{{ name }} ({{ place }}; {{ level }}) "
            "{% if start %}began in {{ start }}{% else %}has no start year in its source{% endif %}.",
        },
        "background_context": {
            "zh": "{{ field }}：{{ value }}",
            "en": "{{ field }}: {{ value }}",
        },
        "background_missing_context": {
            "zh": "来源未报告：{{ fields }}（移植前需核实）。",
            "en": "Not reported by the source: {{ fields }} (to be checked before transfer).",
        },
        "background_driver": {
            "zh": "推动因素（{{ kind }}）：{{ text }}",
            "en": "Driver ({{ kind }}): {{ text }}",
        },
        "background_source": {
            "zh": "来源：{{ cite }}《{{ title }}》，{{ genre }}；作者与该模式的关系：{{ relation }}"
            "{% if basis %}（依据：{{ basis }}）{% endif %}。{% if incomplete %}来源为节选，"
            "{% if not_covered %}未覆盖的内容：{{ not_covered }}。{% else %}未覆盖部分不涉及编码。{% endif %}{% endif %}",
            "en": "Source: {{ cite }}, “{{ title }}”, {{ genre }}; author's relation to the "
            "model: {{ relation }}{% if basis %} (basis: {{ basis }}){% endif %}."
            "{% if incomplete %} The source is an excerpt{% if not_covered %}; not covered: "
            "{{ not_covered }}{% else %}; what it leaves out is not coded{% endif %}.{% endif %}",
        },
        "background_type": {
            "zh": "在 {{ n }} 个案例的类型比较中，{{ short }}最接近“{{ type }}”（隶属度 {{ m }}，"
            "领先次优类型 {{ margin }}）。",
            "en": "Among the {{ n }} cases compared, {{ short }} is closest to the "
            "“{{ type }}” type (membership {{ m }}, {{ margin }} ahead of the next).",
        },
        "background_no_type": {
            "zh": "在 {{ n }} 个案例的类型比较中，{{ short }}不属于任何理想类型"
            "（最高隶属度 {{ m }}，未超过 0.5）{% if missing %}；{{ missing }}等条件因来源未报告而无法校准{% endif %}。",
            "en": "Among the {{ n }} cases compared, {{ short }} belongs to no ideal type "
            "(highest membership {{ m }}, not above 0.5){% if missing %}; {{ missing }} cannot "
            "be calibrated because the source is silent{% endif %}.",
        },
        "practice_point": {
            "zh": "{{ label }}（{{ status }}{% if practices %}；做法：{{ practices }}{% endif %}）",
            "en": "{{ label }} ({{ status }}{% if practices %}; practices: {{ practices }}{% endif %})",
        },
        "practices_intro": {
            "zh": "按机制族归类，只列来源报告为实践的机制（仅为建议者见“存在问题”）；"
            "{{ n_not_reported }} 项机制来源未报告，属缺失数据，不等于没有。",
            "en": "Grouped by mechanism family; only what the source reports as practice (proposals "
            "are under Problems). The source is silent on {{ n_not_reported }} mechanisms: "
            "missing data, not absence.",
        },
        "before_era": {
            "zh": "来源写于 {{ year }} 年，早于{{ codes }}出现的年代：对这些做法的沉默不是短板。",
            "en": "The source was written in {{ year }}, before {{ codes }} became possible: its "
            "silence on them is not a weakness.",
        },
        "effect_point": {
            "zh": "{{ outcome }}：{% if level == 'high' %}来源称明显改善{% elif level == 'mid' %}来源称有所改善"
            "{% elif level == 'low' %}来源称改善有限{% else %}来源报告不足{% endif %}",
            "en": "{{ outcome }}: {% if level == 'high' %}the source reports clear improvement"
            "{% elif level == 'mid' %}the source reports some improvement{% elif level == 'low' %}"
            "the source reports limited improvement{% else %}the source reports a shortfall{% endif %}",
        },
        "effect_not_reported": {
            "zh": "来源未报告的结果：{{ outcomes }}（无从判断，不等于没有成效）。",
            "en": "Outcomes the source does not report: {{ outcomes }} (unknown, not absent).",
        },
        "indicators_note": {
            "zh": "来源另给出 {{ n }} 项数字（规模、投入、覆盖面等），均为来源自述，列于附录“数据与指标”。",
            "en": "The source also gives {{ n }} figures (scale, spending, coverage), all as "
            "the source states them; they are listed in the appendix under Figures.",
        },
        "claim_note": {"zh": "{{ who }}", "en": "{{ who }}"},
        "problem_point": {"zh": "{{ text }}", "en": "{{ text }} (in the source's Chinese)"},
        "gap_point": {
            "zh": "{{ label }}：来源{% if status == 'absent' %}明确报告本地缺失{% else %}仅作为建议提出{% endif %}，"
            "而{{ others }}已有实践",
            "en": "{{ label }}: the source {% if status == 'absent' %}reports it missing locally"
            "{% else %}only proposes it{% endif %}, while {{ others }} practise it",
        },
        "general_problems": {
            "zh": "来源另有 {{ n }} 条一般性或全国性诊断，不是本地问题，未列入。",
            "en": "The source also gives {{ n }} general or national diagnoses; they are not "
            "about this locality and are not listed.",
        },
        "proposal_point": {"zh": "{{ text }}", "en": "{{ text }} (in the source's Chinese)"},
        "rec_text": {
            "zh": "{{ audience }}可借鉴{{ short }}{% if practice %}{{ practice }}的做法{% else %}的做法{% endif %}，"
            "建立健全{{ label }}",
            "en": "{{ audience }} can adopt {{ short }}'s {% if practice %}{{ practice }} "
            "{% endif %}practice of {{ label }}",
        },
        "rec_conditions": {
            "zh": "{{ short }}{% if year %}自 {{ year }} 年起{% endif %}{{ where }}实行{% if stage %}（{{ stage }}）{% endif %}"
            "{% if context %}，背景是{{ context }}{% endif %}；与之层级和条件相近的地方更可借鉴"
            "{% if missing %}，来源未报告{{ missing }}，移植前需核实{% endif %}。",
            "en": "{{ short }} practises it {{ where }}{% if year %} since {{ year }}{% endif %}"
            "{% if stage %} ({{ stage }}){% endif %}{% if context %}, where {{ context }}{% endif %}; "
            "places at a similar level and in similar conditions can learn most"
            "{% if missing %}; the source does not report {{ missing }}, to be checked before "
            "transfer{% endif %}.",
        },
        "rec_risks": {
            "zh": "成效依据为{{ claim }}，未经独立评估{% if pilot %}；该做法仍处试点阶段，推广效果未知{% endif %}"
            "{% if n_local %}；来源报告的 {{ n_local }} 条本地问题见“存在问题”{% endif %}。",
            "en": "Its results rest on {{ claim }}, not independently evaluated"
            "{% if pilot %}; it is still a pilot, so its effect at scale is unknown{% endif %}"
            "{% if n_local %}; the {{ n_local }} local problems the source reports are under "
            "Problems{% endif %}.",
        },
        "recommendations_intro": {
            "zh": "以下启示只取来源报告为实践、证据最充分的做法，按证据强度排序；仅为建议的做法不列入。",
            "en": "Only practices the source reports as carried out, ranked by the strength of "
            "their evidence; proposals are not recommended.",
        },
        "no_recommendations": {
            "zh": "来源报告的做法均缺少具体安排（隶属度低于 0.67），不足以提出可借鉴的启示；建议先按调研提纲核实。",
            "en": "No practice the source reports has concrete arrangements (membership below "
            "0.67); nothing is recommended before the field-research guide is worked through.",
        },
        "n_caveat": {
            "zh": "本简报依据 {{ n }} 个案例的编码文本；所有数字描述这些文本，不是对全国情况的统计推断。",
            "en": "This briefing rests on the coded texts of {{ n }} cases; every figure describes "
            "those texts and is not a statistical inference about China.",
        },
        "method_coding": {
            "zh": "机制编码：按编码本第 {{ version }} 版，由两名编码员独立盲编并逐项裁决（见编码信度报告）；"
            "“未报告”是缺失数据，从不计为 0。",
            "en": "Coding: codebook version {{ version }}, two coders coding blind, every "
            "disagreement adjudicated (see the reliability report); “not reported” is missing "
            "data, never 0.",
        },
        "basis": {
            "zh": "依据：{{ sources }}（{{ relation }}）；共比较 {{ n }} 个案例。详见《{{ title }}》，含适用条件、风险与原文证据。",
            "en": "Basis: {{ sources }} ({{ relation }}); {{ n }} cases compared. Details, with "
            "conditions, risks and the quoted evidence, in “{{ title }}”.",
        },
        "rec_scope": {
            "zh": "{{ level }}{% if stage %}、{{ stage }}{% endif %}{% if year %}、{{ year }} 年起{% endif %}",
            "en": "{{ level }}{% if stage %}, {{ stage }}{% endif %}{% if year %}, since {{ year }}{% endif %}",
        },
        "audience": {
            "zh": "其他{% if level == 'multi_city' %}大城市{% else %}{{ label }}{% endif %}",
            "en": "Other {% if level == 'multi_city' %}large cities{% else %}{{ label }} governments{% endif %}",
        },
    }
)

STRONG = 0.67
"""A mechanism with concrete arrangements (present at 0.67 or 1)."""


@dataclass(frozen=True)
class Gap:
    """A code this case reports missing or only proposes, while other cases practise it."""

    code: str
    status: str
    evidence: tuple[Quote, ...]
    practised_by: tuple[str, ...]


@dataclass(frozen=True)
class Lesson:
    """A practice other places can draw from this case, ranked by its evidence."""

    code: str
    score: float
    practice: str | None
    practice_year: int | None
    evidence: tuple[Quote, ...]
    conditions: tuple[str, ...]
    missing_context: tuple[str, ...]


@dataclass(frozen=True)
class TypePlace:
    """The case's best ideal type, its membership and margin; conditions it lacks."""

    best: str | None
    membership: float
    margin: float
    belongs: bool
    missing_conditions: tuple[str, ...]


@dataclass(frozen=True)
class CaseBriefFacts:
    """Everything the 案例参阅 says, before any text."""

    case: CaseFacts
    n_cases: int
    codebook_version: int
    gaps: tuple[Gap, ...]
    lessons: tuple[Lesson, ...]
    typology: TypePlace
    claim_strengths: tuple[str, ...]
    title: str = ""
    summary: str = ""


CONTEXT_FOR_TRANSFER = ("admin_level", "urban_rural", "migrant_share", "fiscal_capacity", "stage")


def gaps(cb: CaseBase, facts: CaseFacts, others: dict[str, CaseFacts]) -> tuple[Gap, ...]:
    """Codes the case reports missing or only proposes while another case practises them.

    Silence is never a gap: a not-reported code is a question for the field guide.
    """
    out = []
    for m in facts.mechanisms:
        if m.status not in ("absent", "proposed"):
            continue
        by = tuple(
            cid
            for cid, f in others.items()
            if (o := f.mechanism(m.code)) is not None and o.score is not None and o.score >= STRONG
        )
        if by:
            out.append(Gap(m.code, m.status, m.evidence, by))
    return tuple(out)


def lessons(cb: CaseBase, facts: CaseFacts, condition_codes: set[str]) -> tuple[Lesson, ...]:
    """The case's best-evidenced practices, ranked; at most :data:`defaults.MAX_RECOMMENDATIONS`.

    Ranking: membership (1 before 0.67), embodied in a named practice, feeds a declared
    condition, number of quotes; ties by codebook order.  A named practice leads at most
    one lesson while others remain, so the lessons are not one practice four times.
    Proposals never count.
    """
    practices = {p.practice: p for p in facts.practices}
    context = {c.field: c.value for c in facts.context}
    candidates = [m for m in facts.practised if m.score is not None and m.score >= STRONG]
    order = {c: i for i, c in enumerate(cb.code_ids)}
    candidates.sort(
        key=lambda m: (
            -(m.score or 0),
            -bool(m.practices),
            -(m.code in condition_codes),
            -len(m.evidence),
            order[m.code],
        )
    )
    chosen: list[tuple[Mechanism, str | None]] = []
    used: set[str] = set()
    for m in candidates:
        free = sorted(
            (p for p in m.practices if p not in used),
            key=lambda p: (len(practices[p].mechanisms), m.practices.index(p)),
        )
        if m.practices and not free:
            continue
        pid = free[0] if free else None
        chosen.append((m, pid))
        used.update([pid] if pid else [])
        if len(chosen) == defaults.MAX_RECOMMENDATIONS:
            break
    for m in candidates:  # fill up with practices already used, if slots remain
        if len(chosen) >= defaults.MAX_RECOMMENDATIONS:
            break
        if all(m is not c for c, _ in chosen):
            chosen.append((m, m.practices[0] if m.practices else None))
    return tuple(
        Lesson(
            m.code,
            float(m.score or 0),
            pid,
            practices[pid].year if pid else None,
            m.evidence,
            tuple(f for f in CONTEXT_FOR_TRANSFER if f in context),
            tuple(f for f in CONTEXT_FOR_TRANSFER if f not in context),
        )
        for m, pid in chosen
    )


def facts(case_id: str, cb: CaseBase) -> CaseBriefFacts:
    """Compute the language-free facts of the 案例参阅 for ``case_id``."""
    check_case(cb, case_id)
    mine = case_facts(cb, case_id)
    others = {c: case_facts(cb, c) for c in cb.case_ids if c != case_id}
    comp = comparison(cb)
    condition_codes = {code for c in comp.conditions.conditions for code in c.codes}
    place = next(a for a in comp.typology if a.case == case_id)
    missing = tuple(
        c for c in comp.calibration.raw.columns if comp.calibration.exact.get((case_id, c)) is None
    )
    claims = tuple(sorted({o.claim_strength for o in mine.outcomes if o.claim_strength}))
    return CaseBriefFacts(
        mine,
        len(cb.case_ids),
        int(cb.codebook.version),
        gaps(cb, mine, others),
        lessons(cb, mine, condition_codes),
        TypePlace(place.best, place.membership, place.margin, place.belongs, missing),
        claims,
    )


# -------------------------------------------------------------------------- text


def _claims(cb: CaseBase, claims: tuple[str, ...], lang: str) -> str:
    return joined([vocab_label(cb, "claim_strengths", c, lang) for c in claims], lang) or t(
        lang, "来源未说明的依据", "an unstated basis"
    )


def _level(score: float | None) -> str:
    if score is None:
        return "none"
    return "high" if score >= 1 else "mid" if score >= STRONG else "low" if score > 0 else "none"


def _context_label(cb: CaseBase, field: str, lang: str) -> str:
    return vocab_label(cb, "context_fields", field, lang)


def _mid(label: str) -> str:
    """An English label inside a sentence: "Cultivating x" → "cultivating x" (not "NGO")."""
    return label[:1].lower() + label[1:] if label[1:2].islower() else label


def name_of(text: str, lang: str) -> str:
    """A practice's name in quotation marks, unless it is a document title in 《》.

    Examples
    --------
    >>> name_of("《评估办法》", "zh"), name_of("“民情通”工作", "zh")
    ('《评估办法》', '“‘民情通’工作”')
    """
    from analysis.formatting import quoted

    text = text.strip()
    if text.startswith("《") and text.endswith("》") and text.count("《") == 1:
        return text
    return quoted(text, lang)


def _practice_name(f: CaseFacts, pid: str | None, lang: str) -> str | None:
    p = next((p for p in f.practices if p.practice == pid), None)
    return None if p is None else (p.name_zh if lang == "zh" else p.name_en)


def recommendation(
    cb: CaseBase, bf: CaseBriefFacts, lesson: Lesson, priority: int, lang: str
) -> Recommendation:
    """One 启示 with its basis, 适用条件 and 风险, from a :class:`Lesson`."""
    f = bf.case
    lab = cb.labels(lang)
    short = lab["case_short"][f.case_id]
    stage = f.context_value("stage")
    practice = _practice_name(f, lesson.practice, lang)
    background = [
        f.context_value(k) for k in ("urban_rural", "fiscal_capacity") if f.context_value(k)
    ]
    return Recommendation(
        priority,
        T.say(
            "rec_text",
            lang,
            audience=T.say("audience", lang, level=f.level, label=level_label(f.level, lang)),
            short=short,
            practice=name_of(practice, lang) if practice else None,
            label=lab["code"][lesson.code] if lang == "zh" else _mid(lab["code"][lesson.code]),
        ),
        (short,),
        as_evidence(cb, f.case_id, lesson.evidence, lang),
        T.say(
            "rec_conditions",
            lang,
            short=short,
            year=lesson.practice_year,
            where=level_phrase(f.level, lang, where=True),
            stage=vocab_label(cb, "stages", stage, lang) if stage else None,
            context=("；" if lang == "zh" else "; ").join(background) if lang == "zh" else "",
            missing=joined([_context_label(cb, k, lang) for k in lesson.missing_context], lang),
        ),
        T.say(
            "rec_risks",
            lang,
            claim=_claims(cb, bf.claim_strengths, lang),
            pilot=stage == "pilot",
            n_local=sum(1 for p in f.problems if p.kind == "local"),
        ),
        T.say(
            "rec_scope",
            lang,
            level=level_phrase(f.level, lang),
            stage=vocab_label(cb, "stages", stage, lang) if stage else None,
            year=lesson.practice_year,
        ),
    )


def build(
    case_id: str,
    lang: str = defaults.LANG,
    casebase_dir: str | Path = "casebase",
    sources: str | Path | None = "",
) -> Report:
    """The 案例参阅 of ``case_id``.

    Parameters
    ----------
    case_id : str
    lang : {"zh", "en"}
    casebase_dir, sources : path
        Case base and corpus folders (relative to the project root; ``""`` = default).

    Returns
    -------
    Report

    Raises
    ------
    analysis.reports.errors.UnknownCase
    analysis.reports.errors.ParameterError
    """
    check_lang(lang)
    cb = open_casebase(casebase_dir, sources or None)
    bf = facts(case_id, cb)
    return write(cb, bf, lang)


def write(cb: CaseBase, bf: CaseBriefFacts, lang: str) -> Report:
    """The report text, from the facts."""
    from analysis.reports import appendix

    f = bf.case
    lab = cb.labels(lang)
    short, name = lab["case_short"][f.case_id], lab["case"][f.case_id]
    comp = comparison(cb)
    ev = lambda quotes: as_evidence(cb, f.case_id, quotes, lang)  # noqa: E731

    recs = [recommendation(cb, bf, les, i, lang) for i, les in enumerate(bf.lessons, 1)]
    sources = joined([cite(cb, s.source, lang) for s in f.sources], lang)
    claim = _claims(cb, bf.claim_strengths, lang)
    report = Report(
        kind="case",
        lang=lang,
        title=T.say("title", lang, name=name),
        subtitle=T.say("subtitle", lang, sources=sources, n=bf.n_cases),
        summary=T.say(
            "summary",
            lang,
            short=short,
            n_practised=len(f.practised),
            claim=t(lang, f"依据{claim}", f"as asserted by {claim}"),
            first=recs[0].text
            if recs
            else t(lang, "证据不足，先行调研", "too little evidence; field research first"),
        ),
        facts=bf,
    )
    report.basis = T.say(
        "basis",
        lang,
        sources=sources,
        relation=joined(
            [vocab_label(cb, "author_relations", s.author_relation, lang) for s in f.sources], lang
        ),
        n=bf.n_cases,
        title=report.title,
    )

    # 核心判断
    fam_scores: dict[str, list[float]] = {}
    for m in f.practised:
        fam_scores.setdefault(m.family, []).append(m.score or 0)
    top_fams = sorted(fam_scores, key=lambda k: (-sum(fam_scores[k]), k))[:2]
    strongest = sorted(
        [m for m in f.practised if m.practices], key=lambda m: (-(m.score or 0), m.code)
    )
    top_practice = strongest[0] if strongest else (f.practised[0] if f.practised else None)
    if top_practice is not None:
        pname = (
            _practice_name(f, top_practice.practices[0], lang) if top_practice.practices else None
        )
        report.judgements.append(
            Point(
                T.say(
                    "judge_what",
                    lang,
                    short=short,
                    families=joined([f"“{lab['family'][x]}”" for x in top_fams], lang),
                    n_practised=len(f.practised),
                    n_present=sum(1 for m in f.practised if m.status == "present"),
                    practice=name_of(pname or lab["code"][top_practice.code], lang),
                ),
                ev(top_practice.evidence[:1]),
            )
        )
    reported = [o for o in f.outcomes if o.score is not None]
    improved = [o for o in reported if o.score >= STRONG]
    limited = [o for o in reported if 0 < o.score < STRONG]
    weak = [o for o in reported if o.score == 0]
    if improved or limited:
        report.judgements.append(
            Point(
                T.say(
                    "judge_effects",
                    lang,
                    improved=joined([lab["outcome"][o.outcome] for o in improved], lang),
                    limited=joined([lab["outcome"][o.outcome] for o in limited], lang),
                    weak=joined([lab["outcome"][o.outcome] for o in weak], lang),
                    claim=claim,
                ),
                ev((improved or limited)[0].evidence[:1]),
            )
        )
    else:
        report.judgements.append(Point(T.say("judge_no_effects", lang)))
    if recs:
        report.judgements.append(
            Point(T.say("judge_lesson", lang, lesson=recs[0].text), recs[0].evidence[:1])
        )
    report.judgements = report.judgements[: defaults.MAX_JUDGEMENTS]

    # 一、基本情况
    bg = Section("background", t(lang, *GENRE_HEADINGS["background"]))
    case = cb.cases[f.case_id]
    bg.paragraphs.append(
        T.say(
            "background_place",
            lang,
            name=name,
            place=place_name(f.province, f.city, lang),
            level=level_phrase(f.level, lang),
            start=f.start_year,
        )
        + " "
        + ((case.summary_zh if lang == "zh" else case.summary_en) or "")
    )
    for c in f.context:
        bg.points.append(
            Point(
                T.say(
                    "background_context",
                    lang,
                    field=_context_label(cb, c.field, lang),
                    value=vocab_label(cb, "stages", c.value, lang)
                    if c.field == "stage"
                    else c.value,
                ),
                ev(c.evidence[:1]),
            )
        )
    missing = [x for x in CONTEXT_FOR_TRANSFER if f.context_value(x) is None]
    if missing:
        bg.points.append(
            Point(
                T.say(
                    "background_missing_context",
                    lang,
                    fields=joined([_context_label(cb, x, lang) for x in missing], lang),
                )
            )
        )
    for d in f.drivers:
        bg.points.append(
            Point(
                T.say(
                    "background_driver",
                    lang,
                    kind=vocab_label(cb, "driver_kinds", d.kind, lang),
                    text=d.text_zh,
                ),
                ev(d.evidence[:1]),
            )
        )
    for s in f.sources:
        src = cb.sources[s.source]
        bg.paragraphs.append(
            T.say(
                "background_source",
                lang,
                cite=cite(cb, s.source, lang),
                title=src.title,
                genre=vocab_label(cb, "genres", s.genre, lang),
                relation=vocab_label(cb, "author_relations", s.author_relation, lang),
                basis=s.author_relation_basis or "",
                incomplete=s.complete is False,
                not_covered=joined(
                    [lab["family"].get(x) or lab["code"].get(x, x) for x in s.not_covered], lang
                ),
            )
        )
    tp = bf.typology
    cs = comp.conditions
    cond_label = {c.id: (c.label_zh if lang == "zh" else c.label_en) for c in cs.conditions}
    if tp.belongs:
        bg.paragraphs.append(
            T.say(
                "background_type",
                lang,
                n=bf.n_cases,
                short=short,
                type=type_label(cs, tp.best, lang),
                m=f"{tp.membership:.2f}",
                margin=f"{tp.margin:.2f}",
            )
        )
    else:
        bg.paragraphs.append(
            T.say(
                "background_no_type",
                lang,
                n=bf.n_cases,
                short=short,
                m=f"{tp.membership:.2f}",
                missing=joined([f"“{cond_label[c]}”" for c in tp.missing_conditions], lang),
            )
        )
    report.sections["background"] = bg

    # 二、主要做法
    pr = Section("practices", t(lang, *GENRE_HEADINGS["practices"]))
    pr.paragraphs.append(
        T.say(
            "practices_intro",
            lang,
            n_not_reported=sum(1 for m in f.mechanisms if m.status == "not_reported"),
        )
    )
    early = [m for m in f.mechanisms if m.derived == "before_era"]
    if early:
        pr.paragraphs.append(
            T.say(
                "before_era",
                lang,
                year=f.source_year,
                codes=joined([lab["code"][m.code] for m in early], lang),
            )
        )
    for fam in [x.id for x in cb.codebook.families]:
        items = sorted(
            [m for m in f.practised if m.family == fam], key=lambda m: (-(m.score or 0), m.code)
        )
        if not items:
            continue
        pr.groups.append(
            (
                lab["family"][fam],
                [
                    Point(
                        T.say(
                            "practice_point",
                            lang,
                            label=lab["code"][m.code],
                            status=status_label(m.status, lang),
                            practices=joined(
                                [x for x in (_practice_name(f, p, lang) for p in m.practices) if x],
                                lang,
                                limit=3,
                            ),
                        ),
                        ev(m.evidence[:1]),
                    )
                    for m in items
                ],
            )
        )
    report.sections["practices"] = pr

    # 三、成效
    ef = Section("effects", t(lang, *GENRE_HEADINGS["effects"]))
    for o in reported:
        ef.points.append(
            Point(
                T.say(
                    "effect_point", lang, outcome=lab["outcome"][o.outcome], level=_level(o.score)
                ),
                ev(o.evidence[:1]),
                note=vocab_label(cb, "claim_strengths", o.claim_strength, lang),
            )
        )
    silent = [x for x in cb.outcome_ids if x not in {o.outcome for o in reported}]
    if silent:
        ef.paragraphs.append(
            T.say(
                "effect_not_reported",
                lang,
                outcomes=joined([lab["outcome"][x] for x in silent], lang),
            )
        )
    if f.indicators:
        ef.paragraphs.append(T.say("indicators_note", lang, n=len(f.indicators)))
    report.sections["effects"] = ef

    # 四、存在问题
    pb = Section("problems", t(lang, *GENRE_HEADINGS["problems"]))
    local = [p for p in f.problems if p.kind == "local"]
    general = [p for p in f.problems if p.kind != "local"]
    if local:
        pb.groups.append(
            (
                t(lang, "来源报告的本地问题", "Local problems the source reports"),
                [
                    Point(T.say("problem_point", lang, text=p.text_zh), ev(p.evidence[:1]))
                    for p in local
                ],
            )
        )
    if bf.gaps:
        pb.groups.append(
            (
                t(lang, "比较发现的短板", "Gaps the comparison reveals"),
                [
                    Point(
                        T.say(
                            "gap_point",
                            lang,
                            label=lab["code"][g.code],
                            status=g.status,
                            others=joined([lab["case_short"][c] for c in g.practised_by], lang),
                        ),
                        ev(g.evidence[:1]),
                    )
                    for g in bf.gaps
                ],
            )
        )
    if f.proposals:
        pb.groups.append(
            (
                t(
                    lang,
                    "来源提出的改进方向（建议，尚非实践）",
                    "Improvements the source proposes (not yet practice)",
                ),
                [
                    Point(T.say("proposal_point", lang, text=p.text_zh), ev(p.evidence[:1]))
                    for p in f.proposals
                ],
            )
        )
    if general:
        pb.paragraphs.append(T.say("general_problems", lang, n=len(general)))
    report.sections["problems"] = pb

    # 五、对策建议与启示
    rc = Section("recommendations", t(lang, "对策建议与启示", "Recommendations and lessons"))
    rc.paragraphs.append(T.say("recommendations_intro" if recs else "no_recommendations", lang))
    report.sections["recommendations"] = rc
    report.recommendations = recs

    # 附：方法与证据
    report.appendix["method"] = Section(
        "method",
        t(lang, "方法说明", "Method"),
        [
            T.say("n_caveat", lang, n=bf.n_cases),
            T.say("method_coding", lang, version=bf.codebook_version),
        ],
    )
    report.appendix["coding"] = Section(
        "coding",
        t(lang, "机制编码与证据", "Mechanism codings and evidence"),
        tables=[("", appendix.coding_table(cb, f, lang))],
    )
    if f.indicators:
        report.appendix["indicators"] = Section(
            "indicators",
            t(lang, "数据与指标", "Figures"),
            tables=[("", indicator_frame(cb, f, lang))],
        )
    report.appendix["typology"] = appendix.typology_section(cb, comp, [f.case_id], lang)
    report.appendix["network"] = appendix.network_section(cb, f.case_id, lang)
    return report


def indicator_frame(cb: CaseBase, f: CaseFacts, lang: str) -> pd.DataFrame:
    """The case's figures: label, value with its unit, year, and the quote that shows it."""
    from analysis.formatting import quoted, supporting_span
    from analysis.reports.numbers import indicator_value

    rows = []
    for i in f.indicators:
        q = (
            i.evidence[supporting_span(i.value, [e.quote for e in i.evidence])]
            if i.evidence
            else None
        )
        rows.append(
            {
                t(lang, "指标", "Figure"): i.label_zh if lang == "zh" else i.label_en,
                t(lang, "数值", "Value"): indicator_value(i, lang),
                t(lang, "年份", "Year"): str(i.year) if i.year else "—",
                t(lang, "原文与出处", "Quote and source"): "—"
                if q is None
                else f"{quoted(q.quote, lang)}（{cite(cb, q.source, lang)}，第 {q.start}–{q.end} 字）"
                if lang == "zh"
                else f"{quoted(q.quote, lang)} ({cite(cb, q.source, lang)}, chars {q.start}–{q.end})",
            }
        )
    return pd.DataFrame(rows)


__all__ = ["CaseBriefFacts", "Gap", "Lesson", "Mechanism", "build", "facts", "write"]
