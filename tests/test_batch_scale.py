"""Pair selection for large case bases (analysis.batch.scale)."""

from __future__ import annotations

import importlib.util
import os
from itertools import combinations
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.batch import scale
from analysis.batch.scale import (
    casebase_membership,
    casebase_similarity,
    select_pairs,
    top_k_neighbours,
)
from analysis.casebase import load_casebase
from analysis.similarity import fuzzy_jaccard

ROOT = Path(__file__).resolve().parents[1]


def _sim(ids: list[str], values: list[list[float]]) -> pd.DataFrame:
    return pd.DataFrame(values, index=ids, columns=ids, dtype=float)


def test_small_case_base_gets_every_pair_sorted_whatever_the_order() -> None:
    ids = [f"c{i}" for i in range(10)][::-1]
    pairs = select_pairs(ids, None)
    assert pairs == sorted(combinations(sorted(ids), 2))
    assert len(pairs) == 45
    assert select_pairs(ids, None, named=[("c3", "c1")]) == pairs


def test_large_case_base_gets_k_nearest_with_ties_by_id_and_named_pairs() -> None:
    ids = ["e", "d", "c", "b", "a"]  # given out of order
    nan = np.nan
    sim = _sim(
        ["a", "b", "c", "d", "e"],
        [
            [1.0, 0.5, 0.5, 0.1, nan],
            [0.5, 1.0, 0.2, 0.2, 0.2],
            [0.5, 0.2, 1.0, 0.9, nan],
            [0.1, 0.2, 0.9, 1.0, 0.3],
            [nan, 0.2, nan, 0.3, 1.0],
        ],
    )
    # a: b and c tie at 0.5 -> b (id order); b: a; c: d; d: c; e: d (a, c unknown).
    assert select_pairs(ids, sim, k=1, small=2) == [("a", "b"), ("c", "d"), ("d", "e")]
    assert select_pairs(ids, sim, k=2, small=2) == [
        ("a", "b"),
        ("a", "c"),
        ("b", "c"),
        ("b", "e"),
        ("c", "d"),
        ("d", "e"),
    ]
    named = select_pairs(ids, sim, k=1, small=2, named=[("e", "a"), ("a", "e")])
    assert named == [("a", "b"), ("a", "e"), ("c", "d"), ("d", "e")]
    assert select_pairs(ids, sim, k=0, small=2) == []
    # Deterministic: a permuted frame gives the same pairs.
    shuffled = sim.loc[["c", "e", "a", "d", "b"], ["d", "a", "e", "b", "c"]]
    assert select_pairs(ids, shuffled, k=2, small=2) == select_pairs(ids, sim, k=2, small=2)


def test_pair_selection_errors() -> None:
    ids = [f"c{i}" for i in range(12)]
    with pytest.raises(ValueError, match="a similarity is needed"):
        select_pairs(ids, None)
    with pytest.raises(ValueError, match="unknown case"):
        select_pairs(ids[:3], None, named=[("c0", "zz")])
    with pytest.raises(ValueError, match="one case twice"):
        select_pairs(ids[:3], None, named=[("c0", "c0")])
    with pytest.raises(ValueError, match="no similarity for case"):
        select_pairs(ids, _sim(ids[:11], np.eye(11).tolist()))
    with pytest.raises(ValueError, match="k must be"):
        select_pairs(ids, None, k=-1)


def test_each_case_gets_at_least_k_partners_and_far_fewer_than_all_pairs() -> None:
    rng = np.random.default_rng(3)
    ids = [f"c{i:03d}" for i in range(200)]
    x = rng.random((200, 200))
    sim = _sim(ids, ((x + x.T) / 2).tolist())
    pairs = select_pairs(ids, sim, k=3)
    assert len(pairs) <= 3 * 200 and len(pairs) == len(set(pairs))
    partners = {c: set() for c in ids}
    for a, b in pairs:
        assert a < b
        partners[a].add(b)
        partners[b].add(a)
    assert min(len(p) for p in partners.values()) >= 3
    # Each case's own top 3 are among its partners.
    for i, c in enumerate(ids):
        row = sim.iloc[i].drop(c)
        assert set(row.nlargest(3).index) <= partners[c]


def test_top_k_neighbours_is_compact() -> None:
    ids = ["b", "a", "c"]
    sim = _sim(ids, [[1, 0.4, 0.4], [0.4, 1, np.nan], [0.4, np.nan, 1]])
    table = top_k_neighbours(sim, 2)
    assert table.to_dict("records") == [
        {"case": "a", "rank": 1, "neighbour": "b", "similarity": 0.4},
        {"case": "b", "rank": 1, "neighbour": "a", "similarity": 0.4},
        {"case": "b", "rank": 2, "neighbour": "c", "similarity": 0.4},
        {"case": "c", "rank": 1, "neighbour": "b", "similarity": 0.4},
    ]


def test_membership_from_case_files_equals_the_validated_one(tmp_path: Path) -> None:
    cb = load_casebase(ROOT / "casebase")
    cheap = casebase_membership(ROOT / "casebase")
    pd.testing.assert_frame_equal(cheap, cb.membership(), check_names=False)
    pd.testing.assert_frame_equal(
        casebase_similarity(ROOT / "casebase"), fuzzy_jaccard(cb.membership())
    )

    spec = importlib.util.spec_from_file_location(
        "make_casebase", ROOT / "benchmarks" / "make_casebase.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    base = module.make_casebase(tmp_path / "syn", 14, seed=2)
    pd.testing.assert_frame_equal(
        casebase_membership(base), load_casebase(base).membership(), check_names=False
    )


def test_membership_cache_reparses_only_changed_files(tmp_path: Path, monkeypatch) -> None:
    base = tmp_path / "casebase"
    (base / "cases").mkdir(parents=True)
    (base / "codebook.yaml").write_text("codes: [{id: x}, {id: y}]\n")
    (base / "cases" / "a.yaml").write_text(
        "mechanisms: [{code: x, score: 1}, {code: y, score: null}]\n"
    )
    (base / "cases" / "b.yaml").write_text("mechanisms: [{code: y, score: 0.33}]\n")
    parsed: list[str] = []
    real = scale._case_scores
    monkeypatch.setattr(scale, "_case_scores", lambda p: parsed.append(p.name) or real(p))
    cache = tmp_path / "cache.json"
    first = casebase_membership(base, cache)
    assert parsed == ["a.yaml", "b.yaml"]
    assert first.to_dict("index") == {
        "a": {"x": 1.0, "y": pytest.approx(np.nan, nan_ok=True)},
        "b": {"x": pytest.approx(np.nan, nan_ok=True), "y": 0.33},
    }
    parsed.clear()
    pd.testing.assert_frame_equal(casebase_membership(base, cache), first)
    assert parsed == []
    path = base / "cases" / "b.yaml"
    path.write_text("mechanisms: [{code: y, score: 0.67}]\n")
    os.utime(path, ns=(1, 1))
    assert casebase_membership(base, cache).loc["b", "y"] == 0.67
    assert parsed == ["b.yaml"]
    cache.write_text("not json")
    assert casebase_membership(base, cache).loc["b", "y"] == 0.67


class _InstantPool:
    """Stand-in pool: each job 'renders' at once (only the batch's bookkeeping runs)."""

    preload_failures: set[str] = set()

    def run(self, jobs, on_start=None):
        from analysis.batch.worker import output_paths
        from analysis.render import atomic_write

        for job in jobs:
            paths = output_paths(job.out_dir, job.output)
            atomic_write(paths["html"], "<html></html>")
            atomic_write(paths["notebook"], "{}")
            yield {
                "index": job.index,
                "output": job.output,
                "ok": True,
                "title": job.output,
                "summary": "",
                "files": {"html": 13, "notebook": 2},
            }


def test_many_quick_reports_do_not_rewrite_the_manifest_each_time(
    tmp_path: Path, monkeypatch
) -> None:
    """Saving the whole manifest after every report makes a big batch quadratic."""
    import json

    from analysis.batch.manifest import Manifest
    from analysis.batch.plan import Run
    from analysis.batch.runner import run_batch

    project = tmp_path / "proj"
    (project / "notebooks").mkdir(parents=True)
    (project / "notebooks" / "n.py").write_text(
        (ROOT / "tests" / "fixtures" / "notebooks" / "report_text.py").read_text(encoding="utf-8"),
        encoding="utf-8",
    )
    saves: list[int] = []
    real = Manifest.save
    monkeypatch.setattr(Manifest, "save", lambda self: saves.append(len(self.runs)) or real(self))
    runs = [Run("notebooks/n.py", f"r{i:03d}", {"incl_cut": i / 1000}) for i in range(300)]
    kw = dict(root=project, pdf=False, docx=False, validator=None, check_casebase=False)
    result = run_batch(runs, pool=_InstantPool(), progress=False, **kw)
    assert len(result.built) == 300
    assert len(saves) < 30  # not once per report
    assert saves[0] == 1  # the first report is recorded at once
    assert saves[-1] == 300
    manifest = json.loads((project / "reports" / "manifest.json").read_text(encoding="utf-8"))
    assert len(manifest["runs"]) == 300
    again = run_batch(runs, pool=_InstantPool(), progress=False, **kw)
    assert again.built == [] and len(again.skipped) == 300


def test_index_of_many_reports_looks_each_kind_up_once(tmp_path: Path, monkeypatch) -> None:
    """The no-change rebuild of thousands of reports spent seconds per-report on the
    registry lookup and pathlib; the entries themselves are unchanged."""
    from analysis.batch import runner
    from analysis.batch.manifest import Manifest
    from analysis.batch.plan import Run
    from analysis.reports import registry

    project = tmp_path / "proj"
    (project / "notebooks").mkdir(parents=True)
    text = (ROOT / "tests" / "fixtures" / "notebooks" / "report_text.py").read_text(
        encoding="utf-8"
    )
    for name in ("n.py", "m.py"):
        (project / "notebooks" / name).write_text(text, encoding="utf-8")
    runs = [
        Run(f"notebooks/{'n' if i % 2 else 'm'}.py", f"r{i:03d}", {"incl_cut": i / 1000})
        for i in range(120)
    ]
    kw = dict(root=project, pdf=False, docx=False, validator=None, check_casebase=False)
    runner.run_batch(runs, pool=_InstantPool(), progress=False, **kw)
    out = project / "reports"
    manifest = Manifest.load(out / "manifest.json")
    lookups: list[str] = []
    real = registry.kind_of_notebook
    monkeypatch.setattr(registry, "kind_of_notebook", lambda nb: lookups.append(nb) or real(nb))
    paths: list[str] = []
    real_paths = runner.output_paths
    monkeypatch.setattr(runner, "output_paths", lambda o, n: paths.append(n) or real_paths(o, n))
    entries = runner._index_entries(runs, manifest, out)
    assert len(lookups) <= 2
    assert len(paths) <= 2
    first = next(e for e in entries if e.output == "r001")
    assert (first.html, first.notebook, first.pdf, first.docx, first.section) == (
        "r001.html",
        "notebooks/r001.ipynb",
        None,
        None,
        "n",
    )
    assert [e.output for e in entries[:2]] == ["r000", "r002"]  # grouped by section, plan order


def _two_file_casebase(base: Path, n: int = 12) -> None:
    (base / "cases").mkdir(parents=True)
    (base / "codebook.yaml").write_text("codes: [{id: x}, {id: y}, {id: z}]\n")
    for i in range(n):
        scores = [(i % 3) / 3, ((i * 7) % 5) / 5, 1.0 if i % 2 else None]
        items = ", ".join(
            f"{{code: {c}, score: {'null' if s is None else round(s, 2)}}}"
            for c, s in zip("xyz", scores, strict=True)
        )
        (base / "cases" / f"c{i:02d}.yaml").write_text(f"mechanisms: [{items}]\n")


def test_nearest_pairs_are_remembered_until_a_case_file_or_the_question_changes(
    tmp_path: Path, monkeypatch
) -> None:
    base = tmp_path / "casebase"
    _two_file_casebase(base)
    cases = sorted(p.stem for p in (base / "cases").glob("*.yaml"))
    cache = tmp_path / "cache.json"
    expected = select_pairs(cases, casebase_similarity(base), k=3)
    computed: list[int] = []
    real = scale.casebase_similarity
    monkeypatch.setattr(
        scale, "casebase_similarity", lambda *a, **kw: computed.append(1) or real(*a, **kw)
    )
    assert scale.nearest_pairs(base, cases, 3, (), cache) == expected
    assert scale.nearest_pairs(base, cases, 3, (), cache) == expected
    assert len(computed) == 1  # the second answer came from the cache
    named = (("c00", "c11"),)
    with_named = scale.nearest_pairs(base, cases, 3, named, cache)
    assert ("c00", "c11") in with_named and len(computed) == 2
    assert scale.nearest_pairs(base, cases, 2, (), cache) == select_pairs(cases, real(base), k=2)
    assert len(computed) == 3
    # An edited case file: computed again, from the new scores.
    path = base / "cases" / "c05.yaml"
    path.write_text("mechanisms: [{code: x, score: 1}, {code: y, score: 1}, {code: z, score: 1}]\n")
    os.utime(path, ns=(5, 5))
    fresh = scale.nearest_pairs(base, cases, 3, (), cache)
    assert len(computed) == 4
    assert fresh == select_pairs(cases, real(base), k=3)
    # Both caches live in one file: the membership rows survived the pairs' writes.
    import json

    kept = json.loads(cache.read_text(encoding="utf-8"))
    assert set(kept) == {"version", "folders", "pairs"}
    cache.write_text("[1, 2")
    assert scale.nearest_pairs(base, cases, 3, (), cache) == fresh


def test_a_plan_file_is_parsed_once_and_its_cached_runs_checked_again(
    tmp_path: Path, monkeypatch
) -> None:
    import json

    from analysis.batch import plan as plan_mod
    from analysis.batch.plan import PlanError, load_plan

    plan = tmp_path / "plan.yaml"
    plan.write_text(
        "- {notebook: n.ipynb, output: a, parameters: {lang: zh, k: 3}}\n"
        "- {notebook: n.ipynb, output: b}\n",
        encoding="utf-8",
    )
    cache = tmp_path / "reports" / ".plan-cache.json"
    cache.parent.mkdir()
    parsed: list[Path] = []
    real = plan_mod._load_yaml
    monkeypatch.setattr(plan_mod, "_load_yaml", lambda p: parsed.append(p) or real(p))
    first = load_plan(plan, cache)
    assert load_plan(plan, cache) == first
    assert len(parsed) == 1
    assert first[0].parameters == {"lang": "zh", "k": 3}
    plan.write_text("- {notebook: n.ipynb, output: c}\n", encoding="utf-8")
    assert [r.output for r in load_plan(plan, cache)] == ["c"]
    assert len(parsed) == 2
    # A cache edited by hand holds no more authority than the plan file: its runs are
    # checked exactly as a parsed document's would be.
    kept = json.loads(cache.read_text(encoding="utf-8"))
    kept["plan"] = [{"notebook": "n.ipynb", "output": "index"}]
    cache.write_text(json.dumps(kept), encoding="utf-8")
    with pytest.raises(PlanError, match="reserved"):
        load_plan(plan, cache)
    # No folder for the cache (a first batch): nothing is created.
    load_plan(plan, tmp_path / "missing" / ".plan-cache.json")
    assert not (tmp_path / "missing").exists()


def test_a_rebuild_with_nothing_to_do_rewrites_no_manifest(tmp_path: Path) -> None:
    from analysis.batch.manifest import Manifest
    from analysis.batch.plan import Run
    from analysis.batch.runner import run_batch

    project = tmp_path / "proj"
    (project / "notebooks").mkdir(parents=True)
    (project / "notebooks" / "n.py").write_text(
        (ROOT / "tests" / "fixtures" / "notebooks" / "report_text.py").read_text(encoding="utf-8"),
        encoding="utf-8",
    )
    runs = [Run("notebooks/n.py", f"r{i}", {"incl_cut": i / 10}) for i in range(5)]
    kw = dict(root=project, pdf=False, docx=False, validator=None, check_casebase=False)
    run_batch(runs, pool=_InstantPool(), progress=False, **kw)
    path = project / "reports" / "manifest.json"
    before = path.stat()
    again = run_batch(runs, pool=_InstantPool(), progress=False, **kw)
    assert len(again.skipped) == 5
    after = path.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    loaded = Manifest.load(path)
    assert sorted(loaded.runs) == [f"r{i}" for i in range(5)]
    assert loaded.to_json() == path.read_text(encoding="utf-8")
