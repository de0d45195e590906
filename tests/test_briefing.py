"""Briefings carry the case base's own numbers, and refuse bad parameters clearly."""

from __future__ import annotations

import shutil

import pytest

from analysis import briefing, similarity
from analysis.qca import truth_table
from tests.conftest import CASEBASE, SEEDS


@pytest.fixture(scope="module")
def profile():
    return briefing.case_profile("shaoxing", "zh", CASEBASE, SEEDS)


def test_profile_numbers_match_the_case_base(profile, casebase):
    m = casebase.membership().loc["shaoxing"]
    present = int((m > 0).sum())
    assert f"有 {present} 个得到原文证据支持" in profile.findings[0]
    conf = profile.sections["configuration"].tables[0][1]
    assert len(conf) == present
    ind = profile.sections["indicators"].tables[0][1]
    assert len(ind) == len(casebase.cases["shaoxing"].indicators)
    # Every quote shown is the exact source span.
    ev = profile.sections["evidence"].tables[0][1]
    text = casebase.texts["shaoxing2021"]
    for quote in ev["原文引文"]:
        assert quote.strip("“”") in text
    assert profile.findings_en and profile.findings_en[0].startswith("Shaoxing shows")
    assert profile.summary


def test_pairwise_similarity_is_the_library_value(casebase):
    b = briefing.pairwise_comparison("zhoushan_donggang", "xiamen_haicang", "en", CASEBASE, SEEDS)
    fj = similarity.fuzzy_jaccard(casebase.membership())
    assert b.data["fuzzy_jaccard"] == pytest.approx(fj.loc["zhoushan_donggang", "xiamen_haicang"])
    assert f"{fj.loc['zhoushan_donggang', 'xiamen_haicang']:.2f}" in b.findings[0]
    assert set(b.sections) == {"similarity", "shared", "distinctive", "networks", "learning"}


def test_cross_case_qca_uses_family_means_and_reports_missing_outcomes(casebase):
    b = briefing.cross_case(
        "all", briefing.DEFAULT_FAMILIES, "harmony_stability", 0.8, "en", CASEBASE, SEEDS
    )
    data = b.data["qca_data"]
    # A case whose source is silent on harmony is left out, and the report says so.
    silent = casebase.outcome_scores("harmony_stability").isna()
    assert set(data.index) == set(silent.index[~silent])
    assert any(f"N = {len(data)}" in s for s in b.findings)
    cbf = casebase.codebook_frame()
    codes = cbf.index[cbf["family"] == "party_leadership"]
    for case in data.index:
        reported = casebase.membership().loc[case, codes].dropna()
        if len(reported):
            assert data.loc[case, "PARTY"] == pytest.approx(reported.mean())
    tt = truth_table(data, "OUTCOME", list(data.columns[:-1]), incl_cut=0.8)
    assert b.data["truth_table"].out == tt.out
    assert any("limited diversity" in s for s in b.findings)


def test_bad_parameters_are_clear_errors():
    with pytest.raises(ValueError, match="unknown case id 'nowhere'"):
        briefing.case_profile("nowhere", "zh", CASEBASE)
    with pytest.raises(ValueError, match="lang must be one of"):
        briefing.case_profile("shaoxing", "fr", CASEBASE)
    with pytest.raises(ValueError, match="unknown outcome"):
        briefing.cross_case(outcome="happiness", casebase_dir=CASEBASE)
    with pytest.raises(ValueError, match="must differ"):
        briefing.pairwise_comparison("shaoxing", "shaoxing", "zh", CASEBASE)


def test_corpus_report_without_a_corpus_says_so(monkeypatch, tmp_path):
    monkeypatch.delenv("WORKBENCH_SOURCES", raising=False)
    # A project without a [tool.workbench] sources setting.
    shutil.copytree(CASEBASE, tmp_path / "casebase")
    b = briefing.corpus_briefing("en", tmp_path / "casebase", None)
    assert list(b.sections) == ["status"]
    assert "No corpus folder was given" in b.findings[0]


def test_reliability_briefing_quotes_round_figures(casebase):
    from analysis.reliability import reliability_report

    b = briefing.reliability_briefing("en", CASEBASE, SEEDS)
    rep = reliability_report(casebase, "1")
    assert f"{rep['alpha_ordinal']:.3f}" in b.findings[0]


def test_papermill_comma_separated_lists_are_lists():
    # papermill -p cases dongguan,shaoxing,xiamen_haicang passes one string.
    as_text = briefing.cross_case(
        "dongguan, shaoxing,xiamen_haicang",
        "party_leadership,participation",
        "harmony_stability",
        0.8,
        "en",
        CASEBASE,
    )
    as_list = briefing.cross_case(
        ["dongguan", "shaoxing", "xiamen_haicang"],
        ["party_leadership", "participation"],
        "harmony_stability",
        0.8,
        "en",
        CASEBASE,
    )
    named = ["dongguan", "shaoxing", "xiamen_haicang"]
    got = list(as_text.data["qca_data"].index)
    # Cases silent on the outcome or a condition are left out; the rest keep the given order.
    assert got and got == [c for c in named if c in got]
    assert as_text.data["qca_data"].equals(as_list.data["qca_data"])
    assert as_text.findings == as_list.findings
    with pytest.raises(TypeError, match=r"papermill: -p families a,b or -y"):
        briefing.cross_case("all", 3, "harmony_stability", 0.8, "en", CASEBASE)


def test_cross_case_shows_how_far_similarity_clustering_and_mds_hold(casebase):
    """Issue 10 §4: intervals and tied ranks, cophenetic r, stress, a split only when
    stable, networks that say what a tie is and flag uncovered party building; no χ²."""
    b = briefing.cross_case(
        "all", briefing.DEFAULT_FAMILIES, "harmony_stability", 0.8, "en", CASEBASE, SEEDS
    )
    assert "tests" not in b.sections
    assert not any("χ²" in s or "contingency" in s for s in b.findings)
    ranks = b.data["pair_ranks"]
    n = len(casebase.case_ids)
    assert len(ranks) == n * (n - 1) // 2
    assert (ranks["lower"] <= ranks["similarity"]).all() and (
        ranks["similarity"] <= ranks["upper"]
    ).all()
    conf = b.sections["configuration"]
    table = conf.tables[0][1]
    assert list(table["Codes reported for both"]) == list(ranks["n_joint"])
    assert f"{b.data['cophenetic']:.2f}" in conf.paragraphs[2]
    assert f"{b.data['stress']:.2f}" in conf.paragraphs[2]
    split = b.data["split"]
    if split.stable:
        assert "cut into two groups" in conf.paragraphs[1]
    else:
        assert "no stable split" in conf.paragraphs[1]
    net = b.sections["networks"]
    assert net.paragraphs[1].startswith("What a tie is")
    party = set(casebase.codebook_frame().query("family == 'party_leadership'").index)
    flagged = [c for c in casebase.case_ids if party & casebase.not_covered(c)]
    measures = net.tables[0][1].set_index("Case")
    for c in casebase.case_ids:
        cell = measures.loc[
            casebase.labels("en")["case_short"][c], "Ties bypassing party/government"
        ]
        assert (cell == "not covered by the excerpt") == (c in flagged)
    if flagged:
        assert "do not cover party building" in net.paragraphs[2]


def test_pairwise_rank_comes_with_interval_and_ties(casebase):
    b = briefing.pairwise_comparison("shaoxing", "dongguan", "en", CASEBASE, SEEDS)
    m = casebase.membership()
    ints = similarity.similarity_intervals(m)
    lo, hi = b.data["interval"]
    assert lo == pytest.approx(ints.lower.loc["shaoxing", "dongguan"])
    assert hi == pytest.approx(ints.upper.loc["shaoxing", "dongguan"])
    assert b.data["n_joint"] == similarity.jointly_reported(m).loc["shaoxing", "dongguan"]
    ranked = similarity.rank_pairs(ints)
    pair = ranked[["a", "b"]].apply(frozenset, axis=1) == frozenset({"shaoxing", "dongguan"})
    row = ranked[pair].iloc[0]
    assert (b.data["rank"], b.data["n_tied"]) == (row["rank"], row["n_tied"])
    assert f"{lo:.2f}–{hi:.2f}" in b.findings[0]
    if row["n_tied"] > 1:
        assert "intervals overlap" in b.findings[0]
