"""编码信度: how far two independent codings of the case base agree, round by round.

Facts first (:func:`facts`): every round of ``codings/rounds.yaml`` with its two
coders, its units, Krippendorff's α with silence counted as missing (scores,
statuses, outcomes) and as 0 (as rounds 1–2 were published), the share of units
both coders left at 0 or unreported, per-code α, and every disagreement with both
coders' evidence and the case file's adjudication.  The *current* round is the
one under the latest codebook; older rounds are history.  Then text
(:func:`write`): 核心判断 → 一、各轮信度 → 二、各编码信度 → 三、分歧与裁决 →
附：方法与证据 (rounds table, per-code tables and every disagreement's evidence).

The thresholds are Krippendorff's: α ≥ 0.80 reliable, 0.667 ≤ α < 0.80 tentative
(:data:`analysis.reports.defaults.ALPHA_RELIABLE`, ``ALPHA_TENTATIVE``).

Examples
--------
>>> verdict(0.921), verdict(0.7333), verdict(0.4), verdict(None)
('reliable', 'tentative', 'unreliable', 'undefined')
>>> split_reason("按 v2 记 0.67。A definite practice: 0.67 under v2.")
('按 v2 记 0.67。', 'A definite practice: 0.67 under v2.')
>>> r = build("zh")                                       # doctest: +SKIP
>>> list(r.sections)                                      # doctest: +SKIP
['rounds', 'codes', 'disagreements']
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.casebase import CaseBase
from analysis.md_text import MarkdownText, plain_text
from analysis.reports import defaults
from analysis.reports.casefacts import Quote
from analysis.reports.common import check_lang, cite, open_casebase
from analysis.reports.model import Point, Report, Section
from analysis.reports.text import Templates, joined, t

T = Templates(
    {
        "title": {"zh": "编码信度报告", "en": "Inter-coder reliability"},
        "subtitle": {
            "zh": "编码信度 · 当前为{{ round }}（编码手册第 {{ version }} 版） · {{ n_cases }} 个案例 · "
            "共 {{ n_rounds }} 轮独立编码",
            "en": "Coding reliability · current: {{ round }} (codebook v{{ version }}) · "
            "{{ n_cases }} cases · {{ n_rounds }} rounds of independent coding",
        },
        "summary": {
            "zh": "{{ round }}（编码手册第 {{ version }} 版，当前一轮）：{{ measures }}，{{ verdict }}；"
            "{{ n_dis }} 处分歧{% if all_adjudicated %}均已裁决{% else %}，{{ n_adj }} 处已裁决{% endif %}。",
            "en": "{{ round }} (codebook v{{ version }}, the current round): {{ measures }}, "
            "{{ verdict }}; {{ n_dis }} disagreements, {% if all_adjudicated %}all adjudicated"
            "{% else %}{{ n_adj }} adjudicated{% endif %}.",
        },
        "measure": {"zh": "{{ what }} α {{ alpha }}", "en": "{{ what }} α {{ alpha }}"},
        "verdict_all": {
            "zh": "均达到 α ≥ {{ reliable }} 的可靠标准",
            "en": "all at or above the α ≥ {{ reliable }} standard of reliability",
        },
        "verdict_some": {
            "zh": "{{ weak }}低于 {{ reliable }} 的可靠标准",
            "en": "{{ weak }} below the {{ reliable }} standard of reliability",
        },
        "judge_current": {
            "zh": "当前一轮（{{ round }}）{% if ok %}的编码可靠{% else %}的编码只能部分采信{% endif %}："
            "把来源未报告视为缺失，{{ measures }}；标准为 α ≥ {{ reliable }}（Krippendorff）。",
            "en": "The current round ({{ round }}) is {% if ok %}reliable{% else %}only partly "
            "reliable{% endif %}: with silence as missing, {{ measures }}; the standard is "
            "α ≥ {{ reliable }} (Krippendorff).",
        },
        "judge_codes": {
            "zh": "需要澄清定义的编码：{{ codes }}{% if n_undefined %}；另有 {{ n_undefined }} 项编码两位编码者在各案例上"
            "给分完全相同且没有变化，α 无定义{% endif %}。",
            "en": "Codes whose definitions need sharpening: {{ codes }}{% if n_undefined %}; "
            "for {{ n_undefined }} more, both coders gave every case the same score, so α "
            "is undefined{% endif %}.",
        },
        "judge_codes_none": {
            "zh": "当前一轮各编码的 α 均不低于 {{ reliable }}{% if n_undefined %}（{{ n_undefined }} 项无变化，α 无定义）{% endif %}。",
            "en": "Every code's α in the current round is at least {{ reliable }}"
            "{% if n_undefined %} ({{ n_undefined }} without variation have no α){% endif %}.",
        },
        "judge_silence": {
            "zh": "两位编码者都记为 0 或未报告的单元占 {{ share }}：把未报告计为 0 的 α（{{ alpha0 }}）"
            "因此偏高，只用于和早先各轮比较。",
            "en": "Both coders left {{ share }} of the units at 0 or unreported, so the α that counts "
            "silence as 0 ({{ alpha0 }}) is inflated; it serves only for comparison with earlier rounds.",
        },
        "rounds_current": {
            "zh": "{{ round }}是当前一轮：{{ coders }}按编码手册第 {{ version }} 版，对 {{ n_cases }} 个案例的"
            " {{ n_codes }} 项编码（{{ units }} 个“案例 × 编码”单元）和各项成效独立盲编。",
            "en": "{{ round }} is the current round: {{ coders }} coded {{ n_codes }} codes of "
            "{{ n_cases }} cases ({{ units }} case × code units), and the outcomes, blind and "
            "independently, under codebook v{{ version }}.",
        },
        "rounds_missing_aware": {
            "zh": "按案例库“未报告即缺失”的规则：机制得分的 Krippendorff α（定序）为 {{ a_rep }}"
            "（至少一方有报告的 {{ n_rep }} 个单元）；状态（明确存在、有所涉及、仅为建议、报告为缺失、未报告）"
            "的 α（定类）为 {{ a_status }}{% if a_out %}；成效得分的 α（定序）为 {{ a_out }}（双方都评分 "
            "{{ out_both }} 项，仅一方评分 {{ out_one }} 项；双方都评分的项目中证据强度判断一致 {{ out_claim }} 项）"
            "{% else %}；成效未作双重编码{% endif %}。",
            "en": "Under the case base's rule that silence is missing data: Krippendorff's α "
            "(ordinal) on mechanism scores is {{ a_rep }} (the {{ n_rep }} units at least one "
            "coder reported); α (nominal) on the statuses (present, weak, proposed, absent, "
            "not reported) is {{ a_status }}{% if a_out %}; α (ordinal) on outcome scores is "
            "{{ a_out }} ({{ out_both }} scored by both, {{ out_one }} by one only; the same "
            "claim strength in {{ out_claim }} of those scored by both){% else %}; outcomes "
            "were not double-coded{% endif %}.",
        },
        "rounds_standard": {
            "zh": "判断标准（Krippendorff，《内容分析》2004/2018）：α ≥ {{ reliable }} 为可靠，"
            "{{ tentative }} ≤ α < {{ reliable }} 只能下初步结论，低于 {{ tentative }} 不可靠。据此，{{ judged }}。",
            "en": "The standard (Krippendorff, Content Analysis, 2004/2018): α ≥ {{ reliable }} "
            "is reliable, {{ tentative }} ≤ α < {{ reliable }} supports tentative conclusions "
            "only, below {{ tentative }} is not reliable. By it, {{ judged }}.",
        },
        "judged_item": {
            "zh": "{{ what }}{% if v == 'reliable' %}可靠{% elif v == 'tentative' %}只能下初步结论"
            "{% elif v == 'unreliable' %}不可靠{% else %}无法判断{% endif %}",
            "en": "{{ what }} {% if v == 'reliable' %}reliable{% elif v == 'tentative' %}"
            "tentative only{% elif v == 'unreliable' %}not reliable{% else %}cannot be judged{% endif %}",
        },
        "rounds_silence": {
            "zh": "两位编码者都记为 0 或未报告的单元占 {{ zero_or_missing }}（都未报告的占 {{ missing }}）。"
            "若像第 1、2 轮发表时那样把未报告计为 0，α 为 {{ alpha0 }}，Cohen κ（是否存在）为 {{ kappa }}，"
            "完全一致率 {{ exact }}；这些数字把共同的沉默算作一致，偏高，只用于和前几轮比较。",
            "en": "Both coders left {{ zero_or_missing }} of the units at 0 or unreported "
            "({{ missing }} unreported by both). Counting silence as 0, as rounds 1 and 2 were "
            "published, α is {{ alpha0 }}, Cohen's κ (presence) {{ kappa }} and exact agreement "
            "{{ exact }}; these count shared silence as agreement, are inflated, and serve "
            "only for comparison with earlier rounds.",
        },
        "coders_note": {
            "zh": "说明：独立编码者是只看到编码手册、编码说明和原文的独立会话（同一类语言模型），不是人类编码员；"
            "它们之间的一致可能高于两位人类编码员。",
            "en": "Note: the independent coders are separate sessions that saw only the codebook, "
            "the coding instructions and the source texts (instances of the same kind of "
            "language model), not human coders; their agreement may be higher than two human "
            "coders would reach.",
        },
        "history_intro": {
            "zh": "此前各轮是历史记录，所用编码手册已经修订，数字不能直接与当前一轮比较。",
            "en": "Earlier rounds are history; their codebooks have since been revised, so their "
            "figures do not compare directly with the current round.",
        },
        "history_point": {
            "zh": "{{ round }}（编码手册第 {{ version }} 版；{{ coders }}；{{ n_cases }} 个案例，{{ units }} 个单元）："
            "把未报告计为 0 的 α 为 {{ alpha0 }}，κ 为 {{ kappa }}，{{ n_dis }} 处分歧；"
            "按未报告即缺失重算，得分 α {{ a_rep }}，状态 α {{ a_status }}"
            "{% if a_out %}，成效 α {{ a_out }}{% else %}；成效未作双重编码{% endif %}",
            "en": "{{ round }} (codebook v{{ version }}; {{ coders }}; {{ n_cases }} cases, "
            "{{ units }} units): α with silence as 0 {{ alpha0 }}, κ {{ kappa }}, {{ n_dis }} "
            "disagreements; recomputed with silence as missing, scores α {{ a_rep }}, "
            "statuses α {{ a_status }}{% if a_out %}, outcomes α {{ a_out }}"
            "{% else %}; outcomes were not double-coded{% endif %}",
        },
        "codes_count": {
            "zh": "{{ round }}的 {{ n }} 项编码中，{{ n_ok }} 项 α ≥ {{ reliable }}，{{ n_tent }} 项在 {{ tentative }}–{{ reliable }}"
            " 之间（只能下初步结论），{{ n_low }} 项低于 {{ tentative }}{% if n_undef %}，{{ n_undef }} 项 α 无定义"
            "（两位编码者在各案例上给分完全相同且没有变化）{% endif %}。",
            "en": "Of the {{ n }} codes in {{ round }}, {{ n_ok }} have α ≥ {{ reliable }}, "
            "{{ n_tent }} lie between {{ tentative }} and {{ reliable }} (tentative only) and "
            "{{ n_low }} {% if n_low == 1 %}is{% else %}are{% endif %} below {{ tentative }}{% if n_undef %}; for {{ n_undef }}, α is "
            "undefined (both coders gave every case the same score){% endif %}.",
        },
        "codes_caveat": {
            "zh": "每项编码只有 {{ n_cases }} 个单元（{{ n_cases }} 个案例），单项编码的 α 很不稳定，只用来找出需要澄清定义的编码，"
            "不用来取舍编码。",
            "en": "Each code has only {{ n_cases }} units ({{ n_cases }} cases), so a single "
            "code's α is unstable; it flags definitions to sharpen and is not used to drop codes.",
        },
        "code_point": {
            "zh": "{{ label }}：α {{ alpha }}（{{ n }} 个单元，{{ n_dis }} 处分歧）——"
            "{% if v == 'tentative' %}只能下初步结论{% else %}不可靠，需澄清定义{% endif %}",
            "en": "{{ label }}: α {{ alpha }} ({{ n }} units, {{ n_dis }} "
            "disagreement{% if n_dis != 1 %}s{% endif %}) — "
            "{% if v == 'tentative' %}tentative only{% else %}not reliable; the definition "
            "needs sharpening{% endif %}",
        },
        "codes_undefined": {
            "zh": "α 无定义的编码：{{ codes }}。",
            "en": "Codes with undefined α: {{ codes }}.",
        },
        "figure_codes": {
            "zh": "{{ round }}：各编码的 Krippendorff α（虚线为 {{ tentative }} 与 {{ reliable }}）",
            "en": "{{ round }}: Krippendorff's α per code (dashed lines at {{ tentative }} and "
            "{{ reliable }})",
        },
        "dis_intro": {
            "zh": "{{ round }}共 {{ n }} 处分歧（占 {{ units }} 个单元的 {{ share }}）"
            "{% if n_adj == n %}，均已在案例文件中裁决并写明理由{% else %}，其中 {{ n_adj }} 处已在案例文件中裁决{% endif %}：",
            "en": "{{ round }} has {{ n }} disagreements ({{ share }} of {{ units }} units)"
            "{% if n_adj == n %}, each adjudicated in the case files with its reason"
            "{% else %}, {{ n_adj }} of them adjudicated in the case files{% endif %}:",
        },
        "dis_point": {
            "zh": "{{ case }} · {{ code }}：{{ a }}记 {{ sa }}，{{ b }}记 {{ sb }}（相差 {{ steps }} 级）；"
            "{% if final %}裁决为{% if final_nr %}未报告{% else %} {{ final }}{% endif %}。理由：{{ reason }}{% else %}尚未裁决{% endif %}",
            "en": "{{ case }} · {{ code }}: {{ a }} {{ sa }}, {{ b }} {{ sb }} ({{ steps }} "
            "step{% if steps != 1 %}s{% endif %} apart); {% if final %}adjudicated {{ final }}. "
            "Reason: {{ reason }}{% else %}not yet adjudicated{% endif %}",
        },
        "dis_none": {
            "zh": "{{ round }}两位编码者没有分歧。",
            "en": "The two coders of {{ round }} did not disagree.",
        },
        "dis_history": {
            "zh": "此前各轮的分歧及裁决（{{ items }}）连同双方的原文证据见附录。",
            "en": "The disagreements of earlier rounds and their adjudications ({{ items }}), with "
            "both coders' evidence, are in the appendix.",
        },
        "dis_history_item": {
            "zh": "{{ round }} {{ n }} 处",
            "en": "{{ round }}: {{ n }}",
        },
        "reason_zh_only": {
            "zh": "{{ reason }}",
            "en": "{{ reason }} (recorded in Chinese only)",
        },
        "method": {
            "zh": "单元为“案例 × 编码”；得分按 0、0.33、0.67、1 四级定序量表比较。α 为 Krippendorff α，"
            "κ 为“是否存在”（得分 > 0）的 Cohen κ。各轮比较的对象见 casebase/codings/rounds.yaml，"
            "分歧的裁决记录在各案例文件中。本报告依据 {{ n_cases }} 个案例的编码，"
            "描述的是这些文本的编码，不是对全国情况的统计推断。",
            "en": "A unit is a case × code; scores are compared on the ordinal four-point scale "
            "0, 0.33, 0.67, 1. α is Krippendorff's α, κ Cohen's κ on presence (score > 0). Who "
            "was compared in each round is in casebase/codings/rounds.yaml; adjudications are "
            "in the case files. This report rests on the codings of {{ n_cases }} cases and "
            "describes them, not China.",
        },
        "round_notes": {
            "zh": "{{ round }}：编码手册第 {{ version }} 版，{{ coders }}。",
            "en": "{{ round }}: {{ note }}",
        },
        "not_reported": {"zh": "未报告", "en": "not reported"},
        "no_rounds": {
            "zh": "案例库中还没有独立编码（casebase/codings/），无法计算信度。",
            "en": "The case base has no independent codings yet (casebase/codings/), so "
            "reliability cannot be computed.",
        },
    }
)

RELIABLE = defaults.ALPHA_RELIABLE
TENTATIVE = defaults.ALPHA_TENTATIVE


# ---------------------------------------------------------------------------- facts


@dataclass(frozen=True)
class Adjudication:
    """How the case file settled a disagreement: the code it is recorded under, the
    final score (None = not reported) and the reason as written."""

    code: str
    final: float | None
    reason: str


@dataclass(frozen=True)
class Disagreement:
    """One case × code unit the two coders scored differently (silence as 0)."""

    case_id: str
    code: str
    scores: tuple[float, float]
    steps: int
    evidence: tuple[tuple[Quote, ...], tuple[Quote, ...]]
    adjudication: Adjudication | None


@dataclass(frozen=True)
class CodeAlpha:
    """One code's ordinal α over the cases (None when neither coder varies)."""

    code: str
    alpha: float | None
    n: int
    exact_agreement: float | None
    disagreements: int


@dataclass(frozen=True)
class OutcomeAgreement:
    """Agreement on outcome scores (silence as missing) and on claim strengths."""

    alpha: float | None
    units: int
    scored_by_both: int
    scored_by_one: int
    same_claim_strength: int


@dataclass(frozen=True)
class RoundFacts:
    """One round of the reliability check, with its measures and disagreements."""

    id: str
    codebook_version: int
    coders: tuple[str, str]
    note: str
    cases: tuple[str, ...]
    units: int
    alpha_ordinal: float | None
    kappa_presence: float | None
    exact_agreement: float | None
    alpha_ordinal_reported: float | None
    units_reported_by_either: int
    alpha_status_nominal: float | None
    both_missing: float | None
    both_zero_or_missing: float | None
    outcomes: OutcomeAgreement
    per_code: tuple[CodeAlpha, ...]
    disagreements: tuple[Disagreement, ...]

    @property
    def n_codes(self) -> int:
        """How many codes the round compared."""
        return len(self.per_code)


@dataclass(frozen=True)
class ReliabilityFacts:
    """Everything the 编码信度 report says, before any text."""

    rounds: tuple[RoundFacts, ...]
    current: str
    n_cases: int
    reliable: float = RELIABLE
    tentative: float = TENTATIVE

    @property
    def current_round(self) -> RoundFacts:
        """The round under the latest codebook (the one the report headlines)."""
        return next(r for r in self.rounds if r.id == self.current)

    @property
    def history(self) -> tuple[RoundFacts, ...]:
        """The other rounds, in file order."""
        return tuple(r for r in self.rounds if r.id != self.current)


def verdict(alpha: float | None, reliable: float = RELIABLE, tentative: float = TENTATIVE) -> str:
    """``reliable``, ``tentative``, ``unreliable`` or ``undefined`` by Krippendorff's thresholds.

    Examples
    --------
    >>> verdict(0.8), verdict(0.667), verdict(0.6669)
    ('reliable', 'tentative', 'unreliable')
    """
    if alpha is None or (isinstance(alpha, float) and math.isnan(alpha)):
        return "undefined"
    if alpha >= reliable:
        return "reliable"
    return "tentative" if alpha >= tentative else "unreliable"


def current_round_id(rounds: list[Any]) -> str:
    """The round under the latest codebook version; the last such round in file order.

    Examples
    --------
    >>> from analysis.reliability import Round
    >>> current_round_id([Round("1", 1, ("a", "b")), Round("3", 4, ("c", "d")), Round("x", 2, ("e", "f"))])
    '3'
    """
    best = max(range(len(rounds)), key=lambda i: (rounds[i].codebook_version, i))
    return rounds[best].id


def adjudication(
    cb: CaseBase, round_id: str, d: dict[str, Any], coders: tuple[str, str]
) -> Adjudication | None:
    """The case file's adjudication of disagreement ``d`` in round ``round_id``.

    Looked up under the code itself and, for a code a later codebook retired, under
    the codes that replaced it (the case files carry only current codes).  Where a
    code has several adjudications of the round, the one with these coders' scores
    (silence as 0) is taken.
    """
    case = cb.cases.get(d["case_id"])
    if case is None:
        return None
    replaced = {r.id: r.replaced_by for r in cb.codebook.retired_codes}
    mechs = {m.code: m for m in case.mechanisms}
    a, b = coders
    found = [
        (code, x)
        for code in (d["code"], *replaced.get(d["code"], []))
        if code in mechs
        for x in mechs[code].adjudication
        if x.round == round_id
    ]
    exact = [
        (c, x)
        for c, x in found
        if (x.scores.get(a) or 0) == d[a] and (x.scores.get(b) or 0) == d[b]
    ]
    hit = (exact or found or [None])[0]
    if hit is None:
        return None
    code, x = hit
    return Adjudication(code, x.final, x.reason)


def _quotes(items: list[dict[str, Any]]) -> tuple[Quote, ...]:
    return tuple(Quote(e["source"], int(e["start"]), int(e["end"]), e["quote"]) for e in items)


def round_facts(cb: CaseBase, rnd: Any) -> RoundFacts:
    """The facts of one round, from :func:`analysis.reliability.round_report`."""
    from analysis.reliability import round_report

    rep = round_report(cb, rnd)
    a, b = rnd.coders
    out = rep["outcomes"]
    return RoundFacts(
        id=rnd.id,
        codebook_version=rnd.codebook_version,
        coders=(a, b),
        note=rnd.note,
        cases=tuple(rep["cases"]),
        units=int(rep["units"]),
        alpha_ordinal=rep["alpha_ordinal"],
        kappa_presence=rep["kappa_presence"],
        exact_agreement=rep["exact_agreement"],
        alpha_ordinal_reported=rep["alpha_ordinal_reported"],
        units_reported_by_either=int(rep["units_reported_by_either"]),
        alpha_status_nominal=rep["alpha_status_nominal"],
        both_missing=rep["both_missing"],
        both_zero_or_missing=rep["both_zero_or_missing"],
        outcomes=OutcomeAgreement(
            out["alpha_ordinal"],
            int(out["units"]),
            int(out["scored_by_both"]),
            int(out["scored_by_one"]),
            int(out["same_claim_strength"]),
        ),
        per_code=tuple(
            CodeAlpha(code, v["alpha"], int(v["n"]), v["exact_agreement"], int(v["disagreements"]))
            for code, v in rep["per_code"].items()
        ),
        disagreements=tuple(
            Disagreement(
                d["case_id"],
                d["code"],
                (float(d[a]), float(d[b])),
                int(d["steps"]),
                (_quotes(d["evidence"][a]), _quotes(d["evidence"][b])),
                adjudication(cb, rnd.id, d, (a, b)),
            )
            for d in rep["disagreements"]
        ),
    )


def facts(cb: CaseBase) -> ReliabilityFacts | None:
    """Compute the language-free facts of the 编码信度 report (None without codings)."""
    from analysis.reliability import read_rounds

    rounds = read_rounds(cb)
    if not rounds:
        return None
    return ReliabilityFacts(
        rounds=tuple(round_facts(cb, r) for r in rounds),
        current=current_round_id(rounds),
        n_cases=len(cb.case_ids),
    )


# ----------------------------------------------------------------------------- text


def coder_name(coder: str, lang: str) -> str:
    """A coder as a reader reads it (编码者D, 初始编码（第1轮裁决后）…), never the raw id.

    Examples
    --------
    >>> coder_name("coder_d", "zh"), coder_name("primary_adj1", "en")
    ('编码者D', 'first coding after round-1 adjudication')
    """
    from analysis.formatting import coder_label

    return coder_label(coder, lang)


def round_name(round_id: str, lang: str) -> str:
    """``第 3 轮`` / ``round 3``.

    Examples
    --------
    >>> round_name("3", "zh"), round_name("3", "en")
    ('第 3 轮', 'Round 3')
    """
    return f"第 {round_id} 轮" if lang == "zh" else f"Round {round_id}"


def _coders(r: RoundFacts, lang: str) -> str:
    a, b = (coder_name(c, lang) for c in r.coders)
    return f"{a}与{b}" if lang == "zh" else f"{a} and {b}"


def code_labels(cb: CaseBase, lang: str) -> dict[str, str]:
    """Labels of current and retired codes (frozen codings of rounds 1–2 name retired ones)."""
    zh = lang == "zh"
    out = {r.id: (r.label_zh if zh else r.label_en) for r in cb.codebook.retired_codes}
    out.update(cb.labels(lang)["code"])
    return out


def _a(x: float | None, digits: int = 3) -> str | None:
    """α for text; None stays None so templates can leave it out."""
    return None if x is None else f"{x:.{digits}f}"


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{x:.0%}"


def _score(x: float | None, lang: str) -> str:
    return T.say("not_reported", lang) if x is None else f"{x:.2f}"


# Where an English sentence follows a Chinese one: after Chinese closing punctuation, a
# capitalised word and another Latin word ("A named body", "'Not yet complete' reports").
_EN_START = re.compile(
    r"(?<=[。；！？）”」])\s*"
    r"(?=['\"‘“(]?[A-Z][A-Za-z-]*['’]?[ ,:][^\u4e00-\u9fff。，]{0,8}?[A-Za-z]{2,})"
)


def split_reason(reason: str) -> tuple[str, str]:
    """An adjudication reason as (Chinese, English); English is "" when not given.

    Rounds 1–2 wrote reasons as Chinese sentences followed by English ones (which may
    quote a Chinese term); the English begins with the first capitalised Latin phrase
    after Chinese closing punctuation.

    Examples
    --------
    >>> split_reason("只有口号，记 0.33。")
    ('只有口号，记 0.33。', '')
    >>> split_reason("网格是基础设施。Grids are one element of 民情通: 0.67.")
    ('网格是基础设施。', 'Grids are one element of 民情通: 0.67.')
    """
    reason = reason.strip()
    m = _EN_START.search(reason)
    if m is None:
        return reason, ""
    return reason[: m.start()].strip(), reason[m.end() :].strip()


_ASCII_WORD = r"(?<![A-Za-z0-9_]){}(?![A-Za-z0-9_])"
_ID = re.compile(_ASCII_WORD.format(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)+|primary|final"))
_STATUS_WORD = re.compile(_ASCII_WORD.format("present|weak|proposed|absent"))
_VERSION = re.compile(_ASCII_WORD.format(r"v(\d+)"))
_CJK_GAP = re.compile(
    r"(?<=[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef“”])\s+(?=[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef“”])"
)


def readable(text: str, cb: CaseBase | None, lang: str, coders: tuple[str, ...] = ()) -> str:
    """``text`` with ids replaced by what a reader reads: code ids by their labels, coder
    ids by coder names, any other ``snake_case`` id by its words; in Chinese also status
    ids (weak → 有所涉及) and codebook versions (v2 → 第 2 版), and the stray spaces a
    folded YAML line leaves between Chinese characters.

    Examples
    --------
    >>> readable("按 v2 记 weak， 见 coder_c 与 claim_strength", None, "zh", ("coder_c",))
    '按第 2 版记“有所涉及”，见编码者C 与 claim strength'
    """
    from analysis.reports.labels import status_label

    labels = code_labels(cb, lang) if cb is not None else {}
    names = {c: coder_name(c, lang) for c in coders}

    def sub(m: re.Match[str]) -> str:
        word = m.group(0)
        if word in labels:
            return f"“{labels[word]}”" if lang == "zh" else f"‘{labels[word]}’"
        if word in names:
            return names[word]
        if word == "not_reported":
            return f"“{status_label(word, lang)}”" if lang == "zh" else status_label(word, lang)
        return word.replace("_", " ")

    text = _ID.sub(sub, text)
    if lang == "zh":
        text = _STATUS_WORD.sub(lambda m: f"“{status_label(m.group(0), lang)}”", text)
        text = _VERSION.sub(lambda m: f"第 {m.group(1)} 版", text)
        text = _CJK_GAP.sub("", text)
    return text


def reason_text(cb: CaseBase, adj: Adjudication, lang: str, coders: tuple[str, ...]) -> str:
    """The adjudication's reason in the reader's language (the Chinese, marked, when
    only Chinese was recorded)."""
    zh, en = split_reason(adj.reason)
    text = readable(zh if lang == "zh" or not en else en, cb, lang, coders)
    if lang != "zh" and not en:
        return T.say("reason_zh_only", lang, reason=text)
    return text


def _measures(r: RoundFacts, lang: str) -> list[tuple[str, float | None]]:
    items = [
        (t(lang, "机制得分", "scores"), r.alpha_ordinal_reported),
        (t(lang, "状态", "statuses"), r.alpha_status_nominal),
    ]
    if r.outcomes.alpha is not None:
        items.append((t(lang, "成效", "outcomes"), r.outcomes.alpha))
    return items


def build(
    lang: str = defaults.LANG,
    casebase_dir: str | Path = "casebase",
    sources: str | Path | None = "",
) -> Report:
    """The 编码信度 report.

    Parameters
    ----------
    lang : {"zh", "en"}
    casebase_dir, sources : path
        Case base and corpus folders (relative to the project root; ``""`` = default).

    Returns
    -------
    Report

    Raises
    ------
    analysis.reports.errors.ParameterError
    analysis.reports.errors.NotBuildable
        When the case base has no independent codings.
    """
    from analysis.reports.errors import NotBuildable

    check_lang(lang)
    cb = open_casebase(casebase_dir, sources or None)
    rf = facts(cb)
    if rf is None:
        raise NotBuildable(plain_text(T.say("no_rounds", "zh") + " / " + T.say("no_rounds", "en")))
    return write(cb, rf, lang)


def write(cb: CaseBase, rf: ReliabilityFacts, lang: str) -> Report:
    """The report text, from the facts."""
    cur = rf.current_round
    lab = cb.labels(lang)
    codes = code_labels(cb, lang)
    rname = round_name(cur.id, lang)
    fmt = {"reliable": f"{rf.reliable:.2f}", "tentative": f"{rf.tentative:.3f}"}
    measures = _measures(cur, lang)
    sep = "，" if lang == "zh" else ", "
    measure_text = sep.join(T.say("measure", lang, what=w, alpha=_a(v)) for w, v in measures)
    weak = [w for w, v in measures if verdict(v, rf.reliable, rf.tentative) != "reliable"]
    adjudicated = [d for d in cur.disagreements if d.adjudication is not None]

    report = Report(
        kind="reliability",
        lang=lang,
        title=T.say("title", lang),
        subtitle=T.say(
            "subtitle",
            lang,
            round=rname,
            version=cur.codebook_version,
            n_cases=rf.n_cases,
            n_rounds=len(rf.rounds),
        ),
        summary=T.say(
            "summary",
            lang,
            round=rname,
            version=cur.codebook_version,
            measures=measure_text,
            verdict=T.say("verdict_all", lang, reliable=fmt["reliable"])
            if not weak
            else T.say("verdict_some", lang, weak=joined(weak, lang), reliable=fmt["reliable"]),
            n_dis=len(cur.disagreements),
            n_adj=len(adjudicated),
            all_adjudicated=len(adjudicated) == len(cur.disagreements),
        ),
        facts=rf,
    )

    # 核心判断
    flagged = sorted(
        (c for c in cur.per_code if verdict(c.alpha) in ("tentative", "unreliable")),
        key=lambda c: (c.alpha, c.code),
    )
    undefined = [c for c in cur.per_code if c.alpha is None]
    report.judgements = [
        Point(
            T.say(
                "judge_current",
                lang,
                round=rname,
                ok=not weak,
                measures=measure_text,
                reliable=fmt["reliable"],
            )
        ),
        Point(
            T.say(
                "judge_codes",
                lang,
                codes=joined(
                    [
                        f"{codes[c.code]}（α {c.alpha:.2f}）"
                        if lang == "zh"
                        else f"{codes[c.code]} (α {c.alpha:.2f})"
                        for c in flagged
                    ],
                    lang,
                ),
                n_undefined=len(undefined),
            )
            if flagged
            else T.say(
                "judge_codes_none", lang, reliable=fmt["reliable"], n_undefined=len(undefined)
            )
        ),
    ]
    if cur.both_zero_or_missing is not None and cur.alpha_ordinal is not None:
        report.judgements.append(
            Point(
                T.say(
                    "judge_silence",
                    lang,
                    share=_pct(cur.both_zero_or_missing),
                    alpha0=_a(cur.alpha_ordinal),
                )
            )
        )
    report.judgements = report.judgements[: defaults.MAX_JUDGEMENTS]

    # 一、各轮信度
    rs = Section("rounds", t(lang, "各轮信度", "Reliability by round"))
    rs.paragraphs += [
        T.say(
            "rounds_current",
            lang,
            round=rname,
            coders=_coders(cur, lang),
            version=cur.codebook_version,
            n_cases=len(cur.cases),
            n_codes=cur.n_codes,
            units=cur.units,
        ),
        T.say(
            "rounds_missing_aware",
            lang,
            a_rep=_a(cur.alpha_ordinal_reported),
            n_rep=cur.units_reported_by_either,
            a_status=_a(cur.alpha_status_nominal),
            a_out=_a(cur.outcomes.alpha),
            out_both=cur.outcomes.scored_by_both,
            out_one=cur.outcomes.scored_by_one,
            out_claim=cur.outcomes.same_claim_strength,
        ),
        T.say(
            "rounds_standard",
            lang,
            judged=sep.join(
                T.say("judged_item", lang, what=w, v=verdict(v, rf.reliable, rf.tentative))
                for w, v in measures
            ),
            **fmt,
        ),
    ]
    if cur.alpha_ordinal is not None:
        rs.paragraphs.append(
            T.say(
                "rounds_silence",
                lang,
                zero_or_missing=_pct(cur.both_zero_or_missing),
                missing=_pct(cur.both_missing),
                alpha0=_a(cur.alpha_ordinal),
                kappa=_a(cur.kappa_presence),
                exact=_pct(cur.exact_agreement),
            )
        )
    rs.paragraphs.append(T.say("coders_note", lang))
    if rf.history:
        rs.groups.append(
            (
                t(lang, "历史轮次", "Earlier rounds"),
                [
                    Point(
                        T.say(
                            "history_point",
                            lang,
                            round=round_name(r.id, lang),
                            version=r.codebook_version,
                            coders=_coders(r, lang),
                            n_cases=len(r.cases),
                            units=r.units,
                            alpha0=_a(r.alpha_ordinal),
                            kappa=_a(r.kappa_presence),
                            n_dis=len(r.disagreements),
                            a_rep=_a(r.alpha_ordinal_reported),
                            a_status=_a(r.alpha_status_nominal),
                            a_out=_a(r.outcomes.alpha),
                        )
                    )
                    for r in rf.history
                ],
            )
        )
        rs.paragraphs.append(T.say("history_intro", lang))
    report.sections["rounds"] = rs

    # 二、各编码信度
    cs = Section("codes", t(lang, "各编码信度", "Agreement per code"))
    counts = {v: 0 for v in ("reliable", "tentative", "unreliable", "undefined")}
    for c in cur.per_code:
        counts[verdict(c.alpha, rf.reliable, rf.tentative)] += 1
    cs.paragraphs += [
        T.say(
            "codes_count",
            lang,
            round=rname,
            n=cur.n_codes,
            n_ok=counts["reliable"],
            n_tent=counts["tentative"],
            n_low=counts["unreliable"],
            n_undef=counts["undefined"],
            **fmt,
        ),
        T.say("codes_caveat", lang, n_cases=len(cur.cases)),
    ]
    cs.points = [
        Point(
            T.say(
                "code_point",
                lang,
                label=codes[c.code],
                alpha=f"{c.alpha:.2f}",
                n=c.n,
                n_dis=c.disagreements,
                v=verdict(c.alpha, rf.reliable, rf.tentative),
            )
        )
        for c in flagged
    ]
    if undefined:
        cs.paragraphs.append(
            T.say(
                "codes_undefined",
                lang,
                codes=joined([codes[c.code] for c in undefined], lang, limit=12),
            )
        )
    cs.figures.append(
        (
            T.say("figure_codes", lang, round=rname, **fmt),
            code_alpha_figure(cur, codes, lang, rf),
        )
    )
    report.sections["codes"] = cs

    # 三、分歧与裁决
    ds = Section("disagreements", t(lang, "分歧与裁决", "Disagreements and adjudication"))
    if any(r.disagreements for r in rf.history):
        items = [
            T.say("dis_history_item", lang, round=round_name(r.id, lang), n=len(r.disagreements))
            for r in rf.history
        ]
        ds.paragraphs.append(T.say("dis_history", lang, items=MarkdownText(joined(items, lang))))
    if cur.disagreements:
        ds.paragraphs.append(
            T.say(
                "dis_intro",
                lang,
                round=rname,
                n=len(cur.disagreements),
                n_adj=len(adjudicated),
                units=cur.units,
                share=f"{len(cur.disagreements) / cur.units:.0%}",
            )
        )
        ds.points = [disagreement_point(cb, cur, d, lab, codes, lang) for d in cur.disagreements]
    else:
        ds.paragraphs.append(T.say("dis_none", lang, round=rname))
    report.sections["disagreements"] = ds

    # 附：方法与证据
    report.appendix["method"] = Section(
        "method",
        t(lang, "方法说明", "Method"),
        [T.say("method", lang, n_cases=rf.n_cases)]
        + [
            T.say(
                "round_notes",
                lang,
                round=round_name(r.id, lang),
                version=r.codebook_version,
                coders=_coders(r, lang),
                note=readable(r.note, cb, lang, r.coders),
            )
            for r in rf.rounds
            if lang != "zh" and r.note
        ],
        tables=[(t(lang, "各轮信度", "Rounds"), rounds_table(rf, lang))],
    )
    for r in (cur, *reversed(rf.history)):
        report.appendix[f"round_{r.id}"] = Section(
            f"round_{r.id}",
            t(
                lang,
                f"{round_name(r.id, lang)}：各编码与分歧",
                f"Round {r.id}: codes and disagreements",
            ),
            tables=[
                (t(lang, "各编码的 α", "α per code"), code_table(r, codes, lang)),
                *(
                    [
                        (
                            t(
                                lang,
                                "分歧、双方证据与裁决",
                                "Disagreements, both coders' evidence and adjudication",
                            ),
                            disagreement_table(cb, r, codes, lang),
                        )
                    ]
                    if r.disagreements
                    else []
                ),
            ],
        )
    return report


def disagreement_point(
    cb: CaseBase,
    r: RoundFacts,
    d: Disagreement,
    lab: dict[str, dict[str, str]],
    codes: dict[str, str],
    lang: str,
) -> Point:
    """One disagreement as a sentence: both scores, the adjudication and its reason."""
    a, b = (coder_name(c, lang) for c in r.coders)
    adj = d.adjudication
    return Point(
        T.say(
            "dis_point",
            lang,
            case=lab["case_short"].get(d.case_id, d.case_id),
            code=codes.get(d.code, d.code),
            a=a,
            b=b,
            sa=f"{d.scores[0]:.2f}",
            sb=f"{d.scores[1]:.2f}",
            steps=abs(d.steps),
            final=_score(adj.final, lang) if adj else None,
            final_nr=adj is not None and adj.final is None,
            reason=reason_text(cb, adj, lang, r.coders) if adj else None,
        )
    )


def code_alpha_figure(r: RoundFacts, codes: dict[str, str], lang: str, rf: ReliabilityFacts) -> Any:
    """Per-code α bars of one round, with the two thresholds, labelled in ``lang``."""
    from analysis import plots

    plots.setup()
    per = pd.DataFrame(
        {"alpha": [float("nan") if c.alpha is None else c.alpha for c in r.per_code]},
        index=pd.Index([c.code for c in r.per_code], name="code"),
    )
    fig = plots.alpha_bars(per, codes)
    # Compact bars, so the figure sits on a page with its text (not alone on a page).
    fig.set_size_inches(7.2, 0.9 + 0.16 * len(per))
    ax = fig.axes[0]
    ax.set_xlabel(t(lang, "Krippendorff α（定序）", "Krippendorff's α (ordinal)"))
    for txt in ax.texts:
        if txt.get_text() == "n/a":
            txt.set_text(t(lang, "无定义", "undefined"))
    return fig


def _cell(x: float | None, digits: int = 3) -> str:
    return "—" if x is None else f"{x:.{digits}f}"


def rounds_table(rf: ReliabilityFacts, lang: str) -> pd.DataFrame:
    """Every round's measures, the current one marked."""
    rows = []
    for r in rf.rounds:
        rows.append(
            {
                t(lang, "轮次", "Round"): round_name(r.id, lang)
                + t(lang, f"（第 {r.codebook_version} 版", f" (v{r.codebook_version}")
                + (t(lang, "，当前）", ", current)") if r.id == rf.current else t(lang, "）", ")")),
                t(lang, "编码者", "Coders"): _coders(r, lang),
                t(lang, "单元", "Units"): str(r.units),
                t(lang, "得分 α（未报告为缺失）", "Scores α (silence missing)"): _cell(
                    r.alpha_ordinal_reported
                ),
                t(lang, "状态 α", "Statuses α"): _cell(r.alpha_status_nominal),
                t(lang, "成效 α", "Outcomes α"): _cell(r.outcomes.alpha),
                t(lang, "得分 α（未报告计 0）", "Scores α (silence as 0)"): _cell(r.alpha_ordinal),
                t(lang, "双方为 0 或未报告", "Both 0 or silent"): _pct(r.both_zero_or_missing),
                t(lang, "分歧数", "Disagreements"): str(len(r.disagreements)),
            }
        )
    return pd.DataFrame(rows)


def code_table(r: RoundFacts, codes: dict[str, str], lang: str) -> pd.DataFrame:
    """Per-code α of one round, lowest first (undefined last)."""
    items = sorted(r.per_code, key=lambda c: (c.alpha is None, c.alpha or 0, c.code))
    verdicts = {
        "reliable": t(lang, "可靠", "reliable"),
        "tentative": t(lang, "初步", "tentative"),
        "unreliable": t(lang, "不可靠", "not reliable"),
        "undefined": t(lang, "无定义", "undefined"),
    }
    return pd.DataFrame(
        [
            {
                t(lang, "编码", "Code"): codes.get(c.code, c.code),
                "α": _cell(c.alpha, 2),
                t(lang, "判断", "Verdict"): verdicts[verdict(c.alpha)],
                t(lang, "单元", "Units"): str(c.n),
                t(lang, "完全一致率", "Exact agreement"): _pct(c.exact_agreement),
                t(lang, "分歧数", "Disagreements"): str(c.disagreements),
            }
            for c in items
        ]
    )


def _bare(quote: str) -> str:
    """A quote without its own outer quotation marks (we add ours)."""
    return quote.strip().strip('“”"')


def disagreement_table(
    cb: CaseBase, r: RoundFacts, codes: dict[str, str], lang: str
) -> pd.DataFrame:
    """Every disagreement of a round with both coders' quotes and the adjudication."""
    lab = cb.labels(lang)
    a, b = (coder_name(c, lang) for c in r.coders)
    sep = "；" if lang == "zh" else "; "

    def quotes(qs: tuple[Quote, ...]) -> str:
        if not qs:
            return t(lang, "（未报告，无证据）", "(not reported, no evidence)")
        return sep.join(
            f"“{_bare(q.quote)}”（{cite(cb, q.source, lang)}，第 {q.start}–{q.end} 字）"
            if lang == "zh"
            else f"“{_bare(q.quote)}” ({cite(cb, q.source, lang)}, chars {q.start}–{q.end})"
            for q in qs
            if q.source in cb.sources
        )

    rows = []
    for d in r.disagreements:
        adj = d.adjudication
        case = lab["case_short"].get(d.case_id, d.case_id)
        rows.append(
            {
                t(lang, "分歧", "Disagreement"): (
                    f"{case} · {codes.get(d.code, d.code)}：{a} {d.scores[0]:.2f}，{b} {d.scores[1]:.2f}"
                    if lang == "zh"
                    else f"{case} · {codes.get(d.code, d.code)}: {a} {d.scores[0]:.2f}, "
                    f"{b} {d.scores[1]:.2f}"
                ),
                t(lang, f"{a}的证据", f"{a}'s evidence"): quotes(d.evidence[0]),
                t(lang, f"{b}的证据", f"{b}'s evidence"): quotes(d.evidence[1]),
                t(lang, "裁决与理由", "Adjudication and reason"): (
                    f"{_score(adj.final, lang)}：{reason_text(cb, adj, lang, r.coders)}"
                    if lang == "zh"
                    else f"{_score(adj.final, lang)}: {reason_text(cb, adj, lang, r.coders)}"
                )
                if adj
                else "—",
            }
        )
    return pd.DataFrame(rows)


__all__ = [
    "Adjudication",
    "CodeAlpha",
    "Disagreement",
    "OutcomeAgreement",
    "ReliabilityFacts",
    "RoundFacts",
    "build",
    "facts",
    "verdict",
    "write",
]
