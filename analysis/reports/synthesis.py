"""综合比较: one cross-case synthesis — which model fits which conditions.

Facts first (:func:`facts`): the typology on the declared, calibrated conditions;
the models × context matrix; the structured, focused comparison (the same
questions asked of every case, George & Bennett); outcome by outcome, who
reports what and what the guarded QCA may say (:func:`analysis.compare.compare`:
benchmark, permutation test, every model, necessity verdicts, excluded cases);
practices several cases share; the similarity structure with its stability.
Then text (:func:`write`) in the genre: 核心判断 → 基本情况 → 主要做法 (structured
comparison) → 成效 → 存在问题 → 对策建议 → 附：方法与证据.

Examples
--------
>>> r = build()                                            # doctest: +SKIP
>>> list(r.sections)                                       # doctest: +SKIP
['background', 'practices', 'effects', 'problems', 'recommendations']
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from analysis import configuration, plots, similarity
from analysis.casebase import CaseBase
from analysis.md_text import MarkdownText
from analysis.reports import appendix, defaults
from analysis.reports.casefacts import CaseFacts, Quote, as_evidence, case_facts, comparison
from analysis.reports.common import check_case, check_lang, cite, id_list, open_casebase
from analysis.reports.errors import ParameterError
from analysis.reports.labels import level_label, status_label, type_label, vocab_label
from analysis.reports.model import GENRE_HEADINGS, Point, Recommendation, Report, Section
from analysis.reports.text import Templates, joined, t

STRONG = 0.67
SPLIT_STABILITY = 0.9

T = Templates(
    {
        "title": {
            "zh": "{{ n }}个基层社会治理模式综合比较：哪种模式适合哪些条件",
            "en": "{{ n }} grassroots governance models compared: which model fits which conditions",
        },
        "subtitle": {
            "zh": "综合比较 · {{ n }} 个案例 · 依据 {{ sources }}",
            "en": "Cross-case synthesis · {{ n }} cases · based on {{ sources }}",
        },
        "summary": {
            "zh": "{{ n }} 个模式：{{ types }}；成效均无独立评估，构型分析仅为探索性",
            "en": "{{ n }} models: {{ types }}; no result is independently evaluated, and the "
            "configurational analysis is exploratory only",
        },
        "type_group": {"zh": "“{{ type }}”（{{ cases }}）", "en": "“{{ type }}” ({{ cases }})"},
        "judge_types": {
            "zh": "按声明的 {{ k }} 个条件校准后，{{ n }} 个模式分属 {{ n_types }} 种理想类型：{{ groups }}"
            "{% if none %}；{{ none }}不属于任何类型{% endif %}。",
            "en": "Calibrated on the {{ k }} declared conditions, the {{ n }} models fall into "
            "{{ n_types }} ideal types: {{ groups }}{% if none %}; {{ none }} belong(s) to none{% endif %}.",
        },
        "judge_context": {
            "zh": "各模式的实施层级从{{ low }}到{{ high }}不等，借鉴时应先比层级、城乡形态与财力，再比做法；"
            "{{ shared }}",
            "en": "The models run at levels from {{ low }} to {{ high }}: compare level, urban or "
            "rural form and fiscal means before comparing practices; {{ shared }}",
        },
        "judge_shared": {
            "zh": "{{ n_shared }} 项做法在两个及以上案例中都有具体实践，是跨条件较稳健的借鉴对象。",
            "en": "{{ n_shared }} practices are carried out in two or more cases, the most robust "
            "candidates for transfer across conditions.",
        },
        "judge_no_shared": {
            "zh": "没有一项做法在两个以上案例中都有具体实践。",
            "en": "No practice is carried out concretely in more than one case.",
        },
        "judge_evidence": {
            "zh": "成效证据{% if independent %}{% else %}偏弱：{% endif %}{{ n_claims }} 项成效声称来自{{ claims }}"
            "{% if not independent %}，没有独立评估{% endif %}；每个结果变量可用于定性比较分析的案例至多 "
            "{{ max_usable }} 个，{% if n_confirmatory == 0 %}构型结论只能是探索性的，不能据此判断哪种条件组合带来成效。"
            "{% else %}{{ n_confirmatory }} 个结果变量的构型通过基准与置换检验（见附录），其余仅为探索性。{% endif %}",
            "en": "{% if not independent %}The evidence of results is weak: {% endif %}the "
            "{{ n_claims }} outcome claims come from {{ claims }}{% if not independent %}, none "
            "from an independent evaluation{% endif %}; at most {{ max_usable }} cases per outcome "
            "are usable for qualitative comparative analysis, {% if n_confirmatory == 0 %}so "
            "configurational findings are exploratory and cannot say which combination of "
            "conditions brings results.{% else %}and {{ n_confirmatory }} outcome(s) pass the "
            "benchmark and the permutation test (appendix); the others are exploratory.{% endif %}",
        },
        "background_intro": {
            "zh": "本比较涉及 {{ n }} 个模式，层级、时期与来源类型各不相同（下表）。来源多为实施方或党校作者的总结，"
            "所有数字描述这些文本，不是对全国情况的统计推断。",
            "en": "The comparison covers {{ n }} models that differ in level, period and kind of "
            "source (table). Most sources are summaries by implementers or party-school authors; "
            "every figure describes these texts, not China as a whole.",
        },
        "practices_intro": {
            "zh": "结构化、聚焦比较（George & Bennett）：对每个案例提出同样的问题，只用原文证据回答；"
            "来源未报告的写明“未报告”，节选未覆盖的写明“节选未覆盖”。",
            "en": "Structured, focused comparison (George & Bennett): the same questions asked of "
            "every case and answered only from the evidence; silence is marked not reported, an "
            "excerpt's gap not covered.",
        },
        "answer": {
            "zh": "{{ case }}：{{ items }}",
            "en": "{{ case }}: {{ items }}",
        },
        "answer_rest": {
            "zh": "以上列出证据最充分的 {{ shown }} 个案例；{{ n }} 个案例中共 {{ answered }} 个有具体实践，"
            "其余未报告或节选未覆盖（全部见 facts/synthesis.json）。",
            "en": "The {{ shown }} cases with the strongest evidence are listed; {{ answered }} of "
            "{{ n }} cases report a practice, the others are silent or not covered (all in "
            "facts/synthesis.json).",
        },
        "answer_silent": {
            "zh": "{{ case }}：{{ state }}",
            "en": "{{ case }}: {{ state }}",
        },
        "effects_intro": {
            "zh": "逐个结果变量列出各案例来源的说法及其声称者；“未报告”不等于没有成效。",
            "en": "Outcome by outcome: what each case's source says and who asserts it; not "
            "reported is not the same as no result.",
        },
        "effect_row": {
            "zh": "{{ outcome }}：{% if reports %}{{ reports }}{% else %}无案例报告{% endif %}"
            "{% if silent %}；{{ silent }}未报告{% endif %}。{{ qca }}",
            "en": "{{ outcome }}: {% if reports %}{{ reports }}{% else %}no case reports it{% endif %}"
            "{% if silent %}; not reported by {{ silent }}{% endif %}. {{ qca }}",
        },
        "effect_more": {
            "zh": "另有 {{ n }} 个案例（见 facts/synthesis.json）",
            "en": "{{ n }} more cases (in facts/synthesis.json)",
        },
        "effect_case": {
            "zh": "{{ case }}{{ level }}（{{ who }}）",
            "en": "{{ case }} {{ level }} ({{ who }})",
        },
        "qca_exploratory": {
            "zh": "定性比较分析只有 {{ n }} 个可用案例，属探索性，不作结论。",
            "en": "The qualitative comparative analysis has {{ n }} usable cases: exploratory, no conclusion.",
        },
        "qca_confirmatory": {
            "zh": "定性比较分析：{{ models }}（一致性与覆盖度见附录）。",
            "en": "Qualitative comparative analysis: {{ models }} (fit in the appendix).",
        },
        "problem_evidence": {
            "zh": "成效的证据基础：{{ counts }}；没有一项来自独立评估或第三方调查。",
            "en": "The basis of the results: {{ counts }}; none comes from an independent "
            "evaluation or third-party survey.",
        },
        "problem_silence": {
            "zh": "来源沉默面大：各案例未报告的机制占 {{ low }}–{{ high }}，这些是待核实的缺失数据，不是短板"
            "（见各案例的调研提纲）。",
            "en": "The sources are silent on much: {{ low }}–{{ high }} of the mechanisms per "
            "case are not reported — missing data to be checked, not weaknesses (see each "
            "case's field-research guide).",
        },
        "problem_case": {"zh": "{{ case }}：{{ text }}", "en": "{{ case }}: {{ text }}"},
        "gap": {
            "zh": "{{ label }}：{{ have }}有具体实践，{{ lack }}来源报告缺失或仅作建议",
            "en": "{{ label }}: practised in {{ have }}, reported missing or only proposed in {{ lack }}",
        },
        "rec_shared": {
            "zh": "在不同层级推广已被多地实践的“{{ label }}”",
            "en": "Spread “{{ label }}”, already practised in several places and levels",
        },
        "rec_shared_conditions": {
            "zh": "已在{{ cases }}实行，层级涵盖{{ levels }}；条件相近处可直接参照，差异大处先小范围试点。",
            "en": "Practised in {{ cases }}, at {{ levels }} level; places in similar conditions can "
            "follow directly, others should pilot first.",
        },
        "rec_type": {
            "zh": "{{ levels }}可参照“{{ type }}”路径（{{ cases }}），按类型成套借鉴，而不是零散移植单项做法",
            "en": "{{ levels }} governments can follow the “{{ type }}” path ({{ cases }}), "
            "adopting its practices together rather than one by one",
        },
        "rec_type_conditions": {
            "zh": "该类型的案例在{{ context }}条件下实行；类型由条件{{ profile }}定义。",
            "en": "The cases of this type work under these conditions: {{ context }}; the type is "
            "defined by {{ profile }}.",
        },
        "rec_evaluate": {
            "zh": "推广前委托第三方对{{ outcomes }}开展独立评估",
            "en": "Commission an independent evaluation of {{ outcomes }} before spreading any model",
        },
        "rec_evaluate_conditions": {
            "zh": "适用于所有拟借鉴的模式：{{ n }} 个案例的成效都只有自述或研究者分析为据。",
            "en": "Applies to every model considered: the results of all {{ n }} cases rest only on "
            "self-reports or researchers' analysis.",
        },
        "rec_risks": {
            "zh": "成效依据为{{ claims }}，未经独立评估{% if membership %}；类型隶属度为 {{ membership }}，"
            "依据各案例的单一来源{% endif %}。",
            "en": "Results rest on {{ claims }}, not independently evaluated"
            "{% if membership %}; type membership is {{ membership }}, from one source per case{% endif %}.",
        },
        "rec_evaluate_risks": {
            "zh": "评估需要时间与经费；不评估则可能推广未经证实的做法。",
            "en": "Evaluation costs time and money; without it, unproven practices may be spread.",
        },
        "rec_scope": {"zh": "{{ scope }}", "en": "{{ scope }}"},
        "basis": {
            "zh": "依据：{{ n }} 个案例的编码文本（{{ sources }}）。详见《{{ title }}》，含适用条件、风险与原文证据。",
            "en": "Basis: the coded texts of {{ n }} cases ({{ sources }}). Details, with "
            "conditions, risks and evidence, in “{{ title }}”.",
        },
        "n_caveat": {
            "zh": "本比较只有 {{ n }} 个案例：所有数字描述已编码的文本，不是对全国情况的统计推断。",
            "en": "This comparison has only {{ n }} cases: every figure describes the coded texts, "
            "not China as a whole.",
        },
        "qca_settings": {
            "zh": "定性比较分析设置：一致性阈值 {{ incl }}，PRI 阈值 {{ pri }}（PRI 低于阈值的行不设为 1）；"
            "必要条件须一致性 ≥ {{ nincl }} 且相关性 RoN ≥ {{ ron }}，并检查偏斜；方向性预期只取 conditions.yaml 的声明。",
            "en": "QCA settings: consistency cut {{ incl }}, PRI cut {{ pri }} (rows below it are "
            "not set to 1); a necessary condition needs consistency ≥ {{ nincl }} and relevance "
            "RoN ≥ {{ ron }}, with a skewness check; directional expectations only as declared "
            "in conditions.yaml.",
        },
        "qca_outcome": {
            "zh": "{{ outcome }}：可用案例 {{ n }} 个{% if excluded %}（排除：{{ excluded }}）{% endif %}。"
            "{% if bench is not none %}随机数据在 {{ bench }} 的模拟中同样无矛盾（基准要求不超过 {{ limit }}）；{% endif %}"
            "{% if perm is not none %}置换检验中 {{ perm }} 的随机结果至少同样好；{% endif %}"
            "{{ verdict }}",
            "en": "{{ outcome }}: {{ n }} usable cases{% if excluded %} (left out: {{ excluded }}){% endif %}. "
            "{% if bench is not none %}Random data are contradiction-free in {{ bench }} of simulations "
            "(the benchmark needs at most {{ limit }}); {% endif %}"
            "{% if perm is not none %}{{ perm }} of permuted outcomes do at least as well; {% endif %}"
            "{{ verdict }}",
        },
        "verdict_exploratory": {
            "zh": "结论：探索性，不作构型或必要性判断。",
            "en": "Verdict: exploratory; no configurational or necessity claim.",
        },
        "verdict_confirmatory": {
            "zh": "结论：通过基准与置换检验。",
            "en": "Verdict: passes the benchmark and the permutation test.",
        },
        "qca_models": {
            "zh": "{{ kind }}解：{{ models }}{% if ambiguous %}（{{ k }} 个同样好的模型，全部列出）{% endif %}。",
            "en": "{{ kind }} solution: {{ models }}{% if ambiguous %} ({{ k }} equally good models, all listed){% endif %}.",
        },
        "excluded": {
            "zh": "{{ case }}（{% if outcome %}结果未报告{% endif %}{% if outcome and (missing or crossover) %}，{% endif %}"
            "{% if missing %}{{ missing }}缺失{% endif %}{% if missing and crossover %}，{% endif %}"
            "{% if crossover %}{{ crossover }}恰在交叉点{% endif %}）",
            "en": "{{ case }} ({% if outcome %}outcome not reported{% endif %}{% if outcome and (missing or crossover) %}; {% endif %}"
            "{% if missing %}{{ missing }} missing{% endif %}{% if missing and crossover %}; {% endif %}"
            "{% if crossover %}{{ crossover }} at the crossover{% endif %})",
        },
        "qca_no_models": {
            "zh": "{{ reason }}",
            "en": "{{ reason }}",
        },
        "similarity": {
            "zh": "模糊 Jaccard 相似度只计两案例都有报告的编码。{{ n_pairs }} 个案例对中，{{ n_tied }} 对的刀切法区间与最相似的一对重叠，"
            "名次并列；{% if stable %}两组划分（{{ split }}）在 {{ share }} 的留一编码重聚类中重现，可以命名{% else %}"
            "两组划分在留一编码重聚类中只重现 {{ share }}，不足 {{ need }}，不命名{% endif %}。同表型相关 {{ coph }}，MDS 应力 {{ stress }}。",
            "en": "Fuzzy Jaccard similarity counts only codes reported for both cases. Of "
            "{{ n_pairs }} pairs, {{ n_tied }} have jackknife intervals overlapping the most "
            "similar pair's and are tied; {% if stable %}the two-group split ({{ split }}) "
            "recurs in {{ share }} of leave-one-code-out reclusterings and is named{% else %}"
            "the two-group split recurs in only {{ share }} of reclusterings (below {{ need }}) "
            "and is not named{% endif %}. Cophenetic correlation {{ coph }}, MDS stress {{ stress }}.",
        },
    }
)


# --------------------------------------------------------------------------- facts


@dataclass(frozen=True)
class TypeGroup:
    """An ideal type with the cases that belong to it (membership above 0.5)."""

    type_id: str
    cases: tuple[str, ...]
    memberships: tuple[float, ...]


@dataclass(frozen=True)
class SharedPractice:
    """A code practised concretely (membership ≥ 0.67) in two or more cases."""

    code: str
    cases: tuple[str, ...]
    levels: tuple[str, ...]
    evidence: tuple[tuple[str, Quote], ...]


@dataclass(frozen=True)
class CrossGap:
    """A code practised in some cases and reported missing or only proposed in others."""

    code: str
    have: tuple[str, ...]
    lack: tuple[str, ...]
    evidence: tuple[tuple[str, Quote], ...]


@dataclass(frozen=True)
class OutcomeFact:
    """One outcome across the cases, and what the guarded QCA may say of it."""

    outcome: str
    reports: tuple[tuple[str, float, str | None], ...]
    silent: tuple[str, ...]
    n_usable: int
    status: str
    exploratory: bool
    reasons: tuple[str, ...]
    benchmark_p: float | None
    benchmark_limit: float | None
    permutation_p: float | None
    solutions: tuple[tuple[str, tuple[str, ...]], ...]
    excluded: tuple[tuple[str, bool, tuple[str, ...], tuple[str, ...]], ...]
    necessity: tuple[tuple[str, str, float, float], ...]


@dataclass(frozen=True)
class SimilarityFacts:
    """The similarity structure and how far it holds."""

    n_pairs: int
    n_tied_top: int
    split: tuple[tuple[str, ...], ...]
    split_share: float
    split_stable: bool
    cophenetic: float
    stress: float


@dataclass(frozen=True)
class SynthesisFacts:
    """Everything the 综合比较 says, before any text."""

    cases: tuple[str, ...]
    conditions: tuple[str, ...]
    types: tuple[TypeGroup, ...]
    unassigned: tuple[str, ...]
    shared: tuple[SharedPractice, ...]
    gaps: tuple[CrossGap, ...]
    outcomes: tuple[OutcomeFact, ...]
    similarity: SimilarityFacts
    claims: tuple[tuple[str, int], ...]
    not_reported_share: tuple[tuple[str, float], ...]


def shared_practices(cb: CaseBase, facts: dict[str, CaseFacts]) -> tuple[SharedPractice, ...]:
    """Codes practised concretely in two or more cases, most widely shared first."""
    out = []
    for code in cb.code_ids:
        have = [
            c
            for c, f in facts.items()
            if (m := f.mechanism(code)) is not None and m.score is not None and m.score >= STRONG
        ]
        if len(have) >= 2:
            out.append(
                SharedPractice(
                    code,
                    tuple(have),
                    tuple(sorted({facts[c].level for c in have})),
                    tuple((c, facts[c].mechanism(code).evidence[0]) for c in have),
                )
            )
    out.sort(key=lambda s: (-len(s.cases), -len(s.levels), cb.code_ids.index(s.code)))
    return tuple(out)


def cross_gaps(cb: CaseBase, facts: dict[str, CaseFacts]) -> tuple[CrossGap, ...]:
    """Codes practised in some cases and reported missing or only proposed in others."""
    out = []
    for code in cb.code_ids:
        have, lack, ev = [], [], []
        for c, f in facts.items():
            m = f.mechanism(code)
            if m is None:
                continue
            if m.score is not None and m.score >= STRONG:
                have.append(c)
            elif m.status in ("absent", "proposed") and m.evidence:
                lack.append(c)
                ev.append((c, m.evidence[0]))
        if have and lack:
            out.append(CrossGap(code, tuple(have), tuple(lack), tuple(ev)))
    return tuple(out)


def _outcome_fact(oc: Any, facts: dict[str, CaseFacts]) -> OutcomeFact:
    reports, silent = [], []
    for c, f in facts.items():
        o = next((o for o in f.outcomes if o.outcome == oc.outcome), None)
        if o is None or o.score is None:
            silent.append(c)
        else:
            reports.append((c, float(o.score), o.claim_strength))
    return OutcomeFact(
        oc.outcome,
        tuple(reports),
        tuple(silent),
        oc.n_cases,
        oc.status,
        oc.exploratory,
        tuple(oc.exploratory_reasons),
        None if oc.benchmark is None else float(oc.benchmark.p_contradiction_free),
        None if oc.benchmark is None else float(oc.benchmark.threshold),
        None if oc.permutation is None else float(oc.permutation.p_value),
        tuple((k, tuple(m.expression for m in s.models)) for k, s in oc.solutions.items()),
        tuple((e.case, e.outcome_missing, e.missing, e.crossover) for e in oc.excluded),
        tuple((v.condition, v.verdict, float(v.inclN), float(v.RoN)) for v in oc.necessity),
    )


def _similarity(cb: CaseBase, cases: Sequence[str]) -> tuple[SimilarityFacts, Any]:
    cbf = cb.codebook_frame()
    m = configuration.membership_matrix(cb.membership().loc[list(cases)], cbf)
    dist = similarity.distance_matrix(m, "fuzzy_jaccard")
    hc = similarity.cluster(dist)
    mds = similarity.mds(dist)
    ranked = similarity.rank_pairs(similarity.similarity_intervals(m, "fuzzy_jaccard"))
    stab = similarity.split_stability(m, "fuzzy_jaccard", threshold=SPLIT_STABILITY)
    top = ranked.iloc[0]
    sim = SimilarityFacts(
        len(ranked),
        int(top["n_tied"]),
        tuple(tuple(g) for g in stab.full_split),
        float(stab.share),
        bool(stab.stable),
        float(hc.cophenetic),
        float(mds.stress),
    )
    return sim, (m, dist, hc, ranked)


def facts(cb: CaseBase, cases: Sequence[str]) -> SynthesisFacts:
    """Compute the language-free facts of the 综合比较 over ``cases``."""
    comp = comparison(cb, cases)
    per_case = {c: case_facts(cb, c) for c in cases}
    groups: dict[str, list[tuple[str, float]]] = {}
    unassigned = []
    for a in comp.typology:
        if a.belongs and a.best:
            groups.setdefault(a.best, []).append((a.case, float(a.membership)))
        else:
            unassigned.append(a.case)
    types = tuple(
        TypeGroup(tid, tuple(c for c, _ in members), tuple(m for _, m in members))
        for tid, members in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    )
    claims: dict[str, int] = {}
    for f in per_case.values():
        for o in f.outcomes:
            if o.score is not None:
                key = o.claim_strength or "unknown"
                claims[key] = claims.get(key, 0) + 1
    nr = tuple(
        (c, sum(m.status == "not_reported" for m in f.mechanisms) / max(len(f.mechanisms), 1))
        for c, f in per_case.items()
    )
    sim, _ = _similarity(cb, cases)
    return SynthesisFacts(
        tuple(cases),
        tuple(c.id for c in comp.conditions.conditions),
        types,
        tuple(unassigned),
        shared_practices(cb, per_case),
        cross_gaps(cb, per_case),
        tuple(_outcome_fact(oc, per_case) for oc in comp.outcomes),
        sim,
        tuple(sorted(claims.items())),
        nr,
    )


# ---------------------------------------------------------------------------- text


def build(
    cases: Sequence[str] | str = "all",
    lang: str = defaults.LANG,
    casebase_dir: str | Path = "casebase",
    sources: str | Path | None = "",
) -> Report:
    """The 综合比较 over ``cases`` (``"all"``, a list or a comma-separated string).

    Raises
    ------
    analysis.reports.errors.UnknownCase
    analysis.reports.errors.ParameterError
        Fewer than three cases, or a bad language.
    """
    check_lang(lang)
    cb = open_casebase(casebase_dir, sources or None)
    case_list = id_list(cases, "cases") or cb.case_ids
    for c in case_list:
        check_case(cb, c)
    if len(case_list) < 3:
        raise ParameterError("a cross-case synthesis needs at least 3 cases")
    return write(cb, facts(cb, case_list), lang)


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


def _level_word(score: float, lang: str) -> str:
    if lang == "zh":
        return (
            "明显改善"
            if score >= 1
            else "有所改善"
            if score >= STRONG
            else "改善有限"
            if score > 0
            else "不足"
        )
    return (
        "clear improvement"
        if score >= 1
        else "some improvement"
        if score >= STRONG
        else "limited improvement"
        if score > 0
        else "shortfall"
    )


def write(cb: CaseBase, sf: SynthesisFacts, lang: str) -> Report:
    """The report text, from the facts."""
    lab = cb.labels(lang)
    comp = comparison(cb, sf.cases)
    cs = comp.conditions
    per_case = {c: case_facts(cb, c) for c in sf.cases}
    short = lambda c: lab["case_short"][c]  # noqa: E731
    ev = lambda c, quotes: as_evidence(cb, c, quotes, lang)  # noqa: E731
    n = len(sf.cases)
    source_ids = [s.source for c in sf.cases for s in per_case[c].sources]
    sources = joined([cite(cb, s, lang) for s in source_ids], lang)
    claims_text = joined([vocab_label(cb, "claim_strengths", k, lang) for k, _ in sf.claims], lang)
    group_texts = [
        T.say(
            "type_group",
            lang,
            type=type_label(cs, g.type_id, lang),
            cases=joined([short(c) for c in g.cases], lang),
        )
        for g in sf.types
    ]
    report = Report(
        kind="synthesis",
        lang=lang,
        title=T.say("title", lang, n=n),
        subtitle=T.say("subtitle", lang, n=n, sources=sources),
        summary=T.say("summary", lang, n=n, types=joined(group_texts, lang)),
        facts=sf,
    )
    report.basis = T.say("basis", lang, n=n, sources=sources, title=report.title)

    # 核心判断
    first_type_quote: tuple[Any, ...] = ()
    if sf.types:
        first_type_quote = _type_evidence(cs, sf.types[0], per_case, lang, cb)[:1]
    report.judgements.append(
        Point(
            T.say(
                "judge_types",
                lang,
                k=len(sf.conditions),
                n=n,
                n_types=len(sf.types),
                groups=joined(group_texts, lang),
                none=joined([short(c) for c in sf.unassigned], lang),
            ),
            first_type_quote,
        )
    )
    level_order = [
        "community",
        "subdistrict",
        "district",
        "county",
        "prefecture_city",
        "multi_city",
    ]
    levels = sorted(
        {per_case[c].level for c in sf.cases},
        key=lambda x: level_order.index(x) if x in level_order else 99,
    )
    shared_sentence = (
        T.say("judge_shared", lang, n_shared=len(sf.shared))
        if sf.shared
        else T.say("judge_no_shared", lang)
    )
    shared_quote: tuple[Any, ...] = ()
    if sf.shared:
        c, q = sf.shared[0].evidence[0]
        shared_quote = ev(c, (q,))
    report.judgements.append(
        Point(
            T.say(
                "judge_context",
                lang,
                low=level_label(levels[0], lang),
                high=level_label(levels[-1], lang),
                shared=shared_sentence,
            ),
            shared_quote,
        )
    )
    n_claims = sum(k for _, k in sf.claims)
    report.judgements.append(
        Point(
            T.say(
                "judge_evidence",
                lang,
                n_claims=n_claims,
                claims=claims_text,
                independent=any(k == "independent_evaluation" for k, _ in sf.claims),
                max_usable=max((o.n_usable for o in sf.outcomes), default=0),
                n_confirmatory=sum(not o.exploratory for o in sf.outcomes),
            ),
            note=t(lang, "见附：方法与证据", "see the appendix"),
        )
    )

    # 一、基本情况
    bg = Section("background", t(lang, *GENRE_HEADINGS["background"]))
    bg.paragraphs.append(T.say("background_intro", lang, n=n))
    if n <= defaults.MAX_LISTED_CASES:
        rows = []
        for c in sf.cases:
            f = per_case[c]
            src = f.sources[0] if f.sources else None
            stage = f.context_value("stage")
            rows.append(
                {
                    t(lang, "模式", "Model"): short(c),
                    t(lang, "层级", "Level"): level_label(f.level, lang),
                    t(lang, "起始年份", "Since"): str(f.start_year)
                    if f.start_year
                    else t(lang, "未报告", "not reported"),
                    t(lang, "阶段", "Stage"): vocab_label(cb, "stages", stage, lang)
                    if stage
                    else t(lang, "未报告", "not reported"),
                    t(lang, "来源类型", "Source"): vocab_label(
                        cb, "genres", src.genre if src else None, lang
                    ),
                    t(lang, "作者关系", "Author"): vocab_label(
                        cb, "author_relations", src.author_relation if src else None, lang
                    ),
                    t(lang, "类型", "Type"): next(
                        (type_label(cs, g.type_id, lang) for g in sf.types if c in g.cases),
                        t(lang, "无", "none"),
                    ),
                }
            )
        bg.tables.append(
            (t(lang, "各模式的基本条件", "The models and their conditions"), pd.DataFrame(rows))
        )
    else:
        bg.tables.append(
            (
                t(lang, "各模式的基本条件（计数）", "The models and their conditions (counts)"),
                _counts_table(cb, sf, per_case, lang),
            )
        )
    report.sections["background"] = bg

    # 二、主要做法: structured, focused comparison
    from analysis.structured import QUESTIONS

    pr = Section(
        "practices", t(lang, "主要做法：结构化比较", "Main practices: structured comparison")
    )
    pr.paragraphs.append(T.say("practices_intro", lang))
    for q in QUESTIONS:
        if q.problems:
            continue
        points = []
        for c in _listed(sf.cases, per_case, q):
            f = per_case[c]
            items = [m for m in f.practised if m.family in q.families or m.code in q.codes]
            items.sort(key=lambda m: (-(m.score or 0), m.code))
            if items:
                points.append(
                    Point(
                        T.say(
                            "answer",
                            lang,
                            case=short(c),
                            items=joined(
                                [
                                    f"{lab['code'][m.code]}（{status_label(m.status, lang)}）"
                                    if lang == "zh"
                                    else f"{lab['code'][m.code]} ({status_label(m.status, lang)})"
                                    for m in items
                                ],
                                lang,
                                limit=4,
                            ),
                        ),
                        ev(c, items[0].evidence[:1]),
                    )
                )
            else:
                covered = not (set(q.families) & {x for s in f.sources for x in s.not_covered})
                points.append(
                    Point(
                        T.say(
                            "answer_silent",
                            lang,
                            case=short(c),
                            state=status_label("not_reported" if covered else "not_covered", lang),
                        )
                    )
                )
        if n > defaults.MAX_LISTED_CASES:
            answered = sum(
                1
                for c in sf.cases
                if any(m.family in q.families or m.code in q.codes for m in per_case[c].practised)
            )
            points.append(
                Point(T.say("answer_rest", lang, n=n, answered=answered, shown=len(points)))
            )
        pr.groups.append((q.text_zh if lang == "zh" else q.text_en, points))
    report.sections["practices"] = pr

    # 三、成效
    ef = Section("effects", t(lang, *GENRE_HEADINGS["effects"]))
    ef.paragraphs.append(T.say("effects_intro", lang))
    for o in sf.outcomes:
        parts = [
            T.say(
                "effect_case",
                lang,
                case=short(c),
                level=_level_word(s, lang),
                who=vocab_label(cb, "claim_strengths", who, lang),
            )
            for c, s, who in o.reports[: defaults.MAX_LISTED_CASES]
        ]
        if len(o.reports) > defaults.MAX_LISTED_CASES:
            parts.append(T.say("effect_more", lang, n=len(o.reports) - defaults.MAX_LISTED_CASES))
        qca = (
            T.say("qca_exploratory", lang, n=o.n_usable)
            if o.exploratory
            else T.say(
                "qca_confirmatory",
                lang,
                models=joined([m for _, ms in o.solutions for m in ms], lang),
            )
        )
        first = next(
            (
                ev(c, next(x for x in per_case[c].outcomes if x.outcome == o.outcome).evidence[:1])
                for c, _, _ in o.reports
            ),
            (),
        )
        ef.points.append(
            Point(
                T.say(
                    "effect_row",
                    lang,
                    outcome=lab["outcome"][o.outcome],
                    reports=MarkdownText("；" if lang == "zh" else "; ").join(parts),
                    silent=joined([short(c) for c in o.silent], lang, limit=6),
                    qca=qca,
                ),
                first,
            )
        )
    report.sections["effects"] = ef

    # 四、存在问题
    pb = Section("problems", t(lang, *GENRE_HEADINGS["problems"]))
    pb.points.append(
        Point(
            T.say(
                "problem_evidence",
                lang,
                counts=joined(
                    [
                        f"{vocab_label(cb, 'claim_strengths', k, lang)} {v} 项"
                        if lang == "zh"
                        else f"{v} by {vocab_label(cb, 'claim_strengths', k, lang)}"
                        for k, v in sf.claims
                    ],
                    lang,
                ),
            )
        )
    )
    shares = [s for _, s in sf.not_reported_share]
    pb.points.append(
        Point(T.say("problem_silence", lang, low=_pct(min(shares)), high=_pct(max(shares))))
    )
    local_points = []
    for c in sf.cases[: defaults.MAX_LISTED_CASES]:
        local = [p for p in per_case[c].problems if p.kind == "local"]
        if local:
            local_points.append(
                Point(
                    T.say("problem_case", lang, case=short(c), text=local[0].text_zh),
                    ev(c, local[0].evidence[:1]),
                )
            )
    if local_points:
        pb.groups.append(
            (
                t(
                    lang,
                    "各案例来源报告的本地问题（每例举一）",
                    "Local problems each source reports (one each)",
                ),
                local_points,
            )
        )
    if sf.gaps:
        pb.groups.append(
            (
                t(lang, "比较发现的短板", "Gaps the comparison reveals"),
                [
                    Point(
                        T.say(
                            "gap",
                            lang,
                            label=lab["code"][g.code],
                            have=joined([short(c) for c in g.have], lang),
                            lack=joined([short(c) for c in g.lack], lang),
                        ),
                        ev(g.evidence[0][0], (g.evidence[0][1],)),
                    )
                    for g in sf.gaps[:6]
                ],
            )
        )
    report.sections["problems"] = pb

    # 五、对策建议
    recs: list[Recommendation] = []

    def risks(membership: str | None = None) -> str:
        return T.say("rec_risks", lang, claims=claims_text, membership=membership)

    for s in sf.shared[:2]:
        recs.append(
            Recommendation(
                len(recs) + 1,
                T.say("rec_shared", lang, label=lab["code"][s.code]),
                tuple(short(c) for c in s.cases),
                tuple(e for c, q in s.evidence[:3] for e in ev(c, (q,))),
                T.say(
                    "rec_shared_conditions",
                    lang,
                    cases=joined([short(c) for c in s.cases], lang),
                    levels=joined([level_label(x, lang) for x in s.levels], lang),
                ),
                risks(),
                joined([level_label(x, lang) for x in s.levels], lang),
            )
        )
    for g in sf.types:
        if len(recs) >= defaults.MAX_RECOMMENDATIONS - 1:
            break
        it = next(x for x in cs.types if x.id == g.type_id)
        evidence = _type_evidence(cs, g, per_case, lang, cb)
        if not evidence:
            continue
        cond_label = {x.id: (x.label_zh if lang == "zh" else x.label_en) for x in cs.conditions}
        profile = joined(
            [("" if v else t(lang, "无", "no ")) + cond_label[k] for k, v in it.profile.items()],
            lang,
        )
        contexts = []
        for c in g.cases:
            ur = per_case[c].context_value("urban_rural")
            contexts.append(
                f"{short(c)}：{level_label(per_case[c].level, lang)}" + (f"，{ur}" if ur else "")
            )
        lv = joined(sorted({level_label(per_case[c].level, lang) for c in g.cases}), lang)
        recs.append(
            Recommendation(
                len(recs) + 1,
                T.say(
                    "rec_type",
                    lang,
                    levels=lv,
                    type=type_label(cs, g.type_id, lang),
                    cases=joined([short(c) for c in g.cases], lang),
                ),
                tuple(short(c) for c in g.cases),
                tuple(evidence),
                T.say(
                    "rec_type_conditions",
                    lang,
                    context=("；" if lang == "zh" else "; ").join(contexts),
                    profile=profile,
                ),
                risks(f"{min(g.memberships):.2f}"),
                lv,
            )
        )
    reported_outcomes = [o for o in sf.outcomes if o.reports]
    eval_evidence = []
    for o in reported_outcomes[:2]:
        c = o.reports[0][0]
        eval_evidence += list(
            ev(c, next(x for x in per_case[c].outcomes if x.outcome == o.outcome).evidence[:1])
        )
    if eval_evidence:
        recs.append(
            Recommendation(
                len(recs) + 1,
                T.say(
                    "rec_evaluate",
                    lang,
                    outcomes=joined([lab["outcome"][o.outcome] for o in reported_outcomes], lang),
                ),
                tuple(short(c) for c in sf.cases),
                tuple(eval_evidence),
                T.say("rec_evaluate_conditions", lang, n=n),
                T.say("rec_evaluate_risks", lang),
                t(lang, "所有拟借鉴的模式", "every model considered"),
            )
        )
    report.recommendations = recs[: defaults.MAX_RECOMMENDATIONS]
    report.sections["recommendations"] = Section(
        "recommendations", t(lang, *GENRE_HEADINGS["recommendations"])
    )

    # 附：方法与证据
    st = comp.settings
    report.appendix["method"] = Section(
        "method",
        t(lang, "方法说明", "Method"),
        [
            T.say("n_caveat", lang, n=n),
            T.say(
                "qca_settings",
                lang,
                incl=st.incl_cut,
                pri=st.pri_cut,
                nincl=st.necessity_incl,
                ron=st.necessity_ron,
            ),
        ],
    )
    report.appendix["typology"] = appendix.typology_section(cb, comp, list(sf.cases), lang)
    report.appendix["qca"] = qca_section(cb, sf, lang)
    report.appendix["context"] = context_section(cb, sf, lang)
    report.appendix["similarity"] = similarity_section(cb, sf, lang)
    return report


def _listed(cases: Sequence[str], per_case: dict[str, CaseFacts], q: Any) -> list[str]:
    """The cases a structured-comparison question lists: all of them in a small comparison,
    else the :data:`defaults.MAX_LISTED_CASES` with the strongest practised codes."""
    if len(cases) <= defaults.MAX_LISTED_CASES:
        return list(cases)

    def strength(c: str) -> tuple[float, int]:
        items = [m for m in per_case[c].practised if m.family in q.families or m.code in q.codes]
        return (max((m.score or 0 for m in items), default=0), len(items))

    ranked = sorted(cases, key=lambda c: (-strength(c)[0], -strength(c)[1], c))
    return ranked[: defaults.MAX_LISTED_CASES]


def _counts_table(
    cb: CaseBase, sf: SynthesisFacts, per_case: dict[str, CaseFacts], lang: str
) -> pd.DataFrame:
    """Many cases: how many at each level, stage, kind of source and ideal type."""
    cs = comparison(cb, sf.cases).conditions
    rows: list[dict[str, Any]] = []

    def add(what: str, labels: list[str]) -> None:
        for label in sorted(set(labels), key=lambda x: (-labels.count(x), x)):
            rows.append(
                {
                    t(lang, "条件", "Condition"): what,
                    t(lang, "取值", "Value"): label,
                    t(lang, "案例数", "Cases"): str(labels.count(label)),
                }
            )

    add(t(lang, "层级", "Level"), [level_label(per_case[c].level, lang) for c in sf.cases])
    stages = [per_case[c].context_value("stage") for c in sf.cases]
    add(
        t(lang, "阶段", "Stage"),
        [
            vocab_label(cb, "stages", s, lang) if s else t(lang, "未报告", "not reported")
            for s in stages
        ],
    )
    genres = [per_case[c].sources[0].genre if per_case[c].sources else None for c in sf.cases]
    add(t(lang, "来源类型", "Source"), [vocab_label(cb, "genres", g, lang) for g in genres])
    in_type = {c: g.type_id for g in sf.types for c in g.cases}
    add(
        t(lang, "类型", "Type"),
        [
            type_label(cs, in_type[c], lang) if c in in_type else t(lang, "无", "none")
            for c in sf.cases
        ],
    )
    return pd.DataFrame(rows)


def _type_evidence(
    cs: Any, group: TypeGroup, per_case: dict[str, CaseFacts], lang: str, cb: CaseBase
) -> tuple[Any, ...]:
    """One quote per member case, for the strongest code of a condition the type requires."""
    it = next(x for x in cs.types if x.id == group.type_id)
    present = [k for k, v in it.profile.items() if v == 1]
    codes = {code for cond in cs.conditions if cond.id in present for code in cond.codes}
    out: list[Any] = []
    for c in group.cases:
        ms = sorted(
            [m for m in per_case[c].practised if m.code in codes and m.evidence],
            key=lambda m: (-(m.score or 0), m.code),
        )
        if ms:
            out += list(as_evidence(cb, c, ms[0].evidence[:1], lang))
    return tuple(out)


KIND_LABELS = {
    "zh": {"conservative": "保守", "parsimonious": "简约", "intermediate": "中间"},
    "en": {
        "conservative": "Conservative",
        "parsimonious": "Parsimonious",
        "intermediate": "Intermediate",
    },
}

VERDICTS = {
    "zh": {
        "necessary": "必要",
        "trivial": "平凡（相关性不足）",
        "skewed": "偏斜，不作判断",
        "not_necessary": "非必要",
    },
    "en": {
        "necessary": "necessary",
        "trivial": "trivial (low relevance)",
        "skewed": "skewed, no claim",
        "not_necessary": "not necessary",
    },
}

STATUS_REASONS = {
    "zh": {
        "too_few_cases": "可用案例少于 2 个，无法分析。",
        "no_variation": "可用案例在结果上没有差异，无法分析。",
        "no_sufficient_row": "没有真值表行同时通过一致性与 PRI 阈值，无解。",
        "no_negative_row": "所有观察到的行都通过阈值，无法区分有无结果的案例。",
    },
    "en": {
        "too_few_cases": "Fewer than 2 usable cases: nothing to analyse.",
        "no_variation": "The usable cases do not differ on the outcome: nothing to analyse.",
        "no_sufficient_row": "No truth-table row passes both the consistency and the PRI cut: no solution.",
        "no_negative_row": "Every observed row passes the cuts: nothing separates cases with and without the outcome.",
    },
}


def qca_section(cb: CaseBase, sf: SynthesisFacts, lang: str) -> Section:
    """Each outcome's guarded QCA: usable cases, guards, every model, necessity verdicts."""
    lab = cb.labels(lang)
    lg = "zh" if lang == "zh" else "en"
    cond_label = {
        c.id: (c.label_zh if lang == "zh" else c.label_en)
        for c in comparison(cb, sf.cases).conditions.conditions
    }
    paragraphs = []
    necessity_rows = []
    for o in sf.outcomes:
        excluded = joined(
            [
                T.say(
                    "excluded",
                    lang,
                    case=lab["case_short"][c],
                    outcome=no_outcome,
                    missing=joined([cond_label[x] for x in missing], lang),
                    crossover=joined([cond_label[x] for x in crossover], lang),
                )
                for c, no_outcome, missing, crossover in o.excluded
            ],
            lang,
        )
        paragraphs.append(
            T.say(
                "qca_outcome",
                lang,
                outcome=lab["outcome"][o.outcome],
                n=o.n_usable,
                excluded=excluded,
                bench=None if o.benchmark_p is None else _pct(o.benchmark_p),
                limit=None if o.benchmark_limit is None else _pct(o.benchmark_limit),
                perm=None if o.permutation_p is None else _pct(o.permutation_p),
                verdict=T.say(
                    "verdict_exploratory" if o.exploratory else "verdict_confirmatory", lang
                ),
            )
        )
        if o.status != "ok":
            paragraphs.append(
                T.say("qca_no_models", lang, reason=STATUS_REASONS[lg].get(o.status, o.status))
            )
        for kind, models in o.solutions:
            paragraphs.append(
                T.say(
                    "qca_models",
                    lang,
                    kind=KIND_LABELS[lg].get(kind, kind),
                    models=joined([expression_label(m, cond_label, lang) for m in models], lang)
                    if models
                    else t(lang, "无", "none"),
                    ambiguous=len(models) > 1,
                    k=len(models),
                )
            )
        for cond, verdict, incl, ron in o.necessity:
            base = cond.lstrip("~")
            name = cond_label.get(base, base)
            necessity_rows.append(
                {
                    t(lang, "结果", "Outcome"): lab["outcome"][o.outcome],
                    t(lang, "条件", "Condition"): (t(lang, "非", "not ") + name)
                    if cond.startswith("~")
                    else name,
                    t(lang, "一致性", "Consistency"): f"{incl:.2f}",
                    "RoN": f"{ron:.2f}",
                    t(lang, "判断", "Verdict"): (
                        t(
                            lang,
                            "达到阈值，但分析为探索性，不作判断",
                            "passes, but exploratory: no claim",
                        )
                        if o.exploratory and verdict == "necessary"
                        else VERDICTS[lg].get(verdict, verdict)
                    ),
                }
            )
    necessity = pd.DataFrame(necessity_rows)
    sec = Section(
        "qca",
        t(
            lang,
            "定性比较分析（逐个结果变量）",
            "Qualitative comparative analysis, outcome by outcome",
        ),
        paragraphs,
    )
    if not necessity.empty:
        shown = necessity[necessity.iloc[:, -1] != VERDICTS[lg]["not_necessary"]]
        if not shown.empty:
            sec.tables.append(
                (
                    t(
                        lang,
                        "通过一致性阈值的必要条件检验（含平凡与偏斜者）",
                        "Necessity tests passing the consistency cut (incl. trivial and skewed)",
                    ),
                    shown.reset_index(drop=True),
                )
            )
    return sec


def expression_label(expression: str, labels: dict[str, str], lang: str) -> str:
    """A QCA expression in words: ``~A*B + C`` → ``非甲 且 乙；或 丙``.

    Examples
    --------
    >>> expression_label("~A*B + C", {"A": "甲", "B": "乙", "C": "丙"}, "zh")
    '非甲且乙，或丙'
    >>> expression_label("~A*B", {"A": "a", "B": "b"}, "en")
    'not a and b'
    """
    terms = []
    for term in expression.split("+"):
        factors = []
        for factor in term.strip().split("*"):
            factor = factor.strip()
            neg = factor.startswith("~")
            name = labels.get(factor.lstrip("~"), factor.lstrip("~"))
            factors.append((("非" if lang == "zh" else "not ") if neg else "") + name)
        terms.append(("且" if lang == "zh" else " and ").join(factors))
    return ("，或" if lang == "zh" else "; or ").join(terms)


def context_section(cb: CaseBase, sf: SynthesisFacts, lang: str) -> Section:
    """哪种模式适合哪些条件: models × context fields, each cell with its quote or 未报告."""
    from analysis.formatting import quoted
    from analysis.structured import CONTEXT_FIELDS, context_matrix

    lab = cb.labels(lang)
    shown = list(sf.cases[: defaults.MAX_LISTED_CASES])
    cells = context_matrix(cb, CONTEXT_FIELDS, shown)
    rows = []
    for field in CONTEXT_FIELDS:
        row = {t(lang, "条件", "Condition"): vocab_label(cb, "context_fields", field, lang)}
        for c in shown:
            cell = next(x for x in cells if x.case == c and x.field == field)
            if cell.value is None:
                row[lab["case_short"][c]] = t(lang, "未报告", "not reported")
            else:
                value = (
                    vocab_label(cb, "stages", cell.value, lang) if field == "stage" else cell.value
                )
                row[lab["case_short"][c]] = (
                    f"{value}（{quoted(cell.quote, lang)}）"
                    if lang == "zh"
                    else f"{value} ({quoted(cell.quote, lang)})"
                )
        rows.append(row)
    return Section(
        "context",
        t(lang, "模式 × 情境条件（含原文）", "Models × context conditions (with quotes)"),
        tables=[("", pd.DataFrame(rows))],
    )


def similarity_section(cb: CaseBase, sf: SynthesisFacts, lang: str) -> Section:
    """Similarity: the tie structure, the split's stability, cophenetic r and stress."""
    plots.setup()
    lab = cb.labels(lang)
    s = sf.similarity
    _, (m, dist, hc, ranked) = _similarity(cb, sf.cases)
    split = ("｜" if lang == "zh" else " | ").join(
        joined([lab["case_short"][c] for c in g], lang) for g in s.split
    )
    text = T.say(
        "similarity",
        lang,
        n_pairs=s.n_pairs,
        n_tied=s.n_tied_top,
        stable=s.split_stable,
        split=split,
        share=_pct(s.split_share),
        need=_pct(SPLIT_STABILITY),
        coph=f"{s.cophenetic:.2f}",
        stress=f"{s.stress:.2f}",
    )
    ranked = ranked.head(defaults.MAX_LISTED_PAIRS)
    table = pd.DataFrame(
        {
            t(lang, "案例对", "Pair"): [
                f"{lab['case_short'][a]}–{lab['case_short'][b]}"
                for a, b in zip(ranked["a"], ranked["b"], strict=True)
            ],
            t(lang, "相似度", "Similarity"): [f"{v:.2f}" for v in ranked["similarity"]],
            t(lang, "95% 区间", "95% interval"): [
                f"{lo:.2f}–{hi:.2f}"
                for lo, hi in zip(ranked["lower"], ranked["upper"], strict=True)
            ],
            t(lang, "共同报告编码", "Joint codes"): [str(int(v)) for v in ranked["n_joint"]],
            t(lang, "名次", "Rank"): [
                "—" if pd.isna(r) else (f"{int(r)}=" if k > 1 else f"{int(r)}")
                for r, k in zip(ranked["rank"], ranked["n_tied"], strict=True)
            ],
        }
    )
    fig = plots.dendrogram_figure(
        hc.linkage,
        [lab["case_short"][c] for c in hc.labels],
        title=t(
            lang,
            "平均联结聚类（模糊 Jaccard 距离）",
            "Average-linkage clustering (fuzzy Jaccard distance)",
        ),
        ylabel=t(lang, "距离", "distance"),
        cophenetic=hc.cophenetic,
    )
    return Section(
        "similarity",
        t(lang, "相似性与聚类", "Similarity and clustering"),
        [text],
        tables=[
            (
                t(
                    lang,
                    "案例对相似度（区间重叠者并列）",
                    "Pair similarities (tied where intervals overlap)",
                ),
                table,
            )
        ],
        figures=[("", fig)],
    )
