"""Structured, focused comparison (George & Bennett) and "which model fits which conditions".

- :func:`structured_focused` asks every case the same questions (how is the party's role
  organised, who takes part and how, how are actors motivated, what technology is used, what
  problems are reported) and answers each from the coded evidence, side by side. A question a
  source is silent on is answered "not reported" -- or "not covered by the excerpt" when the
  source's coverage says the corpus lacks that part of the work -- never "no".
- :func:`context_matrix` lays the cases against the context conditions (administrative level,
  urban/rural form, migrant share, fiscal capacity, policy period, stage), each cell with its
  value and quote, or not reported.

Both return typed results; reports and ``workbench compare`` render them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

__all__ = [
    "CONTEXT_FIELDS",
    "QUESTIONS",
    "Answer",
    "AnswerItem",
    "ContextCell",
    "Question",
    "context_matrix",
    "structured_focused",
]


@dataclass(frozen=True)
class Question:
    """One question of the structured comparison, answered from codes or reported problems."""

    id: str
    text_zh: str
    text_en: str
    families: tuple[str, ...] = ()
    codes: tuple[str, ...] = ()
    problems: bool = False


#: The questions every case is asked, in order.
QUESTIONS: tuple[Question, ...] = (
    Question(
        "party_role",
        "党组织的作用如何组织？",
        "How is the party's role organised?",
        families=("party_leadership",),
    ),
    Question(
        "participation",
        "谁参与、如何参与？",
        "Who takes part, and how?",
        families=("participation", "social_organizations", "three_governance"),
    ),
    Question(
        "motivation",
        "如何激励各方？",
        "How are actors motivated?",
        families=("incentives",),
    ),
    Question(
        "technology",
        "运用了哪些技术与网格手段？",
        "What technology and grid means are used?",
        families=("grid_digital",),
    ),
    Question(
        "problems",
        "来源报告了哪些问题？",
        "What problems does the source report?",
        problems=True,
    ),
)

#: Context fields of the "which model fits which conditions" matrix, in order.
CONTEXT_FIELDS: tuple[str, ...] = (
    "admin_level",
    "urban_rural",
    "population",
    "migrant_share",
    "fiscal_capacity",
    "collective_assets",
    "policy_period",
    "stage",
)


@dataclass(frozen=True)
class AnswerItem:
    """One piece of an answer: a coded mechanism (code, score, status) or a reported problem.

    ``scope`` is set for problems (``local`` or ``general``).
    """

    label: str
    code: str | None
    score: float | None
    status: str
    quote: str
    source: str
    scope: str | None = None


@dataclass(frozen=True)
class Answer:
    """A case's answer to one question.

    ``state`` is ``"answered"``, ``"not_reported"`` or ``"not_covered"`` (the source's
    excerpt lacks the part of the work that would answer it).
    """

    question: str
    case: str
    state: Literal["answered", "not_reported", "not_covered"]
    items: tuple[AnswerItem, ...]


def _not_covered(cb: Any, case_id: str) -> set[str]:
    out: set[str] = set()
    for sid in cb.cases[case_id].sources:
        cov = getattr(cb.sources[sid], "coverage", None)
        out |= set(getattr(cov, "not_covered", None) or [])
    return out


def structured_focused(
    cb: Any,
    questions: Sequence[Question] = QUESTIONS,
    lang: str = "zh",
    cases: Sequence[str] | None = None,
) -> list[Answer]:
    """Answer the same questions for every case from its evidence.

    Parameters
    ----------
    cb : CaseBase
        The loaded case base.
    questions : sequence of Question
    lang : {"zh", "en"}
        Language of the code labels.
    cases : sequence of str, optional
        Default every case.

    Returns
    -------
    list of Answer
        Question-major: all cases for the first question, then the next.
    """
    code_family = {c.id: c.family for c in cb.codebook.codes}
    labels = cb.labels(lang)["code"]
    out = []
    for q in questions:
        for cid in cases or cb.case_ids:
            case = cb.cases[cid]
            items: list[AnswerItem] = []
            if q.problems:
                for p in sorted(case.problems, key=lambda p: p.scope != "local"):
                    ev = p.evidence[0]
                    items.append(
                        AnswerItem(
                            p.problem_zh, None, None, "reported", ev.quote, ev.source, p.scope
                        )
                    )
            else:
                wanted = [
                    m
                    for m in case.mechanisms
                    if m.status != "not_reported"
                    and (code_family.get(m.code) in q.families or m.code in q.codes)
                ]
                for m in sorted(wanted, key=lambda m: -(m.score or 0)):
                    ev = m.evidence[0]
                    items.append(
                        AnswerItem(
                            labels.get(m.code, m.code),
                            m.code,
                            m.score,
                            m.status,
                            ev.quote,
                            ev.source,
                        )
                    )
            if items:
                state = "answered"
            elif set(q.families) & _not_covered(cb, cid):
                state = "not_covered"
            else:
                state = "not_reported"
            out.append(Answer(q.id, cid, state, tuple(items)))
    return out


@dataclass(frozen=True)
class ContextCell:
    """One case's value on one context field, with its evidence; ``value`` None if not reported."""

    case: str
    field: str
    value: str | None
    value_num: float | None
    year: int | None
    quote: str | None
    source: str | None


def context_matrix(
    cb: Any, fields: Sequence[str] = CONTEXT_FIELDS, cases: Sequence[str] | None = None
) -> list[ContextCell]:
    """Cases × context fields, each cell with its value and quote, or not reported.

    A field reported more than once for a case (e.g. two policy periods) gives one cell with
    the values joined by "；" and the first quote.
    """
    out = []
    for cid in cases or cb.case_ids:
        items = getattr(cb.cases[cid], "context", [])
        for f in fields:
            hits = [c for c in items if c.field == f]
            if not hits:
                out.append(ContextCell(cid, f, None, None, None, None, None))
                continue
            first = hits[0]
            out.append(
                ContextCell(
                    cid,
                    f,
                    "；".join(h.value for h in hits),
                    first.value_num,
                    first.year,
                    first.evidence[0].quote,
                    first.evidence[0].source,
                )
            )
    return out
