"""Briefing reports assembled from the analysis modules, for the thin notebooks.

Each public function computes one report — a case profile, a pairwise comparison, a
cross-case comparison, the reliability report, the corpus report — and returns a
:class:`Briefing`: ordered sections of headings, paragraphs, tables and figures,
plus the findings sentences.  A notebook cell only calls ``briefing.show(key)``.

``lang="zh"`` gives a Chinese report with bilingual headings and an English summary
of the findings at the end (Chinese first); ``lang="en"`` gives an English report.

Examples
--------
>>> from analysis.briefing import case_profile
>>> b = case_profile("shaoxing", casebase_dir="casebase")   # doctest: +SKIP
>>> b.title                                                 # doctest: +SKIP
'案例画像：绍兴市党建引领城市社区治理'
"""

from __future__ import annotations

import html
import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from analysis import configuration, networks, plots, similarity
from analysis import findings as fx
from analysis.casebase import CaseBase, default_sources_dir, load_casebase

LANGS = ("zh", "en")


# ----------------------------------------------------------------------------- model


@dataclass
class Section:
    """One part of a report: heading, paragraphs, tables and figures, in that order."""

    heading: str
    paragraphs: list[str] = field(default_factory=list)
    tables: list[tuple[str, pd.DataFrame]] = field(default_factory=list)
    figures: list[tuple[str, Figure]] = field(default_factory=list)


@dataclass
class Briefing:
    """A report's content; ``show(key)`` displays one section in a notebook."""

    title: str
    subtitle: str
    summary: str
    lang: str
    sections: dict[str, Section] = field(default_factory=dict)
    findings: list[str] = field(default_factory=list)
    findings_en: list[str] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)

    def show_title(self) -> None:
        """Display the title (``# ...``) and subtitle."""
        from IPython.display import Markdown, display

        display(Markdown(f"# {self.title}\n\n*{self.subtitle}*"))

    def show_summary(self) -> None:
        """Display the one-line summary (the index page quotes it)."""
        from IPython.display import Markdown, display

        display(Markdown(self.summary))

    def show(self, key: str) -> None:
        """Display one section: heading, paragraphs, tables (HTML), figures (PNG)."""
        from IPython.display import HTML, Markdown, display

        sec = self.sections[key]
        text = f"## {sec.heading}\n\n" + "\n\n".join(sec.paragraphs)
        display(Markdown(text))
        for caption, table in sec.tables:
            display(HTML(table_html(table, caption)))
        for caption, fig in sec.figures:
            if caption:
                display(Markdown(f"*{caption}*"))
            display(fig)

    def show_findings(self) -> None:
        """Display the findings, with the English summary after the Chinese one."""
        from IPython.display import Markdown, display

        head = "## 主要发现 / Findings" if self.lang == "zh" else "## Findings"
        body = "\n".join(f"{i}. {s}" for i, s in enumerate(self.findings, 1))
        text = f"{head}\n\n{body}"
        if self.lang == "zh" and self.findings_en:
            en = "\n".join(f"{i}. {s}" for i, s in enumerate(self.findings_en, 1))
            text += f"\n\n### English summary\n\n{en}"
        display(Markdown(text))


def table_html(df: pd.DataFrame, caption: str = "") -> str:
    """Deterministic HTML for a table (no random ids, values escaped).

    Examples
    --------
    >>> table_html(pd.DataFrame({"a": [1]}), "表").startswith('<table class="wb-table">')
    True
    """
    cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    body = df.to_html(
        index=False, border=0, escape=True, na_rep="—", float_format=lambda v: f"{v:.2f}"
    )
    body = body.replace('<table class="dataframe">', "", 1).replace("</table>", "", 1)
    return f'<table class="wb-table">{cap}{body}</table>'


# ---------------------------------------------------------------------------- helpers


def _t(lang: str, zh: str, en: str) -> str:
    return zh if lang == "zh" else en


def _h(lang: str, zh: str, en: str) -> str:
    """Section heading: bilingual in Chinese reports, English otherwise."""
    return f"{zh} / {en}" if lang == "zh" else en


@cache
def _load_cached(casebase_dir: str, sources: str | None) -> CaseBase:
    return load_casebase(casebase_dir, sources)


def open_casebase(
    casebase_dir: str | Path = "casebase", sources: str | Path | None = None
) -> CaseBase:
    """Load (once per process) the validated case base; ``sources`` defaults to
    ``$WORKBENCH_SOURCES``.

    Examples
    --------
    >>> cb = open_casebase("casebase")          # doctest: +SKIP
    """
    src = sources if sources else default_sources_dir()
    return _load_cached(str(casebase_dir), str(src) if src else None)


def _check_lang(lang: str) -> None:
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}, got {lang!r}")


def _check_case(cb: CaseBase, case_id: str) -> None:
    if case_id not in cb.cases:
        raise ValueError(f"unknown case id {case_id!r}; known: {', '.join(cb.case_ids)}")


def cite(cb: CaseBase, source_id: str, lang: str = "zh") -> str:
    """Brief citation of a source: first author (or title) and year.

    Examples
    --------
    >>> cite(cb, "shaoxing2021")       # doctest: +SKIP
    '张乐 2021'
    """
    s = cb.sources[source_id]
    year = (s.date or "")[:4] or _t(lang, "无日期", "n.d.")
    if s.authors:
        who = s.authors[0] + (_t(lang, "等", " et al.") if len(s.authors) > 1 else "")
    else:
        who = "《" + s.title.split("（")[0].split(":")[0] + "》"
    return f"{who} {year}"


def evidence_rows(
    cb: CaseBase, ev: pd.DataFrame, lang: str, label_col: str | None = None
) -> pd.DataFrame:
    """Evidence spans as a display table with a brief citation and offsets."""
    lab = cb.labels(lang)
    rows = []
    for r in ev.itertuples():
        item = lab["code"].get(r.item_id, r.item_id) if r.item_kind == "mechanism" else r.item_id
        if r.item_kind == "outcome":
            item = lab["outcome"].get(r.item_id, r.item_id)
        rows.append(
            {
                _t(lang, "案例", "Case"): lab["case_short"].get(r.case_id, r.case_id),
                _t(lang, "编码/条目", "Item"): item,
                _t(lang, "原文引文", "Quote"): f"“{r.quote}”",
                _t(lang, "出处", "Source"): f"{cite(cb, r.source_id, lang)}，{r.start}–{r.end}"
                if lang == "zh"
                else f"{cite(cb, r.source_id, lang)}, chars {r.start}–{r.end}",
            }
        )
    return pd.DataFrame(rows)


STATUS_LABELS = {
    "zh": {
        "present": "存在",
        "weak": "薄弱/笼统",
        "absent": "报告为缺失",
        "not_reported": "未报告",
    },
    "en": {
        "present": "present",
        "weak": "weak",
        "absent": "reported missing",
        "not_reported": "not reported",
    },
}
QUALIFIERS = {
    "zh": {"more_than": "超过", "less_than": "少于", "about": "约", "target": "目标"},
    "en": {
        "more_than": "more than",
        "less_than": "less than",
        "about": "about",
        "target": "target",
    },
}


def _value(row: Any, lang: str) -> str:
    v = f"{row.value:,.0f}" if float(row.value).is_integer() else f"{row.value:,.2f}"
    if row.value_max == row.value_max and row.value_max is not None:
        vmax = (
            f"{row.value_max:,.0f}"
            if float(row.value_max).is_integer()
            else f"{row.value_max:,.2f}"
        )
        v = f"{v}–{vmax}"
    q = QUALIFIERS[lang].get(row.qualifier or "", "")
    return f"{q} {v}".strip()


def _network(cb: CaseBase, case_id: str):
    ma = cb.mechanism_actors()
    B = networks.actor_mechanism_graph(ma, case_id, cb.actors_frame())
    return B, networks.actor_projection(B)


def _network_fig(cb: CaseBase, case_id: str, lang: str, ax=None) -> Figure:
    _, G = _network(cb, case_id)
    lab = cb.labels(lang)
    sectors = cb.actors_frame()["sector"].to_dict()
    # A circle keeps every actor readable: spring layouts push isolated actors to the edge
    # and squash the rest, which hides exactly the structure the figure is for.
    pos = networks.layout(G, method="circular")
    short = {a: re.sub(r"\s*[（(][^）)]*[）)]$", "", lbl) for a, lbl in lab["actor"].items()}
    return plots.network_figure(
        G, pos, short, sectors, lang=lang, title=lab["case_short"][case_id], ax=ax
    )


def _measures_table(cb: CaseBase, lang: str, cases: Sequence[str] | None = None) -> pd.DataFrame:
    m = networks.network_measures(cb.mechanism_actors(), cb.actors_frame())
    if cases is not None:
        m = m.loc[[c for c in cases if c in m.index]]
    lab = cb.labels(lang)["case_short"]
    cols = {
        "n_actors": _t(lang, "行动者数", "Actors"),
        "n_ties": _t(lang, "联系数", "Ties"),
        "density": _t(lang, "密度", "Density"),
        "degree_centralization": _t(lang, "度中心势", "Degree centralization"),
        "party_tie_share": _t(lang, "党组织联系占比", "Party tie share"),
        "party_betweenness": _t(lang, "党组织中介中心度", "Party betweenness"),
        "actor_type_count": _t(lang, "行动者类型数", "Actor types"),
        "share_ties_bypassing_state": _t(
            lang, "不经党政的联系占比", "Ties bypassing party/government"
        ),
    }
    out = m[list(cols)].rename(columns=cols)
    out.insert(0, _t(lang, "案例", "Case"), [lab.get(c, c) for c in m.index])
    return out.reset_index(drop=True)


def _caveat(n: int, lang: str) -> str:
    return fx.say("n_caveat", lang, n=n)


# ------------------------------------------------------------------------ case profile


def case_profile(
    case_id: str,
    lang: str = "zh",
    casebase_dir: str | Path = "casebase",
    sources: str | Path | None = None,
) -> Briefing:
    """Profile of one governance model: origin, configuration, practices, indicators,
    actor network, outcomes with claim strength, key evidence and findings.

    Examples
    --------
    >>> b = case_profile("zhoushan_donggang", "en")     # doctest: +SKIP
    >>> list(b.sections)                                # doctest: +SKIP
    ['overview', 'configuration', 'practices', 'indicators', 'network', 'outcomes', 'evidence']
    """
    _check_lang(lang)
    cb = open_casebase(casebase_dir, sources)
    _check_case(cb, case_id)
    plots.setup()
    case = cb.cases[case_id]
    lab = cb.labels(lang)
    name = lab["case"][case_id]
    short = lab["case_short"][case_id]
    cbf = cb.codebook_frame()
    membership = cb.membership()
    codings = cb.codings_frame()
    mine = codings[codings["case_id"] == case_id].set_index("code")
    b = Briefing(
        title=_t(lang, f"案例画像：{name}", f"Case profile: {name}"),
        subtitle=_t(lang, f"Case profile: {case.name_en}", "基层社会治理比较研究工作台"),
        summary="",
        lang=lang,
    )

    # Overview
    src_lines = [
        f"{cite(cb, s, lang)}：{cb.sources[s].title}（{cb.sources[s].venue}）"
        if lang == "zh"
        else f"{cite(cb, s, lang)}: {cb.sources[s].title} ({cb.sources[s].venue})"
        for s in case.sources
    ]
    meta = pd.DataFrame(
        [
            {
                _t(lang, "项目", "Item"): _t(lang, "省份", "Province"),
                _t(lang, "内容", "Value"): case.province,
            },
            {
                _t(lang, "项目", "Item"): _t(lang, "城市", "City"),
                _t(lang, "内容", "Value"): case.city,
            },
            {
                _t(lang, "项目", "Item"): _t(lang, "层级", "Level"),
                _t(lang, "内容", "Value"): case.level,
            },
            {
                _t(lang, "项目", "Item"): _t(lang, "起始年份", "Start year"),
                _t(lang, "内容", "Value"): case.start_year or _t(lang, "来源未给出", "not given"),
            },
            {
                _t(lang, "项目", "Item"): _t(lang, "来源", "Source"),
                _t(lang, "内容", "Value"): "；".join(src_lines),
            },
        ]
    )
    summary_text = case.summary_zh if lang == "zh" else case.summary_en
    b.sections["overview"] = Section(
        _h(lang, "模式概况与来源", "What the model is and where it comes from"),
        [summary_text or "", _caveat(len(cb.cases), lang)],
        [("", meta)],
    )

    # Configuration
    dims = configuration.dimension_profile(membership, cbf)
    fams = configuration.family_profile(membership, cbf)
    d_me = dims[dims["case_id"] == case_id].set_index("dimension")["mean_membership"]
    f_me = fams[fams["case_id"] == case_id].set_index("family")["mean_membership"]
    others = (
        fams[fams["case_id"] != case_id].groupby("family", sort=False)["mean_membership"].mean()
    )
    radar_data = pd.concat(
        [
            fams[fams["case_id"] == case_id][["case_id", "family", "mean_membership"]],
            pd.DataFrame(
                {"case_id": "__others__", "family": others.index, "mean_membership": others.values}
            ),
        ]
    )
    radar_labels = {case_id: short, "__others__": _t(lang, "其他案例平均", "Mean of other cases")}
    fig_radar = plots.radar(
        radar_data,
        "family",
        radar_labels,
        lab["family"],
        [case_id, "__others__"],
        title=_t(lang, "机制族画像（平均隶属度）", "Family profile (mean membership)"),
    )
    fig_dims = plots.profile_bars(
        dims,
        "dimension",
        lab["case_short"],
        group_labels=lab["dimension"],
        title=_t(
            lang,
            "共建·共治·共享维度画像（全部案例）",
            "Co-building / co-governance / sharing (all cases)",
        ),
    )
    present = mine[mine["score"] > 0].copy()
    present["family"] = cbf.loc[present.index, "family"]
    present = present.sort_values(["family", "score"], ascending=[True, False])
    conf = pd.DataFrame(
        {
            _t(lang, "机制族", "Family"): [lab["family"][f] for f in present["family"]],
            _t(lang, "机制", "Mechanism"): [lab["code"][c] for c in present.index],
            _t(lang, "隶属度", "Membership"): present["score"].to_numpy(),
            _t(lang, "状态", "Status"): [STATUS_LABELS[lang][s] for s in present["status"]],
            _t(lang, "编码理由", "Rationale"): present["rationale"].to_numpy(),
        }
    )
    status_counts = mine["status"].value_counts()
    b.sections["configuration"] = Section(
        _h(lang, "机制构型", "Configuration by dimension and family"),
        [
            fx.say(
                "profile_count",
                lang,
                case=short,
                total=len(mine),
                present=int((mine["score"] > 0).sum()),
                strong=int(status_counts.get("present", 0)),
                not_reported=int(status_counts.get("not_reported", 0)),
                absent=int(status_counts.get("absent", 0)),
            )
        ],
        [(_t(lang, "有证据支持的机制", "Evidenced mechanisms"), conf)],
        [("", fig_radar), ("", fig_dims)],
    )

    # Practices on a timeline
    prac = cb.practices()
    prac = prac[prac["case_id"] == case_id]
    name_col = "name_zh" if lang == "zh" else "name_en"
    ev_tbl = prac.assign(label=prac[name_col])[["year", "label"]]
    fig_tl = plots.timeline_figure(
        ev_tbl,
        title=_t(
            lang, "做法时间线（来源给出年份者）", "Practices by year (where the source gives one)"
        ),
    )
    ptable = pd.DataFrame(
        {
            _t(lang, "做法", "Practice"): prac[name_col].to_numpy(),
            _t(lang, "年份", "Year"): [
                int(y) if y == y and y is not None else None for y in prac["year"]
            ],
            _t(lang, "承载的机制", "Mechanisms"): [
                "、".join(lab["code"][c] for c in ms)
                if lang == "zh"
                else "; ".join(lab["code"][c] for c in ms)
                for ms in prac["mechanisms"]
            ],
        }
    )
    dated = int(prac["year"].notna().sum())
    b.sections["practices"] = Section(
        _h(lang, "做法与时间线", "Practices on a timeline"),
        [
            _t(
                lang,
                f"来源点名的做法共 {len(prac)} 项，其中 {dated} 项给出了年份。",
                f"The source names {len(prac)} practices; {dated} come with a year.",
            )
        ],
        [("", ptable)],
        [("", fig_tl)] if dated else [],
    )

    # Indicators
    ind = cb.indicators()
    ind = ind[ind["case_id"] == case_id]
    label_col = "label_zh" if lang == "zh" else "label_en"
    itable = pd.DataFrame(
        {
            _t(lang, "指标", "Indicator"): ind[label_col].to_numpy(),
            _t(lang, "数值", "Value"): [_value(r, lang) for r in ind.itertuples()],
            _t(lang, "单位", "Unit"): ind["unit"].to_numpy(),
            _t(lang, "年份", "Year"): [
                int(y) if y == y and y is not None else None for y in ind["year"]
            ],
            _t(lang, "原文", "Quote"): [
                f"“{q}”（{s}–{e}）"
                for q, s, e in zip(ind["quote"], ind["start"], ind["end"], strict=True)
            ],
        }
    )
    b.sections["indicators"] = Section(
        _h(lang, "数量指标", "Indicators"),
        [
            _t(
                lang,
                "来源中关于该模式的每一个数字都列为指标，并附原文出处。",
                "Every number the source gives about the model is listed with its quote.",
            )
        ],
        [("", itable)],
    )

    # Network
    _, G = _network(cb, case_id)
    meas = _measures_table(cb, lang, [case_id])
    mrow = networks.network_measures(cb.mechanism_actors(), cb.actors_frame()).loc[case_id]
    net_par = (
        fx.say(
            "profile_network",
            lang,
            n_actors=int(mrow["n_actors"]),
            density=fx.fmt(mrow["density"]),
            party_share=fx.pct(mrow["party_tie_share"]),
            bypass=fx.pct(mrow["share_ties_bypassing_state"]),
        )
        if "party" in G
        else fx.say(
            "profile_network_no_party",
            lang,
            n_actors=int(mrow["n_actors"]),
            density=fx.fmt(mrow["density"]),
        )
    )
    b.sections["network"] = Section(
        _h(lang, "行动者网络", "Actor network"),
        [
            net_par,
            _t(
                lang,
                "两个行动者之间的联系表示它们共同参与同一机制，线宽为共同参与的机制数。网络由编码推出，描述的是文本呈现的结构。",
                "Two actors are tied when they take part in the same mechanism; line width counts shared mechanisms. "
                "The network is derived from the coding and describes the structure the text presents.",
            ),
        ],
        [("", meas)],
        [("", _network_fig(cb, case_id, lang))],
    )

    # Outcomes
    oc = cb.outcomes()
    oc = oc[oc["case_id"] == case_id]
    otable = pd.DataFrame(
        {
            _t(lang, "结果", "Outcome"): [lab["outcome"][o] for o in oc["outcome"]],
            _t(lang, "隶属度", "Score"): oc["score"].to_numpy(),
            _t(lang, "声称者", "Claimed by"): [lab["claim"][c] for c in oc["claim_strength"]],
            _t(lang, "理由", "Rationale"): oc["rationale"].to_numpy(),
        }
    )
    missing = [lab["outcome"][o] for o in cb.outcome_ids if o not in set(oc["outcome"])]
    independent = int((oc["claim_strength"] == "independent_evaluation").sum())
    claims = (
        fx.say("claims_advocacy", lang)
        if independent == 0
        else fx.say("claims_mixed", lang, independent=independent)
    )
    oparas = [claims]
    if missing:
        oparas.append(
            _t(
                lang,
                f"来源未涉及的结果：{'、'.join(missing)}。",
                f"Outcomes the source is silent on: {', '.join(missing)}.",
            )
        )
    b.sections["outcomes"] = Section(
        _h(lang, "治理结果与声称强度", "Outcomes and claim strength"), oparas, [("", otable)]
    )

    # Key evidence: every mechanism coded 1, and every outcome
    ev = cb.evidence()
    core = list(mine.index[mine["score"] >= 1.0])
    key_ev = ev[
        (ev["case_id"] == case_id)
        & (
            ((ev["item_kind"] == "mechanism") & ev["item_id"].isin(core))
            | (ev["item_kind"] == "outcome")
        )
    ].drop_duplicates(["item_kind", "item_id"])
    b.sections["evidence"] = Section(
        _h(lang, "关键原文证据", "Key evidence"),
        [
            _t(
                lang,
                "每个核心机制（隶属度 1）和每个结果各取第一条原文引文；引文与来源文本逐字一致，数字为字符位置。",
                "The first quote for every core mechanism (membership 1) and every outcome; quotes match the source "
                "verbatim at the given character offsets.",
            )
        ],
        [("", evidence_rows(cb, key_ev, lang))],
    )

    # Findings
    top, tv, low, lv = fx.extremes(d_me.to_dict())
    ftop, ftv, flow, flv = fx.extremes(f_me.to_dict())
    oc_items = "；".join(
        f"{lab['outcome'][o]} {fx.fmt(s)}" for o, s in zip(oc["outcome"], oc["score"], strict=True)
    )
    if lang != "zh":
        oc_items = "; ".join(
            f"{lab['outcome'][o]} {fx.fmt(s)}"
            for o, s in zip(oc["outcome"], oc["score"], strict=True)
        )

    def _findings(lg: str) -> list[str]:
        lb = cb.labels(lg)
        sh = lb["case_short"][case_id]
        items = ("；" if lg == "zh" else "; ").join(
            f"{lb['outcome'][o]} {fx.fmt(s)}"
            for o, s in zip(oc["outcome"], oc["score"], strict=True)
        )
        out = [
            fx.say(
                "profile_count",
                lg,
                case=sh,
                total=len(mine),
                present=int((mine["score"] > 0).sum()),
                strong=int(status_counts.get("present", 0)),
                not_reported=int(status_counts.get("not_reported", 0)),
                absent=int(status_counts.get("absent", 0)),
            ),
            fx.say(
                "profile_dimension",
                lg,
                top=lb["dimension"][top],
                top_value=fx.fmt(tv),
                low=lb["dimension"][low],
                low_value=fx.fmt(lv),
            ),
            fx.say(
                "profile_family",
                lg,
                top=lb["family"][ftop],
                top_value=fx.fmt(ftv),
                low=lb["family"][flow],
                low_value=fx.fmt(flv),
            ),
        ]
        if core:
            out.append(
                fx.say(
                    "profile_core", lg, codes=fx.joined([lb["code"][c] for c in core], lg, limit=8)
                )
            )
        out.append(
            fx.say(
                "profile_network",
                lg,
                n_actors=int(mrow["n_actors"]),
                density=fx.fmt(mrow["density"]),
                party_share=fx.pct(mrow["party_tie_share"]),
                bypass=fx.pct(mrow["share_ties_bypassing_state"]),
            )
            if "party" in G
            else fx.say(
                "profile_network_no_party",
                lg,
                n_actors=int(mrow["n_actors"]),
                density=fx.fmt(mrow["density"]),
            )
        )
        first = ind.iloc[0] if len(ind) else None
        example = ""
        if first is not None:
            example = f"{first['label_zh' if lg == 'zh' else 'label_en']} {_value(first, lg)} {first['unit']}"
        out.append(fx.say("profile_indicators", lg, n=len(ind), example=example))
        out.append(
            fx.say(
                "profile_outcomes",
                lg,
                items=items,
                claims=fx.say("claims_advocacy", lg)
                if independent == 0
                else fx.say("claims_mixed", lg, independent=independent),
            )
        )
        out.append(fx.say("n_caveat", lg, n=len(cb.cases)))
        return out

    b.findings = _findings(lang)
    b.findings_en = _findings("en") if lang == "zh" else []
    b.summary = b.findings[0] + " " + b.findings[2]
    b.data = {"membership": membership.loc[[case_id]], "oc_items": oc_items}
    return b


# --------------------------------------------------------------------------- pairwise


def pairwise_comparison(
    case_a: str,
    case_b: str,
    lang: str = "zh",
    casebase_dir: str | Path = "casebase",
    sources: str | Path | None = None,
) -> Briefing:
    """Two models side by side: similarity, shared and distinctive mechanisms with
    evidence, both networks, and what each could learn from the other.

    Examples
    --------
    >>> b = pairwise_comparison("shaoxing", "dongguan", "en")     # doctest: +SKIP
    >>> b.data["fuzzy_jaccard"] <= 1                            # doctest: +SKIP
    True
    """
    _check_lang(lang)
    cb = open_casebase(casebase_dir, sources)
    _check_case(cb, case_a)
    _check_case(cb, case_b)
    if case_a == case_b:
        raise ValueError("case_a and case_b must differ")
    plots.setup()
    lab = cb.labels(lang)
    sa, sb = lab["case_short"][case_a], lab["case_short"][case_b]
    m = cb.membership()
    ev = cb.evidence()
    fj = similarity.fuzzy_jaccard(m)
    jac = similarity.jaccard(m)
    gow = similarity.gower(m)
    pairs = sorted(
        ((fj.loc[x, y], x, y) for x, y in itertools.combinations(cb.case_ids, 2)), reverse=True
    )
    rank = next(i for i, (_, x, y) in enumerate(pairs, 1) if {x, y} == {case_a, case_b})
    b = Briefing(
        title=_t(lang, f"两两比较：{sa} 与 {sb}", f"Pairwise comparison: {sa} and {sb}"),
        subtitle=_t(
            lang,
            f"Pairwise comparison: {cb.cases[case_a].short_en} and {cb.cases[case_b].short_en}",
            "基层社会治理比较研究工作台",
        ),
        summary="",
        lang=lang,
    )
    sim = pd.DataFrame(
        [
            {
                _t(lang, "指标", "Measure"): _t(
                    lang, "模糊 Jaccard（Σmin/Σmax）", "Fuzzy Jaccard (Σmin/Σmax)"
                ),
                _t(lang, "数值", "Value"): fj.loc[case_a, case_b],
            },
            {
                _t(lang, "指标", "Measure"): _t(lang, "Jaccard（是否存在）", "Jaccard (presence)"),
                _t(lang, "数值", "Value"): jac.loc[case_a, case_b],
            },
            {
                _t(lang, "指标", "Measure"): "Gower",
                _t(lang, "数值", "Value"): gow.loc[case_a, case_b],
            },
        ]
    )
    sim_para = fx.say(
        "pair_similarity",
        lang,
        a=sa,
        b=sb,
        fuzzy=fx.fmt(fj.loc[case_a, case_b]),
        crisp=fx.fmt(jac.loc[case_a, case_b]),
        rank=rank,
        n_pairs=len(pairs),
    )
    pm = m.loc[[case_a, case_b]]
    fig_heat = plots.configuration_heatmap(
        pm.loc[:, (pm > 0).any()],
        [case_a, case_b],
        lab["case_short"],
        lab["code"],
        cb.codebook_frame()["family"].map(lab["family"]).to_dict(),
        title=_t(
            lang,
            "两模式的机制隶属度（仅列至少一方存在的机制）",
            "Memberships (mechanisms present in at least one)",
        ),
    )
    b.sections["similarity"] = Section(
        _h(lang, "相似度", "Similarity"),
        [sim_para, _caveat(len(cb.cases), lang)],
        [("", sim)],
        [("", fig_heat)],
    )

    pc = similarity.compare_pair(m, ev, case_a, case_b)

    def _pair_table(frame: pd.DataFrame) -> pd.DataFrame:
        rows = []
        for code, r in frame.iterrows():
            q = {}
            for c in (case_a, case_b):
                e = ev[
                    (ev["case_id"] == c)
                    & (ev["item_kind"] == "mechanism")
                    & (ev["item_id"] == code)
                ]
                q[c] = f"“{e.iloc[0]['quote']}”" if len(e) else "—"
            rows.append(
                {
                    _t(lang, "机制", "Mechanism"): lab["code"][code],
                    sa: r["score_a"],
                    sb: r["score_b"],
                    f"{sa} {_t(lang, '证据', 'evidence')}": q[case_a],
                    f"{sb} {_t(lang, '证据', 'evidence')}": q[case_b],
                }
            )
        return pd.DataFrame(rows)

    shared = pc.shared.assign(_m=pc.shared[["score_a", "score_b"]].min(axis=1)).sort_values(
        "_m", ascending=False
    )
    top_shared = [lab["code"][c] for c in shared.index[:5]]
    b.sections["shared"] = Section(
        _h(lang, "共同机制", "Shared mechanisms"),
        [fx.say("pair_shared", lang, n=len(pc.shared), codes=fx.joined(top_shared, lang))],
        [("", _pair_table(shared.drop(columns="_m")))],
    )
    b.sections["distinctive"] = Section(
        _h(lang, "各自独有的机制", "Distinctive mechanisms"),
        [
            fx.say(
                "pair_distinct",
                lang,
                case=sa,
                n=len(pc.only_a),
                codes=fx.joined([lab["code"][c] for c in pc.only_a.index], lang),
            ),
            fx.say(
                "pair_distinct",
                lang,
                case=sb,
                n=len(pc.only_b),
                codes=fx.joined([lab["code"][c] for c in pc.only_b.index], lang),
            ),
        ],
        [(sa, _pair_table(pc.only_a)), (sb, _pair_table(pc.only_b))],
    )

    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(12, 5.2))
    _network_fig(cb, case_a, lang, ax=axes[0])
    _network_fig(cb, case_b, lang, ax=axes[1])
    fig.tight_layout()
    plt.close(fig)
    b.sections["networks"] = Section(
        _h(lang, "行动者网络对照", "Networks side by side"),
        [
            _t(
                lang,
                "联系表示共同参与同一机制，线宽为共同参与的机制数。",
                "Ties are shared mechanisms; width counts them.",
            )
        ],
        [("", _measures_table(cb, lang, [case_a, case_b]))],
        [("", fig)],
    )

    def _learn(lg: str, learner: str, teacher: str) -> str:
        lb = cb.labels(lg)
        codes = [c for c in m.columns if m.loc[teacher, c] >= 0.67 and m.loc[learner, c] <= 0.33]
        if not codes:
            return fx.say(
                "pair_learn_none",
                lg,
                learner=lb["case_short"][learner],
                teacher=lb["case_short"][teacher],
            )
        return fx.say(
            "pair_learn",
            lg,
            learner=lb["case_short"][learner],
            teacher=lb["case_short"][teacher],
            codes=fx.joined([lb["code"][c] for c in codes], lg, limit=8),
        )

    b.sections["learning"] = Section(
        _h(lang, "相互借鉴", "What each could learn from the other"),
        [
            _learn(lang, case_a, case_b),
            _learn(lang, case_b, case_a),
            fx.say("pair_learn_caveat", lang),
        ],
    )

    def _findings(lg: str) -> list[str]:
        lb = cb.labels(lg)
        a_, b_ = lb["case_short"][case_a], lb["case_short"][case_b]
        return [
            fx.say(
                "pair_similarity",
                lg,
                a=a_,
                b=b_,
                fuzzy=fx.fmt(fj.loc[case_a, case_b]),
                crisp=fx.fmt(jac.loc[case_a, case_b]),
                rank=rank,
                n_pairs=len(pairs),
            ),
            fx.say(
                "pair_shared",
                lg,
                n=len(pc.shared),
                codes=fx.joined([lb["code"][c] for c in shared.index[:5]], lg),
            ),
            fx.say(
                "pair_distinct",
                lg,
                case=a_,
                n=len(pc.only_a),
                codes=fx.joined([lb["code"][c] for c in pc.only_a.index], lg),
            ),
            fx.say(
                "pair_distinct",
                lg,
                case=b_,
                n=len(pc.only_b),
                codes=fx.joined([lb["code"][c] for c in pc.only_b.index], lg),
            ),
            _learn(lg, case_a, case_b),
            _learn(lg, case_b, case_a),
            fx.say("pair_learn_caveat", lg),
            fx.say("n_caveat", lg, n=len(cb.cases)),
        ]

    b.findings = _findings(lang)
    b.findings_en = _findings("en") if lang == "zh" else []
    b.summary = b.findings[0]
    b.data = {
        "fuzzy_jaccard": float(fj.loc[case_a, case_b]),
        "jaccard": float(jac.loc[case_a, case_b]),
        "gower": float(gow.loc[case_a, case_b]),
        "rank": rank,
    }
    return b
