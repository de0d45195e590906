"""Case base v4 format: statuses and missing scores, source criticism, new sections."""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
import pytest

from analysis.casebase import load_casebase
from tests.test_casebase import QUOTE, _mini, _span, good_case, problems_of


def _write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")


def test_not_reported_is_missing_score_null(tmp_path, seeds):
    text = (
        good_case(seeds).rstrip(" ")
        + "      - code: grid_management\n        score: null\n        status: not_reported\n"
    )
    cb = load_casebase(_mini(tmp_path, seeds, text), seeds)
    frame = cb.codings_frame().set_index("code")
    assert np.isnan(frame.loc["grid_management", "score"])
    assert np.isnan(frame.loc["dedicated_funding", "score"])  # left out: not_reported too
    assert frame.loc["regionalized_party_building", "score"] == 1.0
    assert cb.membership().loc["mini"].notna().sum() == 1


def test_not_reported_with_a_number_is_refused(tmp_path, seeds):
    text = (
        good_case(seeds).rstrip(" ")
        + "      - code: grid_management\n        score: 0\n        status: not_reported\n"
    )
    [msg] = problems_of(_mini(tmp_path, seeds, text), seeds)
    assert msg == (
        "casebase/cases/mini.yaml:21: mechanisms[1].score: status 'not_reported' is missing "
        "data: score must be null, got 0"
    )


def test_not_reported_with_evidence_is_refused(tmp_path, seeds):
    text = good_case(seeds, status="not_reported", score="null")
    [msg] = problems_of(_mini(tmp_path, seeds, text), seeds)
    assert msg.startswith(
        "casebase/cases/mini.yaml:15: mechanisms[0].evidence: status not_reported cannot"
    )


@pytest.mark.parametrize("status", ["proposed", "absent"])
def test_proposed_and_absent_score_zero_and_need_evidence(tmp_path, seeds, status):
    cb = load_casebase(_mini(tmp_path, seeds, good_case(seeds, status=status, score="0")), seeds)
    assert cb.membership().loc["mini", "regionalized_party_building"] == 0.0
    text = good_case(seeds, status=status, score="0")
    text = text[: text.index("        evidence:")] + "        evidence: []\n"
    msgs = problems_of(_mini(tmp_path / "b", seeds, text), seeds)
    assert msgs == [
        f"casebase/cases/mini.yaml:15: mechanisms[0].evidence: status {status!r} needs at least "
        "one evidence span"
    ]
    [msg] = problems_of(
        _mini(tmp_path / "c", seeds, good_case(seeds, status=status, score="0.33")), seeds
    )
    assert f"status {status!r} requires score 0, got 0.33" in msg


def test_present_without_score_is_refused(tmp_path, seeds):
    [msg] = problems_of(_mini(tmp_path, seeds, good_case(seeds, score="null")), seeds)
    assert msg.endswith("mechanisms[0].score: status 'present' requires score 0.67 or 1, got null")


OUTCOME_QUOTE = "提升居民对社区的认同感、满意度"


def _with_outcome(seeds: Path, claim: str, note: str = "", quote: str = OUTCOME_QUOTE) -> str:
    s, e = _span(seeds, quote)
    note_line = f"        claim_note: {note}\n" if note else ""
    return good_case(seeds).rstrip(" ") + (
        "    outcomes:\n"
        "      - outcome: resident_participation\n"
        "        score: 0.33\n"
        f"        claim_strength: {claim}\n{note_line}"
        "        evidence:\n"
        f"          - {{source: shaoxing2021, start: {s}, end: {e}, quote: {quote}}}\n"
    )


def test_claim_strength_follows_the_author_relation_unless_noted(tmp_path, seeds):
    # shaoxing2021 is by a local party-school lecturer: default party_school_analysis.
    load_casebase(_mini(tmp_path, seeds, _with_outcome(seeds, "party_school_analysis")), seeds)
    msgs = problems_of(
        _mini(tmp_path / "b", seeds, _with_outcome(seeds, "independent_evaluation")), seeds
    )
    assert msgs == [
        "casebase/cases/mini.yaml:23: outcomes[0].claim_strength: 'independent_evaluation' differs "
        "from 'party_school_analysis', the default for the source's author_relation: add a "
        "claim_note saying why"
    ]
    noted = _with_outcome(seeds, "independent_evaluation", note="引文引用第三方满意度调查")
    load_casebase(_mini(tmp_path / "c", seeds, noted), seeds)


def test_outcome_evidence_must_not_be_mechanism_evidence_from_v4(tmp_path, seeds):
    root = _mini(
        tmp_path, seeds, _with_outcome(seeds, "party_school_analysis", quote="率先开展社区党建")
    )
    [msg] = problems_of(root, seeds)
    s, e = _span(seeds, QUOTE)
    assert msg.startswith(
        "casebase/cases/mini.yaml:25: outcomes[0].evidence[0]: outcome 'resident_participation'"
    )
    assert f"overlaps the evidence [{s}:{e}] of mechanism 'regionalized_party_building'" in msg


def test_v4_sections_load_and_check_their_vocabularies(tmp_path, seeds):
    s, e = _span(seeds, QUOTE)
    ev = f"[{{source: shaoxing2021, start: {s}, end: {e}, quote: {QUOTE}}}]"
    text = good_case(seeds).rstrip(" ") + textwrap.indent(
        textwrap.dedent(f"""\
        context:
          - {{field: stage, value: citywide, year: 2018, evidence: {ev}}}
        drivers:
          - {{kind: policy_document, description_zh: 文件, evidence: {ev}}}
        problems:
          - {{problem_zh: 问题, scope: local, evidence: {ev}}}
        recommendations:
          - {{recommendation_zh: 建议, evidence: {ev}}}
        links:
          - {{kind: learned_from, target: 枫桥经验, evidence: {ev}}}
        """),
        "    ",
    )
    cb = load_casebase(_mini(tmp_path, seeds, text), seeds)
    assert cb.cases["mini"].links[0].target == "枫桥经验"
    bad = text.replace("field: stage, value: citywide", "field: stage, value: everywhere").replace(
        "scope: local", "scope: national"
    )
    msgs = problems_of(_mini(tmp_path / "b", seeds, bad), seeds)
    assert any("context[0].value: unknown stage 'everywhere'" in m for m in msgs)
    assert any("problems[0].scope: unknown scope 'national'" in m for m in msgs)
    assert len(msgs) == 2


def test_not_covered_by_the_excerpt_is_derived_from_coverage(tmp_path, seeds):
    root = _mini(tmp_path, seeds, good_case(seeds))
    src = root / "sources.yaml"
    text = src.read_text(encoding="utf-8")
    i = text.index("id: shaoxing2021")
    j = text.index("not_covered: []", i)
    src.write_text(
        text[:j] + "not_covered: [grid_digital]" + text[j + len("not_covered: []") :],
        encoding="utf-8",
    )
    cb = load_casebase(root, seeds)
    f = cb.codings_frame().set_index("code")
    assert f.loc["grid_management", "status"] == "not_reported"
    assert f.loc["grid_management", "status_derived"] == "not_covered"
    assert f.loc["dedicated_funding", "status_derived"] == "not_reported"
    assert cb.cases_not_covering("grid_digital") == ["mini"]
    # A family id that does not exist is refused.
    src.write_text(
        src.read_text(encoding="utf-8").replace("[grid_digital]", "[grid_digitl]"), encoding="utf-8"
    )
    [msg] = problems_of(root, seeds)
    assert "coverage.not_covered[0]: 'grid_digitl' is neither a family nor a code id" in msg


def test_historical_codings_read_their_zero_for_not_reported_as_missing(tmp_path, seeds):
    root = _mini(tmp_path, seeds, good_case(seeds))
    coding = """\
    id: mini
    coder: old
    sources: [shaoxing2021]
    mechanisms:
      - code: grid_management
        score: 0
        status: not_reported
    """
    _write(root, "codings/old/mini.yaml", coding)
    _write(
        root,
        "codings/rounds.yaml",
        "rounds:\n  - {id: '1', codebook_version: 2, coders: [final, old]}\n",
    )
    cb = load_casebase(root, seeds)
    assert cb.codings["old"]["mini"].mechanisms[0].score is None
    cc = cb.coder_codings().set_index(["coder", "kind", "item"])
    assert np.isnan(cc.loc[("old", "mechanism", "grid_management"), "score"])
    # The same file declared as a v4 coding must write null.
    _write(
        root,
        "codings/old/mini.yaml",
        coding.replace("sources:", "codebook_version: 4\n    sources:"),
    )
    [msg] = problems_of(root, seeds)
    assert (
        "codings/old/mini.yaml:7: mechanisms[0].score: status 'not_reported' is missing data" in msg
    )


def test_silence_before_a_codes_era_is_labelled_not_weak(casebase):
    """A code whose era_from is later than the year the case's source was written is
    `before_era` when the source is silent on it (issue 9: a 2011 case is not weak on
    big-data platforms)."""
    era = {c.id: c.era_from for c in casebase.codebook.codes}
    frame = casebase.codings_frame()
    for row in frame.itertuples():
        year = casebase.source_year(row.case_id)
        late = bool(year and era[row.code] and year < era[row.code])
        if row.status != "not_reported":
            assert row.status_derived == row.status
        elif row.status_derived != "not_covered":
            assert (row.status_derived == "before_era") == late, (row.case_id, row.code)


def test_briefing_says_when_the_source_predates_a_practice(casebase):
    from analysis import reports
    from tests.conftest import CASEBASE

    frame = casebase.codings_frame()
    for cid in casebase.case_ids:
        early = frame[(frame["case_id"] == cid) & (frame["status_derived"] == "before_era")]
        b = reports.build("case", case_id=cid, lang="en", casebase_dir=CASEBASE)
        said = any(
            "before" in p and "became possible" in p for p in b.sections["practices"].paragraphs
        )
        assert said == (len(early) > 0), cid
