"""Tests for analysis.text: segmentation with protected terms, keyness, KWIC offsets.

The source texts are read from ``../shared/seeds`` relative to the repository root and
never copied into the repository; tests that need them are skipped without them.
"""

from __future__ import annotations

import logging
from collections import Counter
from pathlib import Path

import jieba
import pytest
from scipy import stats as sst

from analysis.text import (
    BOILERPLATE,
    build_tokenizer,
    is_boilerplate,
    keyness,
    keywords,
    kwic,
    segment,
    segment_spans,
    strip_apparatus,
    term_frequencies,
)

SEEDS = Path(__file__).resolve().parents[1].parent / "shared" / "seeds"
CODEBOOK_TERMS = ["党建引领", "网格化", "以奖代补", "共同缔造", "民情通", "智网工程", "契约化"]

needs_seeds = pytest.mark.skipif(
    not SEEDS.is_dir() or not list(SEEDS.glob("*.txt")),
    reason=f"source texts not found at {SEEDS} (they are kept outside the repository)",
)


def _seed(prefix: str) -> str:
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    return path.read_text(encoding="utf-8")


# --- segmentation --------------------------------------------------------------------


def test_terms_stay_whole_where_jieba_alone_splits_them():
    text = "坚持党建引领，实行以奖代补，推进共同缔造，用好民情通"
    plain = segment(text)
    # Without the user dictionary jieba cuts these terms (the reason for this module).
    assert "以奖代补" not in plain and "党建引领" not in plain and "共同缔造" not in plain
    words = segment(text, CODEBOOK_TERMS)
    assert [w for w in words if w in CODEBOOK_TERMS] == [
        "党建引领",
        "以奖代补",
        "共同缔造",
        "民情通",
    ]
    assert "".join(words) == text.replace("，", "")


def test_protected_terms_win_over_context():
    # 以奖 / 奖代补 around other characters, and overlapping terms: longest wins.
    assert segment("区域化党建工作", ["党建", "区域化党建"]) == ["区域化党建", "工作"]
    assert "以奖代补" in segment("所以奖代补助金", ["以奖代补"])


def test_spans_are_exact_offsets_and_tile_the_text():
    text = "一、坚持党建引领\n二、网格化管理 (2017年)"
    spans = segment_spans(text, CODEBOOK_TERMS, drop_punct=False)
    assert all(text[s:e] == w for w, s, e in spans)
    assert "".join(w for w, _, _ in spans) == text
    assert [e for _, _, e in spans[:-1]] == [s for _, s, _ in spans[1:]]
    dropped = segment_spans(text, CODEBOOK_TERMS)
    assert all(w.strip() and w not in {"、", "(", ")", "\n"} for w, _, _ in dropped)
    assert ("党建引领", 4, 8) in dropped


def test_build_tokenizer_is_separate_from_global_jieba():
    before = jieba.dt.FREQ.get("以奖代补")
    tk = build_tokenizer(["以奖代补"])
    assert tk is build_tokenizer(["以奖代补", " "])  # cached for the same terms
    assert tk is not jieba.dt
    assert tk.FREQ["以奖代补"] > 0
    assert jieba.dt.FREQ.get("以奖代补") == before  # the global dictionary is untouched
    assert logging.getLogger("jieba").level >= logging.WARNING


@needs_seeds
def test_seed_texts_terms_never_split():
    for prefix in ("001", "002", "004"):
        text = _seed(prefix)
        spans = segment_spans(text, CODEBOOK_TERMS, drop_punct=False)
        assert "".join(w for w, _, _ in spans) == text
        tokens = Counter(w for w, _, _ in spans)
        for term in CODEBOOK_TERMS:
            assert tokens[term] == text.count(term), (prefix, term)
    # Haicang's text has 以奖代补 eleven times; jieba alone does not keep it whole.
    haicang = _seed("002")
    assert haicang.count("以奖代补") == 11
    assert Counter(segment(haicang))["以奖代补"] < 11


# --- term frequencies ---------------------------------------------------------------


def test_term_frequencies_counts():
    texts = {"shaoxing": "网格化管理，网格化服务。", "haicang": "服务群众，以奖代补。"}
    tf = term_frequencies(texts, ["网格化", "以奖代补"])
    assert list(tf.columns) == ["shaoxing", "haicang"]
    assert tf.index.name == "term"
    assert tf.loc["网格化"].tolist() == [2, 0]
    assert tf.loc["服务"].tolist() == [1, 1]
    assert tf.loc["以奖代补"].tolist() == [0, 1]
    assert "，" not in tf.index and "。" not in tf.index
    # Sorted by total, then term (服 U+670D before 网 U+7F51).
    assert list(tf.index[:2]) == ["服务", "网格化"]
    assert tf.sum(axis=1).is_monotonic_decreasing
    short = term_frequencies({"x": "我的网格化"}, ["网格化"], min_length=2, stopwords=["网格化"])
    assert list(short.index) == []


@needs_seeds
def test_term_frequencies_on_seeds():
    texts = {p: _seed(p) for p in ("000", "002")}
    tf = term_frequencies(texts, CODEBOOK_TERMS)
    assert tf.loc["以奖代补", "000"] == 1
    assert tf.loc["以奖代补", "002"] == 11
    assert tf.loc["共同缔造", "002"] == texts["002"].count("共同缔造")


def test_term_frequencies_drop_publishing_boilerplate():
    text = "社区网格化。[2]张康之:《国外社区治理》,中国言实出版社2012年版,第1页。"
    tf = term_frequencies({"a": text, "b": "社区服务"}, ["网格化"], min_length=2)
    assert "网格化" in tf.index and "社区" in tf.index
    assert not [w for w in tf.index if is_boilerplate(w)], list(tf.index)
    assert "出版社" not in tf.index and "年版" not in tf.index and "2012" not in tf.index
    # A term is counted even if it looks like boilerplate.
    assert term_frequencies({"a": "年版 年版"}, ["年版"]).loc["年版", "a"] == 2
    kept = term_frequencies({"a": text}, drop_boilerplate=False)
    assert "出版社" in kept.index


def test_strip_apparatus_blanks_notes_and_imprints_only():
    body = "1.出台规划，推进网格化管理。\n"
    notes = (
        "[1]曹海军.党建引领下的社区治理[J].政治学研究,2018(1):95.\n"
        "[3]江曙曜:《美丽实践》,《厦门日报》,2014年1月14日。\n"
        "责任编辑:李冬叶\nISBN 978-7-5097-0000-0\n"
    )
    out = strip_apparatus(body + notes)
    assert len(out) == len(body + notes)
    assert out.startswith(body) and not out[len(body) :].strip()


@needs_seeds
def test_keywords_of_the_real_seeds_carry_no_boilerplate():
    texts = {p.stem: p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))}
    if len(texts) < 2:
        pytest.skip("keyness needs two texts")
    marks = ("出版", "年版", "版权", "ISBN", "编辑", "印刷", "页", "学报")
    for doc, k in keywords(texts, CODEBOOK_TERMS).items():
        top = list(k["feature"].head(30))
        assert top, doc
        bad = [
            w for w in top if is_boilerplate(w) or w in BOILERPLATE or any(m in w for m in marks)
        ]
        assert not bad, (doc, bad)
        # Nothing that occurs only in a book's notes (an author's or publisher's name).
        body = strip_apparatus(texts[doc])
        assert all(w in body for w in top), (doc, [w for w in top if w not in body])


# --- keyness -----------------------------------------------------------------------------


def test_keyness_matches_scipy_and_hand_formulas():
    target, reference = {"a": 3, "b": 7}, {"a": 7, "b": 2}
    table = [[7, 2], [3, 7]]  # feature b: (target, reference) vs the rest
    plain = keyness(target, reference, correction="none").set_index("feature")
    g = sst.chi2_contingency(table, correction=False, lambda_="log-likelihood").statistic
    x2 = sst.chi2_contingency(table, correction=False).statistic
    assert plain.loc["b", "G2"] == pytest.approx(g, abs=1e-7)
    assert plain.loc["b", "chi2"] == pytest.approx(x2)
    # Signed: a is under-represented in the target.
    assert plain.loc["a", "G2"] == pytest.approx(-g, abs=1e-7)
    assert plain.loc["b", "p_G2"] == pytest.approx(sst.chi2.sf(g, 1), rel=1e-6)
    assert plain.loc[["a", "b"], "n_target"].tolist() == [3, 7]
    # Default: an expected count is < 5 and |ad - bc| >= N/2, so Yates applies; quanteda's
    # test checks this against R's chisq.test(correct = TRUE), which scipy reproduces.
    default = keyness(target, reference).set_index("feature")
    assert default.loc["b", "chi2"] == pytest.approx(
        sst.chi2_contingency(table, correction=True).statistic
    )
    # G² with the cells moved 0.5 towards independence: [[6.5, 2.5], [3.5, 6.5]].
    g_yates = sst.chi2_contingency(
        [[6.5, 2.5], [3.5, 6.5]], correction=False, lambda_="log-likelihood"
    ).statistic
    # (quanteda adds 1e-9 inside the logarithm, hence the absolute tolerance)
    assert default.loc["b", "G2"] == pytest.approx(g_yates, abs=1e-7)
    # Williams: q = 1 + (19/9 + 19/10 - 1)² / (6 * 19)
    q = 1 + (19 / 9 + 19 / 10 - 1) ** 2 / (6 * 19)
    will = keyness(target, reference, correction="williams").set_index("feature")
    assert will.loc["b", "G2"] == pytest.approx(g / q, abs=1e-7)
    assert will.loc["b", "chi2"] == pytest.approx(4.017626, abs=1e-6)


def test_keyness_orders_match_quanteda_tests():
    # quanteda.textstats' tests: d1 = "a a a b b c c c c c c d e f g h h",
    # d2 = "a a b c c d d d d e f h", with the orders quanteda returns.
    d1 = Counter("a a a b b c c c c c c d e f g h h".split())
    d2 = Counter("a a b c c d d d d e f h".split())
    assert keyness(d1, d2, sort_by="chi2")["feature"].tolist() == list("gcbhaefd")
    assert keyness(d2, d1, sort_by="chi2")["feature"].tolist() == list("defabhcg")
    assert keyness(d1, d2, correction="none")["feature"].tolist() == list("cgbhaefd")
    assert keyness(d2, d1, correction="none")["feature"].tolist() == list("defabhgc")


def test_keyness_accepts_term_frequency_frames_and_validates():
    tf = term_frequencies(
        {"a": "网格化 网格化 服务", "b": "服务 群众", "c": "服务 网格化"}, ["网格化"]
    )
    k = keyness(tf[["a"]], tf[["b", "c"]]).set_index("feature")
    assert k.loc["网格化", "n_target"] == 2 and k.loc["网格化", "n_reference"] == 1
    assert k.loc["群众", "n_target"] == 0
    with pytest.raises(ValueError):
        keyness({"a": 1}, {"a": 0})
    with pytest.raises(ValueError):
        keyness({"a": 1}, {"b": 1}, correction="bonferroni")


# --- kwic ---------------------------------------------------------------------------------


def test_kwic_offsets_and_context():
    text = "推进网格化管理，网格员入户。网格"
    k = kwic(text, "网格", window=3, doc_id="s1")
    assert list(k.columns) == ["doc_id", "start", "end", "left", "keyword", "right"]
    assert k[["start", "end"]].values.tolist() == [[2, 4], [8, 10], [14, 16]]
    assert all(text[s:e] == "网格" for s, e in zip(k["start"], k["end"], strict=True))
    assert k["left"].tolist() == ["推进", "管理，", "入户。"]
    assert k["right"].tolist() == ["化管理", "员入户", ""]
    assert kwic("aaaa", "aa")["start"].tolist() == [0, 2]  # non-overlapping
    assert kwic(text, "智网工程").empty
    with pytest.raises(ValueError):
        kwic(text, "")


@needs_seeds
def test_kwic_on_seed_lines_up_with_evidence_spans():
    text = _seed("002")
    k = kwic(text, "以奖代补", window=10, doc_id="002")
    assert len(k) == 11
    for row in k.itertuples():
        assert text[row.start : row.end] == "以奖代补"
        assert text[row.start - len(row.left) : row.start] == row.left
        assert text[row.end : row.end + len(row.right)] == row.right


def test_docstring_examples_run():
    import doctest

    import analysis.text as module

    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
