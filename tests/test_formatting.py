"""What a reader sees: years, missing cells, Chinese amounts, quotes, display names and
the evidence an indicator's number rests on (analysis.formatting)."""

from __future__ import annotations

import doctest
import re

import pandas as pd
import pytest

import analysis.formatting as fm
from analysis.casebase import load_casebase
from analysis.export import export_tables

RAW_ID = re.compile(r"^[a-z]+(?:_[a-z0-9]+)+$")


@pytest.fixture(scope="module")
def cb():
    return load_casebase("casebase")


def test_docstring_examples_run():
    result = doctest.testmod(fm, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 20 and result.failed == 0


def test_years_and_missing_cells():
    assert [fm.fmt_year(v) for v in (2008.0, 2008, "2008.0", "2008.00")] == ["2008"] * 4
    assert fm.fmt_year(None, "zh") == "未报告" and fm.fmt_year(float("nan"), "en") == "not reported"
    for v in (None, float("nan"), "", "nan", "None", pd.NA, pd.NaT):
        assert fm.fmt_missing(v, "zh") == "未报告"
        assert fm.fmt_missing(v, "en") == "not reported"
    df = pd.DataFrame({"年份": [2011.0, None], "单位": [None, "户"], "n": [3.0, 4.5]})
    out = fm.readable_cells(df, "zh")
    assert out.to_dict("list") == {
        "年份": ["2011", "未报告"],
        "单位": ["未报告", "户"],
        "n": ["3", "4.5"],
    }
    text = out.to_string()
    assert "None" not in text and "nan" not in text and ".0" not in text


def test_amounts_in_chinese_magnitudes():
    assert fm.fmt_amount(100000000000, "CNY", "zh") == "1000亿元"
    assert fm.fmt_amount(600000000, "CNY", "zh") == "6亿元"
    assert fm.fmt_amount(10000000, "CNY per year", "zh") == "1000万元/年"
    assert fm.fmt_amount(12470000, "yuan", "zh") == "1247万元"
    assert fm.fmt_amount(36006, "persons", "zh") == "36006人"
    assert fm.fmt_amount(100000000000, "CNY", "en", qualifier="about") == "about 100 billion yuan"
    assert fm.fmt_amount(10000000, "CNY per year", "en") == "10 million yuan a year"
    assert fm.fmt_amount(2958, "grids", "en") == "2,958 grids"
    assert fm.fmt_amount(5, "steps", "zh") == "5步"
    assert fm.fmt_amount(3, "years", "zh", qualifier="target", value_max=5) == "目标3—5年"
    assert fm.fmt_context_value("fiscal_capacity", 600000000, "zh") == "6亿元"
    assert fm.fmt_context_value("migrant_share", 0.274, "zh") == "27.4%"


def test_every_unit_in_the_case_files_reads_in_chinese(cb):
    """No English unit (steps, CNY, persons …) and no 100,000,000,000 inside Chinese."""
    units = set(cb.indicators()["unit"].dropna())
    assert units and units <= set(fm.UNITS), sorted(units - set(fm.UNITS))
    for r in cb.indicators().itertuples():
        zh = fm.fmt_amount(r.value, r.unit, "zh", qualifier=r.qualifier, value_max=r.value_max)
        assert not re.search(r"[A-Za-z]|\d,\d|\.0\b", zh), (r.indicator, zh)
        assert fm.unit_label(r.unit, "zh") and not re.search(r"[A-Za-z]", fm.unit_label(r.unit))
        en = fm.fmt_amount(r.value, r.unit, "en", qualifier=r.qualifier, value_max=r.value_max)
        assert "CNY" not in en and not re.search(r"[\u4e00-\u9fff]", en), (r.indicator, en)
    fields = {f.field for c in cb.cases.values() for f in c.context if f.value_num is not None}
    for f in fields - {"other"}:
        assert f in fm.CONTEXT_UNITS, f


def test_quotes_never_doubled():
    for text in ("“20有”达标标准", "““民情通””", "“五约”", "净资产高达千亿元"):
        for lang in ("zh", "en"):
            q = fm.quoted(text, lang)
            assert q.startswith("“") and q.endswith("”")
            assert "““" not in q and "””" not in q
            assert q.count("“") == 1 and q.count("”") == 1, q
    assert fm.quoted("“20有”达标标准") == "“‘20有’达标标准”"
    assert fm.collapse_doubled_quotes("见““五约””") == "见“五约”"


def test_display_names_from_the_case_base(cb):
    for coder in ("primary", "primary_adj1", "coder_b", "coder_c", "coder_d", "coder_e"):
        for lang in ("zh", "en"):
            name = fm.display_name(coder, "coder", cb, lang)
            assert coder not in name and not RAW_ID.match(name), name
    assert fm.display_name("coder_c", "coder", cb, "zh") == "编码者C"
    assert fm.display_name("3", "round", cb, "zh") == "第3轮（第4版编码手册：编码者D与编码者E）"
    assert fm.display_name("2", "round", cb, "en") == (
        "round 2 (codebook v2: first coding after round-1 adjudication vs Coder C)"
    )
    code = cb.codebook.codes[0]
    assert fm.display_name(code.id, "code", cb, "zh") == code.label_zh
    assert fm.display_name(code.id, "code", cb, "en") == code.label_en
    retired = cb.codebook.retired_codes[0]
    assert fm.display_name(retired.id, "code", cb, "zh") == retired.label_zh
    fam = cb.codebook.families[0]
    assert fm.display_name(fam.id, "family", cb, "en") == fam.label_en
    out = cb.codebook.outcomes[0]
    assert fm.display_name(out.id, "outcome", cb, "zh") == out.label_zh
    case = next(iter(cb.cases.values()))
    assert fm.display_name(case.id, "case", cb, "zh") == case.name_zh
    assert fm.display_name("PARTY", "condition", cb, "zh") == "党组织整合"
    assert fm.display_name("implementing_authority", "claim", cb, "zh") == "实施方自述或官方数据"
    assert fm.display_name("no_such_code", "code", cb, "zh") == "未登记的编码“no such code”"
    assert fm.display_name(None, "code", cb, "en") == "not reported"


def test_indicator_evidence_is_the_span_that_shows_the_number(cb, tmp_path):
    """Dongguan's 593 centres were shown with '截至20176月' (a garbled date) as evidence."""
    chosen = cb.indicators().set_index(["case_id", "indicator"])["quote"]
    checked = 0
    for cid, case in cb.cases.items():
        for ind in case.indicators:
            shows = [e.quote for e in ind.evidence if fm.shows_number(ind.value, e.quote)]
            if shows and len(ind.evidence) > 1:
                assert chosen[(cid, ind.id)] in shows, (cid, ind.id, chosen[(cid, ind.id)])
                checked += 1
    assert checked >= 1
    export_tables(cb, tmp_path)
    csv = pd.read_csv(tmp_path / "indicators.csv", encoding="utf-8-sig")
    exported = csv.set_index(["case_id", "indicator"])["quote"]
    assert exported.to_dict() == chosen.to_dict()
    if ("dongguan", "community_service_centres") in exported.index:
        assert "593" in exported[("dongguan", "community_service_centres")]
