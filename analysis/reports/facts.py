"""Facts: the language-free results a report is written from, as JSON.

Every report kind first computes its facts (frozen dataclasses of numbers, ids,
statuses and quotes), then writes its text from them.  The notebook publishes
the facts under :data:`FACTS_MIME`; the batch writes them to
``reports/facts/NAME.json`` and takes the index title and summary from them.

Examples
--------
>>> from dataclasses import dataclass
>>> @dataclass(frozen=True)
... class F:
...     n: int
...     share: float
...     ids: tuple
>>> to_jsonable(F(5, 0.5, ("a", "b")))
{'n': 5, 'share': 0.5, 'ids': ['a', 'b']}
>>> facts_json({"b": 1, "a": float("nan")})
'{\\n  "a": null,\\n  "b": 1\\n}\\n'
"""

from __future__ import annotations

import dataclasses
import json
import math
from fractions import Fraction
from typing import Any

FACTS_MIME = "application/vnd.workbench.facts+json"
"""MIME type under which a notebook publishes its report's facts."""


def to_jsonable(value: Any) -> Any:
    """Dataclasses, tuples, numpy scalars, Fractions and NaN made JSON-ready (NaN → null).

    Examples
    --------
    >>> to_jsonable({"x": (1, Fraction(1, 3))})
    {'x': [1, 0.3333]}
    """
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value) if isinstance(value, (set, frozenset)) else value
        return [to_jsonable(v) for v in items]
    if isinstance(value, Fraction):
        return round(float(value), 4)
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):  # numpy scalar
        value = value.item()
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else round(value, 4)
    if value is None or isinstance(value, (str, int, bool)):
        return value
    return str(value)


def facts_json(facts: Any) -> str:
    """Deterministic JSON text of a report's facts (sorted keys, UTF-8, indented)."""
    return json.dumps(to_jsonable(facts), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def notebook_facts(nb: Any) -> dict[str, Any] | None:
    """The facts an executed notebook published, if any.

    Examples
    --------
    >>> import nbformat
    >>> cell = nbformat.v4.new_code_cell("x")
    >>> cell.outputs = [nbformat.v4.new_output("display_data", data={FACTS_MIME: {"n": 1}})]
    >>> notebook_facts(nbformat.v4.new_notebook(cells=[cell]))
    {'n': 1}
    """
    for cell in nb.get("cells", []):
        for output in cell.get("outputs", []) or []:
            data = output.get("data") or {}
            if FACTS_MIME in data:
                value = data[FACTS_MIME]
                return json.loads(value) if isinstance(value, str) else dict(value)
    return None
