"""`workbench export`: BOM-encoded CSV tables described by a Frictionless datapackage."""

from __future__ import annotations

import json

import pandas as pd

from analysis.export import export_tables

TABLES = [
    "sources",
    "cases",
    "codebook",
    "codings",
    "evidence",
    "indicators",
    "outcomes",
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
    ev = pd.read_csv(tmp_path / "evidence.csv", encoding="utf-8-sig")
    assert set(ev["item_kind"]) <= {"mechanism", "indicator", "outcome", "practice"}
    # Every exported quote is still the exact span of its source.
    src = {s.id: casebase.texts[s.id] for s in casebase.sources.values()}
    for row in ev.itertuples():
        assert src[row.source_id][row.start : row.end] == row.quote


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
