"""语料分析: the source texts themselves — who wrote them, their keywords, the codebook's terms.

Facts first (:func:`facts`): each source with its case, genre, the author's relation
to the model, what part of the work the corpus holds and its length; each source's
keywords against the rest of the corpus (signed log-likelihood G², jieba with the
codebook's terms kept whole) and the corpus's most frequent words; how often each
codebook term occurs in each source; keyword-in-context lines with character
offsets.  Then text (:func:`write`): 一、来源文本 → 二、关键词 → 三、编码手册术语 →
附：方法与证据.

Without the source texts the report cannot be built honestly: :func:`build` raises
:class:`~analysis.reports.errors.NotBuildable` naming the folder or files it
missed, and the batch skips the report with that reason.

Examples
--------
>>> r = build("zh", sources="../shared/seeds")            # doctest: +SKIP
>>> list(r.sections)                                      # doctest: +SKIP
['sources', 'keywords', 'terms']
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from analysis import text as tx
from analysis.casebase import CaseBase
from analysis.md_text import MarkdownText, as_markdown, plain_text
from analysis.reports import defaults
from analysis.reports.common import check_lang, cite, open_casebase, resolve_folders
from analysis.reports.errors import NotBuildable
from analysis.reports.labels import vocab_label
from analysis.reports.model import Point, Report, Section
from analysis.reports.text import Templates, joined, t

T = Templates(
    {
        "title": {
            "zh": "语料分析：来源文本的关键词与编码术语",
            "en": "Corpus analysis: keywords and codebook terms of the source texts",
        },
        "subtitle": {
            "zh": "语料分析 · {{ n }} 篇来源文本 · 共 {{ chars }} 字",
            "en": "Corpus analysis · {{ n }} source texts · {{ chars }} characters",
        },
        "summary": {
            "zh": "{{ n }} 篇来源文本（共 {{ chars }} 字）；各篇最突出的关键词：{{ tops }}；"
            "编码手册的 {{ n_terms }} 个术语中 {{ n_found }} 个在语料中出现。",
            "en": "{{ n }} source texts ({{ chars }} characters); each text's strongest keyword: "
            "{{ tops }}; {{ n_found }} of the codebook's {{ n_terms }} terms occur in the corpus.",
        },
        "top_item": {"zh": "{{ case }}“{{ word }}”", "en": "{{ case }} “{{ word }}”"},
        "sources_intro": {
            "zh": "语料共 {{ n }} 篇来源文本，对应 {{ n_cases }} 个案例，合计 {{ chars }} 字。"
            "体裁：{{ genres }}。作者与所述模式的关系：{{ relations }}。{{ n_complete }} 篇为全文，"
            "{{ n_excerpt }} 篇为节选。",
            "en": "The corpus holds {{ n }} source texts for {{ n_cases }} cases, {{ chars }} "
            "characters in all. Genres: {{ genres }}. The authors' relation to the model they "
            "describe: {{ relations }}. {{ n_complete }} hold the whole work, {{ n_excerpt }} "
            "an excerpt.",
        },
        "count_item": {"zh": "{{ label }} {{ n }} 篇", "en": "{{ label }} ({{ n }})"},
        "source_point": {
            "zh": "{{ case }}：{% if author %}{{ author }}《{{ title }}》{% else %}《{{ title }}》（作者未署名，"
            "{{ year }}）{% endif %}，{{ genre }}；作者与该模式的关系：{{ relation }}；{{ chars }} 字，分词后 {{ words }} 词；"
            "{% if complete %}全文{% else %}节选{% endif %}{% if not_covered %}，节选未覆盖{{ not_covered }}{% endif %}"
            "{% if held %}。收录范围：{{ held }}{% endif %}",
            "en": "{{ case }}: {% if author %}{{ author }}, “{{ title }}”{% else %}“{{ title }}” "
            "(no author named, {{ year }}){% endif %}, {{ genre }}; author's relation to the model: "
            "{{ relation }}; {{ chars }} characters, {{ words }} words after segmentation; "
            "{% if complete %}the whole work{% else %}an excerpt{% endif %}"
            "{% if not_covered %}, which does not cover {{ not_covered }}{% endif %}",
        },
        "sources_caveat": {
            "zh": "这些文本是按案例有目的选取的，体裁、长度和作者立场各不相同：下文的关键词和词频描述的是这 {{ n }} 篇文本"
            "怎样写，不是对各地实际情况或全国情况的统计推断；实施方撰写的文本所述成效属自述。",
            "en": "The texts were chosen case by case and differ in genre, length and the "
            "authors' standpoint: the keywords and counts below describe how these {{ n }} "
            "texts are written, not the places themselves or China; results described by "
            "an implementing authority are its own claims.",
        },
        "keywords_method": {
            "zh": "每篇来源与其余来源合并比较，按对数似然 G² 排出关键词（只列高于其余来源的词）。分词用 jieba，"
            "以编码手册术语为用户词典，使“党建引领”“以奖代补”等术语保持完整；单字词、常见虚词、数字，"
            "以及书籍版权页、注释和参考文献中的出版信息（出版社、年版、页码等）不计。",
            "en": "Each source is compared with the rest of the corpus pooled; keywords are ranked "
            "by log-likelihood G² (only words more frequent than in the rest). Segmentation is "
            "jieba with the codebook's terms as a user dictionary, so terms such as 党建引领 and "
            "以奖代补 stay whole; single characters, common function words, numbers, "
            "and imprint, note and reference matter (publishers, editions, page numbers) are "
            "left out.",
        },
        "keywords_point": {
            "zh": "{{ case }}：{{ words }}",
            "en": "{{ case }}: {{ words }}",
        },
        "keywords_none": {
            "zh": "{{ case }}：没有明显高于其余来源的词",
            "en": "{{ case }}: no word stands out against the rest",
        },
        "corpus_word": {
            "zh": "{{ word }}（{{ n }} 次，见于 {{ k }} 篇）",
            "en": "{{ word }} ({{ n }} times, in {{ k }} texts)",
        },
        "keywords_caveat": {
            "zh": "关键词反映各文本的写法与侧重；文本长度不同，原始频次不宜直接比较。",
            "en": "Keywords reflect how each text is written; lengths differ, so raw counts "
            "are not comparable across texts.",
        },
        "figure_keywords": {
            "zh": "{{ case }}：相对其余来源的关键词（G²）",
            "en": "{{ case }}: keywords against the rest (G²)",
        },
        "terms_intro": {
            "zh": "编码手册的 {{ n_terms }} 个术语（编码名称及其组成词、实践名称）中，{{ n_found }} 个在语料中出现"
            "{% if n_all %}，其中 {{ n_all }} 个见于全部 {{ n }} 篇来源{% endif %}。计数与关键词分析使用同一分词，"
            "较长的术语优先（“网格化”中的“网格”计入“网格化”）。",
            "en": "Of the codebook's {{ n_terms }} terms (code names, their parts and named "
            "practices), {{ n_found }} occur in the corpus{% if n_all %}, {{ n_all }} of them "
            "in all {{ n }} sources{% endif %}. Counts use the same segmentation as the keywords; "
            "a longer term wins (网格 inside 网格化 counts as 网格化).",
        },
        "term_point": {
            "zh": "{{ term }}：共 {{ total }} 次（{{ by_source }}）",
            "en": "{{ term }}: {{ total }} in all ({{ by_source }})",
        },
        "term_source": {"zh": "{{ case }} {{ n }}", "en": "{{ case }} {{ n }}"},
        "terms_absent": {
            "zh": "语料中没有出现的术语：{{ terms }}。术语未出现不等于该做法不存在：来源可能用别的说法。",
            "en": "Terms that never occur: {{ terms }}. A missing term is not a missing "
            "practice: a source may put it in other words.",
        },
        "kwic_note": {
            "zh": "位置为字符偏移，与案例库证据的起止位置一致（每个词每篇最多列 {{ n }} 处）。",
            "en": "Offsets are character positions, as in the case base's evidence spans (at "
            "most {{ n }} lines per term and text).",
        },
        "no_corpus": {
            "zh": "语料分析需要来源文本：{{ why }}",
            "en": "the corpus report needs the source texts: {{ why }}",
        },
        "no_folder": {
            "zh": "未设置语料目录（笔记本参数 sources、环境变量 WORKBENCH_SOURCES 或 pyproject.toml 的 [tool.workbench] sources）",
            "en": "no corpus folder is set (the notebook parameter sources, $WORKBENCH_SOURCES "
            "or [tool.workbench] sources in pyproject.toml)",
        },
        "missing_folder": {
            "zh": "语料目录不存在：{{ folders }}",
            "en": "corpus folder not found: {{ folders }}",
        },
        "missing_files": {
            "zh": "语料目录 {{ folders }} 中缺少来源文件：{{ files }}",
            "en": "source files missing from {{ folders }}: {{ files }}",
        },
    }
)

#: Function words that carry no content, left out of keyness (as in the old corpus report).
STOPWORDS: frozenset[str] = frozenset(
    "这些 这种 这一 那些 可能 不同 有利于 以及 进行 通过 一个 我们 他们 其中 已经 没有 因此 同时 方面 一些 "
    "为了 能够 不能 不断 更加 之间 各种 以下 以上 对于 如何 还是 就是 也是 并且 而且 但是 所以 如果 由于 "
    "从而 其他 各类 相关 等等 目前 一定 主要 重要 具有 提供".split()
)

#: Terms of the field searched in context (keyword in context, appendix).
KWIC_TERMS: tuple[str, ...] = ("党建引领", "网格", "共建共治共享", "自组织", "以奖代补", "民情")

#: Named practices kept whole by the segmenter besides the codebook's labels.
FIELD_TERMS: tuple[str, ...] = ("网格化", "共同缔造", "契约化", "智网工程", "民情通")

KWIC_WINDOW = 18
KWIC_PER_TEXT = 2
FIGURE_KEYWORDS = 12


# ---------------------------------------------------------------------------- facts


@dataclass(frozen=True)
class SourceFacts:
    """One source text: its case, what kind of text it is, who wrote it, how much is held."""

    source: str
    case_id: str | None
    title: str
    year: int | None
    genre: str
    author_relation: str
    complete: bool
    not_covered: tuple[str, ...]
    chars: int
    words: int


@dataclass(frozen=True)
class Keyword:
    """A word more frequent in one source than in the rest (signed G² > 0)."""

    term: str
    g2: float
    n_source: int
    n_rest: int


@dataclass(frozen=True)
class SourceKeywords:
    """One source's keywords, strongest first."""

    source: str
    keywords: tuple[Keyword, ...]


@dataclass(frozen=True)
class CorpusWord:
    """A frequent word of the whole corpus and in how many sources it occurs."""

    term: str
    count: int
    n_sources: int


@dataclass(frozen=True)
class TermCount:
    """A codebook term's count in each source (sources in corpus order)."""

    term: str
    counts: tuple[int, ...]

    @property
    def total(self) -> int:
        """Occurrences in the whole corpus."""
        return sum(self.counts)


@dataclass(frozen=True)
class KwicLine:
    """One occurrence of a field term with its context and offsets."""

    term: str
    source: str
    start: int
    end: int
    left: str
    right: str


@dataclass(frozen=True)
class CorpusFacts:
    """Everything the 语料分析 report says, before any text."""

    sources: tuple[SourceFacts, ...]
    keywords: tuple[SourceKeywords, ...]
    corpus_words: tuple[CorpusWord, ...]
    terms: tuple[TermCount, ...]
    kwic: tuple[KwicLine, ...]
    n_cases: int

    @property
    def chars(self) -> int:
        """Characters in the whole corpus."""
        return sum(s.chars for s in self.sources)


def codebook_terms(cb: CaseBase) -> list[str]:
    """Chinese terms from the codebook's labels and the field's named practices, for the
    jieba user dictionary (each stays whole) and the term counts.

    Labels are cut at 与, 和, 、, ·, colons and brackets into parts of 2–8 characters.

    Examples
    --------
    >>> "以奖代补" in codebook_terms(cb)        # doctest: +SKIP
    True
    """
    terms = set(KWIC_TERMS) | set(FIELD_TERMS)
    for c in cb.codebook.codes:
        # 居（村）民议事协商 is 居民议事协商: a one-character aside is dropped, not split on.
        label = re.sub(r"（.）", "", c.label_zh)
        for part in re.split(r"[与和（）、·：:\s]+", label):
            if 2 <= len(part) <= 8:
                terms.add(part)
    return sorted(terms)


def source_keywords(freqs: pd.DataFrame, sources: Sequence[str]) -> dict[str, pd.DataFrame]:
    """Each source's keyness against the rest pooled (G² > 0), from one frequency table."""
    out = {}
    for sid in sources:
        rest = [s for s in sources if s != sid]
        k = tx.keyness(freqs[sid], freqs[rest].sum(axis=1))
        out[sid] = k[k["G2"] > 0].reset_index(drop=True)
    return out


def corpus_status(
    casebase_dir: str | Path, sources: str | Path | None
) -> tuple[str, dict[str, str]] | None:
    """Why the source texts are not available, as a template name and its values (None
    when they are): no folder set, a folder missing, or source files missing from the
    folders."""
    from analysis.casebase import Sources, find_source, parse_model, read_yaml

    casebase, folders = resolve_folders(casebase_dir, sources)
    if not folders:
        return "no_folder", {}
    missing = [f for f in folders if not f.is_dir()]
    if missing:
        return "missing_folder", {"folders": ", ".join(map(str, missing))}
    doc, _ = read_yaml(casebase / "sources.yaml", "sources.yaml")
    srcs, _ = parse_model(Sources, doc, "sources.yaml") if doc is not None else (None, [])
    files = []
    for s in srcs.sources if srcs is not None else []:
        try:
            find_source(s.file, folders, s.id)
        except ValueError:
            files.append(s.file)
    if files:
        return "missing_files", {"folders": ", ".join(map(str, folders)), "files": ", ".join(files)}
    return None


def facts(cb: CaseBase) -> CorpusFacts:
    """Compute the language-free facts of the 语料分析 report (needs ``cb.texts``)."""
    terms = codebook_terms(cb)
    case_of = {s: c for c, case in cb.cases.items() for s in case.sources}
    order = [s for s in cb.sources if s in cb.texts]
    # Notes and imprint lines blanked (offsets kept), and boilerplate tokens (出版社, 年版,
    # page and note numbers) dropped by term_frequencies: a book's publisher is no keyword.
    texts = {s: tx.strip_apparatus(cb.texts[s]) for s in order}
    freqs = tx.term_frequencies(texts, terms, min_length=2, stopwords=STOPWORDS)
    keyness = source_keywords(freqs, order)

    sources = []
    for sid in order:
        s = cb.sources[sid]
        year = (s.date or "")[:4]
        sources.append(
            SourceFacts(
                source=sid,
                case_id=case_of.get(sid),
                title=s.title,
                year=int(year) if year.isdigit() else None,
                genre=s.genre,
                author_relation=s.author_relation,
                complete=bool(s.coverage.complete),
                not_covered=tuple(s.coverage.not_covered),
                chars=len(cb.texts[sid]),
                words=int(freqs[sid].sum()),
            )
        )
    totals = freqs.sum(axis=1).sort_values(ascending=False, kind="mergesort")
    content = [w for w in totals.index if w not in terms][: defaults.MAX_TERMS]
    kwic = []
    for term in KWIC_TERMS:
        for sid in order:
            hits = tx.kwic(cb.texts[sid], term, window=KWIC_WINDOW)
            for r in hits.head(KWIC_PER_TEXT).itertuples():
                kwic.append(KwicLine(term, sid, int(r.start), int(r.end), r.left, r.right))
    return CorpusFacts(
        sources=tuple(sources),
        keywords=tuple(
            SourceKeywords(
                sid,
                tuple(
                    Keyword(r.feature, float(r.G2), int(r.n_target), int(r.n_reference))
                    for r in keyness[sid].head(FIGURE_KEYWORDS).itertuples()
                ),
            )
            for sid in order
        ),
        corpus_words=tuple(
            CorpusWord(w, int(totals[w]), int((freqs.loc[w] > 0).sum())) for w in content
        ),
        terms=tuple(
            TermCount(
                term, tuple(int(freqs.at[term, s]) if term in freqs.index else 0 for s in order)
            )
            for term in terms
        ),
        kwic=tuple(kwic),
        n_cases=len(cb.case_ids),
    )


# ----------------------------------------------------------------------------- text


def build(
    lang: str = defaults.LANG,
    casebase_dir: str | Path = "casebase",
    sources: str | Path | None = "",
) -> Report:
    """The 语料分析 report.

    Parameters
    ----------
    lang : {"zh", "en"}
    casebase_dir, sources : path
        Case base and corpus folders (relative to the project root; ``""`` = the
        project setting or ``$WORKBENCH_SOURCES``).

    Returns
    -------
    Report

    Raises
    ------
    analysis.reports.errors.NotBuildable
        When the source texts are not there (the reason names the folder or files).
    analysis.reports.errors.ParameterError
    """
    check_lang(lang)
    status = corpus_status(casebase_dir, sources or None)
    if status is not None:
        raise not_buildable(*status)
    cb = open_casebase(casebase_dir, sources or None)
    if not cb.texts:
        raise not_buildable("no_folder", {})
    return write(cb, facts(cb), lang)


def not_buildable(key: str, values: Mapping[str, str]) -> NotBuildable:
    """The exception saying, in both languages and as plain text, why there is no report."""
    return NotBuildable(
        " / ".join(
            plain_text(T.say("no_corpus", lg, why=T.say(key, lg, **values))) for lg in ("zh", "en")
        )
    )


def _case(cb: CaseBase, s: SourceFacts, lang: str) -> str:
    lab = cb.labels(lang)["case_short"]
    return lab.get(s.case_id, s.title) if s.case_id else s.title


def _counts(cb: CaseBase, vocab: str, ids: Sequence[str], lang: str) -> MarkdownText:
    seen: dict[str, int] = {}
    for i in ids:
        seen[i] = seen.get(i, 0) + 1
    return _joined_md(
        [
            T.say("count_item", lang, label=vocab_label(cb, vocab, k, lang), n=n)
            for k, n in seen.items()
        ],
        lang,
    )


def _joined_md(items: Sequence[str], lang: str, limit: int = 8) -> MarkdownText:
    """:func:`joined` over sentences already rendered (escaped) by a template, kept as
    Markdown so they are not escaped twice."""
    return MarkdownText(joined([as_markdown(i) for i in items], lang, limit))


def _n(x: int) -> str:
    return f"{x:,}"


def write(cb: CaseBase, cf: CorpusFacts, lang: str) -> Report:
    """The report text, from the facts."""
    from analysis import plots

    lab = cb.labels(lang)
    by_source = {s.source: s for s in cf.sources}
    found = [x for x in cf.terms if x.total > 0]
    tops = [
        T.say("top_item", lang, case=_case(cb, by_source[k.source], lang), word=k.keywords[0].term)
        for k in cf.keywords
        if k.keywords
    ]
    report = Report(
        kind="corpus",
        lang=lang,
        title=T.say("title", lang),
        subtitle=T.say("subtitle", lang, n=len(cf.sources), chars=_n(cf.chars)),
        summary=T.say(
            "summary",
            lang,
            n=len(cf.sources),
            chars=_n(cf.chars),
            tops=_joined_md(tops, lang),
            n_terms=len(cf.terms),
            n_found=len(found),
        ),
        facts=cf,
    )

    # 一、来源文本
    ss = Section("sources", t(lang, "来源文本", "The source texts"))
    ss.paragraphs.append(
        T.say(
            "sources_intro",
            lang,
            n=len(cf.sources),
            n_cases=len({s.case_id for s in cf.sources if s.case_id}),
            chars=_n(cf.chars),
            genres=_counts(cb, "genres", [s.genre for s in cf.sources], lang),
            relations=_counts(
                cb, "author_relations", [s.author_relation for s in cf.sources], lang
            ),
            n_complete=sum(s.complete for s in cf.sources),
            n_excerpt=sum(not s.complete for s in cf.sources),
        )
    )
    for s in cf.sources:
        src = cb.sources[s.source]
        ss.points.append(
            Point(
                T.say(
                    "source_point",
                    lang,
                    case=_case(cb, s, lang),
                    author=cite(cb, s.source, lang) if src.authors else None,
                    year=s.year or t(lang, "无日期", "n.d."),
                    title=s.title,
                    genre=vocab_label(cb, "genres", s.genre, lang),
                    relation=vocab_label(cb, "author_relations", s.author_relation, lang),
                    complete=s.complete,
                    held=src.coverage.held_zh if lang == "zh" else "",
                    chars=_n(s.chars),
                    words=_n(s.words),
                    not_covered=joined(
                        [
                            lab["family"].get(x) or lab["code"].get(x, x.replace("_", " "))
                            for x in s.not_covered
                        ],
                        lang,
                    ),
                )
            )
        )
    ss.paragraphs.append(T.say("sources_caveat", lang, n=len(cf.sources)))
    report.sections["sources"] = ss

    # 二、关键词
    ks = Section("keywords", t(lang, "关键词", "Keywords"))
    ks.paragraphs += [
        T.say("keywords_method", lang),
        T.say("keywords_caveat", lang),
    ]
    plots.setup()
    for k in cf.keywords:
        case = _case(cb, by_source[k.source], lang)
        words = [w.term for w in k.keywords[: defaults.MAX_KEYWORDS]]
        ks.points.append(
            Point(
                T.say(
                    "keywords_point", lang, case=case, words=joined(words, lang, limit=len(words))
                )
                if words
                else T.say("keywords_none", lang, case=case)
            )
        )
        if k.keywords:
            ks.figures.append((T.say("figure_keywords", lang, case=case), keyword_figure(k, lang)))
    ks.groups.append(
        (
            t(lang, "全部语料的高频词", "The corpus's most frequent words"),
            [
                Point(T.say("corpus_word", lang, word=w.term, n=w.count, k=w.n_sources))
                for w in cf.corpus_words
            ],
        )
    )
    report.sections["keywords"] = ks

    # 三、编码手册术语
    ts = Section("terms", t(lang, "编码手册术语", "Codebook terms"))
    ts.paragraphs.append(
        T.say(
            "terms_intro",
            lang,
            n_terms=len(cf.terms),
            n_found=len(found),
            n_all=sum(all(c > 0 for c in x.counts) for x in found),
            n=len(cf.sources),
        )
    )
    ranked = sorted(found, key=lambda x: (-x.total, x.term))[: defaults.MAX_TERMS]
    for x in ranked:
        ts.points.append(
            Point(
                T.say(
                    "term_point",
                    lang,
                    term=x.term,
                    total=x.total,
                    by_source=_joined_md(
                        [
                            T.say("term_source", lang, case=_case(cb, s, lang), n=n)
                            for s, n in zip(cf.sources, x.counts, strict=True)
                            if n
                        ],
                        lang,
                        limit=len(cf.sources),
                    ),
                )
            )
        )
    absent = [x.term for x in cf.terms if x.total == 0]
    if absent:
        ts.paragraphs.append(T.say("terms_absent", lang, terms=joined(absent, lang, limit=20)))
    report.sections["terms"] = ts

    # 附：方法与证据
    report.appendix["sources_table"] = Section(
        "sources_table",
        t(lang, "来源一览", "Sources"),
        tables=[("", sources_table(cb, cf, lang))],
    )
    report.appendix["terms_table"] = Section(
        "terms_table",
        t(lang, "编码手册术语在各来源中的出现次数", "Codebook terms per source"),
        tables=[("", terms_table(cb, cf, lang))],
    )
    report.appendix["kwic"] = Section(
        "kwic",
        t(lang, "关键词上下文", "Keywords in context"),
        [T.say("kwic_note", lang, n=KWIC_PER_TEXT)],
        tables=[("", kwic_table(cb, cf, lang))],
    )
    return report


def keyword_figure(k: SourceKeywords, lang: str) -> Any:
    """One source's keywords as bars of G², labelled in ``lang``."""
    from analysis import plots

    frame = pd.DataFrame({"term": [w.term for w in k.keywords], "G2": [w.g2 for w in k.keywords]})
    fig = plots.keyness_figure(frame, n=FIGURE_KEYWORDS)
    # Compact, so two figures share a page with their text.
    fig.set_size_inches(5.2, 0.7 + 0.2 * len(frame))
    fig.axes[0].set_xlabel(t(lang, "G²（对数似然）", "G² (log-likelihood)"))
    return fig


def sources_table(cb: CaseBase, cf: CorpusFacts, lang: str) -> pd.DataFrame:
    """The sources with citation, genre, author relation, coverage and length."""
    sep = "：" if lang == "zh" else ": "
    return pd.DataFrame(
        [
            {
                t(lang, "来源", "Source"): _case(cb, s, lang) + sep + cite(cb, s.source, lang),
                t(lang, "体裁", "Genre"): vocab_label(cb, "genres", s.genre, lang),
                t(lang, "作者与模式的关系", "Author's relation"): vocab_label(
                    cb, "author_relations", s.author_relation, lang
                ),
                t(lang, "收录", "Held"): t(lang, "全文", "whole")
                if s.complete
                else t(lang, "节选", "excerpt"),
                t(lang, "字数（词数）", "Characters (words)"): f"{_n(s.chars)}（{_n(s.words)}）"
                if lang == "zh"
                else f"{_n(s.chars)} ({_n(s.words)})",
            }
            for s in cf.sources
        ]
    )


def terms_table(cb: CaseBase, cf: CorpusFacts, lang: str) -> pd.DataFrame:
    """Every codebook term that occurs, with its count per source and in all."""
    cols = [_case(cb, s, lang) for s in cf.sources]
    rows = []
    for x in sorted((x for x in cf.terms if x.total), key=lambda x: (-x.total, x.term)):
        row = {t(lang, "术语", "Term"): x.term}
        row.update({c: str(n) for c, n in zip(cols, x.counts, strict=True)})
        row[t(lang, "合计", "Total")] = str(x.total)
        rows.append(row)
    return pd.DataFrame(rows)


def kwic_table(cb: CaseBase, cf: CorpusFacts, lang: str) -> pd.DataFrame:
    """Keyword-in-context lines with offsets."""
    by_source = {s.source: s for s in cf.sources}
    return pd.DataFrame(
        [
            {
                t(
                    lang, "文本 · 词", "Text · term"
                ): f"{_case(cb, by_source[k.source], lang)} · {k.term}",
                t(lang, "上下文", "Context"): " ".join(f"{k.left}【{k.term}】{k.right}".split()),
                t(lang, "位置", "Offsets"): f"{k.start}–{k.end}",
            }
            for k in cf.kwic
        ]
    )


__all__ = [
    "CorpusFacts",
    "CorpusWord",
    "Keyword",
    "KwicLine",
    "SourceFacts",
    "SourceKeywords",
    "TermCount",
    "build",
    "codebook_terms",
    "corpus_status",
    "facts",
    "write",
]
