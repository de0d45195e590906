"""The corpus report (语料分析): characterisation of keywords and terms, then the report.

The characterisation tests pin what the old ``briefing.corpus_briefing`` computed
(jieba segmentation with the codebook's terms kept whole, signed G² of each source
against the rest), as values of :mod:`analysis.text`.
"""

from __future__ import annotations

import pytest

from analysis import text as tx

# The old report's user dictionary, stopwords and field terms (briefing.codebook_terms,
# briefing.STOPWORDS, briefing.KWIC_TERMS), as they were.
OLD_STOPWORDS = frozenset(
    "这些 这种 这一 那些 可能 不同 有利于 以及 进行 通过 一个 我们 他们 其中 已经 没有 因此 同时 方面 一些 "
    "为了 能够 不能 不断 更加 之间 各种 以下 以上 对于 如何 还是 就是 也是 并且 而且 但是 所以 如果 由于 "
    "从而 其他 各类 相关 等等 目前 一定 主要 重要 具有 提供".split()
)

# Each source's two strongest keywords: stable under boilerplate removal too.
TOP_KEYWORDS = {
    "donggang2011": {"自组织", "东港"},
    "shaoxing2021": {"党建引领", "社区治理"},
    "haicang_book": {"共同缔造", "海沧"},
    "heli_commentary": {"公共服务", "政策"},
    "dongguan2021": {"社工", "共治"},
}


def _old_terms(cb):
    import re

    terms = {"党建引领", "网格", "共建共治共享", "自组织", "以奖代补", "民情"}
    terms |= {"党建引领", "网格化", "以奖代补", "共同缔造", "契约化", "智网工程", "民情通"}
    for c in cb.codebook.codes:
        for part in re.split(r"[与和（）、·\s]+", c.label_zh):
            if 2 <= len(part) <= 8:
                terms.add(part)
    return sorted(terms)


@pytest.fixture(scope="module")
def old_keywords(casebase):
    freqs = tx.term_frequencies(
        casebase.texts, _old_terms(casebase), min_length=2, stopwords=OLD_STOPWORDS
    )
    out = {}
    for sid in casebase.texts:
        rest = [s for s in casebase.texts if s != sid]
        k = tx.keyness(freqs[sid], freqs[rest].sum(axis=1))
        out[sid] = list(k[k["G2"] > 0]["feature"].head(8))
    return out


# ---------------------------------------------------------------- characterisation


def test_old_keywords_lead_with_each_sources_own_terms(old_keywords):
    assert set(old_keywords) == set(TOP_KEYWORDS)
    for sid, top in TOP_KEYWORDS.items():
        assert top <= set(old_keywords[sid][:3]), (sid, old_keywords[sid])


def test_old_terms_keep_field_terms_whole(casebase):
    terms = _old_terms(casebase)
    for term in ("党建引领", "以奖代补", "网格化", "共建共治共享"):
        assert term in terms
    spans = tx.segment("坚持党建引领，实行以奖代补", terms)
    assert "党建引领" in spans and "以奖代补" in spans


def test_old_kwic_offsets_match_the_text(casebase):
    text = casebase.texts["donggang2011"]
    hits = tx.kwic(text, "自组织", window=18)
    assert len(hits) > 10
    for r in hits.itertuples():
        assert text[r.start : r.end] == "自组织"
