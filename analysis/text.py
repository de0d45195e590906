"""Text tools for the Chinese source documents: segmentation, keyness, keyword in context.

* :func:`segment` / :func:`segment_spans` cut a text into words with jieba, using a user
  dictionary built from the caller's terms (e.g. codebook terms such as 党建引领,
  网格化, 以奖代补).  These terms always come out whole: they are added to jieba's
  dictionary *and* the text is split around every occurrence before jieba sees it, so
  neither context nor jieba's HMM for unknown words can cut them.
* :func:`term_frequencies` counts words per document.
* :func:`keyness` compares a target document (or group) with a reference, using the
  signed log-likelihood G² and chi² statistics of quanteda's ``textstat_keyness``.
* :func:`keywords` gives each document's keywords against the rest, with e-book and
  publishing boilerplate (出版社, 年版, ISBN, page and note numbers, the bibliographic
  notes themselves) left out (:data:`BOILERPLATE`, :func:`is_boilerplate`,
  :func:`strip_apparatus`).
* :func:`kwic` lists every occurrence of a term with its context and exact character
  offsets, which line up with the case base's evidence spans (``text[start:end]``).

jieba's log messages are silenced on import.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping
from functools import lru_cache

import jieba
import numpy as np
import pandas as pd
from scipy import stats as sst

__all__ = [
    "BOILERPLATE",
    "build_tokenizer",
    "is_boilerplate",
    "keyness",
    "keywords",
    "kwic",
    "segment",
    "segment_spans",
    "strip_apparatus",
    "term_frequencies",
]

# jieba prints "Building prefix dict ..." through its own logger at DEBUG level;
# notebooks and reports should not show it.
jieba.setLogLevel(logging.WARNING)
logging.getLogger("jieba").setLevel(logging.WARNING)


def _clean_terms(terms: Iterable[str]) -> tuple[str, ...]:
    cleaned = {t.strip() for t in terms if t and t.strip()}
    return tuple(sorted(cleaned))


@lru_cache(maxsize=1)
def _base_tokenizer() -> jieba.Tokenizer:
    tk = jieba.Tokenizer()
    tk.initialize()
    return tk


@lru_cache(maxsize=8)
def _tokenizer(terms: tuple[str, ...]) -> jieba.Tokenizer:
    base = _base_tokenizer()
    if not terms:
        return base
    # Copying the loaded prefix dictionary is much faster than loading it again
    # (~0.7 s), and keeps every term set's dictionary independent of the others.
    tk = jieba.Tokenizer()
    tk.FREQ = dict(base.FREQ)
    tk.total = base.total
    tk.initialized = True
    for term in terms:
        # Without a frequency, jieba computes one high enough for the term to beat
        # its own sub-words.
        tk.add_word(term)
    return tk


def build_tokenizer(terms: Iterable[str] = ()) -> jieba.Tokenizer:
    """A jieba tokenizer whose user dictionary holds ``terms``.

    A fresh :class:`jieba.Tokenizer` (the global one is left untouched), cached for
    the same set of terms.  :func:`segment` uses it; you rarely need it directly.

    Parameters
    ----------
    terms : iterable of str
        Words to add to the dictionary, e.g. codebook labels and named practices.

    Returns
    -------
    jieba.Tokenizer

    Examples
    --------
    >>> tk = build_tokenizer(["以奖代补"])
    >>> "以奖代补" in tk.FREQ
    True
    """
    return _tokenizer(_clean_terms(terms))


def _is_punct_or_space(token: str) -> bool:
    return all(unicodedata.category(ch)[0] in "PZSC" for ch in token)


def segment_spans(
    text: str, terms: Iterable[str] = (), *, drop_punct: bool = True
) -> list[tuple[str, int, int]]:
    """Segment ``text`` into words, with each word's character offsets.

    Parameters
    ----------
    text : str
    terms : iterable of str
        Terms that must stay whole (see module docstring).  Where terms overlap, the
        leftmost and then longest occurrence wins.
    drop_punct : bool
        Leave out tokens made only of punctuation, symbols, whitespace or control
        characters.

    Returns
    -------
    list of (word, start, end)
        ``text[start:end] == word`` for every entry (Python ``str`` offsets).

    Examples
    --------
    >>> segment_spans("坚持以奖代补。", ["以奖代补"])
    [('坚持', 0, 2), ('以奖代补', 2, 6)]
    """
    clean = _clean_terms(terms)
    tk = _tokenizer(clean)
    spans: list[tuple[str, int, int]] = []

    def cut(start: int, end: int) -> None:
        if start < end:
            for word, s, e in tk.tokenize(text[start:end], HMM=True):
                spans.append((word, start + s, start + e))

    pos = 0
    if clean:
        # Longest first, so that the regex alternation prefers 区域化党建 over 党建.
        alternatives = sorted(clean, key=lambda t: (-len(t), t))
        pattern = re.compile("|".join(re.escape(t) for t in alternatives))
        for m in pattern.finditer(text):
            cut(pos, m.start())
            spans.append((m.group(), m.start(), m.end()))
            pos = m.end()
    cut(pos, len(text))
    if drop_punct:
        spans = [sp for sp in spans if not _is_punct_or_space(sp[0])]
    return spans


def segment(text: str, terms: Iterable[str] = (), *, drop_punct: bool = True) -> list[str]:
    """Segment ``text`` into words with jieba, keeping ``terms`` whole.

    Parameters
    ----------
    text : str
    terms : iterable of str
        Terms that must never be cut, e.g. ``["党建引领", "网格化", "以奖代补"]``.
    drop_punct : bool
        Leave out punctuation, symbol and whitespace tokens.

    Returns
    -------
    list of str

    Examples
    --------
    >>> segment("实行以奖代补，推进网格化管理", ["以奖代补", "网格化"])
    ['实行', '以奖代补', '推进', '网格化', '管理']
    """
    return [w for w, _, _ in segment_spans(text, terms, drop_punct=drop_punct)]


#: Words of a book's or journal's apparatus (imprint, copyright page, notes), never keywords.
BOILERPLATE: frozenset[str] = frozenset(
    "出版社 出版 出版发行 发行 年版 版次 印次 版权 版权所有 ISBN isbn CIP 图书在版编目 书号 "
    "责任编辑 责任校对 编辑 印刷 印张 开本 字数 定价 页 页码 第页 主编 编著 编 著 译 参见 "
    "同上 引自 注释 参考文献 前言 序言 后记 目录 期刊 学报 第期 期".split()
)
_BOILERPLATE_SHAPES = re.compile(
    r"""^(?:
        [\d.,，:：%％\-—–~～/]+            # numbers, page ranges, note markers
      | 第?[\d一二三四五六七八九十百]+[页期卷版]  # 第12页, 2012年版 cut as 年版, 第6期
      | \d+年版
      | .*出版社
    )$""",
    re.VERBOSE,
)
# A note or reference line: a note marker ([12], ①, 12.) and a bibliographic mark; after a
# bracketed marker, a cited title with a year (《厦门日报》,2014年1月14日) is one too.
_CITES = r"(?:\[(?:[MJCDNRSZGP]|EB/OL|DB/OL)\]|出版社|年版|第\s*\d+(?:\s*[—\-–~～]\s*\d+)?\s*页|ISBN|编[:：]|参见|引自)"
_NOTE_LINE = re.compile(
    rf"^\s*(?:(?:[\[［【]\d{{1,3}}[\]］】]|[①-⑳]).*(?:{_CITES}|《[^》]+》.*\d{{4}}年)"
    rf"|(?:[(（]\d{{1,3}}[)）]|\d{{1,3}}[.．、]).*{_CITES})",
    re.IGNORECASE,
)
_IMPRINT_LINE = re.compile(
    r"ISBN|版权所有|责任编辑|图书在版编目|CIP\s*数据|中图分类号|文献标识码|文献类型|文章编号"
    r"|收稿日期|基金项目|指导单位[:：]|^\s*首页\s*[>＞]|^\s*作者[:：]|^\s*[\[［【]?(?:注\s*释|参考文献)[\]］】:：]?\s*$",
    re.IGNORECASE,
)


def is_boilerplate(word: str) -> bool:
    """Whether a token is publishing apparatus rather than a word of the text.

    Examples
    --------
    >>> [is_boilerplate(w) for w in ("出版社", "年版", "2013", "第69页", "言实出版社", "网格")]
    [True, True, True, True, True, False]
    """
    w = word.strip()
    return w in BOILERPLATE or bool(_BOILERPLATE_SHAPES.match(w))


def strip_apparatus(text: str) -> str:
    r"""``text`` with its bibliographic notes and imprint lines blanked (same length).

    A line is apparatus when it starts with a note marker and cites a book (出版社,
    年版, 第…页, 编:), or when it carries an imprint (ISBN, 版权所有, 责任编辑).
    Blanking keeps every other character's offset.

    Examples
    --------
    >>> t = "正文讲网格。\n[2]张康之:《国外社区治理》,中国言实出版社2012年版,第1页。"
    >>> strip_apparatus(t).rstrip()
    '正文讲网格。'
    >>> len(strip_apparatus(t)) == len(t)
    True
    """
    lines = text.split("\n")
    return "\n".join(
        " " * len(ln) if _NOTE_LINE.match(ln) or _IMPRINT_LINE.search(ln) else ln for ln in lines
    )


def term_frequencies(
    texts: Mapping[str, str],
    terms: Iterable[str] = (),
    *,
    drop_punct: bool = True,
    stopwords: Iterable[str] = (),
    min_length: int = 1,
    drop_boilerplate: bool = True,
) -> pd.DataFrame:
    """Word counts per document (a transposed document-feature matrix).

    Parameters
    ----------
    texts : mapping of str to str
        Document id -> text.
    terms : iterable of str
        Terms kept whole by the segmenter.
    drop_punct : bool
        Leave out punctuation, symbols and whitespace.
    stopwords : iterable of str
        Words not to count.
    min_length : int
        Leave out words shorter than this many characters (2 drops single-character
        function words such as 的, 了, 在).  Terms are counted whatever their length.
    drop_boilerplate : bool
        Leave out publishing apparatus (:func:`is_boilerplate`: 出版社, 年版, page and
        note numbers, bare numbers).  Terms are counted whatever they are.

    Returns
    -------
    pandas.DataFrame
        Index ``term`` (each word), one integer column per document in the order
        given, sorted by total count (descending), then word.

    Examples
    --------
    >>> tf = term_frequencies({"a": "网格化管理，网格化服务", "b": "服务群众"}, ["网格化"])
    >>> tf.loc["网格化"].tolist(), tf.loc["服务"].tolist()
    ([2, 0], [1, 1])
    """
    clean = _clean_terms(terms)
    stop = set(stopwords)
    counts: dict[str, Counter[str]] = {}
    for doc_id, text in texts.items():
        words = segment(text, clean, drop_punct=drop_punct)
        counts[doc_id] = Counter(
            w
            for w in words
            if w not in stop
            and (len(w) >= min_length or w in clean)
            and (w in clean or not (drop_boilerplate and is_boilerplate(w)))
        )
    df = pd.DataFrame(counts, columns=list(texts)).fillna(0).astype(int)
    df.index.name = "term"
    if df.empty:
        return df
    df["_total"] = df.sum(axis=1)
    df = df.reset_index().sort_values(["_total", "term"], ascending=[False, True])
    return df.set_index("term").drop(columns="_total")


def _as_counts(x: Mapping[str, float] | pd.Series | pd.DataFrame) -> pd.Series:
    if isinstance(x, pd.DataFrame):
        # Several documents form one group: pool their counts.
        return x.sum(axis=1)
    return pd.Series(x, dtype=float)


_EPSILON = 1e-9  # quanteda adds this inside the logarithm


def keyness(
    target: Mapping[str, float] | pd.Series | pd.DataFrame,
    reference: Mapping[str, float] | pd.Series | pd.DataFrame,
    *,
    correction: str = "default",
    sort_by: str = "G2",
) -> pd.DataFrame:
    """Keyness of each word in a target against a reference, as quanteda computes it.

    For each word, the 2 x 2 table is a = count in target, b = count in reference,
    c = other words in target, d = other words in reference, N = a + b + c + d.
    Following quanteda.textstats' ``textstat_keyness`` (C++ ``keyness.cpp``):

    * chi² = N (|ad − bc| − N·δ)² / ((a + b)(c + d)(a + c)(b + d));
    * G² = 2 Σ O ln(O / E + 1e-9) over the four cells, where with a Yates correction
      the cells are first moved δ towards independence (a and d down, b and c up when
      ad > bc, the other way otherwise);
    * both are signed: positive when a exceeds its expected count (a + b)(a + c)/N,
      negative otherwise (also when equal, as in quanteda);
    * p = P(χ²₁ ≥ |statistic|).

    Corrections (``correction``), as in quanteda:

    ``"default"`` / ``"yates"``
        δ = 0.5 only when |ad − bc| ≥ N/2 *and* some expected count is below 5,
        else 0, applied to both chi² and G².  This is what quanteda's code does by
        default for both measures; its documentation says the default for G² is
        Williams', but its code applies this Yates-type adjustment.  We follow the
        code.  Note R's ``chisq.test`` corrects whenever the table is 2 x 2; quanteda
        (and we) only when an expected count is small.
    ``"williams"``
        Both statistics divided by Williams' q = 1 + (N/(a+b) + N/(c+d) − 1)
        (N/(a+c) + N/(b+d) − 1) / (6N) (q = 1 if a cell is 0).  For G² this is
        quanteda's behaviour; for chi² quanteda's code *multiplies* by q, which looks
        like a slip (its own, disabled, test expects 4.017626 for the table
        [[3, 7], [7, 2]], which is the divided value returned here), so here the two
        differ.
    ``"none"``
        Plain Pearson chi² and G².

    Parameters
    ----------
    target, reference : mapping, Series or DataFrame
        Word counts, e.g. columns of :func:`term_frequencies`.  A DataFrame (words x
        documents) is summed over its documents.
    correction : {"default", "yates", "williams", "none"}
    sort_by : {"G2", "chi2"}
        Rows are sorted by this statistic (descending), ties by word.

    Returns
    -------
    pandas.DataFrame
        Columns ``feature``, ``G2``, ``p_G2``, ``chi2``, ``p_chi2``, ``n_target``,
        ``n_reference``, one row per word occurring in either.

    Examples
    --------
    >>> k = keyness({"a": 3, "b": 7}, {"a": 7, "b": 2}, correction="none")
    >>> k["feature"].tolist(), round(float(k["G2"].iloc[0]), 4)
    (['b', 'a'], 4.5349)
    """
    if correction not in ("default", "yates", "williams", "none"):
        raise ValueError("correction must be 'default', 'yates', 'williams' or 'none'")
    if sort_by not in ("G2", "chi2"):
        raise ValueError("sort_by must be 'G2' or 'chi2'")
    t = _as_counts(target)
    r = _as_counts(reference)
    features = sorted(set(t.index[t > 0]) | set(r.index[r > 0]))
    t = t.reindex(features, fill_value=0.0).astype(float)
    r = r.reindex(features, fill_value=0.0).astype(float)
    if (t < 0).any() or (r < 0).any():
        raise ValueError("counts must be non-negative")
    t_total, r_total = float(t.sum()), float(r.sum())
    if t_total == 0 or r_total == 0:
        raise ValueError("target and reference must both have words")

    a = t.to_numpy()
    b = r.to_numpy()
    c = t_total - a
    d = r_total - b
    n = a + b + c + d
    expected_a = (a + b) * (a + c) / n
    sign = np.where(a > expected_a, 1.0, -1.0)

    if correction in ("default", "yates"):
        small = (
            ((a + b) * (a + c) / n < 5)
            | ((a + b) * (b + d) / n < 5)
            | ((a + c) * (c + d) / n < 5)
            | ((c + d) * (b + d) / n < 5)
        )
        delta = np.where((np.abs(a * d - b * c) >= n / 2) & small, 0.5, 0.0)
    else:
        delta = np.zeros_like(a)
    if correction == "williams":
        with np.errstate(divide="ignore", invalid="ignore"):
            q = 1.0 + (n / (a + b) + n / (c + d) - 1.0) * (n / (a + c) + n / (b + d) - 1.0) / (
                6.0 * n
            )
        q = np.where(a * b * c * d == 0, 1.0, q)
    else:
        q = np.ones_like(a)

    with np.errstate(divide="ignore", invalid="ignore"):
        chi2 = (
            n * (np.abs(a * d - b * c) - n * delta) ** 2 / ((a + b) * (c + d) * (a + c) * (b + d))
        )
    chi2 = np.nan_to_num(chi2, nan=0.0) * sign / q

    shift = np.where(a * d - b * c > 0, delta, -delta)
    aa, bb, cc, dd = a - shift, b + shift, c + shift, d - shift

    def term(o: np.ndarray, row: np.ndarray, col: np.ndarray) -> np.ndarray:
        e = row * col / n
        with np.errstate(divide="ignore", invalid="ignore"):
            v = o * np.log(o / e + _EPSILON)
        return np.where(o == 0, 0.0, v)

    g2 = 2.0 * (
        term(aa, aa + bb, aa + cc)
        + term(bb, aa + bb, bb + dd)
        + term(cc, aa + cc, cc + dd)
        + term(dd, bb + dd, cc + dd)
    )
    g2 = g2 * sign / q

    out = pd.DataFrame(
        {
            "feature": features,
            "G2": g2,
            "p_G2": sst.chi2.sf(np.abs(g2), 1),
            "chi2": chi2,
            "p_chi2": sst.chi2.sf(np.abs(chi2), 1),
            "n_target": a.astype(int) if np.allclose(a, np.round(a)) else a,
            "n_reference": b.astype(int) if np.allclose(b, np.round(b)) else b,
        }
    )
    out = out.sort_values([sort_by, "feature"], ascending=[False, True], kind="mergesort")
    return out.reset_index(drop=True)


def keywords(
    texts: Mapping[str, str],
    terms: Iterable[str] = (),
    *,
    stopwords: Iterable[str] = (),
    min_length: int = 2,
) -> dict[str, pd.DataFrame]:
    """Each document's keywords against all the others (signed G², positive only).

    Bibliographic notes and imprint lines are blanked first (:func:`strip_apparatus`)
    and boilerplate tokens dropped (:func:`is_boilerplate`), so neither a book's
    publisher nor its note numbers come out as what a text is about.

    Parameters
    ----------
    texts : mapping of str to str
        Document id -> text; at least two documents.
    terms : iterable of str
        Terms kept whole by the segmenter.
    stopwords : iterable of str
        Words never to count.
    min_length : int
        Shortest word counted (terms excepted); 2 drops single-character function words.

    Returns
    -------
    dict of str to pandas.DataFrame
        Document id -> :func:`keyness` rows (column ``feature``) with G² > 0, strongest
        first.

    Examples
    --------
    >>> k = keywords({"a": "网格 网格 网格 服务", "b": "服务 服务 群众"})
    >>> k["a"]["feature"].tolist()
    ['网格']
    """
    clean = {doc: strip_apparatus(t) for doc, t in texts.items()}
    freqs = term_frequencies(clean, terms, stopwords=stopwords, min_length=min_length)
    out = {}
    for doc in texts:
        rest = [d for d in texts if d != doc]
        k = keyness(freqs[doc], freqs[rest].sum(axis=1))
        out[doc] = k[k["G2"] > 0].reset_index(drop=True)
    return out


def kwic(text: str, term: str, window: int = 20, *, doc_id: str | None = None) -> pd.DataFrame:
    """Keyword in context: every occurrence of ``term`` with characters either side.

    Occurrences are found by exact string matching, left to right and
    non-overlapping (so a term inside a longer word is found too: 网格 inside 网格化).

    Parameters
    ----------
    text : str
    term : str
    window : int
        Characters of context on each side (Chinese has no spaces, so context is in
        characters, not words).
    doc_id : str, optional
        If given, added as a first column ``doc_id`` (e.g. the source id).

    Returns
    -------
    pandas.DataFrame
        Columns ``start``, ``end``, ``left``, ``keyword``, ``right``.  ``start`` and
        ``end`` are Python ``str`` offsets with ``text[start:end] == term``, the same
        convention as evidence spans in the case base.

    Examples
    --------
    >>> kwic("推进网格化管理，网格员入户。", "网格", window=2)
       start  end left keyword right
    0      2    4   推进      网格    化管
    1      8   10   理，      网格    员入
    """
    if not term:
        raise ValueError("term must not be empty")
    if window < 0:
        raise ValueError("window must be non-negative")
    rows = []
    start = text.find(term)
    while start != -1:
        end = start + len(term)
        rows.append(
            {
                "start": start,
                "end": end,
                "left": text[max(0, start - window) : start],
                "keyword": text[start:end],
                "right": text[end : end + window],
            }
        )
        start = text.find(term, end)
    out = pd.DataFrame(rows, columns=["start", "end", "left", "keyword", "right"])
    out[["start", "end"]] = out[["start", "end"]].astype(int)
    if doc_id is not None:
        out.insert(0, "doc_id", doc_id)
    return out
