"""The corpus report (语料分析): characterisation of keywords and terms, then the report.

The characterisation tests pin what the old ``briefing.corpus_briefing`` computed
(jieba segmentation with the codebook's terms kept whole, signed G² of each source
against the rest), as values of :mod:`analysis.text`.
"""

from __future__ import annotations

import re

import pytest

from analysis import text as tx
from analysis.reports import corpus as C
from analysis.reports.registry import KINDS
from tests.conftest import CASEBASE, SEEDS
from tests.reports.reader import RAW, all_text, latin_words

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


# ---------------------------------------------------------------- the report

ALLOWED_LATIN_ZH = {"jieba"}


@pytest.fixture(scope="module")
def corpus_facts(casebase):
    return C.facts(casebase)


@pytest.fixture(scope="module", params=["zh", "en"])
def report(request, casebase, corpus_facts):
    return C.write(casebase, corpus_facts, request.param)


def test_facts_keywords_match_the_characterisation(corpus_facts):
    kw = {k.source: [w.term for w in k.keywords] for k in corpus_facts.keywords}
    assert set(kw) == set(TOP_KEYWORDS)
    for sid, top in TOP_KEYWORDS.items():
        assert top <= set(kw[sid][:3]), (sid, kw[sid])
        assert all(w.g2 > 0 for k in corpus_facts.keywords for w in k.keywords)


def test_no_publishing_boilerplate_among_keywords(corpus_facts):
    words = {w.term for k in corpus_facts.keywords for w in k.keywords}
    words |= {w.term for w in corpus_facts.corpus_words}
    assert not words & {"出版社", "年版", "ISBN", "页"}
    assert not any(re.fullmatch(r"[\d.]+", w) for w in words)


def test_facts_sources(casebase, corpus_facts):
    assert [s.source for s in corpus_facts.sources] == [
        s for s in casebase.sources if s in casebase.texts
    ]
    for s in corpus_facts.sources:
        assert s.chars == len(casebase.texts[s.source])
        assert s.words > 0
        assert s.genre == casebase.sources[s.source].genre
        assert s.year is None or isinstance(s.year, int)
    assert corpus_facts.chars == sum(len(t) for t in casebase.texts.values())


def test_facts_term_counts(casebase, corpus_facts):
    terms = {x.term: x for x in corpus_facts.terms}
    assert set(terms) == set(C.codebook_terms(casebase))
    assert terms["自组织"].total > 0
    order = [s.source for s in corpus_facts.sources]
    assert terms["自组织"].counts[order.index("donggang2011")] == terms["自组织"].total
    assert "居民议事协商" in terms and "民议事协商" not in terms


def test_kwic_offsets_match_the_texts(casebase, corpus_facts):
    assert corpus_facts.kwic
    for k in corpus_facts.kwic:
        assert casebase.texts[k.source][k.start : k.end] == k.term


def test_sections_are_the_registrys_and_not_empty(report):
    assert tuple(report.sections) == KINDS["corpus"].sections
    for key, sec in report.sections.items():
        assert not sec.is_empty(), key
        assert report.section_markdown(key).strip()
    assert len(report.sections["keywords"].figures) == 5
    assert report.appendix


def test_summary_names_each_texts_strongest_keyword(report):
    for k in report.facts.keywords:
        assert f"“{k.keywords[0].term}”" in report.summary
    for word in ("自组织", "党建引领"):
        assert word in report.summary


def test_no_raw_ids_none_or_nan_anywhere(report):
    text = all_text(report)
    assert not RAW.findall(text), sorted(set(RAW.findall(text)))


def test_chinese_report_has_no_english_fragments(casebase, corpus_facts):
    text = all_text(C.write(casebase, corpus_facts, "zh"))
    latin = latin_words(text, ALLOWED_LATIN_ZH)
    assert not latin, sorted(latin)


def test_markdown_is_escaped_once(casebase, corpus_facts):
    en = C.write(casebase, corpus_facts, "en")
    assert "\\\\" not in en.section_markdown("sources")


def test_build_through_the_registry():
    from analysis import reports

    r = reports.build("corpus", lang="zh", casebase_dir=str(CASEBASE), sources=str(SEEDS))
    assert r.kind == "corpus"
    assert r.facts_payload()["facts"]["sources"][0]["chars"] > 0


@pytest.mark.parametrize("where", ["nowhere", "empty"])
def test_not_buildable_without_texts(tmp_path, monkeypatch, where):
    from analysis.reports.errors import NotBuildable

    folder = tmp_path / "corpus"
    if where == "empty":
        folder.mkdir()
    with pytest.raises(NotBuildable) as exc:
        C.build("zh", CASEBASE, str(folder))
    if where == "nowhere":
        assert "语料目录不存在" in exc.value.reason and str(folder) in exc.value.reason
    else:
        assert "缺少来源文件" in exc.value.reason and "000_e5a6a80c827ec9a4.txt" in exc.value.reason


def test_not_buildable_without_a_corpus_setting(tmp_path, monkeypatch):
    import shutil

    from analysis.reports.errors import NotBuildable

    monkeypatch.delenv("WORKBENCH_SOURCES", raising=False)
    shutil.copytree(CASEBASE, tmp_path / "casebase")
    with pytest.raises(NotBuildable, match="未设置语料目录"):
        C.build("en", tmp_path / "casebase", "")
