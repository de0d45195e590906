"""Human coders: a blind XLSX sheet, filled in by the test, imported and compared."""

from __future__ import annotations

import json
import shutil

import pytest
from openpyxl import load_workbook

from analysis.casebase import load_casebase
from analysis.cli import main
from analysis.coding_sheet import COLUMNS, SHEET
from tests.conftest import CASEBASE

COL = {key: i + 1 for i, (key, _) in enumerate(COLUMNS)}


@pytest.fixture()
def root(tmp_path):
    dst = tmp_path / "casebase"
    shutil.copytree(CASEBASE, dst)
    return dst


def _rows(ws):
    """Row number by (case_id, kind, item)."""
    return {
        (
            ws.cell(r, COL["case_id"]).value,
            ws.cell(r, COL["kind"]).value,
            ws.cell(r, COL["item"]).value,
        ): r
        for r in range(2, ws.max_row + 1)
    }


def _fill_like_the_case_file(ws, cb, case_id):
    """Code one case as its case file does (a coder who agrees everywhere)."""
    rows = _rows(ws)
    coded = {m.code: m for m in cb.cases[case_id].mechanisms}
    for code in cb.code_ids:
        r = rows[(case_id, "mechanism", code)]
        m = coded.get(code)
        status = m.status if m else "not_reported"
        ws.cell(r, COL["status"]).value = status
        if m is not None and m.score is not None:
            ws.cell(r, COL["score"]).value = m.score
        ws.cell(r, COL["rationale"]).value = "测试"
        for i, ev in enumerate((m.evidence if m else [])[:3], start=1):
            ws.cell(r, COL[f"quote{i}"]).value = ev.quote
            ws.cell(r, COL[f"source{i}"]).value = ev.source
    for o in cb.cases[case_id].outcomes:
        r = rows[(case_id, "outcome", o.outcome)]
        ws.cell(r, COL["score"]).value = o.score
        ws.cell(r, COL["claim_strength"]).value = o.claim_strength
        ws.cell(r, COL["quote1"]).value = o.evidence[0].quote
        ws.cell(r, COL["source1"]).value = o.evidence[0].source


def _filled_sheet(root, seeds, tmp_path):
    """A sheet for the first case, written by the CLI and filled in like its case file."""
    cb = load_casebase(root, seeds)
    case = next(iter(cb.cases))
    sheet = tmp_path / "sheet.xlsx"
    args = ["--cases", case, "--out", str(sheet), "--casebase", str(root)]
    assert main(["coding-sheet", "--coder", "coder_h", *args]) == 0
    wb = load_workbook(sheet)
    _fill_like_the_case_file(wb[SHEET], cb, case)
    return cb, case, sheet, wb


def test_sheet_is_blind_and_has_dropdowns(root, seeds, tmp_path):
    cb = load_casebase(root)
    case = next(iter(cb.cases))
    out = tmp_path / "sheet.xlsx"
    assert (
        main(
            [
                "coding-sheet",
                "--coder",
                "coder_h",
                "--cases",
                case,
                "--out",
                str(out),
                "--casebase",
                str(root),
            ]
        )
        == 0
    )
    wb = load_workbook(out)
    ws = wb[SHEET]
    n = len(cb.codebook.codes) + len(cb.codebook.outcomes)
    assert ws.max_row == 1 + n
    # No scores, statuses or quotes of anybody else.
    for key in ("status", "score", "claim_strength", "rationale", "quote1", "source1"):
        assert all(ws.cell(r, COL[key]).value is None for r in range(2, ws.max_row + 1)), key
    r = _rows(ws)[(case, "mechanism", cb.code_ids[0])]
    assert ws.cell(r, COL["definition"]).value == cb.codebook.codes[0].definition
    assert "not_reported" in ws.cell(r, COL["anchors"]).value
    kinds = {dv.formula1.split("!")[1]: str(dv.sqref) for dv in ws.data_validations.dataValidation}
    assert len(kinds) == 4  # status, score, claim_strength, source
    lists = wb["lists"]
    assert [lists.cell(i, 1).value for i in range(1, 6)] == [
        "present",
        "weak",
        "proposed",
        "absent",
        "not_reported",
    ]


def test_round_trip_into_reliability(root, seeds, tmp_path, capsys):
    cb, case, sheet, wb = _filled_sheet(root, seeds, tmp_path)
    wb.save(sheet)
    capsys.readouterr()
    code = main(["import-coding", str(sheet), "--casebase", str(root), "--sources", str(seeds)])
    out = capsys.readouterr()
    assert code == 0, out.err
    assert (root / "codings" / "coder_h" / f"{case}.yaml").is_file()
    cb2 = load_casebase(root, seeds)
    coding = cb2.codings["coder_h"][case]
    assert coding.codebook_version == cb2.codebook.version
    silent = [m for m in coding.mechanisms if m.status == "not_reported"]
    assert silent and all(m.score is None for m in silent)
    # Reliability includes the coder once a round names them: full agreement with final.
    rounds = root / "codings" / "rounds.yaml"
    rounds.write_text(
        rounds.read_text(encoding="utf-8")
        + f"  - id: h\n    codebook_version: {cb2.codebook.version}\n    coders: [final, coder_h]\n",
        encoding="utf-8",
    )
    assert main(["reliability", "--casebase", str(root), "--round", "h", "--format", "json"]) == 0
    rep = json.loads(capsys.readouterr().out)
    assert rep["coders"] == ["final", "coder_h"]
    assert rep["units"] == len(cb.codebook.codes)
    assert rep["disagreements"] == []
    # Importing again does not overwrite the independent coding.
    assert (
        main(["import-coding", str(sheet), "--casebase", str(root), "--sources", str(seeds)]) == 1
    )
    assert "not overwritten" in capsys.readouterr().err


def test_bad_cells_are_named_by_sheet_row_and_column(root, seeds, tmp_path, capsys):
    cb, case, sheet, wb = _filled_sheet(root, seeds, tmp_path)
    ws = wb[SHEET]
    rows = _rows(ws)
    silent = next(c for c in cb.code_ids if cb.membership().loc[case].isna()[c])
    r1 = rows[(case, "mechanism", silent)]
    ws.cell(r1, COL["score"]).value = 0  # a not_reported with a number
    r2 = rows[(case, "mechanism", cb.code_ids[0])]
    ws.cell(r2, COL["status"]).value = "presnt"
    present = next(m for m in cb.cases[case].mechanisms if m.status == "present")
    r3 = rows[(case, "mechanism", present.code)]
    ws.cell(r3, COL["quote1"]).value = "这句话不在原文里"
    wb.save(sheet)
    capsys.readouterr()
    assert (
        main(["import-coding", str(sheet), "--casebase", str(root), "--sources", str(seeds)]) == 1
    )
    err = capsys.readouterr().err
    assert (
        f"{SHEET}:{r1}: score: not_reported is missing data: leave the score empty (not 0)" in err
    )
    assert f"{SHEET}:{r2}: status: status 'presnt' is not valid" in err
    assert f"{SHEET}:{r3}: quote1: quote appears nowhere in its source" in err
    assert "Traceback" not in err
    assert not (root / "codings" / "coder_h").exists()  # nothing imported
