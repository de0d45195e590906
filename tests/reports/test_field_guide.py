"""调研提纲: every case gets a guide whose questions cite verbatim quotes."""

from __future__ import annotations

import pytest

from analysis.md_text import plain_text
from analysis.reports import build

from .conftest import RAW, all_markdown, assert_evidence_verbatim


@pytest.fixture(scope="module")
def guides(cb):
    return {c: build("fieldguide", case_id=c) for c in cb.case_ids}


def test_every_case_has_a_guide_with_grouped_questions(guides):
    for case_id, report in guides.items():
        assert list(report.sections) == ["purpose", "questions"]
        groups = report.sections["questions"].groups
        assert groups, case_id
        n = sum(len(points) for _, points in groups)
        assert 0 < n <= 30
        assert str(n) in report.summary


def test_questions_cite_verbatim_quotes_and_say_whom_to_ask(guides, cb):
    for report in guides.values():
        for _, points in report.sections["questions"].groups:
            for p in points:
                assert_evidence_verbatim(cb, p.evidence)
                assert "访谈对象" in p.note and "方法" in p.note


def test_no_raw_ids_or_missing_values(guides):
    for report in guides.values():
        text = plain_text(all_markdown(report))
        assert not RAW.search(text), RAW.search(text)


def test_english_guide(cb):
    report = build("fieldguide", case_id=cb.case_ids[0], lang="en")
    text = all_markdown(report)
    assert "Key points" in text and "调研问题" not in text
