"""The one registry of report kinds.

Each :class:`ReportKind` names its notebook, its builder, its parameters (with
defaults and checks), its sections and how the default plan instantiates it
(once, per case, per pair).  The default plan
(:func:`analysis.batch.plan.default_plan`), parameter validation
(:func:`check_run`), the notebooks' tests and the index read this registry; a
new report kind is one entry here, one module and one notebook.

This module imports nothing heavy: planning must stay fast.

Examples
--------
>>> [k.name for k in KINDS.values()]
['case', 'pair', 'synthesis', 'fieldguide', 'reliability', 'corpus', 'yaobao']
>>> KINDS["case"].output_name({"case_id": "shaoxing"})
'case_shaoxing'
>>> KINDS["pair"].output_name({"case_a": "a", "case_b": "b"})
'pair_a__b'
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path
from typing import Any

from analysis.reports import defaults
from analysis.reports.errors import UnknownKind

YAOBAO_SUFFIX = "_yaobao"

NO_CORPUS = (
    "语料分析需要来源文本，未找到语料目录 / the corpus report needs the source texts; "
    "no corpus folder found"
)


@dataclass(frozen=True)
class Param:
    """A report parameter: its name, default and what values it accepts.

    ``kind`` is one of ``case`` (a case id), ``cases`` (a list of case ids, or
    ``"all"``), ``lang``, ``kind`` (a report kind), ``path`` (a folder, relative
    to the project root; ``""`` means the default) or ``text``.
    """

    name: str
    default: Any
    kind: str
    doc: str = ""


COMMON = (
    Param("lang", defaults.LANG, "lang", "报告语言 zh（默认）或 en"),
    Param("casebase_dir", "casebase", "path", "案例库目录"),
    Param("sources", "", "path", "语料目录（空 = 项目设置）"),
)


@dataclass(frozen=True)
class ReportKind:
    """One kind of report.

    Parameters
    ----------
    name : str
        Registry key.
    label_zh, label_en : str
        The kind's name for readers (index headings).
    notebook : str
        Notebook path relative to the project root.
    builder : str
        ``module:function`` that builds the :class:`~analysis.reports.model.Report`.
    params : tuple of Param
        The kind's own parameters (``lang``, ``casebase_dir`` and ``sources`` are added).
    sections : tuple of str
        Section keys the notebook shows, in order.
    instances : str
        How the default plan makes runs: ``once``, ``per_case`` or ``per_pair``.
    output : str
        Output name pattern, formatted with the parameters.
    yaobao : bool
        Whether the default plan adds a one-page 要报 ``NAME_yaobao``.
    needs_corpus : bool
        Whether the report needs the source texts (skipped, with the reason, without them).
    """

    name: str
    label_zh: str
    label_en: str
    notebook: str
    builder: str
    params: tuple[Param, ...]
    sections: tuple[str, ...]
    instances: str
    output: str
    yaobao: bool = False
    needs_corpus: bool = False
    all_params: tuple[Param, ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "all_params", self.params + COMMON)

    def output_name(self, params: Mapping[str, Any]) -> str:
        """The report's output name for these parameters."""
        return self.output.format(**params)

    def defaults(self) -> dict[str, Any]:
        """Every parameter with its default.

        Examples
        --------
        >>> KINDS["reliability"].defaults()
        {'lang': 'zh', 'casebase_dir': 'casebase', 'sources': ''}
        """
        return {p.name: p.default for p in self.all_params}

    def build(self, **params: Any) -> Any:
        """Import the builder and build the report."""
        module, func = self.builder.split(":")
        return getattr(importlib.import_module(module), func)(**params)


SECTIONS_BRIEF = ("background", "practices", "effects", "problems", "recommendations")

KINDS: dict[str, ReportKind] = {
    k.name: k
    for k in (
        ReportKind(
            "case",
            "案例参阅",
            "Case briefings",
            "notebooks/case_brief.ipynb",
            "analysis.reports.case_brief:build",
            (Param("case_id", None, "case", "案例 id"),),
            SECTIONS_BRIEF,
            "per_case",
            "case_{case_id}",
            yaobao=True,
        ),
        ReportKind(
            "pair",
            "比较借鉴",
            "Pairwise lessons",
            "notebooks/pair_brief.ipynb",
            "analysis.reports.pair_brief:build",
            (Param("case_a", None, "case", "案例甲"), Param("case_b", None, "case", "案例乙")),
            SECTIONS_BRIEF,
            "per_pair",
            "pair_{case_a}__{case_b}",
            yaobao=True,
        ),
        ReportKind(
            "synthesis",
            "综合比较",
            "Cross-case synthesis",
            "notebooks/synthesis.ipynb",
            "analysis.reports.synthesis:build",
            (Param("cases", "all", "cases", "参与比较的案例（all = 全部）"),),
            SECTIONS_BRIEF,
            "once",
            "synthesis",
            yaobao=True,
        ),
        ReportKind(
            "fieldguide",
            "调研提纲",
            "Field-research guides",
            "notebooks/field_guide.ipynb",
            "analysis.reports.field_guide:build",
            (Param("case_id", None, "case", "案例 id"),),
            ("purpose", "questions"),
            "per_case",
            "fieldguide_{case_id}",
        ),
        ReportKind(
            "reliability",
            "编码信度",
            "Coding reliability",
            "notebooks/reliability.ipynb",
            "analysis.reports.reliability:build",
            (),
            ("rounds", "codes", "disagreements"),
            "once",
            "reliability",
        ),
        ReportKind(
            "corpus",
            "语料分析",
            "Corpus analysis",
            "notebooks/corpus.ipynb",
            "analysis.reports.corpus:build",
            (),
            ("sources", "keywords", "terms"),
            "once",
            "corpus",
            needs_corpus=True,
        ),
        ReportKind(
            "yaobao",
            "要报",
            "One-page briefs",
            "notebooks/yaobao.ipynb",
            "analysis.reports.yaobao:build",
            (
                Param("report_kind", "case", "kind", "所属简报的类型"),
                Param("case_id", "", "text", "案例参阅、调研提纲的案例 id"),
                Param("case_a", "", "text", "比较借鉴的案例甲"),
                Param("case_b", "", "text", "比较借鉴的案例乙"),
                Param("cases", "all", "cases", "综合比较的案例"),
            ),
            ("recommendations",),
            "none",
            "{report_kind}_yaobao",
        ),
    )
}


def kind(name: str) -> ReportKind:
    """The registered kind ``name``.

    Raises
    ------
    UnknownKind

    Examples
    --------
    >>> kind("case").label_zh
    '案例参阅'
    >>> kind("x")
    Traceback (most recent call last):
    analysis.reports.errors.UnknownKind: unknown report kind 'x'; known: case, pair, synthesis, fieldguide, reliability, corpus, yaobao
    """
    if name not in KINDS:
        raise UnknownKind(f"unknown report kind {name!r}; known: {', '.join(KINDS)}")
    return KINDS[name]


def kind_of_notebook(notebook: str) -> ReportKind | None:
    """The kind whose notebook this is (``.ipynb`` or its jupytext ``.py``), if any.

    Examples
    --------
    >>> kind_of_notebook("notebooks/case_brief.py").name
    'case'
    >>> kind_of_notebook("mine.ipynb") is None
    True
    """
    stem = Path(notebook).with_suffix("").as_posix()
    for k in KINDS.values():
        if Path(k.notebook).with_suffix("").as_posix() == stem or Path(k.notebook).stem == stem:
            return k
    return None


@dataclass(frozen=True)
class PlannedRun:
    """What the default plan needs of a run (turned into a batch ``Run`` by the plan)."""

    notebook: str
    output: str
    parameters: dict[str, Any]


def default_runs(
    cases: list[str],
    lang: str = defaults.LANG,
    pairs: Callable[[list[str]], Iterable[tuple[str, str]]] | None = None,
    corpus_available: bool = True,
) -> tuple[list[PlannedRun], list[tuple[str, str]]]:
    """Every report of the default plan, and the reports skipped with their reasons.

    Parameters
    ----------
    cases : list of str
        Case ids.
    lang : str
    pairs : callable, optional
        ``pairs(cases) -> [(a, b), ...]``; default all pairs.
    corpus_available : bool
        Whether the source texts are there (the corpus report needs them).

    Returns
    -------
    runs : list of PlannedRun
    skipped : list of (output, reason)

    Examples
    --------
    >>> runs, skipped = default_runs(["a", "b"])
    >>> [r.output for r in runs]  # doctest: +NORMALIZE_WHITESPACE
    ['case_a', 'case_a_yaobao', 'case_b', 'case_b_yaobao', 'pair_a__b', 'pair_a__b_yaobao',
     'synthesis', 'synthesis_yaobao', 'fieldguide_a', 'fieldguide_b', 'reliability', 'corpus']
    >>> default_runs(["a"], corpus_available=False)[1]
    [('corpus', '语料分析需要来源文本，未找到语料目录 / the corpus report needs the source texts; no corpus folder found')]
    """
    pairs = pairs or (lambda ids: list(combinations(ids, 2)))
    runs: list[PlannedRun] = []
    skipped: list[tuple[str, str]] = []
    for k in KINDS.values():
        if k.instances == "per_case":
            instances = [{"case_id": c} for c in cases]
        elif k.instances == "per_pair":
            instances = [{"case_a": a, "case_b": b} for a, b in pairs(cases)]
        elif k.instances == "once":
            instances = [{}]
        else:
            continue
        for own in instances:
            params = {**own, "lang": lang}
            output = k.output_name(params)
            if k.needs_corpus and not corpus_available:
                skipped.append((output, NO_CORPUS))
                continue
            runs.append(PlannedRun(k.notebook, output, params))
            if k.yaobao:
                runs.append(
                    PlannedRun(
                        KINDS["yaobao"].notebook,
                        output + YAOBAO_SUFFIX,
                        {"report_kind": k.name, **own, "lang": lang},
                    )
                )
    return runs, skipped


def check_run(notebook: str, params: Mapping[str, Any], cases: set[str]) -> list[str]:
    """Problems with a run's parameters, by the registry's checks (empty when fine).

    Examples
    --------
    >>> check_run("notebooks/case_brief.ipynb", {"case_id": "x", "lang": "fr"}, {"a"})
    ["parameter 'case_id': unknown case id 'x' (known: a)", "parameter 'lang': must be one of zh, en, got 'fr'"]
    >>> check_run("notebooks/yaobao.ipynb", {"report_kind": "corpus"}, {"a"})
    ["parameter 'report_kind': the 要报 is made for case, pair, synthesis; got 'corpus'"]
    """
    k = kind_of_notebook(notebook)
    if k is None:
        return []
    problems = []
    known = ", ".join(sorted(cases))
    for p in k.all_params:
        if p.name not in params:
            if p.default is None:
                problems.append(f"parameter {p.name!r} is required")
            continue
        value = params[p.name]
        if p.kind == "case" and cases and value not in cases:
            problems.append(f"parameter {p.name!r}: unknown case id {value!r} (known: {known})")
        elif p.kind == "cases" and cases:
            ids = [v.strip() for v in value.split(",")] if isinstance(value, str) else value
            if isinstance(ids, (list, tuple)):
                bad = [v for v in ids if v not in cases and v != "all"]
                if bad:
                    problems.append(
                        f"parameter {p.name!r}: unknown case id(s) {', '.join(map(repr, bad))} (known: {known})"
                    )
        elif p.kind == "lang" and value not in defaults.LANGS:
            problems.append(
                f"parameter {p.name!r}: must be one of {', '.join(defaults.LANGS)}, got {value!r}"
            )
        elif p.kind == "kind":
            allowed = [n for n, x in KINDS.items() if x.yaobao]
            if value not in allowed:
                problems.append(
                    f"parameter {p.name!r}: the 要报 is made for {', '.join(allowed)}; got {value!r}"
                )
    return problems
