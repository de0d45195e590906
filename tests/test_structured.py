"""Structured-focused comparison and the context matrix on the shipped case base (any N)."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.casebase import load_casebase
from analysis.structured import CONTEXT_FIELDS, QUESTIONS, context_matrix, structured_focused

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT.parent / "shared" / "seeds"


@pytest.fixture(scope="module")
def cb():
    return load_casebase(ROOT / "casebase", SEEDS if SEEDS.is_dir() else None)


def test_every_case_answers_every_question(cb):
    answers = structured_focused(cb)
    assert len(answers) == len(QUESTIONS) * len(cb.case_ids)
    for a in answers:
        assert a.state in ("answered", "not_reported", "not_covered")
        assert (a.state == "answered") == bool(a.items)


def test_answers_are_quotes_of_reported_codes(cb):
    family = {c.id: c.family for c in cb.codebook.codes}
    for a in structured_focused(cb):
        for item in a.items:
            assert item.quote
            if cb.texts:
                assert item.quote in cb.texts[item.source]
            if item.code is not None:
                q = next(q for q in QUESTIONS if q.id == a.question)
                assert family[item.code] in q.families
                assert item.status != "not_reported"


def test_problems_list_local_problems_first(cb):
    for a in structured_focused(cb):
        if a.question == "problems":
            scopes = [i.scope for i in a.items]
            assert scopes == sorted(scopes, key=lambda s: s != "local")


def test_silence_is_not_covered_when_the_excerpt_lacks_the_part(cb):
    for a in structured_focused(cb):
        if a.state == "not_covered":
            covered = set()
            for sid in cb.cases[a.case].sources:
                covered |= set(cb.sources[sid].coverage.not_covered)
            q = next(q for q in QUESTIONS if q.id == a.question)
            assert set(q.families) & covered


def test_context_matrix_is_complete_and_honest(cb):
    cells = context_matrix(cb)
    assert len(cells) == len(CONTEXT_FIELDS) * len(cb.case_ids)
    for c in cells:
        if c.value is None:
            assert c.quote is None
        else:
            assert c.quote and (not cb.texts or c.quote in cb.texts[c.source])
