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
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from analysis import configuration, networks, plots, similarity
from analysis import findings as fx
from analysis.casebase import CaseBase, load_casebase
from analysis.md_text import MarkdownText, as_markdown
from analysis.project import (
    corpus_folders,
    project_of,
    project_path,
    project_root,
    split_folders,
)

LANGS = ("zh", "en")


# ----------------------------------------------------------------------------- model


@dataclass
class Section:
    """One part of a report: heading, paragraphs, tables and figures, in that order.

    The heading and paragraphs are plain text, shown literally, or
    :class:`~analysis.md_text.MarkdownText` (sentences from
    :func:`analysis.findings.say`, whose values are already escaped).
    """

    heading: str
    paragraphs: list[str] = field(default_factory=list)
    tables: list[tuple[str, pd.DataFrame]] = field(default_factory=list)
    figures: list[tuple[str, Figure]] = field(default_factory=list)


@dataclass
class Briefing:
    """A report's content; ``show(key)`` displays one section in a notebook.

    Text fields (title, subtitle, summary, findings) follow :class:`Section`'s
    rule: plain strings are Markdown-escaped when shown, so case text can never
    become a link or HTML; :class:`~analysis.md_text.MarkdownText` is shown as is.
    """

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

        display(Markdown(MarkdownText("# {}\n\n*{}*").format(self.title, self.subtitle)))

    def show_summary(self) -> None:
        """Display the one-line summary (the index page quotes it)."""
        from IPython.display import Markdown, display

        display(Markdown(as_markdown(self.summary)))

    def show(self, key: str) -> None:
        """Display one section: heading, paragraphs, tables (HTML), figures (PNG)."""
        from IPython.display import HTML, Image, Markdown, display

        sec = self.sections[key]
        text = MarkdownText("## {}\n\n").format(sec.heading) + MarkdownText("\n\n").join(
            sec.paragraphs
        )
        display(Markdown(text))
        for caption, table in sec.tables:
            display(HTML(table_html(table, caption)))
        for caption, fig in sec.figures:
            if caption:
                display(Markdown(MarkdownText("*{}*").format(caption)))
            display(Image(data=figure_png(fig), format="png"))

    def show_findings(self) -> None:
        """Display the findings, with the English summary after the Chinese one."""
        from IPython.display import Markdown, display

        item = MarkdownText("{}. {}")
        head = "## 主要发现 / Findings" if self.lang == "zh" else "## Findings"
        body = MarkdownText("\n").join(item.format(i, s) for i, s in enumerate(self.findings, 1))
        text = MarkdownText(f"{head}\n\n") + body
        if self.lang == "zh" and self.findings_en:
            en = MarkdownText("\n").join(
                item.format(i, s) for i, s in enumerate(self.findings_en, 1)
            )
            text += MarkdownText("\n\n### English summary\n\n") + en
        display(Markdown(text))


def figure_png(fig: Figure, dpi: int = 110) -> bytes:
    """PNG bytes of a figure, without metadata that would vary between runs.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots(); _ = ax.plot([0, 1])
    >>> figure_png(fig)[:4]
    b'\\x89PNG'
    """
    import io

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight", metadata={"Software": None})
    return buf.getvalue()


def _year(y: Any) -> str:
    return "—" if y is None or y != y else str(int(y))


LEVELS = {
    "zh": {
        "subdistrict": "街道",
        "district": "区",
        "county": "县",
        "prefecture_city": "地级市",
        "multi_city": "多个城市",
    },
    "en": {
        "subdistrict": "subdistrict",
        "district": "district",
        "county": "county",
        "prefecture_city": "prefecture-level city",
        "multi_city": "several cities",
    },
}


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


# One loaded case base per (folder, corpus), with the stat fingerprint it was loaded from.
_LOADED: dict[tuple[Path, tuple[Path, ...]], tuple[tuple[Any, ...], CaseBase]] = {}


def _tree_stats(folder: Path) -> tuple[Any, ...]:
    """Path, size, mtime and inode of every file under ``folder``: cheap, and any edit
    (in place or by an editor's rename) changes it."""
    stats: list[tuple[str, int, int, int]] = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames.sort()
        for name in sorted(filenames):
            try:
                st = os.stat(os.path.join(dirpath, name))
            except OSError:
                continue
            stats.append((os.path.join(dirpath, name), st.st_size, st.st_mtime_ns, st.st_ino))
    return tuple(stats)


def open_casebase(
    casebase_dir: str | Path = "casebase",
    sources: str | Path | Sequence[str | Path] | None = None,
) -> CaseBase:
    """The validated case base, reloaded only when its files or the corpus changed.

    Relative paths are taken from the project root (:mod:`analysis.project`), so a
    notebook means the same folders in JupyterLab (which runs it in ``notebooks/``),
    in the batch and on the command line.  ``sources`` (one folder, several, or an
    ``os.pathsep``-separated string) defaults to ``$WORKBENCH_SOURCES``, else to the
    project setting ``[tool.workbench] sources``.

    Without ``sources``, the corpus is the one configured for the case base's own project
    (:func:`analysis.project.project_of`).  A kernel keeps the loaded case base while nothing under the case-base folder or
    the corpus folders changed (sizes, mtimes, inodes); an edited or added case is
    picked up by the next call, without restarting the kernel.

    Examples
    --------
    >>> cb = open_casebase("casebase")          # doctest: +SKIP
    """
    here = project_root()
    casebase = project_path(casebase_dir, here)
    folders = (
        tuple(project_path(f, here) for f in split_folders(sources))
        if sources
        else corpus_folders(root=project_of(casebase))
    )
    key = (casebase, folders)
    stamp = tuple(_tree_stats(f) for f in key[:1] + folders)
    hit = _LOADED.get(key)
    if hit is not None and hit[0] == stamp:
        return hit[1]
    cb = load_casebase(key[0], folders or None)
    _LOADED[key] = (stamp, cb)
    return cb


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
        "proposed": "仅为建议",
        "absent": "报告为缺失",
        "not_reported": "未报告",
        "not_covered": "节选未覆盖",
        "before_era": "来源早于该做法的时代",
    },
    "en": {
        "present": "present",
        "weak": "weak",
        "proposed": "only proposed",
        "absent": "reported missing",
        "not_reported": "not reported",
        "not_covered": "not covered by the excerpt",
        "before_era": "the source predates the practice",
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


def _score_text(score: float | None, lang: str) -> str:
    """A score as coded (``0.67``), or "not reported" for a missing one."""
    return STATUS_LABELS[lang]["not_reported"] if score is None else f"{score:g}"


def _party_not_covered(cb: CaseBase) -> list[str]:
    """Cases whose sources' ``coverage.not_covered`` takes in party building (the family
    or any of its codes): their party measures are flagged, not reported as 0%."""
    party = {c.id for c in cb.codebook.codes if c.family == "party_leadership"}
    return [cid for cid in cb.case_ids if party & cb.not_covered(cid)]


def _network_measures(cb: CaseBase) -> pd.DataFrame:
    """Network measures, with party measures missing where the excerpt lacks party building."""
    return networks.network_measures(
        cb.mechanism_actors(), cb.actors_frame(), _party_not_covered(cb)
    )


def _network_paragraphs(cb: CaseBase, lang: str, cases: Sequence[str]) -> list[str]:
    """What a tie is, how the bypass share counts, and which cases are flagged."""
    out = [fx.say("network_tie", lang, tie=networks.TIE_DEFINITION[lang])]
    flagged = [c for c in _party_not_covered(cb) if c in cases]
    if flagged:
        lab = cb.labels(lang)["case_short"]
        out.append(
            fx.say("network_not_covered", lang, cases=fx.joined([lab[c] for c in flagged], lang))
        )
    return out


def _measures_table(cb: CaseBase, lang: str, cases: Sequence[str] | None = None) -> pd.DataFrame:
    m = _network_measures(cb)
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
    out = m[list(cols)].astype(object)
    party_cols = ["party_tie_share", "party_betweenness", "share_ties_bypassing_state"]
    out.loc[~m["party_covered"].astype(bool), party_cols] = STATUS_LABELS[lang]["not_covered"]
    out = out.rename(columns=cols)
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
                _t(lang, "内容", "Value"): LEVELS[lang][case.level],
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
    dims = configuration.dimension_profile(membership, cbf, cb.dimension_overrides())
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

    def count_sentence(lg: str) -> str:
        return fx.say(
            "profile_count",
            lg,
            case=cb.labels(lg)["case_short"][case_id],
            total=len(mine),
            present=int((mine["score"] > 0).sum()),
            strong=int(status_counts.get("present", 0)),
            not_reported=int(status_counts.get("not_reported", 0)),
            not_covered=int((mine["status_derived"] == "not_covered").sum()),
            absent=int(status_counts.get("absent", 0)),
            proposed=int(status_counts.get("proposed", 0)),
        )

    early = mine.index[mine["status_derived"] == "before_era"].tolist()

    def era_sentence(lg: str) -> list[str]:
        if not early:
            return []
        return [
            fx.say(
                "profile_before_era",
                lg,
                case=cb.labels(lg)["case_short"][case_id],
                year=cb.source_year(case_id),
                n=len(early),
                codes=fx.joined([cb.labels(lg)["code"][c] for c in early], lg),
            )
        ]

    b.sections["configuration"] = Section(
        _h(lang, "机制构型", "Configuration by dimension and family"),
        [count_sentence(lang), *era_sentence(lang)],
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
    mrow = _network_measures(cb).loc[case_id]

    def network_sentence(lg: str) -> str:
        if not mrow["party_covered"]:
            return fx.say(
                "profile_network_not_covered",
                lg,
                n_actors=int(mrow["n_actors"]),
                density=fx.fmt(mrow["density"]),
            )
        if "party" not in G:
            return fx.say(
                "profile_network_no_party",
                lg,
                n_actors=int(mrow["n_actors"]),
                density=fx.fmt(mrow["density"]),
            )
        return fx.say(
            "profile_network",
            lg,
            n_actors=int(mrow["n_actors"]),
            density=fx.fmt(mrow["density"]),
            party_share=fx.pct(mrow["party_tie_share"]),
            bypass=fx.pct(mrow["share_ties_bypassing_state"]),
        )

    net_par = network_sentence(lang)
    b.sections["network"] = Section(
        _h(lang, "行动者网络", "Actor network"),
        [
            net_par,
            fx.say("network_tie", lang, tie=networks.TIE_DEFINITION[lang]),
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
        items = ("；" if lg == "zh" else "; ").join(
            f"{lb['outcome'][o]} {fx.fmt(s)}"
            for o, s in zip(oc["outcome"], oc["score"], strict=True)
        )
        out = [
            count_sentence(lg),
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
        out.append(network_sentence(lg))
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
    n_joint = similarity.jointly_reported(m)
    ints = similarity.similarity_intervals(m, "fuzzy_jaccard")
    pairs = similarity.rank_pairs(ints)
    this = pairs[
        ((pairs["a"] == case_a) & (pairs["b"] == case_b))
        | ((pairs["a"] == case_b) & (pairs["b"] == case_a))
    ].iloc[0]
    rank = None if pd.isna(this["rank"]) else int(this["rank"])
    n_tied = 0 if pd.isna(this["n_tied"]) else int(this["n_tied"])
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
            {
                _t(lang, "指标", "Measure"): _t(
                    lang, "两者都报告的编码数", "Codes reported for both"
                ),
                _t(lang, "数值", "Value"): int(n_joint.loc[case_a, case_b]),
            },
            {
                _t(lang, "指标", "Measure"): _t(
                    lang,
                    "模糊 Jaccard 的刀切法 95% 区间（逐一去掉一个共同报告的编码）",
                    "Fuzzy Jaccard jackknife 95% interval (leaving out one jointly reported code)",
                ),
                _t(lang, "数值", "Value"): f"{fx.fmt(this['lower'])}–{fx.fmt(this['upper'])}",
            },
        ]
    )
    pc = similarity.compare_pair(m, ev, case_a, case_b)

    shared = pc.shared.assign(_m=pc.shared[["score_a", "score_b"]].min(axis=1)).sort_values(
        "_m", ascending=False
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
                lo=fx.fmt(this["lower"]),
                hi=fx.fmt(this["upper"]),
                crisp=fx.fmt(jac.loc[case_a, case_b]),
                rank="n/a" if rank is None else rank,
                n_tied=n_tied,
                n_pairs=len(pairs),
                n_joint=int(n_joint.loc[case_a, case_b]),
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
                silent=len(pc.a_b_silent),
            ),
            fx.say(
                "pair_distinct",
                lg,
                case=b_,
                n=len(pc.only_b),
                codes=fx.joined([lb["code"][c] for c in pc.only_b.index], lg),
                silent=len(pc.b_a_silent),
            ),
            _learn(lg, case_a, case_b),
            _learn(lg, case_b, case_a),
            fx.say("pair_learn_caveat", lg),
            fx.say("n_caveat", lg, n=len(cb.cases)),
        ]

    b.findings = _findings(lang)
    b.findings_en = _findings("en") if lang == "zh" else []
    F = b.findings  # sections quote the same sentences as the findings
    sim_para = F[0]
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

    b.sections["shared"] = Section(
        _h(lang, "共同机制", "Shared mechanisms"),
        [F[1]],
        [("", _pair_table(shared.drop(columns="_m")))],
    )
    b.sections["distinctive"] = Section(
        _h(lang, "各自独有的机制", "Distinctive mechanisms"),
        [
            F[2],
            F[3],
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
        _network_paragraphs(cb, lang, [case_a, case_b]),
        [("", _measures_table(cb, lang, [case_a, case_b]))],
        [("", fig)],
    )

    b.sections["learning"] = Section(
        _h(lang, "相互借鉴", "What each could learn from the other"),
        [
            *F[4:7],
        ],
    )

    b.summary = b.findings[0]
    b.data = {
        "fuzzy_jaccard": float(fj.loc[case_a, case_b]),
        "jaccard": float(jac.loc[case_a, case_b]),
        "gower": float(gow.loc[case_a, case_b]),
        "rank": rank,
        "n_tied": n_tied,
        "interval": (float(this["lower"]), float(this["upper"])),
        "n_joint": int(n_joint.loc[case_a, case_b]),
    }
    return b


# ------------------------------------------------------------------------- cross-case

#: Short QCA condition names for the mechanism families (terms read like A*~B).
FAMILY_ABBR: dict[str, str] = {
    "party_leadership": "PARTY",
    "social_organizations": "SOCORG",
    "participation": "PARTIC",
    "incentives": "INCENT",
    "grid_digital": "GRID",
    "institutions_law": "LAW",
    "services": "SERV",
}
#: Share of leave-one-code-out reclusterings that must give the same two groups before a
#: report names them (:func:`analysis.similarity.split_stability`).
SPLIT_STABILITY = 0.9

DEFAULT_FAMILIES: tuple[str, ...] = (
    "party_leadership",
    "social_organizations",
    "participation",
    "grid_digital",
)


def qca_conditions(
    membership: pd.DataFrame, codebook: pd.DataFrame, families: Sequence[str]
) -> pd.DataFrame:
    """Family-level fuzzy conditions: each case's mean membership over a family's codes.

    Examples
    --------
    >>> m = pd.DataFrame({"a": [1.0, 0.0], "b": [0.33, 0.67]}, index=["x", "y"])
    >>> cbf = pd.DataFrame({"family": ["party_leadership", "party_leadership"]}, index=["a", "b"])
    >>> qca_conditions(m, cbf, ["party_leadership"]).round(3).to_dict()
    {'PARTY': {'x': 0.665, 'y': 0.335}}
    """
    values = membership.to_numpy(dtype=float)
    position = {code: i for i, code in enumerate(membership.columns)}
    family_of = codebook["family"].to_dict()
    out = {}
    for fam in families:
        block = values[
            :, [position[c] for c in codebook.index if c in position and family_of.get(c) == fam]
        ]
        # pandas' mean(axis=1) semantics (missing codings skipped, none left -> NaN),
        # in numpy: the coding-sensitivity analysis calls this hundreds of times.
        coded = ~np.isnan(block)
        n = coded.sum(axis=1)
        total = np.where(coded, block, 0.0).sum(axis=1)
        out[FAMILY_ABBR.get(fam, fam.upper())] = np.divide(
            total, n, out=np.full(len(values), np.nan), where=n > 0
        )
    return pd.DataFrame(out, index=membership.index)


#: PRI cut-off of every truth table in the reports (Schneider & Wagemann: low PRI rows are not OUT = 1).
PRI_CUT = 0.5


def run_qca(
    data: pd.DataFrame, outcome: str, incl_cut: float, dir_exp: dict[str, int] | None = None
):
    """Truth table, all solution types and necessity for a small case x condition table.

    Returns ``(truth_table, solutions, necessity, errors)``; ``errors`` maps a solution
    type to the reason it cannot be found (e.g. no configuration reaches ``incl_cut``).

    Examples
    --------
    >>> df = pd.DataFrame({"A": [1, 1, 0], "B": [1, 0, 1], "Y": [1, 1, 0]}, index=list("abc"))
    >>> tt, sols, nec, err = run_qca(df, "Y", 1.0)
    >>> sols["parsimonious"].models[0].expression, err
    ('A', {})
    """
    from analysis.qca import QCAError, minimize, necessity, truth_table

    conds = [c for c in data.columns if c != outcome]
    # A PRI cut-off by default: rows that are also subsets of the negated outcome are not OUT = 1.
    tt = truth_table(data, outcome, conds, incl_cut=incl_cut, pri_cut=PRI_CUT)
    nec = necessity(data, outcome, conds)
    sols: dict[str, Any] = {}
    errors: dict[str, str] = {}
    kinds = [("conservative", "", None), ("parsimonious", "?", None)]
    if dir_exp:  # directional expectations are declared, never assumed
        kinds.append(("intermediate", "?", dir_exp))
    for kind, include, de in kinds:
        try:
            sols[kind] = (
                minimize(tt, include, dir_exp=de)
                if kind == "intermediate"
                else minimize(tt, include)
            )
        except QCAError as exc:
            errors[kind] = str(exc)
    return tt, sols, nec, errors


def _parsimonious_models(data: pd.DataFrame, incl_cut: float) -> tuple[str, ...]:
    """The parsimonious QCA solution of ``data`` (outcome column ``OUTCOME``), sorted."""
    from analysis.qca import QCAError, minimize, truth_table

    try:
        tt = truth_table(
            data, "OUTCOME", [c for c in data.columns if c != "OUTCOME"], incl_cut=incl_cut
        )
        return tuple(sorted(m.expression for m in minimize(tt, "?").models))
    except QCAError:
        return ("(no solution)",)


def _solution_conclusion(
    cb: CaseBase, families: Sequence[str], outcome: pd.Series, incl_cut: float
):
    cbf = cb.codebook_frame()
    # Most single-cell flips give a condition table already solved: codes outside
    # the chosen families leave it unchanged, and a family mean moves the same way
    # whichever of its codes is flipped.  Solving each distinct table once cuts
    # the sensitivity analysis by more than half.
    solved: dict[bytes, tuple[str, ...]] = {}

    def run(membership: pd.DataFrame, outcome_scores: pd.Series) -> tuple[str, ...]:
        data = qca_conditions(membership, cbf, families)
        data["OUTCOME"] = outcome_scores.reindex(data.index)
        # Only the parsimonious solution is the conclusion here; skip the other types.
        key = np.round(data.to_numpy(dtype=float), 9).tobytes()
        if key not in solved:
            solved[key] = _parsimonious_models(data, incl_cut)
        return solved[key]

    return run


def _conclusion_text(x: Any, cases: dict[str, str], lang: str) -> str:
    """A QCA solution (tuple of expressions) or a partition (tuple of tuples of case ids)."""
    if isinstance(x, tuple) and x and all(isinstance(g, tuple) for g in x):
        sep, join = ("｜", "、") if lang == "zh" else (" | ", ", ")
        return sep.join(join.join(cases.get(c, c) for c in g) for g in x)
    if isinstance(x, tuple):
        return _t(lang, " 或 ", " or ").join(x)
    return str(x)


def id_list(value: Sequence[str] | str | None, name: str) -> list[str] | None:
    """Ids from a notebook parameter: a list, or one comma-separated string.

    papermill's ``-p cases shaoxing,dongguan`` passes a string, which would
    otherwise be taken letter by letter; ``-y "cases: [shaoxing, dongguan]"``
    passes a list.  Both mean the same.  ``"all"``, ``None`` or an empty list
    give None (every id).

    Parameters
    ----------
    value : list of str, str or None
        The parameter.
    name : str
        Its name, for the error message.

    Returns
    -------
    list of str or None

    Raises
    ------
    TypeError
        For anything else (a number, a mapping, a list holding non-strings).

    Examples
    --------
    >>> id_list("shaoxing, dongguan", "cases")
    ['shaoxing', 'dongguan']
    >>> id_list(["shaoxing"], "cases")
    ['shaoxing']
    >>> id_list("all", "cases") is None
    True
    >>> id_list(3, "cases")
    Traceback (most recent call last):
    TypeError: cases must be a list of ids or one comma-separated string (papermill: -p cases a,b or -y "cases: [a, b]"), got int 3
    """
    hint = f'(papermill: -p {name} a,b or -y "{name}: [a, b]")'
    if value is None:
        return None
    if isinstance(value, str):
        items = [part.strip() for part in value.split(",") if part.strip()]
        return None if items in ([], ["all"]) else items
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        raise TypeError(
            f"{name} must be a list of ids or one comma-separated string {hint}, "
            f"got {type(value).__name__} {value!r}"
        )
    return list(value) or None


def cross_case(
    cases: Sequence[str] | str = "all",
    families: Sequence[str] | str = DEFAULT_FAMILIES,
    outcome: str = "multi_actor_collaboration",
    incl_cut: float = 0.8,
    lang: str = "zh",
    casebase_dir: str | Path = "casebase",
    sources: str | Path | None = None,
) -> Briefing:
    """Cross-case comparison: clustered configurations, dendrogram and MDS (with pair
    intervals and tied ranks, cophenetic correlation, stress and the split's stability),
    QCA on one outcome (truth table, solutions, fit, limited diversity, necessity),
    coding sensitivity and network measures, with the small-N caveat.

    Examples
    --------
    >>> b = cross_case(outcome="service_quality", lang="en")    # doctest: +SKIP
    >>> "qca" in b.sections                                     # doctest: +SKIP
    True
    """
    from analysis import stats
    from analysis.qca.robustness import (
        contradiction_benchmark,
        necessity_verdicts,
        permutation_test,
    )

    _check_lang(lang)
    cb = open_casebase(casebase_dir, sources)
    case_list = id_list(cases, "cases") or cb.case_ids
    for c in case_list:
        _check_case(cb, c)
    if len(case_list) < 3:
        raise ValueError("a cross-case comparison needs at least 3 cases")
    fam_ids = [f.id for f in cb.codebook.families]
    fam_list = id_list(families, "families") or fam_ids
    for f in fam_list:
        if f not in fam_ids:
            raise ValueError(f"unknown family {f!r}; known: {', '.join(fam_ids)}")
    if outcome not in cb.outcome_ids:
        raise ValueError(f"unknown outcome {outcome!r}; known: {', '.join(cb.outcome_ids)}")
    if not 0 < incl_cut <= 1:
        raise ValueError("incl_cut must be in (0, 1]")
    plots.setup()
    lab = cb.labels(lang)
    cbf = cb.codebook_frame()
    m_all = cb.membership().loc[case_list]
    m = configuration.membership_matrix(m_all, cbf, families=fam_list)
    # Codebook order groups codes by family, so the heatmap's family lines fall between groups.
    m = m[[c for c in cbf.index if c in m.columns]]
    olabel = lab["outcome"][outcome]
    b = Briefing(
        title=_t(lang, f"跨案例比较：{olabel}", f"Cross-case comparison: {olabel}"),
        subtitle=_t(
            lang,
            f"Cross-case comparison: {cb.labels('en')['outcome'][outcome]}",
            "基层社会治理比较研究工作台",
        ),
        summary="",
        lang=lang,
    )
    n = len(case_list)

    # Configurations
    dist = similarity.distance_matrix(m, "fuzzy_jaccard")
    hc = similarity.cluster(dist)
    fig_heat = plots.configuration_heatmap(
        m,
        hc.leaves,
        lab["case_short"],
        lab["code"],
        cbf["family"].map(lab["family"]).to_dict(),
        title=_t(
            lang,
            "机制构型热图（行按聚类排序，竖线分隔机制族）",
            "Configurations (rows in cluster order, lines separate families)",
        ),
    )
    fig_dend = plots.dendrogram_figure(
        hc.linkage,
        [lab["case_short"][c] for c in hc.labels],
        title=_t(
            lang,
            "平均联结聚类（模糊 Jaccard 距离）",
            "Average-linkage clustering (fuzzy Jaccard distance)",
        ),
        ylabel=_t(lang, "距离", "distance"),
        cophenetic=hc.cophenetic,
    )
    mds_res = similarity.mds(dist)
    fig_mds = plots.mds_figure(
        mds_res.coordinates,
        lab["case_short"],
        title=_t(lang, "多维尺度（MDS）图", "Classical MDS map"),
    )
    ints = similarity.similarity_intervals(m, "fuzzy_jaccard")
    ranked = similarity.rank_pairs(ints)
    top = ranked.iloc[0]
    x0, y0 = str(top["a"]), str(top["b"])
    stab = similarity.split_stability(m, "fuzzy_jaccard", threshold=SPLIT_STABILITY)

    def _cluster_sentences(lg: str) -> list[str]:
        lb = cb.labels(lg)
        group_txt = (" | " if lg != "zh" else "｜").join(
            ("、" if lg == "zh" else ", ").join(lb["case_short"][c] for c in grp)
            for grp in stab.full_split
        )
        split = fx.say(
            "split_stable" if stab.stable else "split_unstable",
            lg,
            groups=group_txt,
            share=fx.pct(stab.share),
            need=fx.pct(stab.threshold),
        )
        return [
            fx.say(
                "cluster",
                lg,
                a=lb["case_short"][x0],
                b=lb["case_short"][y0],
                d=fx.fmt(dist.loc[x0, y0]),
                n_joint=int(top["n_joint"]),
                n_tied=int(top["n_tied"]),
                split=split,
            ),
            fx.say("cluster_fit", lg, coph=fx.fmt(hc.cophenetic), stress=fx.fmt(mds_res.stress)),
        ]

    cluster_sentence, fit_sentence = _cluster_sentences(lang)
    rank_table = pd.DataFrame(
        {
            _t(lang, "案例对", "Pair"): [
                f"{lab['case_short'][a]} – {lab['case_short'][b_]}"
                for a, b_ in zip(ranked["a"], ranked["b"], strict=True)
            ],
            _t(lang, "模糊 Jaccard", "Fuzzy Jaccard"): ranked["similarity"].to_numpy(),
            _t(lang, "刀切法 95% 区间", "Jackknife 95% interval"): [
                f"{fx.fmt(lo)}–{fx.fmt(hi)}"
                for lo, hi in zip(ranked["lower"], ranked["upper"], strict=True)
            ],
            _t(lang, "共同报告的编码数", "Codes reported for both"): ranked["n_joint"].to_numpy(),
            _t(lang, "名次（区间重叠者并列）", "Rank (tied where intervals overlap)"): [
                "—" if pd.isna(r) else (f"{r}=" if t > 1 else f"{r}")
                for r, t in zip(ranked["rank"], ranked["n_tied"], strict=True)
            ],
        }
    )
    b.sections["configuration"] = Section(
        _h(lang, "机制构型与相似性", "Configurations and similarity"),
        [
            _t(
                lang,
                f"比较 {n} 个案例、{len(fam_list)} 个机制族的 {m.shape[1]} 个机制编码。",
                f"{n} cases compared on {m.shape[1]} mechanism codes in {len(fam_list)} families.",
            ),
            cluster_sentence,
            fit_sentence,
            _caveat(n, lang),
        ],
        [(_t(lang, "案例对的相似度与名次", "Pair similarities and ranks"), rank_table)],
        [("", fig_heat), ("", fig_dend), ("", fig_mds)],
    )

    # QCA
    yscores = cb.outcome_scores(outcome).loc[case_list]
    missing = [c for c in case_list if yscores[c] != yscores[c]]
    qcases = [c for c in case_list if c not in missing]
    conds = qca_conditions(m_all.loc[qcases], cbf, fam_list)
    # A case whose source reports no code of a family has no value on that condition:
    # it is left out with the reason, never given 0.
    no_condition = [c for c in qcases if conds.loc[c].isna().any()]
    qcases = [c for c in qcases if c not in no_condition]
    conds = conds.loc[qcases]
    data = conds.copy()
    data["OUTCOME"] = yscores.loc[qcases]
    tt, sols, nec, errs = (
        run_qca(data, "OUTCOME", incl_cut) if len(qcases) >= 2 else (None, {}, [], {"all": "N < 2"})
    )
    cond_names = list(conds.columns)
    # The guards come before any configurational statement (Marx & Dusa; Braumoeller).
    bench = contradiction_benchmark(max(len(qcases), 1), max(len(cond_names), 1))
    perm = (
        permutation_test(data, "OUTCOME", cond_names, incl_cut=incl_cut, pri_cut=PRI_CUT)
        if "parsimonious" in sols
        else None
    )
    exploratory = not bench.met or perm is None or perm.p_value > 0.05
    b.data["benchmark"] = bench
    b.data["permutation"] = perm
    legend = pd.DataFrame(
        {
            _t(lang, "条件", "Condition"): cond_names,
            _t(lang, "含义（机制族平均隶属度）", "Meaning (mean membership over the family)"): [
                lab["family"][f] for f in fam_list
            ],
        }
    )
    data_tbl = data.rename(index=lab["case_short"]).reset_index(names=_t(lang, "案例", "Case"))
    data_tbl = data_tbl.rename(
        columns={"OUTCOME": _t(lang, f"结果：{olabel}", f"Outcome: {olabel}")}
    )
    paras = [
        _t(
            lang,
            f"条件为所选机制族的平均隶属度（模糊集），结果为“{olabel}”的编码得分；一致性阈值 incl.cut = {incl_cut}。",
            f"Conditions are the chosen families' mean memberships (fuzzy sets); the outcome is the coded score on "
            f"“{olabel}”; consistency threshold incl.cut = {incl_cut}.",
        ),
    ]
    for key, left_out in (("qca_missing_condition", no_condition), ("qca_missing", missing)):
        if left_out:
            paras.append(
                fx.say(
                    key,
                    lang,
                    cases=fx.joined([lab["case_short"][c] for c in left_out], lang),
                    n=len(qcases),
                )
            )
    at_half = [lab["case_short"][c] for c in qcases if (conds.loc[c] == 0.5).any()]
    if at_half:
        paras.append(
            _t(
                lang,
                f"{'、'.join(at_half)}在某一条件上恰为 0.5（交叉点），不能归入任何组态，但仍计入一致性与覆盖度。",
                f"{', '.join(at_half)} sit exactly at 0.5 on a condition and belong to no configuration; "
                "they still count in consistency and coverage.",
            )
        )
    tables = [("", legend), (_t(lang, "案例在条件与结果上的隶属度", "Case memberships"), data_tbl)]
    qca_sentences: dict[str, list[str]] = {"zh": [], "en": []}
    if tt is not None:
        k = len(cond_names)
        observed = sum(1 for r in tt.rows() if r.n > 0)
        for lg in LANGS:
            qca_sentences[lg].append(
                fx.say(
                    "qca_diversity",
                    lg,
                    k=k,
                    rows=2**k,
                    observed=observed,
                    remainder_share=fx.pct(tt.limited_diversity),
                )
            )
        low_pri = [
            r
            for r in tt.rows(remainders=False)
            if r.out == "1" and r.pri is not None and r.pri < 0.5
        ]
        if low_pri:
            rows_txt = ", ".join(str(r.row) for r in low_pri)
            for lg in LANGS:
                qca_sentences[lg].append(fx.say("qca_low_pri", lg, n=len(low_pri), rows=rows_txt))
        paras.append(qca_sentences[lang][0])
        if exploratory:
            for lg in LANGS:
                perm_txt = (
                    fx.say("qca_permutation", lg, p=fx.pct(perm.p_value))
                    if perm is not None
                    else ""
                )
                qca_sentences[lg].insert(
                    1,
                    fx.say(
                        "qca_exploratory",
                        lg,
                        n=len(qcases),
                        k=len(cond_names),
                        p_free=fx.pct(bench.p_contradiction_free),
                        perm=perm_txt,
                    ),
                )
        rows = []
        for r in tt.rows(remainders=False):
            row = dict(zip(cond_names, r.values, strict=True))
            row.update(
                {
                    "OUT": r.out,
                    "n": r.n,
                    "incl": r.incl,
                    "PRI": r.pri,
                    _t(lang, "案例", "cases"): ", ".join(
                        lab["case_short"].get(c, c) for c in r.cases
                    ),
                }
            )
            rows.append(row)
        tables.append(
            (
                _t(
                    lang,
                    f"真值表（观察到的组态；其余 {2**k - observed} 行为逻辑余项）",
                    f"Truth table (observed configurations; the other {2**k - observed} rows are remainders)",
                ),
                pd.DataFrame(rows),
            )
        )
    sol_rows = []
    names = {
        "conservative": _t(lang, "复杂（保守）", "Conservative"),
        "parsimonious": _t(lang, "简约", "Parsimonious"),
        "intermediate": _t(lang, "中间", "Intermediate"),
    }
    for kind, why in errs.items():
        key = (
            "qca_all_positive"
            if "negative" in why or "positive" in why
            else "qca_no_solution"
            if "OUT = 1" in why
            else "qca_too_few"
        )
        for lg in LANGS:
            lbl = {
                "conservative": _t(lg, "复杂（保守）", "Conservative"),
                "parsimonious": _t(lg, "简约", "Parsimonious"),
                "intermediate": _t(lg, "中间", "Intermediate"),
                "all": _t(lg, "各类", "Every"),
            }[kind]
            qca_sentences[lg].append(fx.say(key, lg, label=lbl, cut=incl_cut))
    for kind, sol in sols.items():
        for model in sol.models:
            for tf in model.term_fit:
                sol_rows.append(
                    {
                        _t(lang, "解的类型", "Solution"): names[kind],
                        _t(lang, "模型", "Model"): model.name,
                        _t(lang, "项", "Term"): tf.term,
                        "inclS": tf.inclS,
                        "PRI": tf.PRI,
                        "covS": tf.covS,
                        "covU": tf.covU,
                    }
                )
            sol_rows.append(
                {
                    _t(lang, "解的类型", "Solution"): names[kind],
                    _t(lang, "模型", "Model"): model.name,
                    _t(lang, "项", "Term"): model.expression,
                    "inclS": model.solution_fit.inclS,
                    "PRI": model.solution_fit.PRI,
                    "covS": model.solution_fit.covS,
                    "covU": None,
                }
            )
        for lg in LANGS:
            lbl = {
                "conservative": _t(lg, "复杂（保守）", "Conservative"),
                "parsimonious": _t(lg, "简约", "Parsimonious"),
                "intermediate": _t(lg, "中间", "Intermediate"),
            }[kind]
            mod = sol.models[0]
            for each in sol.models:  # every equally good model, never just the first
                qca_sentences[lg].append(
                    fx.say(
                        "qca_solution",
                        lg,
                        label=lbl,
                        expr=" + ".join(each.terms),
                        incl=fx.fmt(each.solution_fit.inclS, 3),
                        cov=fx.fmt(each.solution_fit.covS, 3),
                    )
                )
            if mod.solution_fit.inclS < incl_cut:
                qca_sentences[lg].append(
                    fx.say(
                        "qca_weak",
                        lg,
                        label=lbl,
                        incl=fx.fmt(mod.solution_fit.inclS, 3),
                        cut=incl_cut,
                    )
                )
            if len(sol.models) > 1:
                qca_sentences[lg].append(fx.say("qca_multiple", lg, label=lbl, n=len(sol.models)))
    if sol_rows:
        tables.append(
            (
                _t(
                    lang,
                    "解与拟合（每个模型最后一行是整体）",
                    "Solutions and fit (the last row of each model is the whole model)",
                ),
                pd.DataFrame(sol_rows),
            )
        )
    if nec:
        nec_tbl = pd.DataFrame(
            [
                {
                    _t(lang, "条件", "Condition"): f.condition,
                    "inclN": f.inclN,
                    "RoN": f.RoN,
                    "covN": f.covN,
                }
                for f in nec
            ]
        )
        tables.append((_t(lang, "必要条件分析", "Necessity"), nec_tbl))
        verdicts = necessity_verdicts(data, "OUTCOME", cond_names)
        passed = [v for v in verdicts if v.verdict == "necessary"]
        flagged = [v.condition for v in verdicts if v.verdict in ("trivial", "skewed")]
        for lg in LANGS:
            if passed:
                for v in passed:
                    qca_sentences[lg].append(
                        fx.say(
                            "qca_necessity_exploratory" if exploratory else "qca_necessity",
                            lg,
                            cond=v.condition,
                            incl=fx.fmt(v.inclN, 3),
                            ron=fx.fmt(v.RoN, 3),
                        )
                    )
            else:
                trivial = (
                    fx.say("qca_necessity_trivial", lg, conds=fx.joined(flagged, lg))
                    if flagged
                    else ""
                )
                qca_sentences[lg].append(fx.say("qca_necessity_none", lg, trivial=trivial))
    paras += qca_sentences[lang][1:]
    b.sections["qca"] = Section(
        _h(lang, "定性比较分析（QCA）", "Qualitative comparative analysis (QCA)"), paras, tables
    )

    # Coding sensitivity: QCA solution and clustering
    sens_paras = []
    sens_tables = []
    sens_sentences: dict[str, list[str]] = {"zh": [], "en": []}
    for what, res in (
        (
            "qca",
            stats.coding_sensitivity(
                m_all.loc[qcases],
                yscores.loc[qcases],
                _solution_conclusion(cb, fam_list, yscores, incl_cut),
                cells=[(c, code) for c in qcases for code in m.columns],
            )
            if "parsimonious" in sols and len(qcases) >= 3
            else None,
        ),
        ("cluster", stats.coding_sensitivity(m, None, stats.clustering_conclusion)),
    ):
        if res is None:
            continue
        fragile = res.fragile_cells

        def conclusion_label(lg: str, what: str = what) -> str:
            if what == "qca":
                return _t(lg, "QCA 简约解", "the QCA parsimonious solution")
            return _t(lg, "两组聚类划分", "the two-group clustering")

        for lg in LANGS:
            lb = cb.labels(lg)
            lbl = conclusion_label(lg)
            cl = [
                f"{lb['case_short'][r.case_id]}·{lb['code'][r.code]}" for r in fragile.itertuples()
            ]
            s = (
                fx.say("sensitivity", lg, n=len(fragile), cells=fx.joined(cl, lg, limit=8))
                if len(fragile)
                else fx.say("sensitivity_none", lg)
            )
            sens_sentences[lg].append(MarkdownText("{} {}").format(f"[{lbl}]", s))
        sens_paras.append(sens_sentences[lang][-1])
        if len(fragile):
            ch = res.changed
            sens_tables.append(
                (
                    conclusion_label(lang),
                    pd.DataFrame(
                        {
                            _t(lang, "案例", "Case"): [lab["case_short"][c] for c in ch["case_id"]],
                            _t(lang, "编码", "Code"): [lab["code"][c] for c in ch["code"]],
                            _t(lang, "原得分", "Coded"): ch["original"].to_numpy(),
                            _t(lang, "改为", "Moved to"): ch["perturbed"].to_numpy(),
                            _t(lang, "新结论", "New conclusion"): [
                                _conclusion_text(x, lab["case_short"], lang)
                                for x in ch["conclusion"]
                            ],
                        }
                    ),
                )
            )
    b.sections["sensitivity"] = Section(
        _h(lang, "编码敏感性", "Coding sensitivity"),
        [
            _t(
                lang,
                "把每个编码单元上调或下调一档（0/0.33/0.67/1），重新求解并重新聚类；改变结论的编码应优先回到原文复核。",
                "Every coded cell is moved one step (0/0.33/0.67/1) up or down and the solution and clustering re-run; "
                "codings that change a conclusion are the first to re-check against the evidence.",
            ),
            *sens_paras,
        ],
        sens_tables,
    )

    # Networks
    b.sections["networks"] = Section(
        _h(lang, "行动者网络指标", "Network measures"),
        [
            _t(
                lang,
                "“一核多元”结构：党组织联系占比与中介中心度越高，党组织越处于网络中心；不经党政的联系占比反映社会主体之间的横向联系。",
                "The 一核多元 (one core, many actors) structure: higher party tie share and betweenness mean a more central "
                "party organization; the share of ties bypassing party and government measures horizontal ties among "
                "social actors.",
            ),
            *_network_paragraphs(cb, lang, case_list),
        ],
        [("", _measures_table(cb, lang, case_list))],
    )

    def _findings(lg: str) -> list[str]:
        lb = cb.labels(lg)
        out = _cluster_sentences(lg)
        out += qca_sentences[lg]
        if missing:
            out.append(
                fx.say(
                    "qca_missing",
                    lg,
                    cases=fx.joined([lb["case_short"][c] for c in missing], lg),
                    n=len(qcases),
                )
            )
        out += sens_sentences[lg]
        out.append(fx.say("n_caveat", lg, n=n))
        return out

    b.findings = _findings(lang)
    b.findings_en = _findings("en") if lang == "zh" else []
    first_solution = next(
        (x for x in qca_sentences[lang] if "一致性" in x or "consistency" in x), ""
    )
    b.summary = MarkdownText(" ").join([cluster_sentence, first_solution]).strip()
    b.data = {
        "pair_ranks": ranked,
        "split": stab,
        "cophenetic": hc.cophenetic,
        "stress": mds_res.stress,
        "truth_table": tt,
        "solutions": sols,
        "necessity": nec,
        "qca_data": data,
        "errors": errs,
    }
    return b


# ------------------------------------------------------------------------ reliability


def adjudication_of(cb: CaseBase, case_id: str, code: str, round_id: str):
    """The case file's adjudication of one coding in one reliability round, if any.

    Examples
    --------
    >>> adjudication_of(cb, "shaoxing", "dedicated_funding", "1").final   # doctest: +SKIP
    0.0
    """
    case = cb.cases.get(case_id)
    if case is None:
        return None
    for m in case.mechanisms:
        if m.code == code:
            return next((a for a in m.adjudication if a.round == round_id), None)
    return None


def _round_sentences(cb: CaseBase, rep: dict[str, Any], lang: str) -> list[str]:
    """The two headline sentences of a reliability round, in one language."""
    lb = cb.labels(lang)
    a, c2 = rep["coders"]
    low = [
        lb["code"].get(c, c)
        for c, v in rep["per_code"].items()
        if v["alpha"] is not None and v["alpha"] < 0.667
    ]
    return [
        fx.say(
            "reliability",
            lang,
            round=rep["round"],
            version=rep["codebook_version"],
            a=a,
            b=c2,
            units=rep["units"],
            alpha=fx.fmt(rep["alpha_ordinal"], 3),
            kappa=fx.fmt(rep["kappa_presence"], 3),
            exact=fx.pct(rep["exact_agreement"]),
        ),
        fx.say(
            "reliability_target",
            lang,
            ok=rep["alpha_ordinal"] >= 0.8,
            n_low=len(low),
            low=fx.joined(low, lang),
        ),
    ]


def reliability_briefing(
    lang: str = "zh",
    casebase_dir: str | Path = "casebase",
    sources: str | Path | None = None,
) -> Briefing:
    """Inter-coder reliability: every round's alpha and kappa, per-code alpha with a
    figure, and each disagreement with both coders' evidence and its adjudication.

    Examples
    --------
    >>> b = reliability_briefing("en")          # doctest: +SKIP
    >>> b.data["rounds"][0]["units"]            # doctest: +SKIP
    175
    """
    from analysis.reliability import read_rounds, reliability_report

    _check_lang(lang)
    cb = open_casebase(casebase_dir, sources)
    plots.setup()
    lab = cb.labels(lang)
    b = Briefing(
        title=_t(lang, "编码信度报告", "Inter-coder reliability"),
        subtitle=_t(lang, "Inter-coder reliability of the case base", "基层社会治理比较研究工作台"),
        summary="",
        lang=lang,
    )
    rounds = read_rounds(cb)
    if not rounds:
        b.sections["rounds"] = Section(
            _h(lang, "信度", "Reliability"),
            [
                _t(
                    lang,
                    "案例库中还没有独立编码（casebase/codings/），无法计算信度。",
                    "There are no independent codings in casebase/codings/ yet.",
                )
            ],
        )
        b.findings = [b.sections["rounds"].paragraphs[0]]
        b.summary = b.findings[0]
        return b
    reports = [reliability_report(cb, r.id) for r in rounds]
    rtable = pd.DataFrame(
        [
            {
                _t(lang, "轮次", "Round"): rep["round"],
                _t(lang, "编码手册版本", "Codebook"): f"v{rep['codebook_version']}",
                _t(lang, "编码者", "Coders"): " vs ".join(rep["coders"]),
                _t(lang, "单元数", "Units"): rep["units"],
                "Krippendorff α": rep["alpha_ordinal"],
                "Cohen κ": rep["kappa_presence"],
                _t(lang, "完全一致率", "Exact agreement"): rep["exact_agreement"],
                _t(lang, "分歧数", "Disagreements"): len(rep["disagreements"]),
            }
            for rep in reports
        ]
    )
    b.sections["rounds"] = Section(
        _h(lang, "各轮信度", "Rounds"),
        [
            _t(
                lang,
                "每一轮比较两份独立编码：单元为“案例 × 编码”，α 为定序 Krippendorff α，κ 为“是否存在”（得分 > 0）的 Cohen κ。"
                "各轮的比较对象和说明见下表与 casebase/codings/rounds.yaml。",
                "Each round compares two independent codings; a unit is a case x code; α is ordinal Krippendorff's α, "
                "κ is Cohen's κ on presence (score > 0). Who was compared in each round is in the table and in "
                "casebase/codings/rounds.yaml.",
            ),
            _t(
                lang,
                "说明：独立编码者是只看到编码手册和原文的独立会话（同一类语言模型），不是人类编码员；"
                "它们之间的一致可能高于两位人类编码员。",
                "Note: the independent coders are separate sessions that saw only the codebook and the source texts "
                "(instances of the same kind of language model), not human coders; their agreement may be higher than "
                "two human coders would reach.",
            ),
        ],
        [("", rtable)],
    )
    for rep in reports:
        per = pd.DataFrame(rep["per_code"]).T
        per.index.name = "code"
        fig = plots.alpha_bars(
            per.astype({"alpha": float}),
            lab["code"],
            title=_t(
                lang,
                f"{rep['round']}：各编码的 Krippendorff α",
                f"{rep['round']}: Krippendorff's α per code",
            ),
        )
        a, c2 = rep["coders"]
        dis_rows = []
        for d in rep["disagreements"]:
            adj = adjudication_of(cb, d["case_id"], d["code"], rep["round"])
            dis_rows.append(
                {
                    _t(lang, "案例", "Case"): lab["case_short"].get(d["case_id"], d["case_id"]),
                    _t(lang, "编码", "Code"): lab["code"].get(d["code"], d["code"]),
                    a: d[a],
                    c2: d[c2],
                    f"{a} {_t(lang, '证据', 'evidence')}": "；".join(
                        f"“{e['quote']}”" for e in d["evidence"][a]
                    )
                    or "—",
                    f"{c2} {_t(lang, '证据', 'evidence')}": "；".join(
                        f"“{e['quote']}”" for e in d["evidence"][c2]
                    )
                    or "—",
                    _t(lang, "裁决", "Adjudicated"): (
                        f"{_score_text(adj.final, lang)}：{adj.reason}" if adj else "—"
                    ),
                }
            )
        b.sections[f"round_{rep['round']}"] = Section(
            _h(
                lang,
                f"第 {rep['round']} 轮：各编码信度与分歧",
                f"Round {rep['round']}: per-code agreement and disagreements",
            ),
            [
                *_round_sentences(cb, rep, lang),
                _t(
                    lang,
                    "每个编码只有 5 个单元（5 个案例），单个编码的 α 很不稳定，只用于找出需要澄清定义的编码。",
                    "Each code has only 5 units (5 cases), so a single code's α is unstable; it only flags definitions to sharpen.",
                ),
                *([rep["note"]] if rep.get("note") else []),
            ],
            [
                (
                    _t(lang, "分歧及双方证据", "Disagreements with both coders' evidence"),
                    pd.DataFrame(dis_rows),
                )
            ]
            if dis_rows
            else [],
            [("", fig)],
        )
    changes = [f"v{e.version}（{e.date}）：" + " ".join(e.changes) for e in cb.codebook.changelog]
    b.sections["changelog"] = Section(
        _h(lang, "编码手册修订记录", "Codebook changelog"),
        [MarkdownText("- {}").format(c) for c in changes] or ["—"],
    )

    def _findings(lg: str) -> list[str]:
        out = []
        for rep in reports:
            out += _round_sentences(cb, rep, lg)
        out.append(
            _t(
                lg,
                "独立编码者是只看到编码手册和原文的独立会话，不是人类编码员。",
                "The independent coders are separate sessions that saw only the codebook and the texts, not human coders.",
            )
        )
        return out

    b.findings = _findings(lang)
    b.findings_en = _findings("en") if lang == "zh" else []
    b.summary = b.findings[0]
    b.data = {"rounds": reports}
    return b


# ----------------------------------------------------------------------------- corpus

#: Function words that carry no content, left out of keyness.
STOPWORDS: frozenset[str] = frozenset(
    "这些 这种 这一 那些 可能 不同 有利于 以及 进行 通过 一个 我们 他们 其中 已经 没有 因此 同时 方面 一些 "
    "为了 能够 不能 不断 更加 之间 各种 以下 以上 对于 如何 还是 就是 也是 并且 而且 但是 所以 如果 由于 "
    "从而 其他 各类 相关 等等 目前 一定 主要 重要 具有 提供".split()
)

#: Terms of the field kept whole by the segmenter and searched in context.
KWIC_TERMS: tuple[str, ...] = ("党建引领", "网格", "共建共治共享", "自组织", "以奖代补", "民情")


def codebook_terms(cb: CaseBase) -> list[str]:
    """Chinese terms from the codebook and practice names, for the jieba user dictionary.

    Examples
    --------
    >>> "以奖代补" in codebook_terms(cb)        # doctest: +SKIP
    True
    """
    terms = set(KWIC_TERMS) | {
        "党建引领",
        "网格化",
        "以奖代补",
        "共同缔造",
        "契约化",
        "智网工程",
        "民情通",
    }
    for c in cb.codebook.codes:
        for part in re.split(r"[与和（）、·\s]+", c.label_zh):
            if 2 <= len(part) <= 8:
                terms.add(part)
    return sorted(terms)


def corpus_briefing(
    lang: str = "zh",
    casebase_dir: str | Path = "casebase",
    sources: str | Path | None = None,
) -> Briefing:
    """Keyness of each source against the rest (G², χ²) and keywords in context.

    Runs only when a corpus is given (``sources``, ``$WORKBENCH_SOURCES`` or the project
    setting ``[tool.workbench] sources``);
    otherwise the report says so and stops cleanly.

    Examples
    --------
    >>> corpus_briefing(sources=None).sections["status"].heading    # doctest: +SKIP
    '语料 / Corpus'
    """
    from analysis import text as tx

    _check_lang(lang)
    cb = open_casebase(casebase_dir, sources)
    plots.setup()
    lab = cb.labels(lang)
    b = Briefing(
        title=_t(lang, "语料分析：关键词与上下文", "Corpus: keyness and keywords in context"),
        subtitle=_t(lang, "Corpus: keyness and keywords in context", "基层社会治理比较研究工作台"),
        summary="",
        lang=lang,
    )
    if not cb.texts:
        msg = MarkdownText(
            _t(
                lang,
                "未提供语料文件夹（`--sources DIR`、环境变量 `WORKBENCH_SOURCES` 或 `pyproject.toml` 的 `[tool.workbench] sources`），本报告不做语料分析。",
                "No corpus folder was given (`--sources DIR`, `$WORKBENCH_SOURCES` or `[tool.workbench] sources` in `pyproject.toml`), so this report does no corpus analysis.",
            )
        )
        b.sections["status"] = Section(_h(lang, "语料", "Corpus"), [msg])
        b.findings = [msg]
        b.summary = msg
        return b
    terms = codebook_terms(cb)
    case_of = {s: c for c, case in cb.cases.items() for s in case.sources}
    # Single characters are mostly function words in Chinese; keyness on them is noise.
    freqs = tx.term_frequencies(cb.texts, terms, min_length=2, stopwords=STOPWORDS)
    figs = []
    top_terms: dict[str, list[str]] = {}
    for sid in cb.texts:
        rest_ids = [s for s in cb.texts if s != sid]
        k = tx.keyness(freqs[sid], freqs[rest_ids].sum(axis=1)).rename(columns={"feature": "term"})
        k = k[k["G2"] > 0]
        top_terms[sid] = list(k["term"].head(8))
        name = lab["case_short"].get(case_of.get(sid, ""), sid)
        figs.append(
            (
                name,
                plots.keyness_figure(
                    k,
                    title=_t(
                        lang,
                        f"{name}：相对其他文本的关键词（G²）",
                        f"{name}: keywords against the rest (G²)",
                    ),
                ),
            )
        )
    kw_rows = []
    for term in KWIC_TERMS:
        for sid, text in cb.texts.items():
            hits = tx.kwic(text, term, window=18, doc_id=sid)
            for r in hits.head(2).itertuples():
                kw_rows.append(
                    {
                        _t(lang, "词", "Term"): term,
                        _t(lang, "文本", "Text"): lab["case_short"].get(case_of.get(sid, ""), sid),
                        _t(lang, "上下文", "Context"): " ".join(
                            f"{r.left}【{r.keyword}】{r.right}".split()
                        ),
                        _t(lang, "位置", "Offsets"): f"{r.start}–{r.end}",
                    }
                )
    b.sections["keyness"] = Section(
        _h(lang, "关键词（对数似然 G²）", "Keyness (log-likelihood G²)"),
        [
            _t(
                lang,
                "每篇来源与其余来源比较；分词使用 jieba，并以编码手册术语为用户词典，使“党建引领”“以奖代补”等术语保持完整。",
                "Each source against the rest; jieba segmentation with the codebook's terms as a user dictionary, so terms "
                "such as 党建引领 and 以奖代补 stay whole.",
            ),
            _t(
                lang,
                "关键词反映各文本的写法与侧重，文本体裁与长度不同，不宜直接比较频次。",
                "Keywords reflect how each text is written; genres and lengths differ, so raw frequencies are not comparable.",
            ),
        ],
        [],
        figs,
    )
    b.sections["kwic"] = Section(
        _h(lang, "关键词上下文", "Keywords in context"),
        [
            _t(
                lang,
                "位置为字符偏移，与案例库证据的 start/end 一致。",
                "Offsets are character positions, as in the case base's evidence spans.",
            )
        ],
        [("", pd.DataFrame(kw_rows))],
    )

    def _findings(lg: str) -> list[str]:
        lb = cb.labels(lg)
        out = []
        for sid, ts in top_terms.items():
            name = lb["case_short"].get(case_of.get(sid, ""), sid)
            out.append(
                _t(
                    lg,
                    f"{name}最突出的关键词：{'、'.join(ts[:6])}。",
                    f"{name}: top keywords {', '.join(ts[:6])}.",
                )
            )
        out.append(fx.say("n_caveat", lg, n=len(cb.cases)))
        return out

    b.findings = _findings(lang)
    b.findings_en = _findings("en") if lang == "zh" else []
    b.summary = b.findings[0]
    b.data = {"top_terms": top_terms}
    return b
