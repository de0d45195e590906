"""综合比较: typology, structured comparison, guarded QCA, recommendations across cases."""

from __future__ import annotations

import pytest

from analysis.reports import build
from analysis.reports.errors import ParameterError

from .conftest import assert_genre


@pytest.fixture(scope="module")
def synthesis(cb):
    return build("synthesis")


def test_synthesis_has_the_genre(synthesis, cb):
    assert_genre(synthesis, cb)


def test_structured_comparison_asks_every_case_the_same_questions(synthesis, cb):
    groups = synthesis.sections["practices"].groups
    assert len(groups) >= 4
    for _, points in groups:
        assert len(points) == len(cb.case_ids)


def test_no_necessity_or_sufficiency_claim_in_an_exploratory_design(synthesis, cb):
    outcome_label = cb.labels("zh")["outcome"]
    exploratory = {outcome_label[o.outcome] for o in synthesis.facts.outcomes if o.exploratory}
    qca = synthesis.appendix["qca"]
    if qca.tables:  # no necessity verdict of an exploratory outcome reads as a claim
        table = qca.tables[0][1]
        rows = table[table.iloc[:, 0].isin(exploratory)]
        assert "必要" not in set(rows.iloc[:, -1])
    effects = synthesis.section_markdown("effects")
    assert effects.count("属探索性，不作结论") == len(exploratory)
    assert "必要" not in effects


def test_every_model_is_named(synthesis):
    text = synthesis.section_markdown("qca")
    for o in synthesis.facts.outcomes:
        for _kind, models in o.solutions:
            if len(models) > 1:
                assert f"{len(models)} 个同样好的模型" in text


def test_excluded_cases_are_named_with_reasons(synthesis, cb):
    text = synthesis.section_markdown("qca")
    for o in synthesis.facts.outcomes:
        for case, *_ in o.excluded:
            assert cb.labels("zh")["case_short"][case] in text
    assert "outcome not reported" not in text and "condition" not in text


def test_shared_practices_rest_on_two_cases_each(synthesis):
    for s in synthesis.facts.shared:
        assert len(s.cases) >= 2 and len(s.evidence) == len(s.cases)


def test_a_subset_of_cases_works_and_two_are_refused(cb):
    three = cb.case_ids[:3]
    report = build("synthesis", cases=",".join(three))
    assert report.facts.cases == tuple(three)
    with pytest.raises(ParameterError, match="at least 3"):
        build("synthesis", cases=cb.case_ids[:2])


def test_many_cases_are_summarised_not_listed_one_row_each(tmp_path):
    from analysis.reports.defaults import MAX_LISTED_CASES, MAX_LISTED_PAIRS

    from .conftest import make_casebase

    n = MAX_LISTED_CASES + 8
    casebase = make_casebase(tmp_path, n, seed=4)
    report = build("synthesis", casebase_dir=casebase, sources=str(tmp_path / "sources"))
    assert len(report.facts.cases) == n
    for _, points in report.sections["practices"].groups:
        assert len(points) == MAX_LISTED_CASES + 1  # the strongest, then one summary line
    for sec in [*report.sections.values(), *report.appendix.values()]:
        for _, table in sec.tables:
            assert len(table) <= max(MAX_LISTED_CASES, MAX_LISTED_PAIRS, 40)
            assert len(table.columns) <= MAX_LISTED_CASES + 1
    # The evidence judgement follows the guards, never a fixed sentence.
    confirmatory = sum(not o.exploratory for o in report.facts.outcomes)
    text = report.judgements[-1].text
    assert ("构型结论只能是探索性的" in text) == (confirmatory == 0)
