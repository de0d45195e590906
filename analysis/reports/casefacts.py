"""Language-free facts about one case, shared by the report kinds.

Everything here is computed from the case base alone (ids, statuses, scores,
years and verbatim quotes with offsets); the report modules turn these facts
into sentences.  The guarded comparison (:func:`comparison`) is computed once per
case base and case selection and kept for the kernel's life.

Examples
--------
>>> from analysis.reports.casefacts import quotes_of
>>> quotes_of([])
()
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analysis.casebase import CaseBase
from analysis.reports.common import cite
from analysis.reports.model import Evidence


@dataclass(frozen=True)
class Quote:
    """A verbatim quote: source id, character offsets and the text."""

    source: str
    start: int
    end: int
    quote: str


def quotes_of(evidence: Iterable[Any]) -> tuple[Quote, ...]:
    """Quotes from case-base evidence objects (``source``, ``start``, ``end``, ``quote``)."""
    return tuple(Quote(e.source, int(e.start), int(e.end), e.quote) for e in evidence or ())


def as_evidence(
    cb: CaseBase, case_id: str, quotes: Sequence[Quote], lang: str
) -> tuple[Evidence, ...]:
    """Quotes with their citation labels, for the text layer."""
    return tuple(
        Evidence(case_id, q.source, q.start, q.end, q.quote, cite(cb, q.source, lang))
        for q in quotes
    )


@dataclass(frozen=True)
class Mechanism:
    """One code of one case: status, score, the status derived from era and coverage."""

    code: str
    family: str
    frameworks: tuple[str, ...]
    status: str
    derived: str
    score: float | None
    era_from: int | None
    evidence: tuple[Quote, ...]
    practices: tuple[str, ...]


@dataclass(frozen=True)
class Outcome:
    """An outcome as the source reports it, and who asserts it."""

    outcome: str
    score: float | None
    claim_strength: str | None
    evidence: tuple[Quote, ...]


@dataclass(frozen=True)
class Indicator:
    """A number the source gives, with its unit, year and quote."""

    indicator: str
    label_zh: str
    label_en: str
    value: float
    value_max: float | None
    qualifier: str | None
    unit: str | None
    year: int | None
    evidence: tuple[Quote, ...]


@dataclass(frozen=True)
class ContextItem:
    """A context field (admin level, urban/rural form, …) with its evidence."""

    field: str
    value: str
    year: int | None
    evidence: tuple[Quote, ...]


@dataclass(frozen=True)
class TextItem:
    """A driver, problem or recommendation of the source: its own words and evidence."""

    kind: str
    text_zh: str
    year: int | None
    evidence: tuple[Quote, ...]


@dataclass(frozen=True)
class Practice:
    """A named practice (e.g. 五星达标) and the mechanisms it embodies."""

    practice: str
    name_zh: str
    name_en: str
    year: int | None
    mechanisms: tuple[str, ...]
    evidence: tuple[Quote, ...]


@dataclass(frozen=True)
class SourceFact:
    """Who wrote a source and what it covers."""

    source: str
    year: int | None
    genre: str | None
    author_relation: str | None
    author_relation_basis: str | None
    complete: bool | None
    not_covered: tuple[str, ...]


@dataclass(frozen=True)
class CaseFacts:
    """Everything about one case the briefings use."""

    case_id: str
    level: str
    province: str
    city: str
    start_year: int | None
    source_year: int | None
    sources: tuple[SourceFact, ...]
    mechanisms: tuple[Mechanism, ...]
    practices: tuple[Practice, ...]
    outcomes: tuple[Outcome, ...]
    indicators: tuple[Indicator, ...]
    context: tuple[ContextItem, ...]
    drivers: tuple[TextItem, ...]
    problems: tuple[TextItem, ...]
    proposals: tuple[TextItem, ...]

    def mechanism(self, code: str) -> Mechanism | None:
        """The case's coding of ``code``, if the case codes it."""
        return next((m for m in self.mechanisms if m.code == code), None)

    @property
    def practised(self) -> tuple[Mechanism, ...]:
        """Codes the source reports as practised (present or weak, with evidence)."""
        return tuple(m for m in self.mechanisms if m.status in ("present", "weak"))

    def context_value(self, field: str) -> str | None:
        """The value of a context field, or None when the source does not report it."""
        return next((c.value for c in self.context if c.field == field), None)


def _per_casebase(store: dict[int, tuple[Any, dict[str, Any]]], cb: CaseBase) -> dict[str, Any]:
    """A cache slot for one loaded case base (CaseBase is unhashable; a weak reference
    makes sure a new case base at a reused address never sees an old slot)."""
    hit = store.get(id(cb))
    if hit is None or hit[0]() is not cb:
        store[id(cb)] = hit = (weakref.ref(cb), {})
        weakref.finalize(cb, store.pop, id(cb), None)
    return hit[1]


_FACTS: dict[int, tuple[Any, dict[str, Any]]] = {}


def case_facts(cb: CaseBase, case_id: str) -> CaseFacts:
    """Collect the facts of one case (computed once per loaded case base and case).

    A briefing compares its case with every other, so without the cache each report
    would cost N case collections and a batch N² (a 300-case briefing took 10 s).

    Examples
    --------
    >>> f = case_facts(cb, "shaoxing")                       # doctest: +SKIP
    >>> f.level, len(f.mechanisms) > 0                       # doctest: +SKIP
    ('prefecture_city', True)
    """
    cached = _per_casebase(_FACTS, cb)
    if case_id not in cached:
        cached[case_id] = _case_facts(cb, case_id)
    return cached[case_id]


def _case_facts(cb: CaseBase, case_id: str) -> CaseFacts:
    case = cb.cases[case_id]
    codes = {c.id: c for c in cb.codebook.codes}
    frame = _codings_by_case(cb).get(case_id)
    if frame is None:
        frame = cb.codings_frame().iloc[0:0].set_index("code")
    in_practice: dict[str, list[str]] = {}
    for p in case.practices:
        for code in p.mechanisms:
            in_practice.setdefault(code, []).append(p.id)
    coded = {m.code: m for m in case.mechanisms}
    mechanisms = []
    for code_id in cb.code_ids:
        if code_id not in frame.index:
            continue
        row = frame.loc[code_id]
        m = coded.get(code_id)
        score = (
            None
            if row["score"] != row["score"] or row["status"] == "not_reported"
            else float(row["score"])
        )
        code = codes[code_id]
        mechanisms.append(
            Mechanism(
                code_id,
                code.family,
                tuple(getattr(code, "frameworks", None) or ()),
                str(row["status"]),
                str(row["status_derived"]),
                score,
                getattr(code, "era_from", None),
                quotes_of(m.evidence) if m else (),
                tuple(in_practice.get(code_id, ())),
            )
        )
    outcomes = tuple(
        Outcome(o.outcome, o.score, o.claim_strength, quotes_of(o.evidence)) for o in case.outcomes
    )
    indicators = tuple(
        Indicator(
            i.id,
            i.label_zh,
            i.label_en,
            float(i.value),
            None if i.value_max is None else float(i.value_max),
            i.qualifier,
            i.unit,
            i.year,
            quotes_of(i.evidence),
        )
        for i in case.indicators
    )
    sources = []
    for sid in case.sources:
        s = cb.sources[sid]
        cov = getattr(s, "coverage", None)
        year = (s.date or "")[:4]
        sources.append(
            SourceFact(
                sid,
                int(year) if year.isdigit() else None,
                getattr(s, "genre", None),
                getattr(s, "author_relation", None),
                getattr(s, "author_relation_basis", None),
                getattr(cov, "complete", None) if cov else None,
                tuple(getattr(cov, "not_covered", None) or ()) if cov else (),
            )
        )
    return CaseFacts(
        case_id,
        case.level,
        case.province,
        case.city,
        case.start_year,
        cb.source_year(case_id),
        tuple(sources),
        tuple(mechanisms),
        tuple(
            Practice(p.id, p.name_zh, p.name_en, p.year, tuple(p.mechanisms), quotes_of(p.evidence))
            for p in case.practices
        ),
        outcomes,
        indicators,
        tuple(ContextItem(c.field, c.value, c.year, quotes_of(c.evidence)) for c in case.context),
        tuple(
            TextItem(d.kind, d.description_zh, d.year, quotes_of(d.evidence)) for d in case.drivers
        ),
        tuple(TextItem(p.scope, p.problem_zh, None, quotes_of(p.evidence)) for p in case.problems),
        tuple(
            TextItem("proposal", r.recommendation_zh, None, quotes_of(r.evidence))
            for r in case.recommendations
        ),
    )


_FRAMES: dict[int, tuple[Any, dict[str, Any]]] = {}


def _codings_by_case(cb: CaseBase) -> dict[str, Any]:
    """The codings frame split by case, once per loaded case base."""
    slot = _per_casebase(_FRAMES, cb)
    if not slot:
        frame = cb.codings_frame()
        slot.update({c: g.set_index("code") for c, g in frame.groupby("case_id", sort=False)})
        slot.setdefault("", None)  # marks the slot filled even for a case base without codings
    return slot


# ----------------------------------------------------------------- the comparison


def load_condition_set(cb: CaseBase) -> Any:
    """The declared conditions of the case base (``conditions.yaml`` beside the codebook)."""
    from analysis.compare_cli import load_conditions

    return load_conditions(Path(cb.root) / "conditions.yaml", cb.codebook)


_COMPARISONS: dict[tuple[str, tuple[str, ...]], Any] = {}


def comparison(cb: CaseBase, cases: Sequence[str] | None = None) -> Any:
    """The guarded comparison (:func:`analysis.compare.compare`) over ``cases`` (default all).

    Computed once per case-base content and case selection while the kernel lives.
    """
    from analysis.compare import compare
    from analysis.compare_cli import casebase_frames

    key = (cb.content_hash(), tuple(cases or cb.case_ids))
    if key not in _COMPARISONS:
        scores, outcomes = casebase_frames(cb)
        ids = list(key[1])
        _COMPARISONS[key] = compare(scores.loc[ids], outcomes.loc[ids], load_condition_set(cb))
    return _COMPARISONS[key]
