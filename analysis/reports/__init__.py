"""The report layer: facts once, text twice.

Each report kind is one module (``case_brief``, ``pair_brief``, ``synthesis``,
``field_guide``, ``reliability``, ``corpus``, ``yaobao``) that first computes
its language-free *facts* and then writes a :class:`~analysis.reports.model.Report`
from them with named sentence templates.  :mod:`analysis.reports.registry` lists
the kinds once for the default plan, parameter checks, tests and the index;
:mod:`analysis.reports.defaults` holds every default; errors derive from
:class:`~analysis.reports.errors.ReportError`.

Examples
--------
>>> from analysis import reports
>>> r = reports.build("case", case_id="shaoxing")          # doctest: +SKIP
>>> r.judgements[0].text                                    # doctest: +SKIP
"""

from __future__ import annotations

from typing import Any

from analysis.reports.errors import NotBuildable, ParameterError, ReportError, UnknownCase
from analysis.reports.registry import KINDS, kind

__all__ = [
    "KINDS",
    "NotBuildable",
    "ParameterError",
    "ReportError",
    "UnknownCase",
    "build",
    "kind",
]


def build(name: str, **params: Any) -> Any:
    """Build a report of kind ``name`` with the kind's defaults for missing parameters.

    Parameters
    ----------
    name : str
        A registered kind (``case``, ``pair``, ``synthesis``, ``fieldguide``,
        ``reliability``, ``corpus``, ``yaobao``).
    **params
        The kind's parameters.

    Returns
    -------
    analysis.reports.model.Report

    Raises
    ------
    ReportError
        A subclass naming what is wrong (unknown case, kind or parameter; not buildable).
    """
    k = kind(name)
    unknown = sorted(set(params) - {p.name for p in k.all_params})
    if unknown:
        raise ParameterError(
            f"unknown parameter(s) {', '.join(unknown)} for {name} "
            f"(known: {', '.join(p.name for p in k.all_params)})"
        )
    return k.build(**{**k.defaults(), **params})
