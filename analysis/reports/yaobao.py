"""要报: the one-page version of a briefing (title, 核心判断, top recommendations, basis).

The 要报 of a briefing is built from the same facts as the briefing itself, so the
two can never disagree; the batch writes it as ``NAME_yaobao`` beside ``NAME``.

Examples
--------
>>> r = build("case", case_id="shaoxing")                  # doctest: +SKIP
>>> r.kind, r.compact                                       # doctest: +SKIP
('case_yaobao', True)
"""

from __future__ import annotations

from pathlib import Path

from analysis.reports import defaults
from analysis.reports.errors import ParameterError
from analysis.reports.model import Report
from analysis.reports.registry import KINDS


def build(
    report_kind: str = "case",
    case_id: str = "",
    case_a: str = "",
    case_b: str = "",
    cases: str | list[str] = "all",
    lang: str = defaults.LANG,
    casebase_dir: str | Path = "casebase",
    sources: str | Path | None = "",
) -> Report:
    """The 要报 of the briefing ``report_kind`` with the given parameters.

    Raises
    ------
    ParameterError
        If ``report_kind`` has no 要报 or a parameter it needs is missing.
    """
    kind = KINDS.get(report_kind)
    if kind is None or not kind.yaobao:
        allowed = ", ".join(n for n, k in KINDS.items() if k.yaobao)
        raise ParameterError(f"the 要报 is made for {allowed}; got {report_kind!r}")
    given = {"case_id": case_id, "case_a": case_a, "case_b": case_b, "cases": cases}
    own = {p.name: given[p.name] for p in kind.params}
    missing = [name for name, value in own.items() if value in ("", None)]
    if missing:
        raise ParameterError(f"the {report_kind} 要报 needs {', '.join(missing)}")
    full = kind.build(**own, lang=lang, casebase_dir=casebase_dir, sources=sources)
    return full.yaobao(defaults.YAOBAO_RECOMMENDATIONS)
