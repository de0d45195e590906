"""Run the docstring examples of every module of analysis.qca."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import analysis.qca

MODULES = sorted(f"analysis.qca.{m.name}" for m in pkgutil.iter_modules(analysis.qca.__path__)) + [
    "analysis.qca"
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
