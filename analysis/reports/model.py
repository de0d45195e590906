"""What a briefing is made of: points with evidence, recommendations, sections.

A :class:`Report` is the *text* layer: every sentence in it was rendered from a
named template (:mod:`analysis.reports.text`) out of the report's facts.  It
knows how to show itself in a notebook section by section, in the genre order
of a 决策咨询报告 (核心判断 → 一、基本情况 → … → 附：方法与证据), and how to
make its one-page 要报 (:meth:`Report.yaobao`).

Examples
--------
>>> ev = Evidence("a", "s1", 0, 4, "建立网格", "张三 2020")
>>> p = Point("网格化管理全面铺开。", (ev,))
>>> print(p.markdown("zh"))
网格化管理全面铺开。——“建立网格”（张三 2020，第 0–4 字）
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from analysis.md_text import MarkdownText, as_markdown
from analysis.reports.text import heading_number, t


@dataclass(frozen=True)
class Evidence:
    """A verbatim quote a reader can check: source, character offsets, citation label.

    Examples
    --------
    >>> Evidence("a", "s1", 3, 9, "成立议事会", "李四 2019").where("en")
    'chars 3–9'
    """

    case_id: str
    source_id: str
    start: int
    end: int
    quote: str
    cite: str

    def where(self, lang: str) -> str:
        """Offsets in the reader's language.

        Examples
        --------
        >>> Evidence("a", "s", 3, 9, "q", "c").where("zh")
        '第 3–9 字'
        """
        return (
            f"第 {self.start}–{self.end} 字" if lang == "zh" else f"chars {self.start}–{self.end}"
        )

    def short(self, lang: str) -> MarkdownText:
        """``（cite，第 a–b 字）``: the citation without the quote (for the 要报)."""
        if lang == "zh":
            return MarkdownText("（{}，{}）").format(self.cite, self.where(lang))
        return MarkdownText(" ({}, {})").format(self.cite, self.where(lang))

    def markdown(self, lang: str) -> MarkdownText:
        """``“quote”（cite，第 a–b 字）`` with the quote shown literally."""
        from analysis.formatting import quoted

        quote = quoted(self.quote, lang)  # nested marks become ‘ ’, never doubled
        if lang == "zh":
            return MarkdownText("{}（{}，{}）").format(quote, self.cite, self.where(lang))
        return MarkdownText("{} ({}, {})").format(quote, self.cite, self.where(lang))


@dataclass(frozen=True)
class Point:
    """One statement of a section, with the evidence it rests on.

    ``note`` says who asserts a claim or how sure it is (e.g. 来源自述).
    """

    text: str
    evidence: tuple[Evidence, ...] = ()
    note: str = ""

    def markdown(self, lang: str, max_quotes: int = 2) -> MarkdownText:
        """The statement, its note and up to ``max_quotes`` quotes (0: citation only)."""
        out = as_markdown(self.text)
        if self.note and max_quotes > 0:  # the 要报 (citations only) has no appendix to point to
            out += MarkdownText("（{}）" if lang == "zh" else " ({})").format(self.note)
        if max_quotes == 0:
            return MarkdownText(out + (self.evidence[0].short(lang) if self.evidence else ""))
        quotes = [e.markdown(lang) for e in self.evidence[:max_quotes]]
        if quotes:
            dash = "——" if lang == "zh" else " — "
            out += MarkdownText(dash) + MarkdownText("；" if lang == "zh" else "; ").join(quotes)
        return MarkdownText(out)


@dataclass(frozen=True)
class Recommendation:
    """A prioritised recommendation traced to the cases and quotes it rests on.

    Parameters
    ----------
    priority : int
        1 is the most important.
    text : str
        What to do, addressed to a level of government.
    cases : tuple of str
        Case labels it rests on.
    evidence : tuple of Evidence
        The quotes it rests on (at least one).
    conditions : str
        适用条件: when it applies.
    risks : str
        风险: what can go wrong, from the sources' own problems or context differences.
    """

    priority: int
    text: str
    cases: tuple[str, ...]
    evidence: tuple[Evidence, ...]
    conditions: str
    risks: str
    scope: str = ""

    def markdown(self, lang: str, index: int, compact: bool = False) -> MarkdownText:
        """The recommendation as a numbered paragraph with its basis, conditions and risks.

        ``compact`` (the 要报) gives the recommendation, its citation and 适用条件 only.
        """
        head = (
            MarkdownText("**" + heading_number(index, 3, lang).rstrip() + " ")
            + as_markdown(self.text)
            + MarkdownText("**")
        )
        if compact:
            cited = self.evidence[0].short(lang) if self.evidence else ""
            where = MarkdownText("；{}：" if lang == "zh" else "; {}: ").format(
                t(lang, "适用于", "applies to")
            )
            return head + cited + where + as_markdown(self.scope or self.conditions)
        head = (
            MarkdownText("**" + heading_number(index, 3, lang).rstrip() + " ")
            + as_markdown(self.text)
            + MarkdownText("**")
        )
        basis = MarkdownText("；" if lang == "zh" else "; ").join(
            e.markdown(lang) for e in self.evidence[:2]
        )
        sep = "、" if lang == "zh" else ", "
        dash = "——" if lang == "zh" else " — "
        lines = [
            head,
            MarkdownText("{}：{}" if lang == "zh" else "{}: {}").format(
                t(lang, "依据", "Basis"), sep.join(self.cases)
            )
            + MarkdownText(dash)
            + basis,
            MarkdownText("{}：{}" if lang == "zh" else "{}: {}").format(
                t(lang, "适用条件", "Applies when"), self.conditions
            ),
            MarkdownText("{}：{}" if lang == "zh" else "{}: {}").format(
                t(lang, "风险", "Risks"), self.risks
            ),
        ]
        return MarkdownText("\n\n").join(lines)


@dataclass
class Section:
    """One numbered part of a briefing (or of its appendix).

    ``paragraphs`` come first, then ``points`` (a list), then ``groups`` (sub-headed
    lists, e.g. 主要做法 grouped as 党建引领 / 三治融合 …), tables and figures.
    """

    key: str
    heading: str
    paragraphs: list[str] = field(default_factory=list)
    points: list[Point] = field(default_factory=list)
    groups: list[tuple[str, list[Point]]] = field(default_factory=list)
    tables: list[tuple[str, pd.DataFrame]] = field(default_factory=list)
    figures: list[tuple[str, Any]] = field(default_factory=list)

    def is_empty(self) -> bool:
        """True when the section has nothing to show."""
        return not (self.paragraphs or self.points or self.groups or self.tables or self.figures)


GENRE = ("background", "practices", "effects", "problems", "recommendations")
"""The main text's sections, in the genre's order (基本情况 → 对策建议)."""

GENRE_HEADINGS = {
    "judgements": ("核心判断", "Key judgements"),
    "background": ("基本情况", "Background"),
    "practices": ("主要做法", "Main practices"),
    "effects": ("成效", "Results"),
    "problems": ("存在问题", "Problems"),
    "recommendations": ("对策建议", "Recommendations"),
    "appendix": ("附：方法与证据", "Appendix: methods and evidence"),
}


@dataclass
class Report:
    """A briefing's text, section by section, plus the facts it was written from.

    Parameters
    ----------
    kind : str
        Registry name of the report kind.
    lang : str
    title, subtitle, summary : str
        ``summary`` is the index line.
    judgements : list of Point
        核心判断 (at most three).
    sections : dict
        Main text sections by key, in display order.
    recommendations : list of Recommendation
    appendix : dict
        附：方法与证据, sections by key.
    facts : Any
        The language-free facts (a dataclass), written as ``reports/facts/NAME.json``.
    """

    kind: str
    lang: str
    title: str
    subtitle: str
    summary: str
    judgements: list[Point] = field(default_factory=list)
    sections: dict[str, Section] = field(default_factory=dict)
    recommendations: list[Recommendation] = field(default_factory=list)
    appendix: dict[str, Section] = field(default_factory=dict)
    facts: Any = None
    compact: bool = False
    basis: str = ""
    judgements_heading: str = ""

    # ------------------------------------------------------------------ markdown
    def title_markdown(self) -> MarkdownText:
        """``# title`` and the subtitle line."""
        return MarkdownText("# {}\n\n{}").format(self.title, self.subtitle)

    def judgements_markdown(self) -> MarkdownText:
        """The 核心判断 block."""
        zh, en = GENRE_HEADINGS["judgements"]
        label = self.judgements_heading or t(self.lang, zh, en)
        head = _heading(2, "", label) + MarkdownText("\n\n")
        quotes = 0 if self.compact else 1
        items = [
            MarkdownText(f"{i}\\. ") + p.markdown(self.lang, quotes)
            for i, p in enumerate(self.judgements, 1)
        ]
        return head + MarkdownText("\n\n").join(items)

    def section_markdown(self, key: str) -> MarkdownText:
        """One main-text or appendix section as Markdown (numbered as in GB/T 9704)."""
        if key in self.sections:
            keys = [
                k for k, s in self.sections.items() if not s.is_empty() or k == "recommendations"
            ]
            level, number = (
                2,
                heading_number(keys.index(key) + 1, 1, self.lang) if key in keys else "",
            )
            sec = self.sections[key]
        else:
            sec = self.appendix[key]
            keys = list(self.appendix)
            level, number = 3, heading_number(keys.index(key) + 1, 2, self.lang)
        parts = [_heading(level, number, sec.heading)] if sec.heading else []
        parts += [as_markdown(p) for p in sec.paragraphs]
        if sec.points:
            parts.append(
                MarkdownText("\n").join(
                    MarkdownText("- ") + p.markdown(self.lang) for p in sec.points
                )
            )
        for gi, (label, points) in enumerate(sec.groups, 1):
            sub = heading_number(gi, 2 if level == 2 else 3, self.lang)
            parts.append(_heading(level + 1, sub, label))
            parts.append(
                MarkdownText("\n").join(MarkdownText("- ") + p.markdown(self.lang) for p in points)
            )
        if key == "recommendations":
            parts += [
                r.markdown(self.lang, i, self.compact)
                for i, r in enumerate(self.recommendations, 1)
            ]
        return MarkdownText("\n\n").join(parts)

    def appendix_heading_markdown(self) -> MarkdownText:
        """``## 附：方法与证据`` (the DOCX starts it on a new page)."""
        zh, en = GENRE_HEADINGS["appendix"]
        return _heading(2, "", t(self.lang, zh, en))

    # ------------------------------------------------------------------ notebook
    def show_title(self) -> None:
        """Display the title and subtitle."""
        _display_markdown(self.title_markdown())

    def show_summary(self) -> None:
        """Display the index line (tagged ``summary`` in the notebooks)."""
        _display_markdown(as_markdown(self.summary))

    def show_judgements(self) -> None:
        """Display 核心判断."""
        if self.judgements:
            _display_markdown(self.judgements_markdown())

    def show(self, key: str) -> None:
        """Display one section (main text or appendix): text, then tables and figures."""
        from IPython.display import HTML, Image, display

        from analysis.reports.common import figure_png, table_html

        sec = self.sections.get(key) or self.appendix.get(key)
        if sec is None:
            raise KeyError(
                f"no section {key!r}; sections: {', '.join([*self.sections, *self.appendix])}"
            )
        if sec.is_empty() and key != "recommendations":
            return
        _display_markdown(self.section_markdown(key))
        for caption, table in sec.tables:
            display(HTML(table_html(table, caption)))
        for caption, fig in sec.figures:
            display(Image(data=figure_png(fig), format="png"))
            if caption:
                _display_markdown(MarkdownText("*{}*").format(caption))

    def show_appendix(self) -> None:
        """Display the appendix heading and every appendix section."""
        if not self.appendix:
            return
        _display_markdown(self.appendix_heading_markdown())
        for key in self.appendix:
            self.show(key)

    def show_all(self) -> None:
        """Display the whole report in genre order."""
        self.show_title()
        self.show_judgements()
        for key in self.sections:
            self.show(key)
        self.show_appendix()

    def show_facts(self) -> None:
        """Publish the facts as JSON for the batch (``reports/facts/NAME.json``); shows nothing."""
        from IPython.display import display

        from analysis.reports.facts import FACTS_MIME

        display({FACTS_MIME: self.facts_payload()}, raw=True)

    # ------------------------------------------------------------------ 要报
    def yaobao(self, n_recommendations: int) -> Report:
        """The one-page 要报: title, 核心判断, the top recommendations, a one-line basis.

        Examples
        --------
        >>> r = Report("x", "zh", "标题", "副题", "摘要", judgements=[Point("甲。")], basis="张三 2020")
        >>> y = r.yaobao(3)
        >>> y.kind, y.title, list(y.sections), y.compact
        ('x_yaobao', '标题', ['recommendations', 'basis'], True)
        """
        recs = sorted(self.recommendations, key=lambda r: r.priority)[:n_recommendations]
        zh, en = GENRE_HEADINGS["recommendations"]
        return Report(
            kind=f"{self.kind}_yaobao",
            lang=self.lang,
            title=self.title,
            subtitle=t(self.lang, "要报", "Brief") + " · " + self.subtitle,
            summary=self.summary,
            judgements=list(self.judgements),
            sections={
                "recommendations": Section("recommendations", t(self.lang, zh, en)),
                "basis": Section("basis", "", [self.basis] if self.basis else []),
            },
            recommendations=recs,
            facts=self.facts,
            compact=True,
            basis=self.basis,
        )

    def facts_payload(self) -> dict[str, Any]:
        """What the batch stores as ``reports/facts/NAME.json``: kind, title, summary, facts."""
        from analysis.md_text import plain_text
        from analysis.reports.facts import to_jsonable

        return {
            "kind": self.kind,
            "lang": self.lang,
            "title": (t(self.lang, "要报：", "Brief: ") if self.compact else "")
            + plain_text(self.title),
            "summary": plain_text(self.summary),
            "judgements": [plain_text(p.text) for p in self.judgements],
            "recommendations": [
                {
                    "priority": r.priority,
                    "text": plain_text(r.text),
                    "cases": list(r.cases),
                    "evidence": [to_jsonable(e) for e in r.evidence],
                }
                for r in self.recommendations
            ],
            "facts": to_jsonable(self.facts),
        }


def _heading(level: int, number: str, text: str) -> MarkdownText:
    """A Markdown heading: our own ``#`` and number, the text escaped.

    Examples
    --------
    >>> _heading(2, "一、", "基本情况")
    '## 一、基本情况'
    >>> print(_heading(3, "1. ", "ab"))
    ### 1\\. ab
    """
    return MarkdownText("#" * level + " " + number.replace(".", "\\.")) + as_markdown(text)


def _display_markdown(text: str) -> None:
    from IPython.display import Markdown, display

    display(Markdown(text))
