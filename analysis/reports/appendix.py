"""附：方法与证据 — the technical sections every briefing may append.

Tables and figures with N and the guards: the coding table with quotes, the
calibration of the declared conditions (raw → membership) and its anchor
sensitivity, the typology, the actor network with what a tie is.  Technical
detail lives here, never in the main text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import pandas as pd

from analysis import networks, plots
from analysis.casebase import CaseBase
from analysis.reports.casefacts import CaseFacts
from analysis.reports.common import cite
from analysis.reports.labels import status_label, type_label
from analysis.reports.model import Section
from analysis.reports.text import Templates, joined, t

T = Templates(
    {
        "calibration_intro": {
            "zh": "条件按 conditions.yaml 的声明校准：每个条件取其编码中的最高分（家族相似，Goertz），"
            "至少 {{ min_reported }} 项编码有报告才校准，否则作缺失处理（从不计为 0）；隶属度取精确的三分之一，"
            "恰在交叉点 0.5 的案例列出并排除在真值表之外。",
            "en": "Conditions are calibrated as declared in conditions.yaml: each takes the "
            "highest score among its codes (family resemblance, Goertz), only when at least "
            "{{ min_reported }} of its codes are reported, else it is missing (never 0); "
            "memberships are exact thirds, and a case exactly at the 0.5 crossover is listed "
            "and kept out of the truth table.",
        },
        "sensitivity_none": {
            "zh": "锚点上下移动 1/6 时，没有案例越过交叉点。",
            "en": "Moving an anchor by ±1/6 moves no case across the crossover.",
        },
        "sensitivity_some": {
            "zh": "锚点上下移动 1/6 时，越过交叉点的情形：{{ items }}。",
            "en": "Moving an anchor by ±1/6 moves cases across the crossover: {{ items }}.",
        },
        "typology_intro": {
            "zh": "理想类型由声明的条件组合定义，案例在类型中的隶属度取各条件隶属度的最小值；"
            "隶属度超过 0.5 才算属于该类型。",
            "en": "Ideal types are combinations of the declared conditions; a case's membership "
            "in a type is the minimum over those conditions, and it belongs only above 0.5.",
        },
        "network_tie": {
            "zh": "网络中的“联系”：{{ tie }}",
            "en": "A tie in the network: {{ tie }}",
        },
        "network_not_covered": {
            "zh": "{{ cases }}的来源节选不含党建部分，党组织相关指标无从判断（不是 0）。",
            "en": "The source excerpt of {{ cases }} does not cover party building; the party "
            "measures cannot be told (they are not 0).",
        },
    }
)


def coding_table(cb: CaseBase, f: CaseFacts, lang: str) -> pd.DataFrame:
    """Every code of the case: family, mechanism, status, membership, first quote.

    Not-reported codes show 未报告 (or why the source is silent), never 0.
    """
    from analysis.formatting import quoted

    lab = cb.labels(lang)
    rows = []
    for m in f.mechanisms:
        q = m.evidence[0] if m.evidence else None
        status = m.derived if m.derived in ("not_covered", "before_era") else m.status
        rows.append(
            {
                t(lang, "机制族", "Family"): lab["family"][m.family],
                t(lang, "机制", "Mechanism"): lab["code"][m.code],
                t(lang, "状态", "Status"): status_label(status, lang),
                t(lang, "隶属度", "Score"): "—" if m.score is None else f"{m.score:.2f}",
                t(lang, "原文与出处", "Quote and source"): (
                    f"{quoted(q.quote, lang)}（{cite(cb, q.source, lang)}，第 {q.start}–{q.end} 字）"
                    if q and lang == "zh"
                    else f"{quoted(q.quote, lang)} ({cite(cb, q.source, lang)}, chars {q.start}–{q.end})"
                    if q
                    else "—"
                ),
            }
        )
    return pd.DataFrame(rows)


def _third(x: Any) -> str:
    if x is None or x != x:
        return "—"
    return f"{float(x):.2f}"


def calibration_table(cb: CaseBase, comp: Any, cases: Sequence[str], lang: str) -> pd.DataFrame:
    """Raw value → membership of every case in every declared condition."""
    cal = comp.calibration
    lab = cb.labels(lang)["case_short"]
    conds = {c.id: c for c in comp.conditions.conditions}
    rows = []
    for case in cases:
        row = {t(lang, "案例", "Case"): lab[case]}
        for cid in cal.raw.columns:
            m = cal.exact.get((case, cid))
            label = conds[cid].label_zh if lang == "zh" else conds[cid].label_en
            if m is None:
                row[label] = t(lang, "缺失", "missing")
            else:
                cross = t(lang, "（交叉点）", " (crossover)") if m == 0.5 else ""
                row[label] = f"{_third(cal.raw.at[case, cid])} → {_third(m)}{cross}"
        rows.append(row)
    return pd.DataFrame(rows)


ANCHORS = {
    "zh": {"full_non": "完全不隶属锚点", "crossover": "交叉点", "full": "完全隶属锚点"},
    "en": {
        "full_non": "full non-membership anchor",
        "crossover": "crossover",
        "full": "full membership anchor",
    },
}


def sensitivity_sentence(cb: CaseBase, comp: Any, cases: Sequence[str], lang: str) -> str:
    """Which cases change side when an anchor moves by ±1/6."""
    from analysis.compare_cli import casebase_frames
    from analysis.conditions import anchor_sensitivity

    conds = {c.id: c for c in comp.conditions.conditions}
    scores, _ = casebase_frames(cb)
    rows = anchor_sensitivity(scores.loc[list(cases)], comp.conditions.conditions)
    lab = cb.labels(lang)["case_short"]
    lg = "zh" if lang == "zh" else "en"
    items = []
    for r in rows:
        if not r.valid or not r.changed:
            continue
        label = conds[r.condition].label_zh if lg == "zh" else conds[r.condition].label_en
        sign = "+" if r.shift > 0 else "−"
        who = joined([lab[c] for c in r.changed], lang)
        items.append(
            f"{label}{ANCHORS[lg][r.anchor]}{sign}1/6：{who}"
            if lg == "zh"
            else f"{label}, {ANCHORS[lg][r.anchor]} {sign}1/6: {who}"
        )
    if not items:
        return T.say("sensitivity_none", lang)
    return T.say("sensitivity_some", lang, items=("；" if lg == "zh" else "; ").join(items))


def typology_table(cb: CaseBase, comp: Any, cases: Sequence[str], lang: str) -> pd.DataFrame:
    """Each case's membership in each ideal type, and its best type with the margin."""
    lab = cb.labels(lang)["case_short"]
    cs = comp.conditions
    tm = comp.type_membership
    best = {a.case: a for a in comp.typology}
    rows = []
    for case in cases:
        row = {t(lang, "案例", "Case"): lab[case]}
        for it in cs.types:
            v = tm.at[case, it.id] if case in tm.index and it.id in tm.columns else None
            row[type_label(cs, it.id, lang)] = _third(v)
        a = best.get(case)
        row[t(lang, "最接近的类型", "Closest type")] = (
            f"{type_label(cs, a.best, lang)}（领先 {a.margin:.2f}）"
            if lang == "zh" and a and a.belongs
            else f"{type_label(cs, a.best, lang)} (ahead by {a.margin:.2f})"
            if a and a.belongs
            else t(lang, "无（均不超过 0.5）", "none (none above 0.5)")
        )
        rows.append(row)
    return pd.DataFrame(rows)


def typology_section(cb: CaseBase, comp: Any, cases: Sequence[str], lang: str) -> Section:
    """Calibration, anchor sensitivity and typology, for the cases given (tables list at most
    :data:`~analysis.reports.defaults.MAX_LISTED_CASES`; the facts JSON keeps them all)."""
    from analysis.reports.defaults import MAX_LISTED_CASES

    shown = list(cases)[:MAX_LISTED_CASES]
    min_rep = min((c.min_reported for c in comp.conditions.conditions), default=1)
    return Section(
        "typology",
        t(lang, "条件校准与类型", "Calibration and typology"),
        [
            T.say("calibration_intro", lang, min_reported=min_rep),
            sensitivity_sentence(cb, comp, cases, lang),
            T.say("typology_intro", lang),
        ],
        tables=[
            (
                t(lang, "条件校准（原始值 → 隶属度）", "Calibration (raw → membership)"),
                calibration_table(cb, comp, shown, lang),
            ),
            (
                t(lang, "理想类型隶属度", "Membership in the ideal types"),
                typology_table(cb, comp, shown, lang),
            ),
        ],
    )


def party_not_covered(cb: CaseBase) -> list[str]:
    """Cases whose source excerpt leaves out party building (measures flagged, not 0)."""
    party = {c.id for c in cb.codebook.codes if c.family == "party_leadership"}
    return [cid for cid in cb.case_ids if party & cb.not_covered(cid)]


def network_figure(cb: CaseBase, case_id: str, lang: str, ax: Any = None) -> Any:
    """The actor network of one case (who works with whom through a coded mechanism)."""
    ma = cb.mechanism_actors()
    B = networks.actor_mechanism_graph(ma, case_id, cb.actors_frame())
    G = networks.actor_projection(B)
    lab = cb.labels(lang)
    sectors = cb.actors_frame()["sector"].to_dict()
    pos = networks.layout(G, method="circular")
    short = {a: re.sub(r"\s*[（(][^）)]*[）)]$", "", lbl) for a, lbl in lab["actor"].items()}
    return plots.network_figure(
        G, pos, short, sectors, lang=lang, title=lab["case_short"][case_id], ax=ax
    )


def network_section(cb: CaseBase, case_id: str, lang: str) -> Section:
    """One case's actor network, with what a tie is and the coverage flag."""
    plots.setup()
    paragraphs = [T.say("network_tie", lang, tie=networks.TIE_DEFINITION[lang])]
    if case_id in party_not_covered(cb):
        paragraphs.append(
            T.say("network_not_covered", lang, cases=cb.labels(lang)["case_short"][case_id])
        )
    return Section(
        "network",
        t(lang, "行动者网络", "Actor network"),
        paragraphs,
        figures=[
            (
                t(lang, "行动者网络（节点颜色表示部门）", "Actor network (colour: sector)"),
                network_figure(cb, case_id, lang),
            )
        ],
    )
