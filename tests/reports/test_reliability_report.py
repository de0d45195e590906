"""The reliability report (编码信度): characterisation of the figures, then the report.

The characterisation tests pin what the old ``briefing.reliability_briefing`` showed,
as values of the analysis functions (:mod:`analysis.reliability`), so they hold
after the port to :mod:`analysis.reports.reliability`.
"""

from __future__ import annotations

import pytest

from analysis.reliability import read_rounds, round_report


@pytest.fixture(scope="module")
def rounds(casebase):
    return {r.id: round_report(casebase, r) for r in read_rounds(casebase)}


# ---------------------------------------------------------------- characterisation


def test_rounds_one_and_two_silence_as_zero(rounds):
    """Rounds 1 and 2 as published: silence counted as 0, 175 units each."""
    assert rounds["1"]["units"] == rounds["2"]["units"] == 175
    assert f"{rounds['1']['alpha_ordinal']:.3f}" == "0.973"
    assert f"{rounds['2']['alpha_ordinal']:.3f}" == "0.949"
    assert f"{rounds['1']['kappa_presence']:.3f}" == "0.951"
    assert f"{rounds['2']['kappa_presence']:.3f}" == "0.881"
    assert (len(rounds["1"]["disagreements"]), len(rounds["2"]["disagreements"])) == (13, 22)
    assert rounds["1"]["codebook_version"] == 1 and rounds["2"]["codebook_version"] == 2


def test_round_three_missing_aware_measures(rounds):
    """Round 3 (codebook v4): silence as missing, statuses, outcomes, both-silent share."""
    r3 = rounds["3"]
    assert r3["codebook_version"] == 4
    assert r3["coders"] == ["coder_d", "coder_e"]
    assert f"{r3['alpha_ordinal_reported']:.3f}" == "0.921"
    assert r3["units_reported_by_either"] == 85
    assert f"{r3['alpha_status_nominal']:.3f}" == "0.948"
    assert f"{r3['outcomes']['alpha_ordinal']:.3f}" == "0.887"
    assert (r3["outcomes"]["scored_by_both"], r3["outcomes"]["scored_by_one"]) == (14, 4)
    assert r3["outcomes"]["same_claim_strength"] == 14
    assert f"{r3['both_zero_or_missing']:.0%}" == "60%"
    assert r3["units"] == 200 and f"{r3['alpha_ordinal']:.3f}" == "0.978"
    assert len(r3["disagreements"]) == 8


def test_rounds_one_and_two_have_no_outcome_alpha(rounds):
    """Outcomes were not double-coded before round 3: their alpha is undefined (None)."""
    for rid in ("1", "2"):
        assert rounds[rid]["outcomes"]["alpha_ordinal"] is None
        assert rounds[rid]["outcomes"]["scored_by_both"] == 0


def test_round_three_per_code_alpha(rounds):
    per = rounds["3"]["per_code"]
    assert len(per) == 40
    assert per["party_core_leadership"]["alpha"] == pytest.approx(0.4)
    assert per["high_level_push"]["alpha"] == pytest.approx(0.7333)
    assert per["cross_department_coordination"]["alpha"] == pytest.approx(0.7943)
    undefined = sorted(c for c, v in per.items() if v["alpha"] is None)
    assert undefined == ["dual_registration", "mass_org_hub", "party_project_leadership"]
    below = sorted(c for c, v in per.items() if v["alpha"] is not None and v["alpha"] < 0.8)
    assert below == ["cross_department_coordination", "high_level_push", "party_core_leadership"]


def test_round_one_per_code_alpha_lowest(rounds):
    per = rounds["1"]["per_code"]
    assert per["resident_deliberation"]["alpha"] == pytest.approx(0.55)
    assert per["grid_management"]["alpha"] == pytest.approx(0.7333)


def test_every_disagreement_is_adjudicated_with_a_reason(casebase, rounds):
    """Each disagreement of each round has the case file's adjudication of that round,
    under its code or, for a code v4 retired, under the code that replaced it (the
    old report showed "—" for those two)."""
    replaced = {r.id: r.replaced_by for r in casebase.codebook.retired_codes}
    followed = 0
    for rid, rep in rounds.items():
        a, b = rep["coders"]
        for d in rep["disagreements"]:
            mechs = {m.code: m for m in casebase.cases[d["case_id"]].mechanisms}
            codes = [d["code"], *replaced.get(d["code"], [])]
            adj = [
                x
                for c in codes
                if c in mechs
                for x in mechs[c].adjudication
                if x.round == rid
                and (x.scores.get(a) or 0) == d[a]
                and (x.scores.get(b) or 0) == d[b]
            ]
            assert len(adj) == 1, (rid, d["case_id"], d["code"])
            assert adj[0].reason.strip()
            followed += d["code"] not in mechs
    assert followed == 2


def test_round_three_first_disagreement(rounds):
    d = rounds["3"]["disagreements"][0]
    assert (d["case_id"], d["code"], d["coder_d"], d["coder_e"], d["steps"]) == (
        "dongguan",
        "local_dispute_resolution",
        1.0,
        0.33,
        -2,
    )
