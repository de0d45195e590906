"""Load and validate the case base: the only module that reads ``casebase/``.

The case base is a folder of YAML files (``codebook.yaml``, ``sources.yaml``,
``cases/*.yaml`` and, for reliability, ``codings/<coder>/*.yaml``).  This module
parses them with a safe round-trip loader (so every problem can name its line),
checks them against pydantic models, cross-checks them against each other and,
when a corpus folder is given, against the source texts.  Every problem is
collected and reported at once as ``file:line: field: message``.

The analysis modules never read YAML: they take the tidy pandas frames that
:class:`CaseBase` produces (:meth:`CaseBase.membership`, :meth:`CaseBase.evidence`, ...).

Examples
--------
>>> from analysis.casebase import load_casebase
>>> cb = load_casebase("casebase")                       # doctest: +SKIP
>>> cb.membership().loc["shaoxing", "contract_co_building"]  # doctest: +SKIP
1.0
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any, Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError

from analysis.safe_yaml import (
    YamlError,
    collector_paused,
    decode_utf8,
    read_yaml_file,
    roundtrip_yaml,
)

#: The fuzzy membership scale shared by mechanisms and outcomes.
SCORES: tuple[float, ...] = (0.0, 0.33, 0.67, 1.0)
#: The coding statuses of a mechanism (codebook v4), in display order.
STATUSES: tuple[str, ...] = ("present", "weak", "proposed", "absent", "not_reported")
#: Which scores each coding status allows; ``not_reported`` has none (score null:
#: missing data, never 0).
STATUS_SCORES: dict[str, tuple[float, ...]] = {
    "present": (0.67, 1.0),
    "weak": (0.33,),
    "proposed": (0.0,),
    "absent": (0.0,),
    "not_reported": (),
}
#: Codings made under codebook versions before this one wrote ``score: 0`` for
#: not_reported; the loader reads that 0 as missing.
FIRST_NULL_SCORE_VERSION = 4
#: Rules that need the re-coded v4 case files (e.g. outcome passages apart from
#: mechanism passages) are enforced from this codebook version on.
V4 = 4
#: The default ``claim_strength`` of an outcome, by the source's ``author_relation``.
DEFAULT_CLAIM: dict[str, str] = {
    "implementing_authority": "implementing_authority",
    "local_party_school": "party_school_analysis",
    "external_scholar": "external_analysis",
}
#: Framework tags a code may carry (codebook v4).
Framework = Literal[
    "党建引领",
    "一核多元",
    "三治融合·自治",
    "三治融合·法治",
    "三治融合·德治",
    "枫桥经验",
    "三社联动",
    "网格化",
    "治理重心下沉",
    "共建共治共享",
]
MAX_QUOTE = 120
#: One corpus folder, several (a sequence, or a string with ``os.pathsep``), or none.
SourcesArg = str | os.PathLike[str] | Sequence[str | os.PathLike[str]] | None
_ID = r"^[a-z][a-z0-9_]*$"

# --------------------------------------------------------------------------- models


class _Model(BaseModel):
    # Unknown keys are almost always typos of known ones; reject them loudly.  Strict
    # types: `score: true` or `start_year: '2008'` are mistakes, not values to coerce.
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


def _check_score(value: float | None) -> float | None:
    if value is None:
        return None
    if not any(abs(value - s) < 1e-9 for s in SCORES):
        raise ValueError(f"score {value!r} is not one of 0, 0.33, 0.67, 1")
    return min(SCORES, key=lambda s: abs(s - value))


def check_occurrence(value: object) -> int:
    """Return an ``occurrence:`` hint if it is a positive whole number (1 = the first).

    Raises
    ------
    ValueError
        For anything else: 0, negative numbers, fractions, booleans, strings, lists.

    Examples
    --------
    >>> check_occurrence(2)
    2
    >>> check_occurrence(0)
    Traceback (most recent call last):
    ...
    ValueError: occurrence must be a positive whole number (1 = the first occurrence), got 0
    """
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(
            f"occurrence must be a positive whole number (1 = the first occurrence), got {value!r}"
        )
    return value


def quote_offsets(text: str, quote: str) -> list[int]:
    """Start offset of every occurrence of ``quote`` in ``text`` (overlaps included).

    Examples
    --------
    >>> quote_offsets("甲乙甲乙甲", "甲乙")
    [0, 2]
    >>> quote_offsets("啊啊啊", "啊啊")
    [0, 1]
    """
    hits = []
    i = text.find(quote)
    while i != -1:
        hits.append(i)
        i = text.find(quote, i + 1)
    return hits


class Evidence(_Model):
    """A verbatim span of a source: ``text[start:end] == quote``."""

    source: str = Field(description="Source id from sources.yaml")
    start: int | None = Field(None, ge=0, description="Start offset (Python str index)")
    end: int | None = Field(None, ge=0, description="End offset (exclusive)")
    quote: str = Field(min_length=1, max_length=MAX_QUOTE, description="Exact text[start:end]")
    occurrence: int | None = Field(
        None, ge=1, description="Which occurrence `workbench locate` should use (1-based)"
    )

    _occurrence = field_validator("occurrence", mode="before")(
        lambda v: v if v is None else check_occurrence(v)
    )


class Adjudication(_Model):
    """How a disagreement between independent coders was settled in one round."""

    round: str = Field(description="Round id from codings/rounds.yaml")
    scores: dict[str, float | None] = Field(
        description="Each coder's score, by coder name (as coded, on that round's codebook)"
    )
    final: float | None = Field(description="The settled score; null for not_reported")
    reason: str = Field(min_length=1)

    _final = field_validator("final")(_check_score)


class Mechanism(_Model):
    """One case's coding of one codebook mechanism."""

    code: str
    score: float | None = Field(None, description="Membership; null for not_reported")
    status: Literal["present", "weak", "proposed", "absent", "not_reported"]
    rationale: str = ""
    dimensions: list[str] | None = Field(
        None,
        min_length=1,
        description="The source's own 共建/共治/共享 mapping, overriding the codebook's",
    )
    actors: list[str] = Field(default_factory=list)
    year: int | None = Field(None, ge=1949, le=2100)
    evidence: list[Evidence] = Field(default_factory=list)
    adjudication: list[Adjudication] = Field(
        default_factory=list,
        description="One entry per reliability round that disputed this coding",
    )

    _score = field_validator("score")(_check_score)


class Practice(_Model):
    """A named practice or programme of the model."""

    id: str = Field(pattern=_ID)
    name_zh: str = Field(min_length=1)
    name_en: str = Field(min_length=1)
    year: int | None = Field(None, ge=1949, le=2100)
    mechanisms: list[str] = Field(min_length=1)
    evidence: list[Evidence] = Field(min_length=1)


class Indicator(_Model):
    """A number the source gives about the model."""

    id: str = Field(pattern=_ID)
    label_zh: str = Field(min_length=1)
    label_en: str = Field(min_length=1)
    value: float
    value_max: float | None = None
    qualifier: Literal["more_than", "less_than", "about", "target"] | None = None
    unit: str = Field(min_length=1)
    year: int | None = Field(None, ge=1949, le=2100)
    evidence: list[Evidence] = Field(min_length=1)


class OutcomeCoding(_Model):
    """A case's score on one codebook outcome, with who asserts it."""

    outcome: str
    score: float
    claim_strength: str
    claim_note: str | None = Field(
        None, description="Why claim_strength differs from the source's author_relation default"
    )
    rationale: str = ""
    evidence: list[Evidence] = Field(min_length=1)

    _score = field_validator("score")(_check_score)


class ContextItem(_Model):
    """A fact about the case's setting (administrative level, population, stage...)."""

    field: str = Field(description="context_fields id from codebook.yaml")
    value: str = Field(min_length=1, description="Short Chinese value as the text supports it")
    value_num: float | None = Field(None, description="A number where there is one")
    year: int | None = Field(None, ge=1949, le=2100)
    evidence: list[Evidence] = Field(min_length=1)


class Driver(_Model):
    """A top-level push behind the model (批示, leading group, campaign, named document)."""

    kind: str = Field(description="driver_kinds id from codebook.yaml")
    description_zh: str = Field(min_length=1)
    year: int | None = Field(None, ge=1949, le=2100)
    evidence: list[Evidence] = Field(min_length=1)


class ReportedProblem(_Model):
    """A problem or risk the source itself reports."""

    problem_zh: str = Field(min_length=1)
    scope: str = Field(description="problem_scopes id: local (this locality) or general")
    evidence: list[Evidence] = Field(min_length=1)


class Recommendation(_Model):
    """The source's own recommendation (对策建议)."""

    recommendation_zh: str = Field(min_length=1)
    evidence: list[Evidence] = Field(min_length=1)


class Link(_Model):
    """Diffusion or lineage: learned from, diffused to, or related to another model."""

    kind: str = Field(description="link_kinds id from codebook.yaml")
    target: str = Field(min_length=1, description="Free text, or a case id")
    evidence: list[Evidence] = Field(min_length=1)


#: The case-file sections beyond mechanisms, practices, indicators and outcomes (v4).
SECTIONS: tuple[str, ...] = ("context", "drivers", "problems", "recommendations", "links")


class Case(_Model):
    """A governance model coded as mechanisms (``casebase/cases/<id>.yaml``)."""

    id: str = Field(pattern=_ID)
    name_zh: str = Field(min_length=1)
    name_en: str = Field(min_length=1)
    short_zh: str = Field("", description="Short Chinese name for figures (e.g. 东港)")
    short_en: str = Field("", description="Short English name for figures (e.g. Donggang)")
    province: str = Field(min_length=1)
    city: str = Field(min_length=1)
    level: Literal["subdistrict", "district", "county", "prefecture_city", "multi_city"]
    start_year: int | None = Field(None, ge=1949, le=2100)
    sources: list[str] = Field(min_length=1)
    summary_zh: str = ""
    summary_en: str = ""
    mechanisms: list[Mechanism] = Field(default_factory=list)
    practices: list[Practice] = Field(default_factory=list)
    indicators: list[Indicator] = Field(default_factory=list)
    outcomes: list[OutcomeCoding] = Field(default_factory=list)
    context: list[ContextItem] = Field(default_factory=list)
    drivers: list[Driver] = Field(default_factory=list)
    problems: list[ReportedProblem] = Field(default_factory=list)
    recommendations: list[Recommendation] = Field(default_factory=list)
    links: list[Link] = Field(default_factory=list)


class Coding(_Model):
    """An independent coder's coding of one case (``codings/<coder>/<id>.yaml``)."""

    id: str = Field(pattern=_ID)
    coder: str = Field(pattern=_ID)
    codebook_version: int | None = Field(
        None,
        ge=1,
        description="Codebook version coded under (default: the round naming the coder in "
        "rounds.yaml, else the current codebook)",
    )
    sources: list[str] = Field(min_length=1)
    mechanisms: list[Mechanism] = Field(default_factory=list)
    outcomes: list[OutcomeCoding] = Field(default_factory=list)


class Code(_Model):
    id: str = Field(pattern=_ID)
    label_zh: str
    label_en: str
    family: str
    dimensions: list[str] = Field(min_length=1, description="One or more of 共建/共治/共享")
    actors: list[str] = Field(default_factory=list)
    definition: str = Field(min_length=20)
    era_from: int | None = Field(
        None, ge=1949, le=2100, description="First year the practice was possible/common"
    )
    era_note_zh: str | None = None
    frameworks: list[Framework] = Field(default_factory=list)
    tentative: str | None = Field(None, description="Why the code is tentative, if it is")


class Actor(_Model):
    id: str = Field(pattern=_ID)
    label_zh: str
    label_en: str
    sector: Literal["party", "government", "community", "social", "market", "individual", "expert"]


class Family(_Model):
    id: str = Field(pattern=_ID)
    label_zh: str
    label_en: str


class Dimension(_Model):
    id: str
    label_zh: str = ""
    label_en: str


class ScalePoint(_Model):
    score: float
    meaning_zh: str
    meaning_en: str


class OutcomeDef(_Model):
    id: str = Field(pattern=_ID)
    label_zh: str
    label_en: str
    definition: str
    anchors: dict[str, str]

    @field_validator("anchors")
    @classmethod
    def _four_anchors(cls, v: dict[str, str]) -> dict[str, str]:
        if set(v) != {"0", "0.33", "0.67", "1"}:
            raise ValueError("anchors must define exactly 0, 0.33, 0.67 and 1")
        return v


class Labelled(_Model):
    id: str
    label_zh: str
    label_en: str


class ChangelogEntry(_Model):
    version: int
    date: str
    changes: list[str]


class RetiredCode(_Model):
    """A code of an earlier codebook version, kept so frozen codings made under it still load.

    Case files and new codings must use current codes; codings frozen under a version before
    ``retired_in`` may still name it.
    """

    id: str = Field(pattern=_ID)
    label_zh: str
    label_en: str
    retired_in: int = Field(ge=2, description="First codebook version without the code")
    replaced_by: list[str] = Field(default_factory=list, description="Current codes it went into")


class Codebook(_Model):
    """The coding scheme (``casebase/codebook.yaml``)."""

    version: int
    scale: list[ScalePoint]
    statuses: list[str]
    dimensions: list[Dimension]
    families: list[Family]
    actors: list[Actor]
    codes: list[Code] = Field(min_length=1)
    outcomes: list[OutcomeDef]
    claim_strengths: list[Labelled]
    document_types: list[str]
    genres: list[Labelled]
    author_relations: list[Labelled]
    context_fields: list[Labelled]
    stages: list[Labelled]
    driver_kinds: list[Labelled]
    link_kinds: list[Labelled]
    problem_scopes: list[Labelled]
    rules: list[str] = Field(default_factory=list, description="General coding rules")
    retired_codes: list[RetiredCode] = Field(default_factory=list)
    changelog: list[ChangelogEntry] = Field(default_factory=list)


def _check_source_file(name: str) -> str:
    """A source's ``file`` names a file inside the corpus folder: relative, no ``..``."""
    if not name.strip():
        raise ValueError("the file name is empty")
    if PurePosixPath(name).is_absolute() or PureWindowsPath(name).drive or name[0] in "\\~":
        raise ValueError(
            f"{name!r} is an absolute path: name the file relative to the corpus folder"
        )
    if ".." in re.split(r"[\\/]", name):
        raise ValueError(f"{name!r} leads out of the corpus folder (`..`): name a file inside it")
    return name


def source_path(corpus: Path, name: str) -> Path:
    """The file a source names, confined to the corpus folder.

    Parameters
    ----------
    corpus : Path
        The corpus folder.
    name : str
        The ``file`` of a source in ``sources.yaml``.

    Raises
    ------
    ValueError
        If ``name`` is absolute, contains ``..`` or is a symbolic link that leads out
        of the corpus folder.

    Examples
    --------
    >>> source_path(Path("seeds"), "a/b.txt").as_posix()
    'seeds/a/b.txt'
    >>> source_path(Path("seeds"), "../../etc/passwd")
    Traceback (most recent call last):
    ...
    ValueError: '../../etc/passwd' leads out of the corpus folder (`..`): name a file inside it
    """
    path = corpus / _check_source_file(name)
    if not path.resolve().is_relative_to(corpus.resolve()):
        raise ValueError(f"{name!r} is a symbolic link that leads out of the corpus folder")
    return path


class Coverage(_Model):
    """Which part of the original work the corpus holds."""

    held_zh: str = Field(min_length=1)
    complete: bool = Field(description="True only when the corpus holds the whole work")
    not_covered: list[str] = Field(
        default_factory=list, description="Family or code ids the excerpt cannot speak to"
    )
    note_zh: str = ""


class Source(_Model):
    id: str = Field(pattern=_ID)
    file: str = Field(description="File name inside the corpus folder")
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    title: str
    authors: list[str]
    venue: str
    date: str | None
    doc_type: str
    genre: str = Field(description="genres id from codebook.yaml")
    author_relation: str = Field(description="author_relations id from codebook.yaml")
    author_relation_basis: str = Field(min_length=1, description="What in the text shows it")
    coverage: Coverage

    _file = field_validator("file")(_check_source_file)


class Sources(_Model):
    sources: list[Source] = Field(min_length=1)


def _different_coders(coders: list[str]) -> list[str]:
    # One coder compared with itself agrees perfectly (alpha = 1) and measures nothing.
    if len(set(coders)) < len(coders):
        raise ValueError(
            f"coder {coders[0]!r} is listed twice (a round compares two different coders)"
        )
    return coders


class RoundDef(_Model):
    """One round of the reliability check (``codings/rounds.yaml``)."""

    id: str | int = Field(description="Round id, named by adjudications")
    codebook_version: int = 1
    coders: list[str] = Field(
        min_length=2, max_length=2, description="The two coders compared (`final` = case files)"
    )
    note: str = ""

    _coders = field_validator("coders")(_different_coders)


class Rounds(_Model):
    rounds: list[RoundDef] = Field(default_factory=list)


# ------------------------------------------------------------------------- problems


@dataclass(frozen=True)
class Problem:
    """One validation problem, printed as ``file:line: field: message``."""

    file: str
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return (
            f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"
        )


class CaseBaseError(Exception):
    """Raised when the case base has problems; ``problems`` lists every one."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


# ------------------------------------------------------------------------ YAML I/O


@dataclass
class YamlDoc:
    """A parsed YAML file: plain data for validation, line numbers on demand.

    Parsing is done by libyaml (fast); the slower round-trip parse that knows every
    node's line runs only when a problem needs a line number.
    """

    data: Any
    text: str

    @cached_property
    def rt(self) -> Any:
        """The round-trip document (ruamel), with line numbers; None if it cannot parse."""
        try:
            return roundtrip_yaml().load(self.text)
        except (YAMLError, ValueError, TypeError):
            return None


def read_yaml(path: Path, display: str) -> tuple[YamlDoc | None, list[Problem]]:
    """Parse one YAML file, returning the document or the parse problem.

    Parameters
    ----------
    path : Path
        File to read.
    display : str
        How to name the file in messages (relative path).

    Returns
    -------
    tuple
        ``(document, problems)``; the document is None when parsing failed.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "x.yaml"
    >>> _ = p.write_text("a: [1, 2", encoding="utf-8")
    >>> doc, problems = read_yaml(p, "x.yaml")
    >>> doc is None, problems[0].file
    (True, 'x.yaml')
    """
    try:
        data, text = read_yaml_file(path, display)
    except YamlError as exc:
        return None, [Problem(exc.file, exc.line, "", exc.message)]
    return YamlDoc(data, text), []


def _line_of(node: Any, loc: Iterable[Any]) -> int | None:
    """Best line number (1-based) for a pydantic error location inside a YAML node."""
    if isinstance(node, YamlDoc):
        node = node.rt
    line = None
    for step in loc:
        try:
            if isinstance(node, CommentedMap) and step in node:
                line = node.lc.key(step)[0] + 1
                node = node[step]
            elif isinstance(node, CommentedSeq) and isinstance(step, int) and step < len(node):
                line = node.lc.item(step)[0] + 1
                node = node[step]
            else:
                break
        except (KeyError, IndexError, TypeError, AttributeError):
            break
    if line is None and isinstance(node, CommentedMap | CommentedSeq):
        line = node.lc.line + 1
    return line


def _plain(node: Any) -> Any:
    """Convert ruamel containers and scalars into plain Python values."""
    kind = type(node)
    # Fast paths for what libyaml already gives: plain scalars, dicts with str keys, lists.
    if kind is str or kind is int or kind is float or kind is bool or node is None:
        return node
    if kind is dict:
        return {k if type(k) is str else str(k): _plain(v) for k, v in node.items()}
    if kind is list:
        return [_plain(v) for v in node]
    if isinstance(node, dict):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    if isinstance(node, bool) or node is None:
        return node
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    if isinstance(node, str):
        return str(node)
    return node


def _field(loc: Iterable[Any]) -> str:
    out = ""
    for step in loc:
        out += f"[{step}]" if isinstance(step, int) else (f".{step}" if out else str(step))
    return out


def parse_model(model: type[_Model], doc: Any, display: str) -> tuple[Any, list[Problem]]:
    """Validate a parsed YAML document against a pydantic model.

    Examples
    --------
    >>> obj, problems = parse_model(Evidence, {"source": "s", "quote": ""}, "f.yaml")
    >>> problems[0].field
    'quote'
    """
    data = doc.data if isinstance(doc, YamlDoc) else doc
    if not isinstance(data, dict):
        kind = "empty" if data is None else type(data).__name__
        return None, [Problem(display, 1, "", f"expected a mapping at the top level, found {kind}")]
    try:
        return model.model_validate(_plain(data)), []
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = tuple(err["loc"])
            msg = err["msg"]
            if err["type"] == "extra_forbidden":
                msg = "unknown field (check its spelling against casebase/README.md)"
            elif msg.startswith("Value error, "):
                msg = msg[len("Value error, ") :]
            problems.append(Problem(display, _line_of(doc, loc), _field(loc), msg))
        return None, problems


# ------------------------------------------------------------------------ the base


def sha256_file(path: Path) -> str:
    """SHA-256 hex digest of a file's bytes.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "a.txt"; _ = p.write_bytes(b"")
    >>> sha256_file(p)[:12]
    'e3b0c44298fc'
    """
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass
class CaseBase:
    """The loaded, validated case base and the tidy frames analyses use."""

    root: Path
    codebook: Codebook
    sources: dict[str, Source]
    cases: dict[str, Case]
    codings: dict[str, dict[str, Coding]] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)

    # -- lookups ---------------------------------------------------------------
    @cached_property
    def code_ids(self) -> list[str]:
        """Codebook codes in codebook order."""
        return [c.id for c in self.codebook.codes]

    @cached_property
    def outcome_ids(self) -> list[str]:
        return [o.id for o in self.codebook.outcomes]

    @property
    def case_ids(self) -> list[str]:
        return list(self.cases)

    def labels(self, lang: str = "zh") -> dict[str, dict[str, str]]:
        """Display labels by kind (case, code, family, actor, outcome, dimension, claim).

        Examples
        --------
        >>> cb.labels("en")["case"]["shaoxing"]      # doctest: +SKIP
        'Shaoxing: party-building-led urban community governance'
        """
        zh = lang == "zh"
        cbk = self.codebook
        return {
            "case": {c.id: (c.name_zh if zh else c.name_en) for c in self.cases.values()},
            "case_short": {
                c.id: ((c.short_zh or c.name_zh) if zh else (c.short_en or c.name_en))
                for c in self.cases.values()
            },
            "code": {c.id: (c.label_zh if zh else c.label_en) for c in cbk.codes},
            "family": {f.id: (f.label_zh if zh else f.label_en) for f in cbk.families},
            "actor": {a.id: (a.label_zh if zh else a.label_en) for a in cbk.actors},
            "outcome": {o.id: (o.label_zh if zh else o.label_en) for o in cbk.outcomes},
            "dimension": {
                d.id: (d.id if zh else d.label_en.split(" (")[0]) for d in cbk.dimensions
            },
            "claim": {c.id: (c.label_zh if zh else c.label_en) for c in cbk.claim_strengths},
        }

    def outcome_scores(self, outcome: str) -> pd.Series:
        """Each case's score on one outcome; NaN where the source is silent on it.

        Examples
        --------
        >>> cb.outcome_scores("service_quality").notna().all()   # doctest: +SKIP
        True
        """
        out = self.outcomes()
        s = out[out["outcome"] == outcome].set_index("case_id")["score"]
        return s.reindex(self.case_ids).astype(float).rename(outcome)

    # -- frames ----------------------------------------------------------------
    def codebook_frame(self) -> pd.DataFrame:
        """Codes with family, dimensions (list), labels, actors, era and definition
        (index ``code``)."""
        rows = [c.model_dump() for c in self.codebook.codes]
        return pd.DataFrame(rows).rename(columns={"id": "code"}).set_index("code")

    def actors_frame(self) -> pd.DataFrame:
        """Actor vocabulary (index ``actor``)."""
        rows = [a.model_dump() for a in self.codebook.actors]
        return pd.DataFrame(rows).rename(columns={"id": "actor"}).set_index("actor")

    def dimension_overrides(self) -> dict[tuple[str, str], list[str]]:
        """``(case_id, code) -> dimensions`` where a case file follows its source's own
        共建/共治/共享 mapping of a mechanism (``mechanisms[].dimensions``).

        Examples
        --------
        >>> cb.dimension_overrides()[("shaoxing", "regionalized_party_building")]  # doctest: +SKIP
        ['共建']
        """
        return {
            (cid, m.code): list(m.dimensions)
            for cid, case in self.cases.items()
            for m in case.mechanisms
            if m.dimensions
        }

    def source_year(self, case_id: str) -> int | None:
        """The year the case's latest source was written (its ``date``), or None if undated.

        A source written before a code's ``era_from`` cannot report that practice: its silence
        is "before the era" (``status_derived`` ``before_era``), not weakness.

        Examples
        --------
        >>> cb.source_year("zhoushan_donggang")      # doctest: +SKIP
        2011
        """
        years = [
            int(d[:4])
            for sid in self.cases[case_id].sources
            if (d := self.sources[sid].date) and d[:4].isdigit()
        ]
        return max(years) if years else None

    def codings_frame(self) -> pd.DataFrame:
        """Every case x code with score, status, rationale and year.

        A code a case leaves out is ``not_reported``.  ``score`` is NaN for not_reported:
        missing data, never 0.  ``status_derived`` tells a not_reported code that the
        source's excerpt does not cover (``not_covered``, from ``coverage.not_covered``), and
        one whose practice became possible only after the source was written
        (``before_era``: the code's ``era_from`` is later than :meth:`source_year`), from one
        the source is silent on; it equals ``status`` otherwise.

        Examples
        --------
        >>> f = cb.codings_frame()                                  # doctest: +SKIP
        >>> f[f["status"] == "not_reported"]["score"].isna().all()  # doctest: +SKIP
        True
        """
        not_covered = {cid: self.not_covered(cid) for cid in self.cases}
        era = {c.id: c.era_from for c in self.codebook.codes}
        rows = []
        for cid, case in self.cases.items():
            coded = {m.code: m for m in case.mechanisms}
            written = self.source_year(cid)
            for code in self.code_ids:
                m = coded.get(code)
                status = m.status if m else "not_reported"
                derived = status
                if status == "not_reported" and code in not_covered[cid]:
                    derived = "not_covered"
                elif status == "not_reported" and written and era[code] and written < era[code]:
                    derived = "before_era"
                rows.append(
                    {
                        "case_id": cid,
                        "code": code,
                        "score": m.score if m and m.score is not None else float("nan"),
                        "status": status,
                        "status_derived": derived,
                        "rationale": m.rationale if m else "",
                        "year": m.year if m else None,
                    }
                )
        cols = ["case_id", "code", "score", "status", "status_derived", "rationale", "year"]
        return pd.DataFrame(rows, columns=cols).astype({"score": float})

    def cases_not_covering(self, family: str) -> list[str]:
        """Cases whose sources' excerpts cover none of a family's codes.

        Examples
        --------
        >>> cb.cases_not_covering("party_leadership")     # doctest: +SKIP
        ['xiamen_haicang']
        """
        codes = {c.id for c in self.codebook.codes if c.family == family}
        return [cid for cid in self.cases if codes and codes <= self.not_covered(cid)]

    def not_covered(self, case_id: str) -> set[str]:
        """Codes the case's sources cannot speak to (``coverage.not_covered`` of any of
        its sources, by family or code id): silence there is "not covered by the
        excerpt", not "not reported".

        Examples
        --------
        >>> sorted(cb.not_covered("xiamen_haicang"))[:1]     # doctest: +SKIP
        ['contract_co_building']
        """
        listed = {
            x
            for sid in self.cases[case_id].sources
            if sid in self.sources
            for x in self.sources[sid].coverage.not_covered
        }
        return {c.id for c in self.codebook.codes if c.id in listed or c.family in listed}

    def membership(self) -> pd.DataFrame:
        """Case x code fuzzy membership matrix (index ``case_id``, codebook column order).

        NaN where the case's source does not report the code (missing, never 0).
        """
        long = self.codings_frame()
        wide = long.pivot(index="case_id", columns="code", values="score")
        wide = wide.reindex(index=self.case_ids, columns=self.code_ids).astype(float)
        wide.columns.name = None
        return wide

    def mechanism_actors(self) -> pd.DataFrame:
        """One row per case x coded mechanism (score > 0) x actor involved."""
        rows = [
            {"case_id": cid, "code": m.code, "score": m.score, "actor": a}
            for cid, case in self.cases.items()
            for m in case.mechanisms
            if m.score is not None and m.score > 0
            for a in m.actors
        ]
        return pd.DataFrame(rows, columns=["case_id", "code", "score", "actor"])

    def evidence(self) -> pd.DataFrame:
        """Every evidence span, tagged with the item it supports."""
        rows = []
        for cid, case in self.cases.items():
            for kind, items, key in (
                ("mechanism", case.mechanisms, "code"),
                ("practice", case.practices, "id"),
                ("indicator", case.indicators, "id"),
                ("outcome", case.outcomes, "outcome"),
            ):
                for item in items:
                    for ev in item.evidence:
                        rows.append(
                            {
                                "case_id": cid,
                                "item_kind": kind,
                                "item_id": getattr(item, key),
                                "source_id": ev.source,
                                "start": ev.start,
                                "end": ev.end,
                                "quote": ev.quote,
                            }
                        )
        cols = ["case_id", "item_kind", "item_id", "source_id", "start", "end", "quote"]
        return pd.DataFrame(rows, columns=cols)

    def indicators(self) -> pd.DataFrame:
        """Every indicator with value, unit, year and the evidence span that shows its
        number (:func:`analysis.formatting.supporting_span`; the first span when none
        does), so a neighbouring date is never shown in place of the number."""
        from analysis.formatting import supporting_span

        rows = []
        for cid, case in self.cases.items():
            for ind in case.indicators:
                ev = ind.evidence[supporting_span(ind.value, [e.quote for e in ind.evidence])]
                rows.append(
                    {
                        "case_id": cid,
                        "indicator": ind.id,
                        "label_zh": ind.label_zh,
                        "label_en": ind.label_en,
                        "value": ind.value,
                        "value_max": ind.value_max,
                        "qualifier": ind.qualifier,
                        "unit": ind.unit,
                        "year": ind.year,
                        "source_id": ev.source,
                        "start": ev.start,
                        "end": ev.end,
                        "quote": ev.quote,
                    }
                )
        cols = [
            "case_id",
            "indicator",
            "label_zh",
            "label_en",
            "value",
            "value_max",
            "qualifier",
            "unit",
            "year",
            "source_id",
            "start",
            "end",
            "quote",
        ]
        return pd.DataFrame(rows, columns=cols)

    def outcomes(self) -> pd.DataFrame:
        """Case x outcome scores with claim strength (long format)."""
        rows = [
            {
                "case_id": cid,
                "outcome": o.outcome,
                "score": o.score,
                "claim_strength": o.claim_strength,
                "claim_note": o.claim_note or "",
                "rationale": o.rationale,
            }
            for cid, case in self.cases.items()
            for o in case.outcomes
        ]
        cols = ["case_id", "outcome", "score", "claim_strength", "claim_note", "rationale"]
        return pd.DataFrame(rows, columns=cols)

    def practices(self) -> pd.DataFrame:
        """Named practices with year and the mechanisms they carry."""
        rows = [
            {
                "case_id": cid,
                "practice": p.id,
                "name_zh": p.name_zh,
                "name_en": p.name_en,
                "year": p.year,
                "mechanisms": list(p.mechanisms),
            }
            for cid, case in self.cases.items()
            for p in case.practices
        ]
        return pd.DataFrame(
            rows, columns=["case_id", "practice", "name_zh", "name_en", "year", "mechanisms"]
        )

    def coder_codings(self) -> pd.DataFrame:
        """Every coder's coding: one row per coder x case x (code or outcome).

        Columns ``coder``, ``case_id``, ``kind`` (``mechanism`` or ``outcome``), ``item``
        (code or outcome id), ``score`` (NaN for not_reported: missing, never 0),
        ``status`` (mechanisms) and ``claim_strength`` (outcomes).  The case files'
        current (adjudicated) coding counts as coder ``final``.  Within a coded case a
        code the coder left out is not_reported; an outcome left out has no row (the
        source is silent on it).

        Examples
        --------
        >>> cc = cb.coder_codings()                          # doctest: +SKIP
        >>> sorted(set(cc["kind"]))                          # doctest: +SKIP
        ['mechanism', 'outcome']
        """
        nan = float("nan")
        coded_by: list[tuple[str, str, list[Mechanism], list[OutcomeCoding]]] = [
            ("final", cid, case.mechanisms, case.outcomes) for cid, case in self.cases.items()
        ]
        for coder, by_case in sorted(self.codings.items()):
            coded_by += [
                (coder, cid, c.mechanisms, c.outcomes) for cid, c in sorted(by_case.items())
            ]
        rows = []
        for coder, cid, mechs, outcomes in coded_by:
            coded = {m.code: m for m in mechs}
            for code in self.code_ids:
                m = coded.get(code)
                score = m.score if m is not None and m.score is not None else nan
                status = m.status if m is not None else "not_reported"
                rows.append((coder, cid, "mechanism", code, score, status, ""))
            rows += [
                (coder, cid, "outcome", o.outcome, o.score, "", o.claim_strength) for o in outcomes
            ]
        cols = ["coder", "case_id", "kind", "item", "score", "status", "claim_strength"]
        return pd.DataFrame(rows, columns=cols).astype({"score": float})

    def content_hash(self) -> str:
        """SHA-256 over every file of the case base (names and bytes), for provenance."""
        return casebase_hash(self.root)


def casebase_hash(root: str | os.PathLike[str]) -> str:
    """Hash every YAML file under a case-base folder, in a stable order.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp()); _ = (d / "a.yaml").write_text("x: 1")
    >>> len(casebase_hash(d))
    64
    """
    root = Path(root)
    h = hashlib.sha256()
    for p in sorted(p for p in root.rglob("*") if is_yaml_file(p) and p.is_file()):
        h.update(p.relative_to(root).as_posix().encode())
        h.update(b"\0")
        h.update(p.read_bytes())
    return h.hexdigest()


# ------------------------------------------------------------------------- loading


def is_yaml_file(path: Path) -> bool:
    """Whether a path is a YAML file: ``.yaml`` and ``.yml`` count alike.

    Examples
    --------
    >>> is_yaml_file(Path("cases/a.yml")), is_yaml_file(Path("cases/a.yaml.bak"))
    (True, False)
    """
    return path.suffix in (".yaml", ".yml")


def _yaml_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if is_yaml_file(p) and p.is_file())


def _case_files(root: Path) -> list[Path]:
    return _yaml_files(root / "cases")


def _coding_files(root: Path) -> Iterator[tuple[str, Path]]:
    base = root / "codings"
    if base.is_dir():
        for coder_dir in sorted(p for p in base.iterdir() if p.is_dir()):
            for f in _yaml_files(coder_dir):
                yield coder_dir.name, f


def evidence_files(root: str | os.PathLike[str]) -> list[Path]:
    """Every case file and independent coding (``.yaml`` or ``.yml``): what locate fills in.

    Examples
    --------
    >>> [p.name for p in evidence_files("casebase")][:1]    # doctest: +SKIP
    ['dongguan.yaml']
    """
    root = Path(root)
    return _case_files(root) + [f for _, f in _coding_files(root)]


def _rel(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root.parent).as_posix()
    except ValueError:
        return path.as_posix()


def _list(data: Any, key: str) -> list[Any]:
    value = data.get(key) if isinstance(data, dict) else None
    return value if isinstance(value, list) else []


def _dicts(data: Any, key: str) -> list[tuple[int, dict[str, Any]]]:
    """The mappings in the list ``data[key]``, with their positions."""
    return [(i, v) for i, v in enumerate(_list(data, key)) if isinstance(v, dict)]


def _text(data: Any, key: str) -> str | None:
    value = data.get(key) if isinstance(data, dict) else None
    return value if isinstance(value, str) else None


def _whole(data: Any, key: str) -> int | None:
    value = data.get(key) if isinstance(data, dict) else None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _ids(data: Any, key: str) -> set[str] | None:
    """The ids of a vocabulary (``codes``, ``actors``, ...); None if it cannot be read."""
    if not isinstance(data, dict) or not isinstance(data.get(key), list):
        return None
    return {i for _, item in _dicts(data, key) if (i := _text(item, "id")) is not None}


class _Collector:
    """Collects problems, each with the line of its location in a YAML document."""

    problems: list[Problem]

    def add(self, file: str, doc: Any, loc: tuple[Any, ...], msg: str) -> None:
        self.problems.append(Problem(file, _line_of(doc, loc), _field(loc), msg))


class _References(_Collector):
    """Checks that every id a file names exists and every quote sits at its offsets.

    They read the plain YAML data, not the validated models, so that they run even
    where the schema found problems: a bad score does not hide an unknown actor or a
    quote that does not match, and a broken codebook entry does not hide the case
    files' problems.  A value of the wrong type is left to the schema's message; a
    vocabulary that cannot be read (None) is not checked against.
    """

    def __init__(
        self,
        codebook: Any,
        sources: Any,
        files: dict[str, str],
        texts: dict[str, str],
        problems: list[Problem],
    ) -> None:
        self.codes = _ids(codebook, "codes")
        # Codes earlier codebooks had: frozen codings made before `retired_in` may name them.
        self.retired = {
            i: v
            for _, item in _dicts(codebook, "retired_codes")
            if (i := _text(item, "id")) is not None and (v := _whole(item, "retired_in"))
        }
        self.actors = _ids(codebook, "actors")
        self.outcomes = _ids(codebook, "outcomes")
        self.claims = _ids(codebook, "claim_strengths")
        self.dimensions = _ids(codebook, "dimensions")
        self.families = _ids(codebook, "families")
        self.sources = _ids(sources, "sources")
        self.files = files
        self.texts = texts
        self.problems = problems

    def unique(self, file: str, doc: Any, data: Any, kind: str, key: str = "id") -> None:
        seen: set[str] = set()
        for i, item in _dicts(data, kind):
            value = _text(item, key)
            if value in seen:
                what = "id" if key == "id" else key
                self.add(file, doc, (kind, i, key), f"duplicate {what} {value!r}")
            if value is not None:
                seen.add(value)

    def known(
        self, file: str, doc: Any, loc: tuple[Any, ...], value: Any, ids: set[str] | None, msg: str
    ) -> None:
        """Report ``msg % value`` if ``value`` is a string that is not one of ``ids``."""
        if isinstance(value, str) and ids is not None and value not in ids:
            self.add(file, doc, loc, msg % (value,))

    def codebook(self, file: str, doc: Any, data: Any) -> None:
        for kind in ("codes", "actors", "families", "outcomes"):
            self.unique(file, doc, data, kind)
        for i, c in _dicts(data, "codes"):
            self.known(
                file,
                doc,
                ("codes", i, "family"),
                c.get("family"),
                self.families,
                "unknown family %r",
            )
            for key, ids in (("dimensions", self.dimensions), ("actors", self.actors)):
                for j, x in enumerate(_list(c, key)):
                    self.known(file, doc, ("codes", i, key, j), x, ids, f"unknown {key[:-1]} %r")

    def listed_sources(self, file: str, doc: Any, data: Any) -> set[str] | None:
        """A file's own ``sources``, checked against sources.yaml; None if unreadable."""
        if not isinstance(data, dict) or not isinstance(data.get("sources"), list):
            return None
        for i, s in enumerate(data["sources"]):
            self.known(
                file,
                doc,
                ("sources", i),
                s,
                self.sources,
                "unknown source %r (not in sources.yaml)",
            )
        return {s for s in data["sources"] if isinstance(s, str)}

    def evidence(
        self, file: str, doc: Any, loc: tuple[Any, ...], item: Any, allowed: set[str] | None
    ) -> None:
        for i, ev in _dicts(item, "evidence"):
            here = (*loc, "evidence", i)
            source = _text(ev, "source")
            if source is None:
                continue
            if self.sources is not None and source not in self.sources:
                self.add(
                    file, doc, (*here, "source"), f"unknown source {source!r} (not in sources.yaml)"
                )
                continue
            if allowed is not None and source not in allowed:
                self.add(
                    file,
                    doc,
                    (*here, "source"),
                    f"source {source!r} is not listed in this file's `sources`",
                )
            if ev.get("start") is None or ev.get("end") is None:
                self.add(file, doc, here, "start/end missing: run `workbench locate --sources DIR`")
                continue
            start, end, quote = _whole(ev, "start"), _whole(ev, "end"), _text(ev, "quote")
            if start is None or end is None or quote is None or start < 0 or end < 0:
                continue  # the schema says what is wrong
            if end - start != len(quote):
                self.add(
                    file,
                    doc,
                    (*here, "end"),
                    f"end - start = {end - start} but the quote has {len(quote)} characters",
                )
            text = self.texts.get(source)
            if text is None:
                continue
            found = text[start:end]
            if found != quote:
                self.add(
                    file,
                    doc,
                    (*here, "quote"),
                    f"quote does not match {self.files[source]}[{start}:{end}] "
                    f"which reads {found[:40]!r}",
                )
            elif (n := _whole(ev, "occurrence")) is not None and n >= 1:
                self.occurrence(file, doc, here, start, n, quote_offsets(text, quote))

    def occurrence(
        self, file: str, doc: Any, here: tuple[Any, ...], start: int, n: int, hits: list[int]
    ) -> None:
        """``start`` must be the ``n``-th occurrence of the quote."""
        actual = hits.index(start) + 1
        if actual == n:
            return
        meant = (
            f"which starts at {hits[n - 1]}"
            if n <= len(hits)
            else f"the quote occurs {len(hits)} times"
        )
        self.add(
            file,
            doc,
            (*here, "occurrence"),
            f"start {start} is occurrence {actual} of the quote's {len(hits)}, "
            f"not occurrence {n} ({meant}): correct `occurrence` or rerun `workbench locate`",
        )

    def mechanisms(
        self, file: str, doc: Any, data: Any, allowed: set[str] | None, version: int | None = None
    ) -> None:
        self.unique(file, doc, data, "mechanisms", "code")
        codes = self.codes
        if codes is not None:
            # An unknown version (rounds.yaml unreadable, reported on its own) does not turn
            # every retired code of a frozen coding into a problem of its own.
            codes = codes | {
                c
                for c, retired_in in self.retired.items()
                if version is None or version < retired_in
            }
        for i, m in _dicts(data, "mechanisms"):
            loc = ("mechanisms", i)
            self.known(
                file,
                doc,
                (*loc, "code"),
                m.get("code"),
                codes,
                "unknown code %r (not in codebook.yaml)",
            )
            for j, d in enumerate(_list(m, "dimensions")):
                self.known(
                    file, doc, (*loc, "dimensions", j), d, self.dimensions, "unknown dimension %r"
                )
            for j, a in enumerate(_list(m, "actors")):
                self.known(
                    file,
                    doc,
                    (*loc, "actors", j),
                    a,
                    self.actors,
                    "unknown actor %r (not in codebook.yaml)",
                )
            self.evidence(file, doc, loc, m, allowed)

    def outcomes_of(self, file: str, doc: Any, data: Any, allowed: set[str] | None) -> None:
        self.unique(file, doc, data, "outcomes", "outcome")
        ok = ", ".join(sorted(self.claims or ()))
        for i, o in _dicts(data, "outcomes"):
            loc = ("outcomes", i)
            self.known(
                file,
                doc,
                (*loc, "outcome"),
                o.get("outcome"),
                self.outcomes,
                "unknown outcome %r (not in codebook.yaml)",
            )
            self.known(
                file,
                doc,
                (*loc, "claim_strength"),
                o.get("claim_strength"),
                self.claims,
                f"%r is not one of {ok}",
            )
            self.evidence(file, doc, loc, o, allowed)

    def case(self, file: str, doc: Any, data: Any, stem: str) -> None:
        cid = _text(data, "id")
        if cid is not None and cid != stem:
            self.add(file, doc, ("id",), f"id {cid!r} must equal the file name {stem!r}")
        allowed = self.listed_sources(file, doc, data)
        self.mechanisms(file, doc, data, allowed)
        for kind in ("practices", "indicators"):
            self.unique(file, doc, data, kind)
        for kind in ("practices", "indicators", *SECTIONS):
            for i, item in _dicts(data, kind):
                self.evidence(file, doc, (kind, i), item, allowed)
        for i, p in _dicts(data, "practices"):
            for j, code in enumerate(_list(p, "mechanisms")):
                self.known(
                    file,
                    doc,
                    ("practices", i, "mechanisms", j),
                    code,
                    self.codes,
                    "unknown code %r",
                )
        self.outcomes_of(file, doc, data, allowed)

    def coding(
        self,
        file: str,
        doc: Any,
        data: Any,
        coder: str,
        stem: str,
        cases: set[str],
        version: int | None = None,
    ) -> None:
        name = _text(data, "coder")
        if name is not None and name != coder:
            self.add(file, doc, ("coder",), f"coder {name!r} must equal the folder name {coder!r}")
        cid = _text(data, "id")
        if cid is not None and cid != stem:
            self.add(file, doc, ("id",), f"id {cid!r} must equal the file name {stem!r}")
        elif cid is not None and cid not in cases:
            self.add(
                file,
                doc,
                ("id",),
                f"no case {cid!r} in cases/ (an independent coding codes a case "
                "of the case base; check the file name)",
            )
        allowed = self.listed_sources(file, doc, data)
        own = _whole(data, "codebook_version")
        self.mechanisms(file, doc, data, allowed, own if own is not None else version)
        self.outcomes_of(file, doc, data, allowed)


class _Checker(_Collector):
    """What the ids cannot tell: scores against statuses, claims against sources, vocabularies.

    Runs on the validated models, so only for files the schema accepted (with a valid
    codebook and sources.yaml); :class:`_References` checks every file.
    """

    def __init__(
        self,
        codebook: Codebook,
        sources: dict[str, Source],
        problems: list[Problem],
    ) -> None:
        self.codebook = codebook
        self.sources = sources
        self.problems = problems

    def vocab(
        self, file: str, doc: Any, loc: tuple[Any, ...], value: str, kind: str, what: str
    ) -> None:
        """Check that ``value`` is an id of the codebook vocabulary ``kind``."""
        ids = {v.id for v in getattr(self.codebook, kind)}
        if value not in ids:
            self.add(file, doc, loc, f"unknown {what} {value!r} (one of {', '.join(sorted(ids))})")

    def mechanisms(
        self,
        file: str,
        doc: Any,
        mechs: list[Mechanism],
        legacy_zero: bool = False,
    ) -> None:
        """Check mechanism codings; ``legacy_zero`` accepts the v1-v3 ``score: 0`` for
        not_reported (read as missing)."""
        for i, m in enumerate(mechs):
            loc = ("mechanisms", i)
            allowed_scores = STATUS_SCORES[m.status]
            if m.status == "not_reported":
                if m.score is not None and not (legacy_zero and m.score == 0):
                    self.add(
                        file,
                        doc,
                        (*loc, "score"),
                        f"status 'not_reported' is missing data: score must be null, "
                        f"got {m.score:g}",
                    )
            elif m.score is None or m.score not in allowed_scores:
                ok = " or ".join(f"{s:g}" for s in allowed_scores)
                got = "null" if m.score is None else f"{m.score:g}"
                self.add(
                    file,
                    doc,
                    (*loc, "score"),
                    f"status {m.status!r} requires score {ok}, got {got}",
                )
            if m.status == "not_reported" and m.evidence:
                self.add(
                    file,
                    doc,
                    (*loc, "evidence"),
                    "status not_reported cannot have evidence "
                    "(use `absent` if the source reports it missing)",
                )
            if m.status != "not_reported" and not m.evidence:
                self.add(
                    file,
                    doc,
                    (*loc, "evidence"),
                    f"status {m.status!r} needs at least one evidence span",
                )
            if m.adjudication:
                final = m.adjudication[-1].final
                score = None if (legacy_zero and m.status == "not_reported") else m.score
                if final != score:
                    fmt = lambda v: "null" if v is None else f"{v:g}"  # noqa: E731
                    self.add(
                        file,
                        doc,
                        (*loc, "adjudication", len(m.adjudication) - 1, "final"),
                        f"adjudicated final score {fmt(final)} differs from score {fmt(score)}",
                    )

    def outcome_codings(
        self,
        file: str,
        doc: Any,
        outcomes: list[OutcomeCoding],
        mechs: list[Mechanism],
    ) -> None:
        """Outcomes: claim strength against the sources' author relation, and
        (from codebook v4) passages apart from every mechanism passage of the case."""
        spans = [
            (m.code, ev.source, ev.start, ev.end)
            for m in mechs
            for ev in m.evidence
            if ev.start is not None and ev.end is not None
        ]
        for i, o in enumerate(outcomes):
            loc = ("outcomes", i)
            default = self.default_claim({ev.source for ev in o.evidence})
            if default and o.claim_strength != default and not o.claim_note:
                self.add(
                    file,
                    doc,
                    (*loc, "claim_strength"),
                    f"{o.claim_strength!r} differs from {default!r}, the default for the "
                    "source's author_relation: add a claim_note saying why",
                )
            if self.codebook.version < V4:
                continue
            for j, ev in enumerate(o.evidence):
                if ev.start is None or ev.end is None:
                    continue
                for code, src, start, end in spans:
                    if src == ev.source and start < ev.end and ev.start < end:
                        self.add(
                            file,
                            doc,
                            (*loc, "evidence", j),
                            f"outcome {o.outcome!r} evidence [{ev.start}:{ev.end}] overlaps the "
                            f"evidence [{start}:{end}] of mechanism {code!r}: conditions and "
                            "outcomes must rest on different passages",
                        )

    def default_claim(self, source_ids: set[str]) -> str | None:
        """The claim strength the sources' author relation implies (None if unknown/mixed)."""
        defaults = {
            DEFAULT_CLAIM.get(self.sources[s].author_relation)
            for s in source_ids
            if s in self.sources
        }
        return defaults.pop() if len(defaults) == 1 else None

    def case(self, file: str, doc: Any, case: Case) -> None:
        self.mechanisms(file, doc, case.mechanisms)
        self.outcome_codings(file, doc, case.outcomes, case.mechanisms)
        for i, c in enumerate(case.context):
            self.vocab(file, doc, ("context", i, "field"), c.field, "context_fields", "field")
            if c.field == "stage":
                self.vocab(file, doc, ("context", i, "value"), c.value, "stages", "stage")
        for i, d in enumerate(case.drivers):
            self.vocab(file, doc, ("drivers", i, "kind"), d.kind, "driver_kinds", "kind")
        for i, p in enumerate(case.problems):
            self.vocab(file, doc, ("problems", i, "scope"), p.scope, "problem_scopes", "scope")
        for i, lk in enumerate(case.links):
            self.vocab(file, doc, ("links", i, "kind"), lk.kind, "link_kinds", "kind")


def _missing_not_zero(coding: Coding) -> Coding:
    """A v1-v3 coding with its ``score: 0`` for not_reported read as missing (null)."""
    mechs = [
        m.model_copy(update={"score": None}) if m.status == "not_reported" else m
        for m in coding.mechanisms
    ]
    return coding.model_copy(update={"mechanisms": mechs})


def _problem(display: str, doc: Any, loc: tuple[Any, ...], msg: str) -> Problem:
    """A problem at a location inside a parsed YAML document."""
    return Problem(display, _line_of(doc, loc), _field(loc), msg)


def _check_sources(codebook: Codebook, srcs: Sources, display: str, doc: Any) -> list[Problem]:
    """Source criticism fields against the codebook's vocabularies."""
    problems: list[Problem] = []
    ids = {
        "genre": {g.id for g in codebook.genres},
        "author_relation": {a.id for a in codebook.author_relations},
    }
    scopes = {f.id for f in codebook.families} | {c.id for c in codebook.codes}
    for i, s in enumerate(srcs.sources):
        for key, allowed in ids.items():
            value = getattr(s, key)
            if value not in allowed:
                msg = f"unknown {key} {value!r} (one of {', '.join(sorted(allowed))})"
                problems.append(_problem(display, doc, ("sources", i, key), msg))
        for j, x in enumerate(s.coverage.not_covered):
            if x not in scopes:
                loc = ("sources", i, "coverage", "not_covered", j)
                msg = f"{x!r} is neither a family nor a code id of codebook.yaml"
                problems.append(_problem(display, doc, loc, msg))
    return problems


def _valid_sources(doc: YamlDoc | None) -> list[tuple[int, Source]]:
    """The entries of sources.yaml that are valid on their own, with their positions."""
    valid = []
    for i, item in _dicts(doc.data if doc else None, "sources"):
        try:
            valid.append((i, Source.model_validate(_plain(item))))
        except ValidationError:
            continue  # reported by the schema check of the whole file
    return valid


def corpus_paths(sources_dir: SourcesArg) -> tuple[Path, ...]:
    """The corpus folders named by ``sources_dir``: one path, several, or none.

    A string may hold several folders separated by ``os.pathsep``.

    Examples
    --------
    >>> corpus_paths(None)
    ()
    >>> corpus_paths(["a", Path("b")])
    (PosixPath('a'), PosixPath('b'))
    """
    from analysis.project import split_folders

    return tuple(Path(f) for f in split_folders(sources_dir))


def find_source(name: str, folders: Sequence[Path], source_id: str | None = None) -> Path:
    """The one file among the corpus folders that a source names (see :func:`source_path`).

    Raises
    ------
    ValueError
        If ``name`` leads out of a corpus folder, is in none of them, or is in more
        than one (which text is meant would be ambiguous).

    Examples
    --------
    >>> find_source("a.txt", [Path("/nonexistent/x"), Path("/nonexistent/y")], "s1")
    Traceback (most recent call last):
    ...
    ValueError: source file 'a.txt' of 's1' not found in /nonexistent/x or /nonexistent/y
    """
    hits = [p for p in (source_path(f, name) for f in folders) if p.is_file()]
    what = f"source file {name!r}" + (f" of {source_id!r}" if source_id else "")
    if not hits:
        raise ValueError(f"{what} not found in {' or '.join(str(f) for f in folders)}")
    if len(hits) > 1:
        raise ValueError(
            f"{what} is in more than one corpus folder ({hits[0]}, {hits[1]}): "
            "keep one copy or rename one"
        )
    return hits[0]


def _load_sources_texts(
    sources: list[tuple[int, Source]], corpus: Sequence[Path], display: str, doc: Any
) -> tuple[dict[str, str], list[Problem]]:
    texts: dict[str, str] = {}
    problems: list[Problem] = []
    for i, src in sources:
        sid = src.id
        try:
            path = find_source(src.file, corpus, sid)
        except ValueError as exc:
            # The line only now: it needs the slow round-trip parse of sources.yaml.
            line = _line_of(doc, ("sources", i, "file"))
            problems.append(Problem(display, line, f"sources[{i}].file", str(exc)))
            continue
        data = path.read_bytes()
        if hashlib.sha256(data).hexdigest() != src.sha256:
            problems.append(
                Problem(
                    display,
                    _line_of(doc, ("sources", i, "sha256")),
                    f"sources[{i}].sha256",
                    f"{path} has a different sha256: the source text changed",
                )
            )
        try:
            texts[sid] = decode_utf8(data, str(path), "then record its new sha256 in sources.yaml")
        except YamlError as exc:
            problems.append(Problem(exc.file, exc.line, "", exc.message))
    return texts, problems


def _missing_folders(corpus: Sequence[Path]) -> list[Problem]:
    return [Problem(str(f), None, "", "sources folder not found") for f in corpus if not f.is_dir()]


def load_rounds(root: str | os.PathLike[str] = "casebase") -> dict[str, Any] | None:
    """Read and check ``codings/rounds.yaml``: its plain data, or None when absent.

    Raises
    ------
    CaseBaseError
        If the file is not safe, well-formed YAML or does not fit :class:`Rounds`.

    Examples
    --------
    >>> load_rounds("/nonexistent") is None
    True
    """
    root = Path(root)
    path = root / "codings" / "rounds.yaml"
    if not path.is_file():
        return None
    display = _rel(path, root)
    doc, problems = read_yaml(path, display)
    if doc is not None:
        rounds, problems = parse_model(Rounds, doc, display)
    if problems:
        raise CaseBaseError(problems)
    return rounds.model_dump()


def load_codebook(root: str | os.PathLike[str] = "casebase") -> Codebook:
    """Load and validate only ``codebook.yaml``.

    Examples
    --------
    >>> len(load_codebook("casebase").codes) >= 25      # doctest: +SKIP
    True
    """
    path = Path(root) / "codebook.yaml"
    doc, problems = read_yaml(path, _rel(path, Path(root)))
    if doc is None:
        raise CaseBaseError(problems)
    codebook, problems = parse_model(Codebook, doc, _rel(path, Path(root)))
    if codebook is None:
        raise CaseBaseError(problems)
    return codebook


def load_casebase(
    root: str | os.PathLike[str] = "casebase",
    sources_dir: SourcesArg = None,
    *,
    cache: bool = False,
) -> CaseBase:
    """Load and validate the whole case base.

    Parameters
    ----------
    root : path-like
        The ``casebase/`` folder.
    sources_dir : path-like or sequence of them, optional
        Corpus folder(s) with the source texts named in ``sources.yaml`` (a string may
        name several, ``os.pathsep``-separated).  When given, every source file must be
        in exactly one of them with the recorded sha256 and every quote must equal its
        span; the texts are kept on the returned object.
    cache : bool
        Read the result of an earlier validation of exactly these bytes from this
        user's cache (:mod:`analysis.casebase_cache`) and keep a successful one there.
        Kernels and the batch use it; ``workbench validate`` does not.

    Returns
    -------
    CaseBase

    Raises
    ------
    CaseBaseError
        With every problem found, each naming file, line and field.

    Examples
    --------
    >>> cb = load_casebase("casebase", "../shared/seeds")   # doctest: +SKIP
    >>> sorted(cb.cases)[:2]                                # doctest: +SKIP
    ['dongguan', 'shanghai_ningbo']
    """
    root = Path(root)
    with collector_paused():
        if not cache:
            return _validate(root, sources_dir)
        from analysis import casebase_cache

        corpus = corpus_paths(sources_dir)
        key = casebase_cache.fingerprint(root, with_texts=bool(corpus))
        if key is not None:
            hit = casebase_cache.load(root, corpus, key)
            if hit is not None:
                return hit
        cb = _validate(root, sources_dir)
        if key is not None and key == casebase_cache.fingerprint(root, bool(corpus)):
            casebase_cache.store(cb, key, with_texts=bool(corpus))
        return cb


def _validate(root: Path, sources_dir: SourcesArg) -> CaseBase:
    problems: list[Problem] = []

    def parse(path: Path, model: type[_Model]) -> tuple[Any, Any]:
        display = _rel(path, root)
        doc, probs = read_yaml(path, display)
        problems.extend(probs)
        if doc is None:
            return None, None
        obj, probs = parse_model(model, doc, display)
        problems.extend(probs)
        return obj, doc

    codebook, cb_doc = parse(root / "codebook.yaml", Codebook)
    srcs, src_doc = parse(root / "sources.yaml", Sources)
    cb_display = _rel(root / "codebook.yaml", root)
    src_display = _rel(root / "sources.yaml", root)
    valid_sources = _valid_sources(src_doc)
    texts: dict[str, str] = {}
    corpus = corpus_paths(sources_dir)
    if corpus:
        missing = _missing_folders(corpus)
        problems.extend(missing)
        if not missing:
            texts, probs = _load_sources_texts(valid_sources, corpus, src_display, src_doc)
            problems.extend(probs)
    sources = {s.id: s for _, s in valid_sources}

    # The references of every file that could be read are checked, however much the
    # schema refused; the semantic checks need a valid codebook and sources.yaml.
    refs = _References(
        cb_doc.data if cb_doc else None,
        src_doc.data if src_doc else None,
        {s.id: s.file for s in sources.values()},
        texts,
        problems,
    )
    if cb_doc is not None:
        refs.codebook(cb_display, cb_doc, cb_doc.data)
    if src_doc is not None:
        refs.unique(src_display, src_doc, src_doc.data, "sources")
    checker = None
    if codebook is not None and srcs is not None:
        checker = _Checker(codebook, sources, problems)
        problems += _check_sources(codebook, srcs, src_display, src_doc)

    cases: dict[str, Case] = {}
    case_ids: set[str] = set()
    for path in _case_files(root):
        case, doc = parse(path, Case)
        if doc is None:
            continue
        display = _rel(path, root)
        refs.case(display, doc, doc.data, path.stem)
        cid = _text(doc.data, "id")
        if cid in case_ids:
            refs.add(display, doc, ("id",), f"duplicate case id {cid!r}")
        if cid is not None:
            case_ids.add(cid)
        if case is not None:
            cases[case.id] = case
            if checker is not None:
                checker.case(display, doc, case)

    codings: dict[str, dict[str, Coding]] = {}
    case_stems = {p.stem for p in _case_files(root)}
    rounds = None
    rounds_unreadable = False
    if (root / "codings" / "rounds.yaml").is_file():
        rounds, _ = parse(root / "codings" / "rounds.yaml", Rounds)
        rounds_unreadable = rounds is None
    # A coding without `codebook_version` was made under its (first) round's codebook.
    round_versions: dict[str, int] = {}
    for r in rounds.rounds if rounds is not None else []:
        for coder in r.coders:
            round_versions.setdefault(coder, r.codebook_version)
    for coder, path in _coding_files(root):
        coding, doc = parse(path, Coding)
        if doc is None:
            continue
        display = _rel(path, root)
        # Unknown (None) only when rounds.yaml exists but cannot be read: that is reported once.
        current = _whole(cb_doc.data, "version") if cb_doc is not None else None
        known = round_versions.get(coder, current)
        refs.coding(
            display,
            doc,
            doc.data,
            coder,
            path.stem,
            case_stems,
            None if rounds_unreadable else known,
        )
        if coding is None or checker is None:
            continue
        if rounds_unreadable and coding.codebook_version is None:
            continue  # its codebook version is unknown until rounds.yaml is fixed
        version = coding.codebook_version or round_versions.get(coder, codebook.version)
        legacy = version < FIRST_NULL_SCORE_VERSION
        checker.mechanisms(display, doc, coding.mechanisms, legacy_zero=legacy)
        checker.outcome_codings(display, doc, coding.outcomes, coding.mechanisms)
        if legacy:
            coding = _missing_not_zero(coding)
        codings.setdefault(coder, {})[coding.id] = coding

    if problems:
        # Each file's problems together, in line order; files in the order they were read.
        order: dict[str, int] = {}
        for p in problems:
            order.setdefault(p.file, len(order))
        raise CaseBaseError(sorted(problems, key=lambda p: (order[p.file], p.line or 0)))
    return CaseBase(
        root=root, codebook=codebook, sources=sources, cases=cases, codings=codings, texts=texts
    )


def summary_counts(cb: CaseBase) -> dict[str, int]:
    """Counts printed by ``workbench validate``.

    Examples
    --------
    >>> summary_counts(cb)["cases"]      # doctest: +SKIP
    5
    """
    ev = cb.evidence()
    return {
        "cases": len(cb.cases),
        "codes": len(cb.codebook.codes),
        "actors": len(cb.codebook.actors),
        "outcomes": len(cb.codebook.outcomes),
        "evidenced_mechanisms": int((cb.codings_frame()["score"] > 0).sum()),
        "practices": sum(len(c.practices) for c in cb.cases.values()),
        "indicators": sum(len(c.indicators) for c in cb.cases.values()),
        "evidence_spans": len(ev),
        "independent_codings": sum(len(v) for v in cb.codings.values()),
    }


def json_schemas() -> dict[str, dict[str, Any]]:
    """JSON Schemas of the case-base files, for editors (``casebase/schema/``).

    Examples
    --------
    >>> sorted(json_schemas())
    ['case', 'codebook', 'coding', 'sources']
    """
    return {
        "case": Case.model_json_schema(),
        "codebook": Codebook.model_json_schema(),
        "coding": Coding.model_json_schema(),
        "sources": Sources.model_json_schema(),
    }


def default_sources_dir(root: str | os.PathLike[str] | None = None) -> tuple[Path, ...] | None:
    """The configured corpus folders: ``$WORKBENCH_SOURCES``, else the project setting.

    See :func:`analysis.project.corpus_folders`; ``root`` is the project root
    (default: found from the working directory).

    Examples
    --------
    >>> import os; os.environ.pop("WORKBENCH_SOURCES", None) and None
    >>> default_sources_dir("/nonexistent") is None
    True
    """
    from analysis.project import corpus_folders

    return corpus_folders(root=root) or None


def read_source_texts(
    root: str | os.PathLike[str], sources_dir: SourcesArg
) -> tuple[dict[str, str], list[Problem]]:
    """Read ``sources.yaml`` and the texts it names, without validating the cases.

    Used by ``workbench locate``, which must run before the cases are valid.

    Examples
    --------
    >>> texts, problems = read_source_texts("casebase", "../shared/seeds")  # doctest: +SKIP
    """
    root = Path(root)
    path = root / "sources.yaml"
    display = _rel(path, root)
    doc, problems = read_yaml(path, display)
    if doc is None:
        return {}, problems
    srcs, problems = parse_model(Sources, doc, display)
    if srcs is None:
        return {}, problems
    corpus = corpus_paths(sources_dir)
    missing = _missing_folders(corpus)
    if missing:
        return {}, missing
    return _load_sources_texts(list(enumerate(srcs.sources)), corpus, display, doc)
