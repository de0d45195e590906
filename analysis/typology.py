"""Fuzzy-set ideal types: each case's membership in each type built on the declared conditions.

An ideal type is a corner of the property space (Kvist 2007; Collier, LaPorte & Seawright
2012): a combination of conditions required present (1) or absent (0); conditions a type does
not name do not matter for it. A case's membership in the type is the fuzzy AND (minimum)
of its memberships in the named conditions, negated where the type requires absence. A case
*belongs* to a type only with membership above 1/2; its best type is reported with the margin
over the runner-up, so a reader sees when two types fit almost equally well.

Examples
--------
>>> import pandas as pd
>>> m = pd.DataFrame({"PARTY": [1.0, 0.2], "SOC": [0.3, 0.9]}, index=["x", "y"])
>>> types = [IdealType(id="party_led", label_zh="党组织主导型", label_en="Party-led",
...                    profile={"PARTY": 1, "SOC": 0}),
...          IdealType(id="society", label_zh="社会培育型", label_en="Society-cultivating",
...                    profile={"SOC": 1})]
>>> type_membership(m, types).round(2).to_dict("index")
{'x': {'party_led': 0.7, 'society': 0.3}, 'y': {'party_led': 0.1, 'society': 0.9}}
>>> [(a.case, a.best, round(a.margin, 2), a.belongs) for a in best_types(m, types)]
[('x', 'party_led', 0.4, True), ('y', 'society', 0.8, True)]
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

__all__ = ["IdealType", "TypeAssignment", "best_types", "type_membership"]


class IdealType(BaseModel):
    """A named combination of conditions present (1) or absent (0)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label_zh: str = Field(min_length=1)
    label_en: str = Field(min_length=1)
    profile: dict[str, Literal[0, 1]] = Field(min_length=1)
    description_zh: str = ""
    description_en: str = ""


def type_membership(membership: pd.DataFrame, types: Sequence[IdealType]) -> pd.DataFrame:
    """Case × type membership: the minimum over the type's conditions (negated for 0).

    A case missing a condition the type names has no membership in that type (NaN).

    Parameters
    ----------
    membership : DataFrame
        Case × condition memberships in [0, 1], NaN where missing.
    types : sequence of IdealType

    Returns
    -------
    DataFrame
        Case × type, in the order of ``types``.
    """
    out = {}
    for t in types:
        unknown = [c for c in t.profile if c not in membership.columns]
        if unknown:
            raise KeyError(f"type {t.id!r} names conditions with no memberships: {unknown}")
        parts = [membership[c] if v == 1 else 1.0 - membership[c] for c, v in t.profile.items()]
        frame = pd.concat(parts, axis=1)
        out[t.id] = frame.min(axis=1, skipna=False)
    return pd.DataFrame(out, index=membership.index)


@dataclass(frozen=True)
class TypeAssignment:
    """A case's best-fitting ideal type.

    ``best`` is ``None`` when the case has no membership in any type; ``margin`` is the best
    membership minus the runner-up's (the best one alone when there is a single type);
    ``belongs`` says whether the best membership exceeds 1/2; ``tied`` lists the other types
    with exactly the best membership.
    """

    case: str
    best: str | None
    membership: float
    runner_up: str | None
    margin: float
    belongs: bool
    tied: tuple[str, ...]


def best_types(membership: pd.DataFrame, types: Sequence[IdealType]) -> list[TypeAssignment]:
    """Each case's best type, its margin over the runner-up, and whether it belongs (> 1/2).

    Examples
    --------
    >>> import pandas as pd
    >>> m = pd.DataFrame({"A": [0.5]}, index=["c"])
    >>> t = [IdealType(id="a", label_zh="甲", label_en="A", profile={"A": 1}),
    ...      IdealType(id="not_a", label_zh="非甲", label_en="not A", profile={"A": 0})]
    >>> a = best_types(m, t)[0]
    >>> a.best, a.tied, a.belongs
    ('a', ('not_a',), False)
    """
    table = type_membership(membership, types)
    out = []
    for case, row in table.iterrows():
        vals = row.dropna().sort_values(ascending=False, kind="stable")
        if vals.empty:
            out.append(TypeAssignment(str(case), None, math.nan, None, math.nan, False, ()))
            continue
        best, top = str(vals.index[0]), float(vals.iloc[0])
        runner = str(vals.index[1]) if len(vals) > 1 else None
        second = float(vals.iloc[1]) if len(vals) > 1 else 0.0
        tied = tuple(str(k) for k, v in vals.iloc[1:].items() if abs(v - top) < 1e-12)
        out.append(
            TypeAssignment(str(case), best, top, runner, top - second, top > 0.5 + 1e-12, tied)
        )
    return out
