"""Export the case base as CSV tables with a Frictionless ``datapackage.json``.

The tables are UTF-8 with a byte-order mark so that Chinese opens correctly in
Excel and WPS; Stata and R read them as ordinary UTF-8 CSV.

Text cells that a spreadsheet would run as a formula (those starting with ``=``,
``+``, ``-``, ``@``, a tab or a carriage return) get a leading single quote, as the
OWASP "CSV Injection" guidance recommends; numbers are never changed.

Examples
--------
>>> from analysis.casebase import load_casebase
>>> from analysis.export import export_tables
>>> paths = export_tables(load_casebase("casebase"), "reports/tables")  # doctest: +SKIP
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.casebase import CaseBase
from analysis.render import atomic_write

ENCODING = "utf-8-sig"

# Frictionless field types for each exported column.
_TYPES: dict[str, str] = {
    "start": "integer",
    "end": "integer",
    "start_year": "integer",
    "year": "integer",
    "score": "number",
    "value": "number",
    "value_max": "number",
    "value_num": "number",
}

#: Columns of the tables of the case files' v4 sections, one row per evidence span.
SECTION_COLUMNS: dict[str, list[str]] = {
    "context": ["case_id", "field", "value", "value_num", "year"],
    "drivers": ["case_id", "kind", "description_zh", "year"],
    "problems": ["case_id", "problem", "scope"],
    "recommendations": ["case_id", "recommendation"],
    "links": ["case_id", "kind", "target"],
}
#: Case-file attribute behind a column where the names differ.
_RENAMED = {"problem": "problem_zh", "recommendation": "recommendation_zh"}
_SPAN = ["source", "start", "end", "quote"]


def section_frame(cb: CaseBase, section: str) -> pd.DataFrame:
    """One row per evidence span of a case-file section (context, drivers, problems,
    recommendations, links), with the columns of :data:`SECTION_COLUMNS` and
    ``source, start, end, quote``.

    Examples
    --------
    >>> list(section_frame(cb, "links").columns)      # doctest: +SKIP
    ['case_id', 'kind', 'target', 'source', 'start', 'end', 'quote']
    """
    cols = SECTION_COLUMNS[section]
    rows = [
        [
            cid,
            *(getattr(item, _RENAMED.get(c, c)) for c in cols[1:]),
            ev.source,
            ev.start,
            ev.end,
            ev.quote,
        ]
        for cid, case in cb.cases.items()
        for item in getattr(case, section)
        for ev in item.evidence
    ]
    return pd.DataFrame(rows, columns=cols + _SPAN)


# OWASP "CSV Injection": cells starting with these are formulas to Excel, WPS and LibreOffice.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def neutralise_formula(text: str) -> str:
    """Prefix a single quote to text a spreadsheet would evaluate as a formula.

    Plain numbers such as ``-3.5`` are left alone: they cannot run anything.

    Examples
    --------
    >>> print(neutralise_formula('=HYPERLINK("http://x","y")'))
    '=HYPERLINK("http://x","y")
    >>> neutralise_formula("-3.5"), neutralise_formula("基层治理")
    ('-3.5', '基层治理')
    """
    if text.startswith(FORMULA_PREFIXES) and not _NUMBER.fullmatch(text):
        return "'" + text
    return text


def neutralise_formulas(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of a table whose text columns are safe to open in a spreadsheet.

    Only text values are touched: numbers (and columns of numbers) never are.

    Examples
    --------
    >>> df = pd.DataFrame({"rationale": ["@SUM(A1)", "ok"], "value": [-1.5, 2.0]})
    >>> neutralise_formulas(df).to_dict("list")
    {'rationale': ["'@SUM(A1)", 'ok'], 'value': [-1.5, 2.0]}
    """
    out = df.copy()
    for col in out.columns:
        # By content, not column name: context.csv's `value` is text, indicators' a number.
        if not pd.api.types.is_numeric_dtype(out[col]):
            out[col] = out[col].map(lambda v: neutralise_formula(v) if isinstance(v, str) else v)
    return out


def _table_frames(cb: CaseBase) -> dict[str, pd.DataFrame]:
    sources = pd.DataFrame(
        [
            {
                "source_id": s.id,
                "file": s.file,
                "sha256": s.sha256,
                "title": s.title,
                "authors": "; ".join(s.authors),
                "venue": s.venue,
                "date": s.date,
                "doc_type": s.doc_type,
                "genre": s.genre,
                "author_relation": s.author_relation,
                "author_relation_basis": s.author_relation_basis,
                "coverage_complete": s.coverage.complete,
                "coverage_held": s.coverage.held_zh,
                "coverage_not_covered": "; ".join(s.coverage.not_covered),
            }
            for s in cb.sources.values()
        ]
    )
    cases = pd.DataFrame(
        [
            {
                "case_id": c.id,
                "name_zh": c.name_zh,
                "name_en": c.name_en,
                "province": c.province,
                "city": c.city,
                "level": c.level,
                "start_year": c.start_year,
            }
            for c in cb.cases.values()
        ],
        columns=["case_id", "name_zh", "name_en", "province", "city", "level", "start_year"],
    )
    codebook = cb.codebook_frame().reset_index()
    codebook["dimensions"] = codebook["dimensions"].map("; ".join)
    codebook["frameworks"] = codebook["frameworks"].map("; ".join)
    codebook = codebook[
        [
            "code",
            "family",
            "dimensions",
            "label_zh",
            "label_en",
            "era_from",
            "frameworks",
            "definition",
        ]
    ]
    # score is empty for not_reported: missing data, never 0.
    codings = cb.codings_frame()[["case_id", "code", "score", "status", "rationale"]]
    evidence = cb.evidence()
    indicators = cb.indicators()[
        ["case_id", "indicator", "value", "unit", "year", "source_id", "start", "end", "quote"]
    ]
    outcomes = cb.outcomes()[["case_id", "outcome", "score", "claim_strength", "claim_note"]]
    coder_codings = cb.coder_codings()
    return {
        "sources": sources,
        "cases": cases,
        "codebook": codebook,
        "codings": codings,
        "evidence": evidence,
        "indicators": indicators,
        "outcomes": outcomes,
        **{name: section_frame(cb, name) for name in SECTION_COLUMNS},
        "coder_codings": coder_codings,
    }


_KEYS: dict[str, dict[str, Any]] = {
    "sources": {"primaryKey": ["source_id"]},
    "cases": {"primaryKey": ["case_id"]},
    "codebook": {"primaryKey": ["code"]},
    "codings": {
        "primaryKey": ["case_id", "code"],
        "foreignKeys": [
            {"fields": "case_id", "reference": {"resource": "cases", "fields": "case_id"}},
            {"fields": "code", "reference": {"resource": "codebook", "fields": "code"}},
        ],
    },
    "evidence": {
        "foreignKeys": [
            {"fields": "case_id", "reference": {"resource": "cases", "fields": "case_id"}},
            {"fields": "source_id", "reference": {"resource": "sources", "fields": "source_id"}},
        ],
    },
    "indicators": {
        "primaryKey": ["case_id", "indicator"],
        "foreignKeys": [
            {"fields": "case_id", "reference": {"resource": "cases", "fields": "case_id"}},
            {"fields": "source_id", "reference": {"resource": "sources", "fields": "source_id"}},
        ],
    },
    "outcomes": {
        "primaryKey": ["case_id", "outcome"],
        "foreignKeys": [
            {"fields": "case_id", "reference": {"resource": "cases", "fields": "case_id"}},
        ],
    },
    "coder_codings": {
        "primaryKey": ["coder", "case_id", "kind", "item"],
        "foreignKeys": [
            {"fields": "case_id", "reference": {"resource": "cases", "fields": "case_id"}},
        ],
    },
    **{
        name: {
            "foreignKeys": [
                {"fields": "case_id", "reference": {"resource": "cases", "fields": "case_id"}},
                {"fields": "source", "reference": {"resource": "sources", "fields": "source_id"}},
            ]
        }
        for name in SECTION_COLUMNS
    },
}
_TYPES.update({"coverage_complete": "boolean", "era_from": "integer"})
#: Per-table exceptions to ``_TYPES`` (a context fact's ``value`` is text).
_TABLE_TYPES: dict[str, dict[str, str]] = {"context": {"value": "string"}}


def _integers(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for col in out.columns:
        if _TYPES.get(col) == "integer":
            out[col] = pd.array(out[col], dtype="Int64")
    return out


def datapackage(cb: CaseBase, frames: dict[str, pd.DataFrame]) -> dict[str, Any]:
    """Frictionless Data Package descriptor for the exported tables.

    Examples
    --------
    >>> dp = datapackage(cb, _table_frames(cb))        # doctest: +SKIP
    >>> dp["resources"][0]["name"]                     # doctest: +SKIP
    'sources'
    """
    resources = []
    for name, df in frames.items():
        types = {**_TYPES, **_TABLE_TYPES.get(name, {})}
        fields = [{"name": c, "type": types.get(c, "string")} for c in df.columns]
        schema: dict[str, Any] = {"fields": fields, **_KEYS.get(name, {})}
        resources.append(
            {
                "name": name,
                "path": f"{name}.csv",
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": ENCODING,
                "schema": schema,
            }
        )
    return {
        "profile": "tabular-data-package",
        "name": "grassroots-governance-casebase",
        "title": "基层社会治理模式案例库 / Grassroots governance case base",
        "version": str(cb.codebook.version),
        "licenses": [
            {"name": "CC-BY-4.0", "title": "Coding and tables (quotes remain the authors')"}
        ],
        "sources": [{"title": s.title, "path": s.file} for s in cb.sources.values()],
        "resources": resources,
    }


def export_tables(cb: CaseBase, out: str | os.PathLike[str]) -> list[Path]:
    """Write every table and ``datapackage.json`` into ``out``.

    Parameters
    ----------
    cb : CaseBase
        A validated case base.
    out : path-like
        Folder to write (created if needed).

    Returns
    -------
    list of Path
        The files written.

    Examples
    --------
    >>> paths = export_tables(cb, "reports/tables")   # doctest: +SKIP
    >>> paths[-1].name                                # doctest: +SKIP
    'datapackage.json'
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    frames = _table_frames(cb)
    written = []
    for name, df in frames.items():
        path = out / f"{name}.csv"
        data = (
            _integers(neutralise_formulas(df))
            .to_csv(index=False, lineterminator="\n")
            .encode(ENCODING)
        )
        atomic_write(path, data)
        written.append(path)
    dp = json.dumps(datapackage(cb, frames), ensure_ascii=False, indent=2) + "\n"
    atomic_write(out / "datapackage.json", dp.encode("utf-8"))
    written.append(out / "datapackage.json")
    return written
