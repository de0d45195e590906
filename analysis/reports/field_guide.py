"""调研提纲: the questions a scholar takes on the next site visit to a case.

Facts: :func:`analysis.fieldwork.field_questions` — questions from contested codes,
unverified outcome claims, proposals, local problems, thin practices, an excerpt's
gaps and the source's silences, prioritised, each with why it is asked, whom to ask,
how (访谈、座谈、查阅台账 …) and the quote it starts from.  Text: 要点, 一、调研目的与说明,
二、调研问题 (grouped by the field's frameworks).

Examples
--------
>>> r = build("zhoushan_donggang")                      # doctest: +SKIP
>>> list(r.sections)                                     # doctest: +SKIP
['purpose', 'questions']
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from analysis.casebase import CaseBase
from analysis.reports import defaults
from analysis.reports.casefacts import Quote, as_evidence
from analysis.reports.common import check_case, check_lang, cite, open_casebase
from analysis.reports.model import Point, Report, Section
from analysis.reports.text import Templates, joined, t

T = Templates(
    {
        "title": {"zh": "{{ name }}调研提纲", "en": "Field-research guide: {{ name }}"},
        "subtitle": {
            "zh": "调研提纲 · 依据 {{ sources }} 的编码结果生成 · 共 {{ n }} 个问题",
            "en": "Field-research guide · generated from the coding of {{ sources }} · {{ n }} questions",
        },
        "summary": {
            "zh": "{{ short }}：{{ n }} 个调研问题（{{ counts }}）",
            "en": "{{ short }}: {{ n }} questions for the site visit ({{ counts }})",
        },
        "judge_count": {
            "zh": "本提纲共 {{ n }} 个问题：{{ counts }}。",
            "en": "{{ n }} questions: {{ counts }}.",
        },
        "judge_first": {
            "zh": "最优先核实：{{ question }}",
            "en": "Check first: {{ question }}",
        },
        "judge_silence": {
            "zh": "来源未报告的机制只是缺失数据：提纲把它们列为待核实的问题，不把沉默当作没有。",
            "en": "What the source does not report is missing data: the guide asks about it "
            "instead of treating silence as absence.",
        },
        "purpose": {
            "zh": "本提纲由案例库的编码结果自动生成，供下次实地调研使用。问题来自：编码员意见分歧的编码、"
            "未经独立核实的成效说法、来源中仅为建议的做法、来源报告的本地问题、证据单薄的做法，以及来源未报告"
            "或节选未覆盖的内容。每个问题注明提问理由、建议访谈对象和方法，并附所依据的原文。",
            "en": "Generated from the case base's codings for the next site visit. The questions "
            "come from codes the blind coders disagreed on, outcome claims nobody has checked "
            "independently, practices the source only proposes, local problems it reports, thinly "
            "evidenced practices, and what the source does not report or its excerpt leaves out. "
            "Each question says why it is asked, whom to ask and how, with the quote it starts from.",
        },
        "omitted": {
            "zh": "为控制篇幅，另有 {{ n }} 个较低优先级的问题未列入（{{ detail }}）。",
            "en": "{{ n }} lower-priority questions are left out to keep the guide short ({{ detail }}).",
        },
        "question": {
            "zh": "{{ question }}",
            "en": "{{ question }}",
        },
        "note": {
            "zh": "理由：{{ why }}；访谈对象：{{ who }}；方法：{{ how }}",
            "en": "why: {{ why }}; ask: {{ who }}; method: {{ how }}",
        },
    }
)


@dataclass(frozen=True)
class FieldGuideFacts:
    """The guide: the case, its sources and the prioritised questions."""

    case_id: str
    sources: tuple[str, ...]
    guide: object


BASIS_LABELS = {
    "zh": {
        "contested": "编码分歧",
        "unverified_outcome": "待核实的成效",
        "proposed": "仅为建议",
        "local_problem": "本地问题",
        "weak": "证据单薄",
        "not_covered": "节选未覆盖",
        "before_era": "来源早于该做法",
        "not_reported": "来源未报告",
    },
    "en": {
        "contested": "coders disagreed",
        "unverified_outcome": "unverified results",
        "proposed": "only proposed",
        "local_problem": "local problems",
        "weak": "thin evidence",
        "not_covered": "outside the excerpt",
        "before_era": "source predates the practice",
        "not_reported": "not reported",
    },
}


def _basis(key: str, lang: str) -> str:
    return BASIS_LABELS["zh" if lang == "zh" else "en"].get(key, key.replace("_", " "))


def facts(case_id: str, cb: CaseBase) -> FieldGuideFacts:
    """The language-free facts of the 调研提纲 of ``case_id``."""
    from analysis.fieldwork import field_questions

    check_case(cb, case_id)
    guide = field_questions(cb, case_id)
    return FieldGuideFacts(case_id, tuple(cb.cases[case_id].sources), guide)


def build(
    case_id: str,
    lang: str = defaults.LANG,
    casebase_dir: str | Path = "casebase",
    sources: str | Path | None = "",
) -> Report:
    """The 调研提纲 of ``case_id``.

    Raises
    ------
    analysis.reports.errors.UnknownCase
    analysis.reports.errors.ParameterError
    """
    check_lang(lang)
    cb = open_casebase(casebase_dir, sources or None)
    return write(cb, facts(case_id, cb), lang)


def write(cb: CaseBase, ff: FieldGuideFacts, lang: str) -> Report:
    """The report text, from the facts."""
    lab = cb.labels(lang)
    guide = ff.guide
    zh = lang == "zh"
    questions = list(guide.questions)[: defaults.MAX_FIELD_QUESTIONS]
    cut = len(guide.questions) - len(questions)
    short = lab["case_short"][ff.case_id]
    sources = joined([cite(cb, s, lang) for s in ff.sources], lang)
    first = questions[0] if questions else None
    report = Report(
        kind="fieldguide",
        lang=lang,
        title=T.say("title", lang, name=lab["case"][ff.case_id]),
        subtitle=T.say("subtitle", lang, sources=sources, n=len(questions)),
        summary=T.say(
            "summary",
            lang,
            short=short,
            n=len(questions),
            counts=joined(
                [f"{_basis(k, lang)} {v}" for k, v in guide.counts.items() if v], lang, 10
            ),
        ),
        facts=ff,
        judgements_heading=t(lang, "要点", "Key points"),
    )
    counts = [(k, v) for k, v in guide.counts.items() if v]
    report.judgements.append(
        Point(
            T.say(
                "judge_count",
                lang,
                n=len(questions),
                counts=joined([f"{_basis(k, lang)} {v}" for k, v in counts], lang, limit=10),
            ),
            note=t(lang, "见下文", "see below"),
        )
    )
    if first is not None:
        report.judgements.append(
            Point(
                T.say("judge_first", lang, question=first.question_zh if zh else first.question_en),
                _evidence(cb, ff.case_id, first.evidence, lang),
            )
        )
    report.judgements.append(
        Point(T.say("judge_silence", lang), note=t(lang, "编码规则 R2", "coding rule R2"))
    )

    purpose = Section(
        "purpose", t(lang, "调研目的与说明", "Purpose and method"), [T.say("purpose", lang)]
    )
    omitted = {k: v for k, v in guide.omitted.items() if v}
    n_omitted = sum(omitted.values()) + cut
    if n_omitted:
        detail = joined([f"{_basis(k, lang)} {v}" for k, v in omitted.items()], lang, limit=10)
        purpose.paragraphs.append(T.say("omitted", lang, n=n_omitted, detail=detail or "—"))
    report.sections["purpose"] = purpose

    qs = Section("questions", t(lang, "调研问题", "Questions"))
    kept = set(id(q) for q in questions)
    for _topic, items in guide.by_topic():
        items = [q for q in items if id(q) in kept]
        if not items:
            continue
        label = items[0].topic_zh if zh else items[0].topic_en
        qs.groups.append(
            (
                label,
                [
                    Point(
                        T.say("question", lang, question=q.question_zh if zh else q.question_en),
                        _evidence(cb, ff.case_id, q.evidence, lang),
                        note=T.say(
                            "note",
                            lang,
                            why=(q.why_zh if zh else q.why_en).rstrip("。."),
                            who=joined(list(q.informants_zh if zh else q.informants_en), lang),
                            how=joined(list(q.method_zh if zh else q.method_en), lang),
                        ),
                    )
                    for q in items
                ],
            )
        )
    report.sections["questions"] = qs
    return report


def _evidence(cb: CaseBase, case_id: str, quotes: tuple, lang: str) -> tuple:
    """Quotes with offsets as Evidence (a quote without offsets is left out)."""
    usable = [
        Quote(q.source_id, int(q.start), int(q.end), q.quote)
        for q in quotes
        if q.start is not None and q.end is not None
    ]
    return as_evidence(cb, case_id, usable[:1], lang)
