"""Commented template for a new case file (``workbench new-case ID``).

The template lists every codebook code as ``not_reported`` with its definition
as a comment, so a scholar fills it in from top to bottom without reading code.
Until the metadata are filled in, ``workbench validate`` names each empty field.

Examples
--------
>>> from analysis.casebase import load_casebase
>>> text = case_template("chengdu_wuhou", load_casebase("casebase").codebook)  # doctest: +SKIP
>>> text.splitlines()[0]                                                      # doctest: +SKIP
'# 新案例模板 / New case template: chengdu_wuhou'
"""

from __future__ import annotations

import re
import textwrap

from analysis.casebase import Codebook


def _comment(text: str, indent: str, width: int = 88) -> str:
    lines = textwrap.wrap(" ".join(text.split()), width=width - len(indent) - 2)
    return "\n".join(f"{indent}# {line}" for line in lines)


#: Longest case id: it names the case file, and file names have a limit (255 bytes).
MAX_CASE_ID = 64


def check_case_id(case_id: str) -> None:
    """Raise ValueError unless ``case_id`` is snake_case and at most 64 characters.

    Examples
    --------
    >>> check_case_id("chengdu_wuhou")
    >>> check_case_id("a" * 65)
    Traceback (most recent call last):
    ...
    ValueError: case id is 65 characters long; the limit is 64 (lower-case letters, digits, _, starting with a letter)
    """
    if len(case_id) > MAX_CASE_ID:
        raise ValueError(
            f"case id is {len(case_id)} characters long; the limit is {MAX_CASE_ID} "
            "(lower-case letters, digits, _, starting with a letter)"
        )
    if not re.fullmatch(r"[a-z][a-z0-9_]*", case_id):
        raise ValueError(f"case id {case_id!r} must be snake_case (lower-case letters, digits, _)")


def case_template(case_id: str, codebook: Codebook) -> str:
    """Return the YAML text of a commented template case file.

    Parameters
    ----------
    case_id : str
        snake_case id; also the file name.
    codebook : Codebook
        The codebook whose codes, outcomes and actors the template lists.

    Returns
    -------
    str

    Raises
    ------
    ValueError
        If ``case_id`` is not snake_case.

    Examples
    --------
    >>> case_template("Bad Id", None)
    Traceback (most recent call last):
    ...
    ValueError: case id 'Bad Id' must be snake_case (lower-case letters, digits, _)
    """
    check_case_id(case_id)
    actors = ", ".join(a.id for a in codebook.actors)
    out = [
        f"# 新案例模板 / New case template: {case_id}",
        "# 填写说明：逐项填写；引文只写 quote，然后运行 `workbench locate --sources DIR` 自动补全",
        "# start/end，再运行 `workbench validate --sources DIR` 检查。",
        "# Fill in each field. Write quotes only; `workbench locate --sources DIR` fills in the",
        "# offsets, then `workbench validate --sources DIR` checks everything.",
        "# Scores: 0 | 0.33 | 0.67 | 1.  Status: present (0.67/1) | weak (0.33) |",
        "#   proposed (0, only recommended or planned; needs evidence) |",
        "#   absent (0, the source reports it missing here; needs evidence) |",
        "#   not_reported (score null: the source is silent; missing data, never 0).",
        f"# Actor ids: {actors}",
        "",
        f"id: {case_id}",
        'name_zh: ""        # 中文名称',
        'name_en: ""        # English name',
        'short_zh: ""       # 简称，用于图表 / short name for figures',
        'short_en: ""',
        'province: ""',
        'city: ""',
        "level: district    # subdistrict | district | county | prefecture_city | multi_city",
        "start_year: null",
        "sources: []        # source ids from casebase/sources.yaml (add the source there first)",
        'summary_zh: ""',
        'summary_en: ""',
        "",
        "mechanisms:",
    ]
    for code in codebook.codes:
        out += [
            f"  # {code.label_zh} / {code.label_en}  [{code.family}, {'/'.join(code.dimensions)}]",
            _comment(code.definition, "  "),
            f"  - code: {code.id}",
            "    score: null",
            "    status: not_reported",
            '    rationale: ""',
            f"    actors: []        # typical: {', '.join(code.actors)}",
            "    evidence: []      # - {source: SOURCE_ID, quote: 原文引文}",
        ]
    out += [
        "",
        "practices: []",
        "# - id: practice_id",
        "#   name_zh: 做法名称",
        "#   name_en: Practice name",
        "#   year: null",
        "#   mechanisms: [code_id]",
        "#   evidence: [{source: SOURCE_ID, quote: 原文引文}]",
        "",
        "indicators: []",
        "# - id: grids",
        "#   label_zh: 网格数",
        "#   label_en: Number of grids",
        "#   value: 0",
        "#   unit: grids",
        "#   year: null",
        "#   evidence: [{source: SOURCE_ID, quote: 含数字的原文}]",
        "",
        "outcomes: []",
    ]
    claims = " | ".join(c.id for c in codebook.claim_strengths)
    for o in codebook.outcomes:
        out.append(f"# - outcome: {o.id}   # {o.label_zh} / {o.label_en}")
        out += [f"#     {k}: {v}" for k, v in o.anchors.items()]
    out += [
        "#   score: 0",
        f"#   claim_strength: {claims}   # default from the source's author_relation",
        "#   claim_note: null   # needed when claim_strength differs from that default",
        "#   evidence: [{source: SOURCE_ID, quote: 原文引文}]   # not a mechanism's passage",
        "",
    ]
    out += _sections_template(codebook)
    return "\n".join(out)


def _sections_template(codebook: Codebook) -> list[str]:
    """Commented examples of the v4 sections: context, drivers, problems,
    recommendations and links."""

    def ids(kind: str) -> str:
        return " | ".join(v.id for v in getattr(codebook, kind))

    return [
        "# Every context fact, driver, problem, recommendation and diffusion claim the",
        "# source gives, each with verbatim evidence.",
        "context: []",
        f"# - field: admin_level      # {ids('context_fields')}",
        f"#   value: 街道（城市）       # for field stage: {ids('stages')}",
        "#   value_num: null",
        "#   year: null",
        "#   evidence: [{source: SOURCE_ID, quote: 原文引文}]",
        "drivers: []",
        f"# - kind: policy_document   # {ids('driver_kinds')}",
        "#   description_zh: 《关于……的意见》",
        "#   year: null",
        "#   evidence: [{source: SOURCE_ID, quote: 原文引文}]",
        "problems: []",
        "# - problem_zh: 一句话概括问题",
        f"#   scope: local            # {ids('problem_scopes')}",
        "#   evidence: [{source: SOURCE_ID, quote: 原文引文}]",
        "recommendations: []",
        "# - recommendation_zh: 一句话概括建议",
        "#   evidence: [{source: SOURCE_ID, quote: 原文引文}]",
        "links: []",
        f"# - kind: learned_from      # {ids('link_kinds')}",
        "#   target: 浙江“枫桥经验”",
        "#   evidence: [{source: SOURCE_ID, quote: 原文引文}]",
        "",
    ]
