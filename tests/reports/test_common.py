"""Characterisation tests of the helpers the report layer moved out of briefing.py."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.reports import common


def test_cite_names_first_author_and_year(casebase):
    for sid, source in casebase.sources.items():
        text = common.cite(casebase, sid, "zh")
        year = (source.date or "")[:4] or "无日期"
        assert text.endswith(year)
        if source.authors:
            assert text.startswith(source.authors[0])
        else:
            assert text.startswith("《")


def test_table_html_is_deterministic_and_escaped():
    df = pd.DataFrame({"a": [1.234, None], "b": ["<x>", "y"]})
    html = common.table_html(df, "表<1>")
    assert html == common.table_html(df, "表<1>")
    assert html.startswith('<table class="wb-table"><caption>表&lt;1&gt;</caption>')
    assert "&lt;x&gt;" in html and "1.23" in html and "—" in html


def test_figure_png_is_byte_stable():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    ax.plot([0, 1], [1, 0])
    assert common.figure_png(fig) == common.figure_png(fig)
    plt.close(fig)


def test_open_casebase_reuses_until_a_file_changes(tmp_path):
    import shutil

    shutil.copytree("casebase", tmp_path / "casebase")
    a = common.open_casebase(tmp_path / "casebase")
    assert common.open_casebase(tmp_path / "casebase") is a
    case = sorted((tmp_path / "casebase" / "cases").glob("*.yaml"))[0]
    case.write_text(case.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert common.open_casebase(tmp_path / "casebase") is not a


@pytest.mark.parametrize(
    ("value", "expected"),
    [("a, b", ["a", "b"]), (["a"], ["a"]), ("all", None), (None, None), ([], None)],
)
def test_id_list(value, expected):
    assert common.id_list(value, "cases") == expected


def test_id_list_refuses_numbers():
    with pytest.raises(TypeError, match="cases must be a list of ids"):
        common.id_list(3, "cases")
