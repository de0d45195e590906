"""The ``workbench qca`` command: JSON shape, text output, clean errors."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.qca.cli import main

from .conftest import ROOT

LIPSET = "DEV,URB,LIT,IND,STB"


@pytest.fixture()
def lc_csv(qca_dir: Path) -> str:
    return str(qca_dir / "data" / "LC.csv")


def run_json(capsys, *argv: str) -> dict:
    assert main([*argv, "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_json_shape(capsys, lc_csv):
    doc = run_json(
        capsys,
        "--data", lc_csv, "--outcome", "SURV", "--conditions", LIPSET,
        "--dir-exp", "DEV=1,URB=1,LIT=1,IND=1,STB=1", "--necessity",
    )  # fmt: skip
    assert set(doc) == {"outcome", "negated", "conditions", "truth_table", "solutions", "necessity"}
    assert (doc["outcome"], doc["negated"]) == ("SURV", False)
    assert doc["conditions"] == LIPSET.split(",")
    assert set(doc["truth_table"]) == {"rows"}
    rows = doc["truth_table"]["rows"]
    assert len(rows) == 32
    for row in rows:
        assert set(row) == {"values", "OUT", "n", "incl", "PRI", "cases"}
        assert row["OUT"] in {"0", "1", "C", "?"}
    assert rows[31] == {
        "values": [1, 1, 1, 1, 1],
        "OUT": "1",
        "n": 4,
        "incl": 1.0,
        "PRI": 1.0,
        "cases": ["BE", "CZ", "NL", "UK"],
    }
    assert rows[2]["OUT"] == "?" and rows[2]["incl"] is None and rows[2]["cases"] == []
    assert set(doc["solutions"]) == {"conservative", "parsimonious", "intermediate"}
    for solution in doc["solutions"].values():
        assert set(solution) == {"models"}
        for model in solution["models"]:
            assert set(model) == {"terms", "solution_fit", "term_fit"}
            assert set(model["solution_fit"]) == {"inclS", "PRI", "covS"}
            for tf in model["term_fit"]:
                assert set(tf) == {"term", "inclS", "PRI", "covS", "covU"}
    assert doc["solutions"]["parsimonious"]["models"][0]["terms"] == ["DEV*STB"]
    assert doc["solutions"]["parsimonious"]["models"][0]["term_fit"][0]["covU"] is None
    conservative = doc["solutions"]["conservative"]["models"]
    assert {frozenset(m["terms"]) for m in conservative} == {
        frozenset({"DEV*~URB*LIT*STB", "DEV*LIT*IND*STB"})
    }
    assert [n["condition"] for n in doc["necessity"]][:4] == ["DEV", "~DEV", "URB", "~URB"]
    assert set(doc["necessity"][0]) == {"condition", "inclN", "RoN", "covN"}
    assert doc["necessity"][0]["covN"] == pytest.approx(0.8)


def test_negated_outcome_and_no_intermediate_without_dir_exp(capsys, lc_csv):
    doc = run_json(capsys, "--data", lc_csv, "--outcome", "~SURV", "--conditions", LIPSET)
    assert (doc["outcome"], doc["negated"]) == ("SURV", True)
    assert set(doc["solutions"]) == {"conservative", "parsimonious"}
    assert "necessity" not in doc
    pars = doc["solutions"]["parsimonious"]["models"]
    assert [sorted(m["terms"]) for m in pars] == [["~DEV", "~STB"]]


def test_several_models_and_cutoffs(capsys, qca_dir):
    doc = run_json(
        capsys,
        "--data", str(qca_dir / "data" / "CVF.csv"), "--outcome", "PROTEST",
        "--conditions", "DEMOC,ETHFRACT,GEOCON,POLDIS,NATPRIDE", "--incl-cut", "0.8",
    )  # fmt: skip
    assert len(doc["solutions"]["parsimonious"]["models"]) == 4


def test_text_output_reads_like_r(capsys, lc_csv):
    assert main(["--data", lc_csv, "--outcome", "SURV", "--conditions", LIPSET]) == 0
    text = capsys.readouterr().out
    assert "OUT: output value" in text
    assert "M1: DEV*STB <-> SURV" in text
    assert "M1: DEV*~URB*LIT*STB + DEV*LIT*IND*STB <-> SURV" in text
    assert "inclS   PRI   covS   covU" in text
    assert "limited diversity 71.9%" in text


def test_first_column_is_case_column_only_if_not_numeric(capsys, qca_dir, tmp_path):
    doc = run_json(
        capsys, "--data", str(qca_dir / "data" / "LC.csv"), "--outcome", "SURV"
    )  # every non-case column but the outcome is a condition
    assert doc["conditions"] == LIPSET.split(",")
    numeric = tmp_path / "numeric.csv"
    numeric.write_text("id,A,Y\n10,1,1\n20,0,0\n")
    doc = run_json(capsys, "--data", str(numeric), "--outcome", "Y", "--conditions", "A")
    assert [r["cases"] for r in doc["truth_table"]["rows"]] == [["2"], ["1"]]
    doc = run_json(
        capsys, "--data", str(numeric), "--outcome", "Y", "--conditions", "A", "--case-col", "id"
    )
    assert [r["cases"] for r in doc["truth_table"]["rows"]] == [["20"], ["10"]]


BAD_INPUT = {
    "missing file": (["--data", "{tmp}/nope.csv", "--outcome", "Y"], "nope.csv"),
    "unknown outcome": (["--data", "{good}", "--outcome", "Z"], "'Z'"),
    "unknown condition": (["--data", "{good}", "--outcome", "Y", "--conditions", "A,Q"], "'Q'"),
    "unknown case column": (["--data", "{good}", "--outcome", "Y", "--case-col", "K"], "'K'"),
    "non-numeric": (["--data", "{text}", "--outcome", "Y"], "'A'"),
    "out of range": (["--data", "{range}", "--outcome", "Y"], "'A'"),
    "missing value": (["--data", "{gap}", "--outcome", "Y"], "'A'"),
    "bad dir-exp": (["--data", "{good}", "--outcome", "Y", "--dir-exp", "A=2"], "'A'"),
    "dir-exp unknown": (["--data", "{good}", "--outcome", "Y", "--dir-exp", "Q=1"], "'Q'"),
    "bad incl-cut": (["--data", "{good}", "--outcome", "Y", "--incl-cut", "x"], "incl-cut"),
    "empty file": (["--data", "{empty}", "--outcome", "Y"], "empty.csv"),
}


@pytest.fixture()
def bad_files(tmp_path: Path) -> dict:
    files = {
        "good": "case,A,B,Y\nc1,1,0,1\nc2,0,1,0\nc3,1,1,1\n",
        "text": "case,A,Y\nc1,yes,1\nc2,0,0\n",
        "range": "case,A,Y\nc1,1.5,1\nc2,0,0\n",
        "gap": "case,A,Y\nc1,,1\nc2,0,0\n",
        "empty": "",
    }
    out = {"tmp": str(tmp_path)}
    for name, content in files.items():
        path = tmp_path / f"{name}.csv"
        path.write_text(content)
        out[name] = str(path)
    return out


@pytest.mark.parametrize("case", sorted(BAD_INPUT))
def test_bad_input_gives_one_clean_line_and_exit_2(case, bad_files, capsys):
    argv, mention = BAD_INPUT[case]
    argv = [a.format(**bad_files) for a in argv]
    assert main(argv) == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("workbench qca: error: ")
    assert mention in lines[0]
    assert "Traceback" not in captured.err
    assert captured.out == ""


def test_no_traceback_in_a_real_process(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("case,A,Y\nc1,2,1\n")
    proc = subprocess.run(
        [sys.executable, "-m", "analysis.qca.cli", "--data", str(bad), "--outcome", "Y"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "bad.csv" in proc.stderr and "'A'" in proc.stderr


def test_registered_in_workbench_dispatcher(lc_csv):
    try:
        from analysis.cli import build_parser

        parser = build_parser()
    except Exception as exc:  # noqa: BLE001 - another module's import problem
        pytest.skip(f"the workbench dispatcher cannot be built right now: {exc!r}")
    args = parser.parse_args(["qca", "--data", lc_csv, "--outcome", "SURV", "--format", "json"])
    from analysis.qca.cli import run

    assert args.func is run


# --- CSV input that would be misread ------------------------------------------------


def one_error_line(capsys) -> str:
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert "Traceback" not in captured.err and captured.out == ""
    return lines[0]


def test_duplicate_header_is_refused_not_renamed(tmp_path, capsys):
    path = tmp_path / "dup.csv"
    path.write_text("case,A,B,A,Y\nc1,1,0,1,1\nc2,0,1,0,0\n")
    assert main(["--data", str(path), "--outcome", "Y"]) == 2
    line = one_error_line(capsys)
    assert f"{path}:1: column 'A' appears twice (columns 2 and 4); rename one of them" in line


@pytest.mark.parametrize("name", ["A*B", "~A", "A+B", "A=1", "(A)", " A", "1"])
def test_names_that_make_formulas_ambiguous_are_refused(name, tmp_path, capsys):
    path = tmp_path / "names.csv"
    quoted = '"' + name + '"'
    path.write_text(f"case,{quoted},C,Y\nc1,1,0,1\nc2,0,1,0\n")
    assert main(["--data", str(path), "--outcome", "Y"]) == 2
    line = one_error_line(capsys)
    assert repr(name) in line and "rename the column" in line


def test_gbk_csv_says_how_to_convert_it(tmp_path, capsys):
    path = tmp_path / "gbk.csv"
    path.write_bytes("case,城市化,Y\n甲,1,1\n乙,0,0\n".encode("gbk"))
    assert main(["--data", str(path), "--outcome", "Y"]) == 2
    line = one_error_line(capsys)
    assert f"{path}:1: not UTF-8 text (GBK?)" in line
    assert "iconv -f GBK -t UTF-8" in line and "CSV UTF-8" in line


def test_excel_utf8_csv_with_bom_is_read(tmp_path, capsys):
    path = tmp_path / "bom.csv"
    path.write_bytes("case,城市化,Y\n甲,1,1\n乙,0,0\n".encode("utf-8-sig"))
    doc = run_json(capsys, "--data", str(path), "--outcome", "Y")
    assert doc["conditions"] == ["城市化"]
    assert [r["cases"] for r in doc["truth_table"]["rows"]] == [["乙"], ["甲"]]


# --- no solution: what to try; raw data: calibrate it -------------------------------


def test_no_solution_suggests_a_lower_incl_cut(qca_dir, capsys):
    lf = str(qca_dir / "data" / "LF.csv")
    assert main(["--data", lf, "--outcome", "SURV"]) == 1
    err = capsys.readouterr().err
    assert "no conservative solution: no truth table row has OUT = 1" in err
    assert "the observed rows' consistencies are 0.904, 0.804, 0.709" in err
    assert "try a lower cut, e.g. --incl-cut 0.9" in err
    assert main(["--data", lf, "--outcome", "SURV", "--incl-cut", "0.9"]) == 0


def test_raw_columns_say_how_to_calibrate(qca_dir, capsys):
    assert main(["--data", str(qca_dir / "data" / "LR.csv"), "--outcome", "SURV"]) == 2
    line = one_error_line(capsys)
    assert "column 'DEV' has values outside [0, 1] (320 to 1098)" in line
    assert "--calibrate DEV=e,c,i" in line and "--crisp DEV=T" in line


def lr_calibration(qca_dir) -> dict:
    from .conftest import load_json

    return load_json(qca_dir / "reference" / "calibration" / "calib_LR_to_LF.json")


@pytest.mark.parametrize("variant", ["default", "logodds3"])
def test_calibrate_raw_lipset_equals_r(variant, qca_dir, capsys):
    ref = lr_calibration(qca_dir)
    argv = ["--data", str(qca_dir / "data" / "LR.csv"), "--outcome", "SURV", "--incl-cut", "0.8"]
    for column, c in ref["columns"].items():
        argv += ["--calibrate", f"{column}={c['thresholds']}"]
    if variant == "logodds3":
        argv += ["--idm", repr(1 / (1 + math.exp(-3)))]
    doc = run_json(capsys, *argv)
    assert doc["calibration"]["cases"] == ref["cases"]
    for column, c in ref["columns"].items():
        got = doc["calibration"]["columns"][column]
        assert got["type"] == "fuzzy"
        np.testing.assert_allclose(got["scores"], c[f"output_{variant}"], atol=1e-12, rtol=0)
    assert doc["solutions"]["parsimonious"]["models"]


def test_crisp_calibration_equals_r(qca_dir, tmp_path, capsys):
    from .conftest import load_json

    ref = load_json(qca_dir / "reference" / "calibration" / "calib_heights.json")
    want = ref["calibrations"]["crisp_1th"]["output"]
    path = tmp_path / "heights.csv"
    pd.DataFrame({"X": ref["input"], "Y": want}).to_csv(path, index=False)
    doc = run_json(capsys, "--data", str(path), "--outcome", "Y", "--crisp", "X=175")
    assert doc["calibration"]["columns"]["X"]["scores"] == want
    assert doc["solutions"]["parsimonious"]["models"][0]["terms"] == ["X"]


def test_multi_value_lipset_dichotomised_is_the_crisp_lipset(qca_dir, capsys):
    lm = run_json(
        capsys, "--data", str(qca_dir / "data" / "LM.csv"), "--outcome", "SURV", "--crisp", "DEV=1"
    )
    lc = run_json(capsys, "--data", str(qca_dir / "data" / "LC.csv"), "--outcome", "SURV")
    assert lm["truth_table"] == lc["truth_table"]
    assert lm["solutions"] == lc["solutions"]


@pytest.mark.parametrize(
    "argv, mention",
    [
        (["--calibrate", "DEV"], "write COLUMN=THRESHOLDS"),
        (["--calibrate", "NOPE=1,2,3"], "'NOPE' not found"),
        (["--calibrate", "DEV=400,550"], "3 or 6 thresholds"),
        (["--crisp", "DEV=1,2"], "give one threshold"),
        (["--crisp", "DEV=5000"], "outside the range"),
        (["--calibrate", "DEV=400,550,900", "--crisp", "DEV=500"], "calibrated twice"),
    ],
)
def test_bad_calibration_gives_one_line(argv, mention, qca_dir, capsys):
    data = str(qca_dir / "data" / "LR.csv")
    assert main(["--data", data, "--outcome", "SURV", *argv]) == 2
    assert mention in one_error_line(capsys)
