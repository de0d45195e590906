"""What a reader sees: years, missing cells, amounts with Chinese units, quotations and
display names, for every report in Chinese (``zh``) and English (``en``).

Pure functions: each takes a value and a language and returns the text a reader sees,
so a raw id (``coder_c``), ``None``, ``nan``, ``2008.00``, ``100,000,000,000`` or an
English unit never reaches a Chinese table.

* :func:`fmt_year`, :func:`fmt_missing`, :func:`fmt_number`, :func:`readable_cells`;
* :func:`fmt_amount` with the unit table :data:`UNITS` (every unit of the case files'
  indicators) and :data:`CONTEXT_UNITS` (the units of ``context[].value_num``);
* :func:`quoted` and :func:`collapse_doubled_quotes`;
* :func:`display_name` for cases, codes, families, actors, outcomes, conditions,
  coders, rounds and the codebook's vocabularies;
* :func:`supporting_span` and :func:`fmt_evidence_number`: the evidence quote that shows
  an indicator's number, not a neighbouring date.

Examples
--------
>>> fmt_year(2008.0), fmt_missing(None, "zh"), fmt_amount(600000000, "CNY", "zh")
('2008', '未报告', '6亿元')
>>> quoted("“20有”达标标准", "zh")
'“‘20有’达标标准”'
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

__all__ = [
    "place_name",
    "CONTEXT_UNITS",
    "MISSING",
    "STATUS_LABELS",
    "UNITS",
    "Unit",
    "chinese_numeral",
    "collapse_doubled_quotes",
    "display_name",
    "fmt_amount",
    "fmt_context_value",
    "fmt_evidence_number",
    "fmt_missing",
    "fmt_number",
    "fmt_year",
    "is_missing",
    "number_forms",
    "quoted",
    "readable_cells",
    "shows_number",
    "supporting_span",
    "unit_label",
]

#: What a reader sees for a value the source does not give.
MISSING: dict[str, str] = {"zh": "未报告", "en": "not reported"}

_MISSING_TEXT = {"", "none", "nan", "nat", "<na>", "null"}


def _lang(lang: str) -> str:
    if lang not in ("zh", "en"):
        raise ValueError(f"lang must be 'zh' or 'en', not {lang!r}")
    return lang


def is_missing(x: Any) -> bool:
    """True for None, NaN, NA, NaT, an empty string and the strings 'None'/'nan'.

    Examples
    --------
    >>> [is_missing(v) for v in (None, float("nan"), "", " nan ", 0, "0")]
    [True, True, True, True, False, False]
    """
    if x is None:
        return True
    if isinstance(x, str):
        return x.strip().lower() in _MISSING_TEXT
    try:
        return bool(pd.isna(x))
    except (TypeError, ValueError):  # lists, arrays: not a single missing value
        return False


def fmt_missing(x: Any, lang: str = "zh") -> str:
    """A table cell as text: '未报告' / 'not reported' for a missing value, else the
    value (whole floats without decimals).

    Examples
    --------
    >>> fmt_missing(None, "zh"), fmt_missing(float("nan"), "en"), fmt_missing("", "zh")
    ('未报告', 'not reported', '未报告')
    >>> fmt_missing("网格化", "zh"), fmt_missing(3.0, "zh")
    ('网格化', '3')
    """
    if is_missing(x):
        return MISSING[_lang(lang)]
    if isinstance(x, float):
        return fmt_number(x, lang)
    return str(x)


def fmt_year(x: Any, lang: str = "zh") -> str:
    """A year as an integer: '2008', never '2008.00'; missing → '未报告' / 'not reported'.

    Examples
    --------
    >>> fmt_year(2008.0), fmt_year("2011.0"), fmt_year(2017)
    ('2008', '2011', '2017')
    >>> fmt_year(None, "zh"), fmt_year(float("nan"), "en")
    ('未报告', 'not reported')
    """
    if is_missing(x):
        return MISSING[_lang(lang)]
    try:
        v = float(x)
    except (TypeError, ValueError):
        return str(x)
    return str(int(v)) if v.is_integer() else str(x)


def fmt_number(x: Any, lang: str = "zh", digits: int = 2) -> str:
    """A number without spurious decimals: 593.0 → '593', 5.06 → '5.06'.

    English groups thousands (2,958); Chinese does not (2958), as Chinese official
    documents write them.

    Examples
    --------
    >>> fmt_number(2958.0, "zh"), fmt_number(2958.0, "en"), fmt_number(0.274, "zh")
    ('2958', '2,958', '0.27')
    >>> fmt_number(None, "en")
    'not reported'
    """
    if is_missing(x):
        return MISSING[_lang(lang)]
    v = float(x)
    sep = "," if _lang(lang) == "en" else ""
    if v.is_integer():
        return f"{int(v):{sep}d}" if sep else str(int(v))
    text = f"{v:{sep}.{digits}f}" if sep else f"{v:.{digits}f}"
    return text.rstrip("0").rstrip(".")


# ---------------------------------------------------------------- units and amounts


@dataclass(frozen=True)
class Unit:
    """How a unit reads in each language.

    ``kind`` is ``"count"`` (a measure word follows the number), ``"money"`` (元, with
    万/亿 magnitudes), ``"percent"`` (the value is already a percentage), ``"share"``
    (a fraction of 1, shown as a percentage), ``"year"`` (a calendar year) or
    ``"rate"`` (per 10,000).
    """

    zh: str
    en: str
    kind: str = "count"
    per_zh: str = ""
    per_en: str = ""


#: Every ``unit`` of the case files' indicators, as a reader sees it.
UNITS: dict[str, Unit] = {
    "CNY": Unit("元", "yuan", "money"),
    "yuan": Unit("元", "yuan", "money"),
    "CNY per year": Unit("元", "yuan", "money", "/年", " a year"),
    "persons": Unit("人", "persons"),
    "persons per household": Unit("人/户", "persons per household"),
    "households": Unit("户", "households"),
    "years": Unit("年", "years"),
    "year": Unit("年", "", "year"),
    "steps": Unit("步", "steps"),
    "measures": Unit("项", "measures"),
    "lists": Unit("份", "lists"),
    "items": Unit("项", "items"),
    "standards": Unit("项", "standards"),
    "levels": Unit("级", "levels"),
    "categories": Unit("类", "categories"),
    "types": Unit("类", "types"),
    "task types": Unit("类", "task types"),
    "mechanisms": Unit("种", "mechanisms"),
    "organizations": Unit("个", "organizations"),
    "projects": Unit("个", "projects"),
    "grids": Unit("个", "grids"),
    "departments": Unit("个", "departments"),
    "centres": Unit("个", "centres"),
    "committees": Unit("个", "committees"),
    "communities": Unit("个", "communities"),
    "villages/communities": Unit("个", "villages/communities"),
    "compounds": Unit("个", "residential compounds"),
    "buildings": Unit("幢", "buildings"),
    "leading groups": Unit("个", "leading groups"),
    "hours per day": Unit("小时/天", "hours a day"),
    "hours per person per year": Unit("小时/人·年", "hours per person a year"),
    "per 10,000 residents": Unit("人/万人", "per 10,000 residents", "rate"),
    "km2": Unit("平方千米", "km²"),
    "percent": Unit("%", "%", "percent"),
    "percent of communities": Unit("%", "% of communities", "percent", "（占社区）"),
    "percent of urban communities": Unit(
        "%", "% of urban communities", "percent", "（占城市社区）"
    ),
    "share": Unit("%", "%", "share"),
}

#: The unit of each ``context[].field``'s ``value_num`` (those without one are plain numbers).
CONTEXT_UNITS: dict[str, str] = {
    "population": "persons",
    "migrant_share": "share",
    "fiscal_capacity": "CNY",
    "collective_assets": "CNY",
}

_QUALIFIERS = {
    "zh": {"more_than": "超过", "less_than": "少于", "about": "约", "target": "目标"},
    "en": {
        "more_than": "more than",
        "less_than": "less than",
        "about": "about",
        "target": "target",
    },
}


def unit_label(unit: str | None, lang: str = "zh") -> str:
    """A unit as a reader sees it: 'steps' → '步', 'CNY' → '元' (zh) / 'yuan' (en).

    An unknown unit is shown as written in English and left empty in Chinese (so no
    English word enters a Chinese table); a missing one is empty.

    Examples
    --------
    >>> unit_label("steps", "zh"), unit_label("CNY", "en"), unit_label("CNY per year", "zh")
    ('步', 'yuan', '元/年')
    >>> unit_label("furlongs", "zh"), unit_label(None, "en")
    ('', '')
    """
    if is_missing(unit):
        return ""
    u = UNITS.get(str(unit))
    if u is None:
        return "" if _lang(lang) == "zh" else str(unit)
    return u.zh + u.per_zh if lang == "zh" else (u.en + u.per_en).strip()


def _zh_magnitude(v: float) -> tuple[str, str]:
    """(number, magnitude word): 1e11 → ('1000', '亿'), 12470000 → ('1247', '万')."""
    for word, factor in (("亿", 1e8), ("万", 1e4)):
        if abs(v) >= factor:
            q = v / factor
            if abs(q * 100 - round(q * 100)) < 1e-6:
                return fmt_number(q, "zh"), word
    return fmt_number(v, "zh"), ""


def _en_magnitude(v: float) -> str:
    for word, factor in (("billion", 1e9), ("million", 1e6)):
        if abs(v) >= factor and abs(v / factor * 100 - round(v / factor * 100)) < 1e-6:
            return f"{fmt_number(v / factor, 'en')} {word}"
    return fmt_number(v, "en")


def fmt_amount(
    value: Any,
    unit: str | None,
    lang: str = "zh",
    *,
    qualifier: str | None = None,
    value_max: Any = None,
) -> str:
    """A number with its unit as a reader reads it.

    Chinese uses 万/亿 magnitudes and Chinese measure words (100000000000 元 →
    '1000亿元', 600000000 → '6亿元', 10000000 → '1000万元', 12081 户 → '12081户');
    English uses million/billion ('100 billion yuan').  ``qualifier`` is the case
    files' ``about`` / ``more_than`` / ``less_than`` / ``target``; ``value_max`` makes
    a range.

    Examples
    --------
    >>> fmt_amount(100000000000, "CNY", "zh"), fmt_amount(100000000000, "CNY", "en")
    ('1000亿元', '100 billion yuan')
    >>> fmt_amount(600000000, "CNY", "zh", qualifier="about"), fmt_amount(10000000, "CNY", "zh")
    ('约6亿元', '1000万元')
    >>> fmt_amount(5, "steps", "zh"), fmt_amount(100, "households", "zh", value_max=200)
    ('5步', '100—200户')
    >>> fmt_amount(70, "percent of urban communities", "zh", qualifier="more_than")
    '超过70%（占城市社区）'
    >>> fmt_amount(0.274, "share", "en"), fmt_amount(2019, "year", "zh")
    ('27.4%', '2019年')
    >>> fmt_amount(None, "CNY", "zh")
    '未报告'
    """
    lang = _lang(lang)
    if is_missing(value):
        return MISSING[lang]
    u = UNITS.get(str(unit)) if not is_missing(unit) else None
    v = float(value)
    vmax = None if is_missing(value_max) else float(value_max)
    dash = "—" if lang == "zh" else "–"

    def num(x: float) -> tuple[str, str]:
        """(number text, magnitude word or '')."""
        if u is not None and u.kind == "share":
            return fmt_number(x * 100, lang, 2), ""
        if u is not None and u.kind == "year":
            return fmt_year(x, lang), ""
        if lang == "zh" and (u is None or u.kind in ("money", "count")) and abs(x) >= 1e5:
            return _zh_magnitude(x)
        if lang == "en" and u is not None and u.kind == "money":
            return _en_magnitude(x), ""
        return fmt_number(x, lang), ""

    n, mag = num(v)
    if vmax is not None:
        n2, mag2 = num(vmax)
        n = f"{n}{mag}{dash}{n2}" if mag != mag2 else f"{n}{dash}{n2}"
        mag = mag2
    if u is None:
        body = f"{n}{mag}" if lang == "zh" else (f"{n} {unit}" if not is_missing(unit) else n)
    elif lang == "zh":
        body = f"{n}{mag}{u.zh}{u.per_zh}"
    elif u.kind in ("percent", "share"):
        body = f"{n}{u.en}"
    elif u.kind == "year":
        body = n
    else:
        body = f"{n} {u.en}{u.per_en}"
    q = _QUALIFIERS[lang].get(qualifier or "", "") if not is_missing(qualifier) else ""
    if not q:
        return body
    return f"{q}{body}" if lang == "zh" else f"{q} {body}"


def fmt_context_value(field: str, value_num: Any, lang: str = "zh") -> str:
    """A ``context[].value_num`` with the unit its field implies (:data:`CONTEXT_UNITS`).

    Examples
    --------
    >>> fmt_context_value("collective_assets", 100000000000, "zh")
    '1000亿元'
    >>> fmt_context_value("migrant_share", 0.274, "zh"), fmt_context_value("population", 36006, "en")
    ('27.4%', '36,006 persons')
    """
    return fmt_amount(value_num, CONTEXT_UNITS.get(field), lang)


# ------------------------------------------------------------------------ quotations

_OPEN = "“「『\"'‘"
_CLOSE = "”」』\"'’"


def collapse_doubled_quotes(text: str) -> str:
    """Collapse doubled quotation marks (``““`` → ``“``, ``””`` → ``”``, also 「「 and 」」).

    Examples
    --------
    >>> collapse_doubled_quotes("““五约”流程”")
    '“五约”流程”'
    """
    return re.sub(r"([“”「」『』])\1+", r"\1", text)


def quoted(text: Any, lang: str = "zh") -> str:
    """A quotation in “ ”, never doubled: a text already wrapped in one pair of marks
    is kept; quotation marks inside become ‘ ’ (nested quotes, as Chinese and English
    typography both write them).

    Examples
    --------
    >>> quoted("净资产高达千亿元", "zh")
    '“净资产高达千亿元”'
    >>> quoted("“五约”", "zh"), quoted("“谈约、签约”的“五约”流程", "en")
    ('“五约”', '“‘谈约、签约’的‘五约’流程”')
    >>> quoted("““民情通””", "zh")
    '“民情通”'
    >>> quoted(None, "en")
    'not reported'
    """
    if is_missing(text):
        return MISSING[_lang(lang)]
    t = collapse_doubled_quotes(str(text).strip())
    if len(t) >= 2 and t[0] in _OPEN and t[-1] in _CLOSE:
        inner = t[1:-1]
        if not any(c in inner for c in '“”「」『』"'):
            return f"“{inner}”"
    t = re.sub(r"[“「『]", "‘", t)
    t = re.sub(r"[”」』]", "’", t)
    return f"“{t}”"


# --------------------------------------------------------------------- display names

_KIND_LABELS = {
    "zh": {
        "case": "案例",
        "case_short": "案例",
        "code": "编码",
        "family": "机制族",
        "actor": "行动者",
        "outcome": "结果变量",
        "condition": "条件",
        "coder": "编码者",
        "round": "轮次",
        "dimension": "维度",
        "claim": "声称来源",
        "status": "状态",
    },
    "en": {},
}

#: A coding status as a reader reads it (the reports' one table of these).
STATUS_LABELS: dict[str, dict[str, str]] = {
    "zh": {
        "present": "存在",
        "weak": "薄弱/笼统",
        "proposed": "仅为建议",
        "absent": "报告为缺失",
        "not_reported": "未报告",
        "not_covered": "节选未覆盖",
        "before_era": "来源早于该做法的时代",
    },
    "en": {
        "present": "present",
        "weak": "weak",
        "proposed": "only proposed",
        "absent": "reported missing",
        "not_reported": "not reported",
        "not_covered": "not covered by the excerpt",
        "before_era": "the source predates the practice",
    },
}

#: The codebook's vocabularies :func:`display_name` reads (kind → ``Codebook`` field).
_VOCABULARIES = {
    "claim": "claim_strengths",
    "genre": "genres",
    "author_relation": "author_relations",
    "context_field": "context_fields",
    "stage": "stages",
    "driver_kind": "driver_kinds",
    "link_kind": "link_kinds",
    "problem_scope": "problem_scopes",
}


def coder_label(coder: str, lang: str = "zh") -> str:
    """A coder id as a reader reads it.

    ``primary`` is the first coding, ``primary_adjN`` the same coding after round N's
    adjudication, ``coder_x`` a blind second coder, ``final`` the adjudicated case files.

    Examples
    --------
    >>> coder_label("coder_c", "zh"), coder_label("coder_c", "en")
    ('编码者C', 'Coder C')
    >>> coder_label("primary_adj1", "zh"), coder_label("primary_adj1", "en")
    ('初始编码（第1轮裁决后）', 'first coding after round-1 adjudication')
    >>> coder_label("final", "zh"), coder_label("x9", "en")
    ('裁决后的定稿编码', 'coder x9')
    """
    zh = _lang(lang) == "zh"
    if coder == "primary":
        return "初始编码" if zh else "first coding"
    if coder == "final":
        return "裁决后的定稿编码" if zh else "adjudicated final coding"
    m = re.fullmatch(r"primary_adj(\d+)", coder)
    if m:
        n = m.group(1)
        return f"初始编码（第{n}轮裁决后）" if zh else f"first coding after round-{n} adjudication"
    m = re.fullmatch(r"coder_([A-Za-z0-9]+)", coder)
    if m:
        who = m.group(1).upper()
        return f"编码者{who}" if zh else f"Coder {who}"
    return f"编码者{coder}" if zh else f"coder {coder}"


def _rounds(casebase: Any) -> dict[str, dict[str, Any]]:
    from analysis.casebase import load_rounds

    try:
        doc = load_rounds(casebase.root)
    except Exception:  # noqa: BLE001 - an unreadable rounds.yaml is validated elsewhere
        return {}
    return {str(r["id"]): r for r in (doc or {}).get("rounds", [])}


def round_label(round_id: Any, lang: str = "zh", casebase: Any = None) -> str:
    """A reliability round as a reader reads it, with its codebook version and coders
    when the case base's ``codings/rounds.yaml`` declares it.

    Examples
    --------
    >>> round_label("3", "zh"), round_label("3", "en")
    ('第3轮', 'round 3')
    >>> round_label("3", "zh", cb)                             # doctest: +SKIP
    '第3轮（第4版编码手册：编码者D与编码者E）'
    """
    zh = _lang(lang) == "zh"
    rid = fmt_year(round_id, lang) if not isinstance(round_id, str) else round_id
    base = f"第{rid}轮" if zh else f"round {rid}"
    r = _rounds(casebase).get(rid) if casebase is not None else None
    if not r:
        return base
    coders = [coder_label(c, lang) for c in r.get("coders", [])]
    v = r.get("codebook_version")
    if zh:
        return f"{base}（第{v}版编码手册：{'与'.join(coders)}）"
    return f"{base} (codebook v{v}: {' vs '.join(coders)})"


def _conditions(casebase: Any) -> dict[str, tuple[str, str]]:
    path = Path(casebase.root) / "conditions.yaml"
    if not path.is_file():
        return {}
    import yaml

    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        return {}
    return {
        str(c.get("id")): (str(c.get("label_zh", "")), str(c.get("label_en", "")))
        for c in doc.get("conditions", [])
        if isinstance(c, Mapping)
    }


def _fallback(ident: str, kind: str, lang: str) -> str:
    words = ident.replace("_", " ").strip()
    if lang == "zh":
        return f"未登记的{_KIND_LABELS['zh'].get(kind, '项目')}“{words}”"
    return f"unlisted {kind.replace('_', ' ')} ‘{words}’"


def display_name(ident: Any, kind: str, casebase: Any = None, lang: str = "zh") -> str:
    """The human label of an id, so a raw id never reaches a reader.

    Parameters
    ----------
    ident : str
        The id (``coder_c``, ``"3"``, ``grid_management``, ``PARTY`` …).
    kind : str
        ``case``, ``case_short``, ``code``, ``family``, ``actor``, ``outcome``,
        ``dimension``, ``condition``, ``coder``, ``round``, ``status``, or a codebook
        vocabulary (``claim``, ``genre``, ``author_relation``, ``context_field``,
        ``stage``, ``driver_kind``, ``link_kind``, ``problem_scope``).
    casebase : CaseBase, optional
        Where the labels come from (codebook, cases, ``codings/rounds.yaml``,
        ``conditions.yaml``); coders, rounds and statuses need none.
    lang : {"zh", "en"}

    Returns
    -------
    str
        The label; an unknown id gives a readable fallback that says it is not listed
        (e.g. '未登记的编码“foo bar”'), a missing one '未报告'.

    Examples
    --------
    >>> display_name("coder_d", "coder"), display_name("not_reported", "status", lang="en")
    ('编码者D', 'not reported')
    >>> display_name("foo_bar", "code", None, "zh"), display_name("foo_bar", "code", None, "en")
    ('未登记的编码“foo bar”', 'unlisted code ‘foo bar’')
    >>> display_name("grid_management", "code", cb, "zh")      # doctest: +SKIP
    '网格化管理'
    """
    lang = _lang(lang)
    if is_missing(ident):
        return MISSING[lang]
    ident = str(ident)
    if kind == "coder":
        return coder_label(ident, lang)
    if kind == "round":
        return round_label(ident, lang, casebase)
    if kind == "status":
        return STATUS_LABELS[lang].get(ident) or _fallback(ident, kind, lang)
    label: str | None = None
    if casebase is not None:
        if kind == "condition":
            zh, en = _conditions(casebase).get(ident, ("", ""))
            label = (zh if lang == "zh" else en) or None
        elif kind in _VOCABULARIES:
            for item in getattr(casebase.codebook, _VOCABULARIES[kind]):
                if item.id == ident:
                    label = item.label_zh if lang == "zh" else item.label_en
        elif kind == "code":
            label = casebase.labels(lang)["code"].get(ident)
            if label is None:
                for r in casebase.codebook.retired_codes:
                    if r.id == ident:
                        label = r.label_zh if lang == "zh" else r.label_en
        else:
            label = casebase.labels(lang).get(kind, {}).get(ident)
    return label or _fallback(ident, kind, lang)


# ------------------------------------------------------------------------ tables


def readable_cells(
    df: pd.DataFrame, lang: str = "zh", year_columns: Iterable[str] = ()
) -> pd.DataFrame:
    """A copy of a table fit for a reader: missing cells '未报告' / 'not reported',
    whole floats without decimals, and the year columns (those named ``year``, 年份 or
    Year, and ``year_columns``) as integers.

    Examples
    --------
    >>> df = pd.DataFrame({"年份": [2008.0, None], "数值": [593.0, float("nan")]})
    >>> readable_cells(df, "zh").to_dict("list")
    {'年份': ['2008', '未报告'], '数值': ['593', '未报告']}
    """
    years = {"year", "年份", "Year", "start_year", *year_columns}
    out = df.copy().astype(object)
    for col in out.columns:
        fmt = fmt_year if col in years else fmt_missing
        out[col] = [fmt(v, lang) for v in out[col]]
    return out


# -------------------------------------------------------------- evidence for numbers

_DIGITS = "零一二三四五六七八九"


def chinese_numeral(n: int) -> str:
    """0–9999 in Chinese numerals: 5 → '五', 20 → '二十', 12 → '十二', 300 → '三百'.

    Examples
    --------
    >>> [chinese_numeral(n) for n in (0, 5, 10, 12, 20, 58, 300, 1000)]
    ['零', '五', '十', '十二', '二十', '五十八', '三百', '一千']
    """
    if not 0 <= n < 10000:
        raise ValueError("chinese_numeral covers 0-9999")
    if n < 10:
        return _DIGITS[n]
    out = ""
    for value, word in ((1000, "千"), (100, "百"), (10, "十")):
        d, n = divmod(n, value)
        if d:
            out += _DIGITS[d] + word
        elif out and n:
            out += "" if out.endswith("零") else "零"
    out += _DIGITS[n] if n else ""
    return out[1:] if out.startswith("一十") else out


def number_forms(value: Any) -> list[str]:
    """Ways a source may write a number: '2958', '2,958', '五', '两', '6亿', '千亿',
    '1247万', '万分之六'.

    Examples
    --------
    >>> number_forms(2)[:3]
    ['2', '二', '两']
    >>> "千亿" in number_forms(100000000000), "1247万" in number_forms(12470000)
    (True, True)
    """
    if is_missing(value):
        return []
    v = float(value)
    forms: list[str] = []
    if v.is_integer():
        n = int(v)
        forms += [str(n), f"{n:,d}"]
        if 0 <= n < 10000:
            forms.append(chinese_numeral(n))
        if n == 2:
            forms.append("两")
        for word, factor in (("亿", 10**8), ("万", 10**4)):
            if n >= factor and n % (factor // 100) == 0:
                q = n / factor
                forms.append(f"{fmt_number(q, 'zh')}{word}")
                if float(q).is_integer() and int(q) < 10000:
                    cn = chinese_numeral(int(q))
                    forms += [cn + word, cn.removeprefix("一") + word]
        if 0 < n < 10:
            forms.append(f"万分之{chinese_numeral(n)}")
    else:
        forms.append(fmt_number(v, "zh", 4))
    return list(dict.fromkeys(f for f in forms if f))


def shows_number(value: Any, quote: str) -> bool:
    """Whether ``quote`` writes ``value`` in one of its :func:`number_forms`.

    Digits are matched whole, so 593 is not found in '5930' nor in a date such as
    '截至20176月'.

    Examples
    --------
    >>> shows_number(593, "截至20176月"), shows_number(593, "建成中心593个")
    (False, True)
    >>> shows_number(100000000000, "净资产高达千亿元")
    True
    """
    for f in number_forms(value):
        if f[0].isdigit():
            if re.search(rf"(?<![\d.,]){re.escape(f)}(?![\d]|[.,]\d)", quote):
                return True
        elif f in quote:
            return True
    return False


def supporting_span(value: Any, quotes: Sequence[str]) -> int:
    """Index of the first quote that shows ``value`` (:func:`shows_number`); 0 when
    none does.

    Examples
    --------
    >>> supporting_span(593, ["截至20176月", "全面建成社区公共服务管理中心593个"])
    1
    >>> supporting_span(5, ["“谈约、签约、亮约、履约和评约”的“五约”流程"])
    0
    """
    return next((i for i, q in enumerate(quotes) if shows_number(value, q)), 0)


def fmt_evidence_number(
    value: Any,
    evidence: Sequence[Any],
    lang: str = "zh",
) -> str:
    """The evidence cell of an indicator: the quote that shows its number, with offsets.

    ``evidence`` holds the case file's spans (objects or mappings with ``quote``,
    ``start``, ``end``); the span chosen is :func:`supporting_span`'s, so a neighbouring
    date ('截至20176月') is never shown in place of the number it dates.

    Examples
    --------
    >>> ev = [{"quote": "截至20176月", "start": 1146, "end": 1154},
    ...       {"quote": "全面建成社区公共服务管理中心593个", "start": 1156, "end": 1174}]
    >>> fmt_evidence_number(593, ev, "zh")
    '“全面建成社区公共服务管理中心593个”（1156–1174）'
    >>> fmt_evidence_number(593, ev, "en")
    '“全面建成社区公共服务管理中心593个” (1156–1174)'
    """
    if not evidence:
        return MISSING[_lang(lang)]

    def get(e: Any, k: str) -> Any:
        return e.get(k) if isinstance(e, Mapping) else getattr(e, k)

    e = evidence[supporting_span(value, [str(get(x, "quote")) for x in evidence])]
    where = f"{get(e, 'start')}–{get(e, 'end')}"
    return (
        f"{quoted(get(e, 'quote'), lang)}（{where}）"
        if lang == "zh"
        else (f"{quoted(get(e, 'quote'), lang)} ({where})")
    )


def place_name(province: str, city: str, lang: str = "zh") -> str:
    """Where a model is, from its ``province`` and ``city`` (several places split by "/").

    A city that is its own province-level unit (上海市) is named once; several places
    are paired in order, never run together ("上海市/浙江省上海市/宁波市").

    Examples
    --------
    >>> place_name("浙江省", "绍兴市")
    '浙江省绍兴市'
    >>> place_name("上海市/浙江省", "上海市/宁波市")
    '上海市、浙江省宁波市'
    >>> place_name("上海市/浙江省", "上海市/宁波市", "en")
    '上海市; 宁波市, 浙江省'
    >>> place_name("福建省", "")
    '福建省'
    """
    provinces = [p.strip() for p in (province or "").split("/")]
    cities = [c.strip() for c in (city or "").split("/")]
    if len(provinces) != len(cities):
        provinces, cities = [province or ""], [city or ""]
    places = []
    for p, c in zip(provinces, cities, strict=True):
        if not c or c == p:
            places.append(p or c)
        elif lang == "zh":
            places.append(f"{p}{c}")
        else:
            places.append(f"{c}, {p}" if p else c)
    return ("、" if lang == "zh" else "; ").join(x for x in places if x)


def cite(cb: Any, source_id: str, lang: str = "zh") -> str:
    """Brief citation of a source: first author (等 / et al.) or the title in 《》, and year.

    The one citation format of every report (案例参阅, 比较借鉴 and the lessons of
    :mod:`analysis.transfer` alike).

    Examples
    --------
    >>> from types import SimpleNamespace as NS
    >>> cb = NS(sources={"s": NS(date="2021-06", authors=["张乐", "李四"], title="题")})
    >>> cite(cb, "s"), cite(cb, "s", "en")
    ('张乐等，2021', '张乐 et al. 2021')
    >>> cb.sources["s"] = NS(date=None, authors=[], title="海沧跨越：在共同缔造中（节选）")
    >>> cite(cb, "s")
    '《海沧跨越》，无日期'
    """
    s = cb.sources[source_id]
    zh = lang == "zh"
    year = (s.date or "")[:4] or ("无日期" if zh else "n.d.")
    if s.authors:
        who = s.authors[0] + (("等" if zh else " et al.") if len(s.authors) > 1 else "")
    else:
        who = "《" + re.split(r"[:：（(]", s.title)[0].strip() + "》"
    # "，" in Chinese: Word and WPS drop a plain space between Chinese characters.
    return f"{who}，{year}" if zh else f"{who} {year}"
