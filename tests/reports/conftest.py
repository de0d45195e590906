"""Checks every report kind must pass: the genre, traceable recommendations, clean text."""

from __future__ import annotations

import re

import pytest

from analysis.md_text import plain_text

GENRE = ("background", "practices", "effects", "problems", "recommendations")
RAW = re.compile(r"\b(None|nan|NaN|coder_[a-z]|primary_adj\d|not_reported|before_era)\b")


def all_markdown(report) -> str:
    """Every piece of text a reader sees (main text and appendix), as Markdown."""
    parts = [report.title_markdown(), report.judgements_markdown()]
    parts += [report.section_markdown(k) for k in [*report.sections, *report.appendix]]
    for sec in [*report.sections.values(), *report.appendix.values()]:
        for _, table in sec.tables:
            parts.append(table.to_string())
    return "\n".join(parts)


def assert_evidence_verbatim(cb, evidence) -> None:
    for e in evidence:
        text = cb.texts[e.source_id]
        assert text[e.start : e.end] == e.quote, (e.source_id, e.start, e.quote)


def assert_genre(report, cb, max_judgements: int = 3) -> None:
    """核心判断 ≤ 3 with a cited finding; the five genre sections; traceable recommendations."""
    assert 1 <= len(report.judgements) <= max_judgements
    for p in report.judgements:
        assert p.evidence or p.note, p.text
        assert_evidence_verbatim(cb, p.evidence)
    assert list(report.sections)[: len(GENRE)] == list(GENRE)
    for r in report.recommendations:
        assert r.cases, r.text
        assert r.evidence, r.text
        assert r.conditions and r.risks
        assert_evidence_verbatim(cb, r.evidence)
    text = plain_text(all_markdown(report))
    assert not RAW.search(text), RAW.search(text)
    assert "2008.00" not in text


@pytest.fixture(scope="module")
def cb(seeds):
    from analysis.reports.common import open_casebase

    return open_casebase("casebase", seeds)


def make_casebase(out, cases: int, seed: int = 0):
    """A synthetic case base of ``cases`` cases (benchmarks/make_casebase.py)."""
    import importlib.util
    from pathlib import Path

    script = Path(__file__).resolve().parents[2] / "benchmarks" / "make_casebase.py"
    spec = importlib.util.spec_from_file_location("make_casebase", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.make_casebase(out, cases, seed=seed)
