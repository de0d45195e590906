"""Reader-facing labels for the case base's ids (statuses, levels, claims, genres …).

No raw id reaches a reader: every id the reports print goes through one of
these functions, which fall back to a readable phrase for an unknown id.

Examples
--------
>>> status_label("proposed", "zh"), status_label("before_era", "en")
('仅为建议', 'the source predates the practice')
>>> level_label("subdistrict", "zh")
'街道'
"""

from __future__ import annotations

from typing import Any

STATUS = {
    "zh": {
        "present": "明确存在",
        "weak": "有所涉及",
        "proposed": "仅为建议",
        "absent": "报告为缺失",
        "not_reported": "未报告",
        "not_covered": "节选未覆盖",
        "before_era": "来源早于该做法的年代",
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

LEVELS = {
    "zh": {
        "community": "社区",
        "subdistrict": "街道",
        "district": "区（县）",
        "county": "县",
        "prefecture_city": "地级市",
        "multi_city": "多个城市",
    },
    "en": {
        "community": "community",
        "subdistrict": "subdistrict",
        "district": "district",
        "county": "county",
        "prefecture_city": "prefecture-level city",
        "multi_city": "several cities",
    },
}


def status_label(status: str, lang: str) -> str:
    """A coding status for readers."""
    return STATUS["zh" if lang == "zh" else "en"].get(status, status.replace("_", " "))


def level_label(level: str, lang: str) -> str:
    """An administrative level for readers."""
    return LEVELS["zh" if lang == "zh" else "en"].get(level, level.replace("_", " "))


def level_phrase(level: str, lang: str, where: bool = False) -> str:
    """An administrative level as a phrase: "社区层级", but "多个城市", not "多个城市层级".

    With ``where``, the phrase says where something is done ("在社区层级", "at the
    community level", "in several cities").

    Examples
    --------
    >>> level_phrase("community", "zh"), level_phrase("multi_city", "zh")
    ('社区层级', '多个城市')
    >>> level_phrase("multi_city", "en", where=True), level_phrase("district", "en", where=True)
    ('in several cities', 'at the district level')
    """
    label = level_label(level, lang)
    if lang == "zh":
        phrase = label if level == "multi_city" else f"{label}层级"
        return f"在{phrase}" if where else phrase
    if level == "multi_city":
        return f"in {label}" if where else label
    return f"at the {label} level" if where else f"{label} level"


def vocab_label(cb: Any, vocab: str, value: str | None, lang: str) -> str:
    """The label of an id in one of the codebook's vocabularies (genres, author_relations …).

    ``None`` gives 不明 / unknown.
    """
    if value is None:
        return "不明" if lang == "zh" else "unknown"
    items = getattr(cb.codebook, vocab, None) or []
    for item in items:
        if getattr(item, "id", None) == value:
            return getattr(item, "label_zh" if lang == "zh" else "label_en", value)
    return value.replace("_", " ")


def condition_label(condition: Any, lang: str) -> str:
    """A declared condition's name for readers."""
    return condition.label_zh if lang == "zh" else condition.label_en


def type_label(condition_set: Any, type_id: str | None, lang: str) -> str:
    """An ideal type's name for readers."""
    for it in getattr(condition_set, "types", []):
        if it.id == type_id:
            return it.label_zh if lang == "zh" else it.label_en
    return "无" if lang == "zh" else "none"
