"""Named sentence templates: the only way report modules turn facts into text.

Each report module declares its sentences once, as a :class:`Templates` of
named Jinja2 strings in Chinese and English, and renders them with
:meth:`Templates.say`.  Values are Markdown-escaped on the way in (case text
always shows literally) unless they are already sentences
(:class:`~analysis.md_text.MarkdownText`).  A missing value is an error, never
a blank; no sentence is built by cutting or searching another sentence.

Examples
--------
>>> T = Templates({"n": {"zh": "共 {{ n }} 个案例。", "en": "{{ n }} cases."}})
>>> T.say("n", "zh", n=5)
'共 5 个案例。'
>>> T.say("n", "en", n=5)
'5 cases.'
>>> T.say("n", "zh")
Traceback (most recent call last):
jinja2.exceptions.UndefinedError: 'n' is undefined
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any

import jinja2

from analysis.md_text import MarkdownText, as_markdown, markdown_code


def _markdown_value(value: Any) -> Any:
    return as_markdown(value) if isinstance(value, str) else value


@cache
def _env() -> jinja2.Environment:
    # The sentences are Markdown and the values are case-base text (names, labels), so
    # every value is Markdown-escaped on the way in (``finalize``), unless it is already
    # a sentence (MarkdownText); ``| code`` sets a value as a code span.  StrictUndefined
    # turns a missing value into an error, not a blank.
    env = jinja2.Environment(
        undefined=jinja2.StrictUndefined, autoescape=False, finalize=_markdown_value
    )
    env.filters["code"] = markdown_code
    return env


class Templates:
    """A module's named sentences, one template per language.

    Parameters
    ----------
    templates : mapping
        ``name -> {"zh": ..., "en": ...}``; both languages are required.

    Raises
    ------
    ValueError
        If a template lacks a language.

    Examples
    --------
    >>> Templates({"x": {"zh": "甲"}})
    Traceback (most recent call last):
    ValueError: template 'x' lacks en
    """

    def __init__(self, templates: Mapping[str, Mapping[str, str]]) -> None:
        for name, langs in templates.items():
            for lang in ("zh", "en"):
                if lang not in langs:
                    raise ValueError(f"template {name!r} lacks {lang}")
        self._templates = {k: dict(v) for k, v in templates.items()}
        self._compiled: dict[tuple[str, str], Any] = {}

    def names(self) -> list[str]:
        """The template names, sorted.

        Examples
        --------
        >>> Templates({"b": {"zh": "", "en": ""}, "a": {"zh": "", "en": ""}}).names()
        ['a', 'b']
        """
        return sorted(self._templates)

    def say(self, key: str, lang: str, /, **values: Any) -> MarkdownText:
        """Render template ``key`` in ``lang`` with ``values`` (escaped)."""
        lang = "zh" if lang == "zh" else "en"
        if (key, lang) not in self._compiled:
            self._compiled[key, lang] = _env().from_string(self._templates[key][lang])
        return MarkdownText(self._compiled[key, lang].render(**values).strip())


def t(lang: str, zh: str, en: str) -> str:
    """Pick the label for ``lang``.

    Examples
    --------
    >>> t("zh", "案例", "Case"), t("en", "案例", "Case")
    ('案例', 'Case')
    """
    return zh if lang == "zh" else en


def joined(items: Sequence[str], lang: str, limit: int = 8) -> str:
    """Labels joined with the language's list separator (``、`` or ``, ``), capped.

    Examples
    --------
    >>> joined(["甲", "乙", "丙"], "zh", limit=2)
    '甲、乙等 3 项'
    >>> joined(["a", "b"], "en"), joined([], "en")
    ('a and b', '')
    """
    items = list(items)
    # Sentences already in Markdown stay Markdown (they are not escaped twice).
    wrap = MarkdownText if items and all(isinstance(i, MarkdownText) for i in items) else str
    items = [str(i) for i in items]
    if not items:
        return ""
    if lang == "zh":
        head = "、".join(items[:limit])
        return wrap(head + (f"等 {len(items)} 项" if len(items) > limit else ""))
    if len(items) > limit:
        return wrap(", ".join(items[:limit]) + f" and {len(items) - limit} more")
    return wrap(items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1])


CN_NUMERALS = "一二三四五六七八九十"


def heading_number(index: int, level: int, lang: str) -> str:
    """The GB/T 9704 numbering of a heading: 一、 /（一）/ 1. /（1）.

    Parameters
    ----------
    index : int
        1-based position among its siblings.
    level : int
        1 to 4.
    lang : str

    Examples
    --------
    >>> heading_number(2, 1, "zh"), heading_number(3, 2, "zh"), heading_number(1, 3, "zh")
    ('二、', '（三）', '1.')
    >>> heading_number(2, 1, "en")
    '2. '
    """
    if lang != "zh":
        return f"{index}. " if level == 1 else f"{index}) "
    if level == 1:
        return _cn(index) + "、"
    if level == 2:
        return f"（{_cn(index)}）"
    if level == 3:
        return f"{index}."
    return f"（{index}）"


def _cn(n: int) -> str:
    if n <= 10:
        return CN_NUMERALS[n - 1]
    if n < 20:
        return "十" + CN_NUMERALS[n - 11]
    return str(n)
