"""Templated findings sentences carry the numbers, in Chinese and in English."""

from __future__ import annotations

import jinja2
import pytest

from analysis import findings as fx


def test_every_template_has_both_languages():
    for key, t in fx.TEMPLATES.items():
        assert set(t) == {"zh", "en"}, key


def test_say_fills_numbers_and_refuses_missing_values():
    assert fx.say("profile_core", "zh", codes="甲、乙") == "核心机制（隶属度为 1）：甲、乙。"
    assert "0.84" in fx.say(
        "qca_solution", "en", label="Parsimonious", expr="A", incl="0.84", cov="0.5"
    )
    with pytest.raises(jinja2.UndefinedError):
        fx.say("profile_core", "zh")


def test_formatting_helpers():
    assert fx.fmt(0.125, 2) == "0.12" or fx.fmt(0.125, 2) == "0.13"
    assert fx.pct(0.694) == "69%"
    assert fx.joined(["a", "b", "c"], "zh", limit=2) == "a、b等 3 项"
    assert fx.extremes({"x": 1, "y": 3}) == ("y", 3, "x", 1)
