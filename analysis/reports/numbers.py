"""Numbers for readers: an indicator's value with its qualifier and unit.

Examples
--------
>>> from analysis.reports.casefacts import Indicator
>>> indicator_value(Indicator("x", "网格数", "grids", 2958, None, None, "grids", 2017, ()), "zh")
'2958个'
"""

from __future__ import annotations

from typing import Any

QUALIFIERS = {
    "zh": {"more_than": "{}以上", "less_than": "不足{}", "about": "约{}", "target": "目标{}"},
    "en": {
        "more_than": "more than {}",
        "less_than": "less than {}",
        "about": "about {}",
        "target": "target {}",
    },
}


def indicator_value(indicator: Any, lang: str) -> str:
    """Value (or range) with qualifier and unit, in the reader's language."""
    from analysis.formatting import fmt_amount

    value = fmt_amount(indicator.value, indicator.unit, lang)
    if indicator.value_max is not None:
        value = f"{value}–{fmt_amount(indicator.value_max, indicator.unit, lang)}"
    q = QUALIFIERS["zh" if lang == "zh" else "en"].get(indicator.qualifier or "")
    return q.format(value) if q else value
