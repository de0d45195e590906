"""pyproject.toml and environment.yml must declare the same dependencies and bounds."""

from __future__ import annotations

import re
from pathlib import Path

import tomllib
from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parents[1]


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _parse(spec: str) -> tuple[str, str]:
    spec = spec.split(";")[0]  # an environment marker (python_version < ...) is pip's business
    m = re.fullmatch(r"\s*([A-Za-z0-9_.\-\[\]]+)\s*(.*)", spec)
    assert m, spec
    name = re.sub(r"\[.*\]", "", m.group(1))
    return _norm(name), m.group(2).replace(" ", "")


def pyproject_deps() -> dict[str, str]:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    specs = list(data["project"]["dependencies"])
    for extra in data["project"].get("optional-dependencies", {}).values():
        specs += extra
    return dict(_parse(s) for s in specs)


def environment_deps() -> dict[str, str]:
    env = YAML(typ="safe").load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    out: dict[str, str] = {}
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            for spec in dep.get("pip", []):
                if not spec.startswith("-"):
                    out.update([_parse(spec)])
        else:
            name, bound = _parse(dep)
            if name not in {"python", "pip"}:
                out[name] = bound
    return out


def test_environment_matches_pyproject():
    assert environment_deps() == pyproject_deps()


def test_every_dependency_has_a_lower_bound():
    for name, bound in pyproject_deps().items():
        assert bound.startswith(">="), f"{name} has no lower bound"


def test_python_bound_matches():
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    env = YAML(typ="safe").load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    assert f"python{data['project']['requires-python']}" in env["dependencies"]
