"""Loading a large case base: same results, less work."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
import yaml

import analysis.casebase as casebase_module
from analysis import safe_yaml
from analysis.casebase import _plain, load_casebase

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    spec = importlib.util.spec_from_file_location(
        "make_casebase", ROOT / "benchmarks" / "make_casebase.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    out = tmp_path_factory.mktemp("syn")
    module.make_casebase(out, 9, seed=4)
    return out


def test_valid_sources_need_no_line_numbers(synthetic: Path, monkeypatch) -> None:
    """Line numbers come from a slow round-trip parse; a valid sources.yaml never needs one."""
    parsed: list[str] = []
    real = casebase_module.roundtrip_yaml

    def counting():
        parsed.append("rt")
        return real()

    monkeypatch.setattr(casebase_module, "roundtrip_yaml", counting)
    cb = load_casebase(synthetic / "casebase", synthetic / "sources")
    assert len(cb.texts) == 9
    assert parsed == []


def test_changed_source_text_still_names_its_line(synthetic: Path, tmp_path: Path) -> None:
    import shutil

    corpus = tmp_path / "sources"
    shutil.copytree(synthetic / "sources", corpus)
    first = sorted(corpus.iterdir())[0]
    first.write_text(first.read_text(encoding="utf-8") + "。", encoding="utf-8")
    with pytest.raises(casebase_module.CaseBaseError) as err:
        load_casebase(synthetic / "casebase", corpus)
    text = (synthetic / "casebase" / "sources.yaml").read_text(encoding="utf-8")
    line = 1 + text.splitlines().index(
        next(ln for ln in text.splitlines() if ln.strip().startswith("sha256:"))
    )
    assert any(
        p.line == line and p.field == "sources[0].sha256" and "different sha256" in p.message
        for p in err.value.problems
    )


def _plain_as_it_was(node):
    if isinstance(node, dict):
        return {str(k): _plain_as_it_was(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain_as_it_was(v) for v in node]
    if isinstance(node, bool) or node is None:
        return node
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    if isinstance(node, str):
        return str(node)
    return node


def _typed(value):
    """A value with every type spelled out (``==`` would call ``1 == True == 1.0``)."""
    if isinstance(value, dict):
        return ("dict", [(_typed(k), _typed(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("list", [_typed(v) for v in value])
    return (type(value).__name__, repr(value))


DOCUMENTS = [
    "a: 1\nb: [1, 2.5, true, null, ~, 'x', No, yes, .inf, 0x1F, 1_000, 2021-03-04]\n",
    "1: one\n2.5: two\nfalse: three\nnull: four\n",
    "m: {x: 1, y: {z: [a, {b: c}]}}\nt: 2021-03-04 10:00:00\nbin: !!binary aGk=\n",
    "base: {a: 1}\nmerged:\n  <<: {a: 2, b: 3}\n  c: 4\n",
    "s: !!set {a, b}\no: !!omap [{a: 1}, {b: 2}]\nstr: !!str 12\nf: !!float 1\n",
    "- quote: 率先开展社区党建“契约化”共建载体\n  start: 6120\n  end: 6151\n",
    "",
    "# only a comment\n",
]


@pytest.mark.parametrize("text", DOCUMENTS)
def test_load_yaml_and_plain_give_what_they_gave(text: str) -> None:
    loader = safe_yaml._SafeLoader(text)
    try:
        node = loader.get_single_node()
        before = None if node is None else loader.construct_document(node)
    finally:
        loader.dispose()
    after = safe_yaml.load_yaml(text, "x.yaml")
    assert _typed(after) == _typed(before)
    assert _typed(_plain(after)) == _typed(_plain_as_it_was(before))
    rt = safe_yaml.roundtrip_yaml().load(text) if text.strip() else None
    assert _typed(_plain(rt)) == _typed(_plain_as_it_was(rt))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "a: 1\nb:\n  c: 2\n  c: 3\n",
            "x.yaml:4: malformed YAML: while constructing a mapping found duplicate key 'c'",
        ),
        ("a: &x [1]\nb: *x\n", "x.yaml:1: YAML anchors and aliases are not allowed (&x)"),
        ("? [1, 2]\n: x\n", "unhashable"),
        ("a: !!int x\n", "malformed YAML"),
        ("a: !python/name:os.system x\n", "malformed YAML"),
    ],
)
def test_load_yaml_refuses_what_it_refused(text: str, message: str) -> None:
    with pytest.raises(safe_yaml.YamlError) as err:
        safe_yaml.load_yaml(text, "x.yaml")
    assert message in str(err.value)


def test_casebase_yaml_has_no_surprises_for_the_fast_path() -> None:
    """The fast path handles plain scalars, mappings and lists itself; the rest as before."""
    text = (ROOT / "casebase" / "cases" / "shaoxing.yaml").read_text(encoding="utf-8")
    loader = safe_yaml._SafeLoader(text)
    try:
        before = loader.construct_document(loader.get_single_node())
    finally:
        loader.dispose()
    assert _typed(safe_yaml.load_yaml(text, "shaoxing.yaml")) == _typed(before)
    assert yaml.safe_load(text)["id"] == "shaoxing"
