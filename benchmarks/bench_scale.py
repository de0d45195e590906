"""How the workbench grows with the number of cases: a table and growth exponents.

For each size N (default 5, 50, 300, 1000) a synthetic case base is generated once
(``benchmarks/make_casebase.py``, untimed) and each step is timed ``--reps`` times;
medians are printed, with the growth exponent of each step (the slope of
log(time) against log(N), least squares over the sizes from 50 on, where fixed
costs such as starting Python no longer dominate):

- ``validate``: ``workbench validate --casebase ... --sources ...`` (a process);
- ``export``: ``workbench export`` of the same (a process);
- ``load_cold``: loading the case base with its sources in a fresh process whose
  imports are done, as in a kernel (``analysis.reports.common.open_casebase``), the
  first time these bytes are loaded: a full validation, whose result is kept in the
  user's cache of validated case bases (``analysis.casebase_cache``; here a folder of
  the benchmark's own, emptied before each run);
- ``load``: the same in the next fresh process: what every kernel of a batch and every
  notebook opened after that pays (the cache read back and checked, the source texts
  read and their SHA-256 checked); the imports themselves are reported as ``imports``
  (a warm kernel pays them once);
- ``similarity``: the fuzzy-Jaccard distance matrix and the average-linkage
  clustering (``analysis.similarity.distance_matrix`` and ``cluster``);
- ``cross_case``: the guarded comparison of every outcome with its typology
  (``analysis.compare.compare`` on ``conditions.yaml``);
- ``plan``: ``analysis.batch.plan.default_plan`` (every report kind of the
  registry; above 10 cases each case's k = 3 most similar pairs, the similarity
  read from every case file, no cache) and, as ``plan_scaled``, the same plan
  with the case files' membership cache warm (what a batch does after the first);
- ``rebuild``: ``workbench batch`` with nothing to rebuild (a process: the README's
  command, the default plan), after a build whose reports were written by a
  stand-in pool (no notebook runs; only the batch's bookkeeping is measured, timed
  too as ``bookkeeping``) and one untimed rebuild (a real first batch leaves the
  similarity cache and the parsed plan behind);
- ``rebuild_plan``: the same with the plan given as a file (``--plan plan.yaml``).

Usage::

    .venv/bin/python benchmarks/bench_scale.py                    # N = 5, 50, 300, 1000
    .venv/bin/python benchmarks/bench_scale.py --sizes 5 50 --reps 5 --json out.json
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

STEPS = (
    "validate",
    "export",
    "imports",
    "load_cold",
    "load",
    "similarity",
    "cross_case",
    "plan",
    "plan_scaled",
    "bookkeeping",
    "rebuild",
    "rebuild_plan",
)
#: Steps and their targets (seconds) at N = 1000, from the issue.
TARGETS = {
    "validate": 20.0,
    "export": 20.0,
    "load": 3.0,
    "similarity": 1.0,
    "rebuild": 2.0,
    "rebuild_plan": 2.0,
}


def _timed(fn: Callable[[], Any]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


#: The benchmark's own cache of validated case bases (never the user's).
_CACHE = tempfile.mkdtemp(prefix="bench-scale-cache-")


def _process(args: list[str], cwd: Path = ROOT) -> float:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "WORKBENCH_CASEBASE_CACHE": _CACHE}
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, *args], capture_output=True, text=True, cwd=cwd, env=env)
    elapsed = time.perf_counter() - started
    if proc.returncode:
        raise SystemExit(
            f"{' '.join(args[:4])} failed:\n{proc.stdout[-2000:]}{proc.stderr[-2000:]}"
        )
    return elapsed


_LOAD = """
import json, sys, time
t0 = time.perf_counter()
import pandas, analysis.reports.common as common
t1 = time.perf_counter()
common.open_casebase(sys.argv[1], sys.argv[2])
t2 = time.perf_counter()
print(json.dumps([t1 - t0, t2 - t1]))
"""


def _load_in_fresh_process(base: Path, sources: Path) -> tuple[float, float]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "WORKBENCH_CASEBASE_CACHE": _CACHE}
    proc = subprocess.run(
        [sys.executable, "-c", _LOAD, str(base), str(sources)],
        capture_output=True,
        text=True,
        cwd=base.parent,
        env=env,
        check=True,
    )
    imports, load = json.loads(proc.stdout.strip().splitlines()[-1])
    return imports, load


def scaled_plan(base: Path, k: int = 3, cache: Path | None = None) -> list[Any]:
    """The default plan with the pairs of :func:`analysis.batch.scale.select_pairs`.

    Every report kind of the registry (:func:`analysis.reports.registry.default_runs`),
    but for more than 10 cases only each case's ``k`` most similar pairs.
    """
    from analysis.batch.plan import Run, case_ids
    from analysis.batch.scale import casebase_similarity, select_pairs
    from analysis.reports.registry import default_runs

    cases = case_ids(base)
    similarity = casebase_similarity(base, cache=cache) if len(cases) > 10 else None
    planned, _ = default_runs(cases, pairs=lambda ids: select_pairs(ids, similarity, k=k))
    return [Run(r.notebook, r.output, dict(r.parameters)) for r in planned]


class StandInPool:
    """A pool that 'renders' each job as a few bytes: only the batch's bookkeeping runs."""

    preload_failures: set[str] = set()

    def run(self, jobs: list[Any], on_start: Any = None) -> Iterator[dict[str, Any]]:
        from analysis.batch.worker import output_paths
        from analysis.render import atomic_write

        for job in jobs:
            paths = output_paths(job.out_dir, job.output)
            atomic_write(paths["html"], f"<html>{job.output}</html>")
            atomic_write(paths["notebook"], "{}")
            yield {
                "index": job.index,
                "output": job.output,
                "ok": True,
                "title": job.output,
                "summary": "",
                "files": {"html": len(job.output) + 13, "notebook": 2},
            }


def make_project(work: Path, n: int, seed: int) -> tuple[Path, Path, Path]:
    """A project folder around a synthetic case base: (project, casebase, sources)."""
    from benchmarks.make_casebase import make_casebase

    project = work / f"n{n}"
    base = make_casebase(project, n, seed)
    shutil.copytree(ROOT / "notebooks", project / "notebooks", dirs_exist_ok=True)
    (project / "pyproject.toml").write_text(
        '[tool.workbench]\nsources = ["sources"]\n', encoding="utf-8"
    )
    return project, base, project / "sources"


def measure(n: int, reps: int, work: Path, seed: int) -> dict[str, float]:
    from analysis.batch.plan import default_plan
    from analysis.batch.runner import run_batch
    from analysis.casebase import load_casebase
    from analysis.compare import compare
    from analysis.compare_cli import casebase_frames, load_conditions
    from analysis.similarity import cluster, distance_matrix
    from benchmarks.make_casebase import _dump

    project, base, sources = make_project(work, n, seed)
    cb = load_casebase(base, sources)
    membership = cb.membership()
    scores, outcomes = casebase_frames(cb)
    conditions = load_conditions(base / "conditions.yaml", cb.codebook)
    cache = work / f"membership-{n}.json"
    plan_file = project / "plan.yaml"
    runs = scaled_plan(base, cache=cache)
    plan_file.write_text(
        _dump(
            [{"notebook": r.notebook, "output": r.output, "parameters": r.parameters} for r in runs]
        ),
        encoding="utf-8",
    )
    times: dict[str, list[float]] = {step: [] for step in STEPS}
    for rep in range(reps):
        times["validate"].append(
            _process(
                ["-m", "analysis", "validate", "--casebase", str(base), "--sources", str(sources)]
            )
        )
        out = work / f"export-{n}-{rep}"
        times["export"].append(
            _process(
                [
                    "-m",
                    "analysis",
                    "export",
                    "--casebase",
                    str(base),
                    "--sources",
                    str(sources),
                    "--out",
                    str(out),
                ]
            )
        )
        shutil.rmtree(out, ignore_errors=True)
        shutil.rmtree(_CACHE, ignore_errors=True)
        imports, load_cold = _load_in_fresh_process(base, sources)
        _, load = _load_in_fresh_process(base, sources)
        times["imports"].append(imports)
        times["load_cold"].append(load_cold)
        times["load"].append(load)
        times["similarity"].append(_timed(lambda: cluster(distance_matrix(membership))))
        times["cross_case"].append(_timed(lambda: compare(scores, outcomes, conditions)))
        times["plan"].append(_timed(lambda: default_plan(base)))
        times["plan_scaled"].append(_timed(lambda: scaled_plan(base, cache=cache)))
        reports = project / "reports"
        shutil.rmtree(reports, ignore_errors=True)
        times["bookkeeping"].append(
            _timed(
                lambda: run_batch(
                    runs,
                    root=project,
                    pool=StandInPool(),
                    pdf=False,
                    docx=False,
                    validator=None,
                    check_casebase=False,
                    progress=False,
                )
            )
        )
        rebuild = ["-m", "analysis", "batch", "--root", str(project), "--no-pdf", "--no-docx"]
        with_plan = [*rebuild, "--plan", str(plan_file)]
        _process(rebuild, cwd=work)  # leaves the similarity cache, as a first batch would
        _process(with_plan, cwd=work)  # leaves the parsed plan
        times["rebuild"].append(_process(rebuild, cwd=work))
        times["rebuild_plan"].append(_process(with_plan, cwd=work))
    result = {step: statistics.median(values) for step, values in times.items()}
    result["runs_default_plan"] = len(default_plan(base))
    result["runs_scaled_plan"] = len(runs)
    return result


def slope(sizes: list[int], seconds: list[float]) -> float:
    """Least-squares slope of log(seconds) against log(N).

    Examples
    --------
    >>> round(slope([10, 100, 1000], [1, 100, 10000]), 6)
    2.0
    """
    xs = [math.log(n) for n in sizes]
    ys = [math.log(max(s, 1e-6)) for s in seconds]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum(
        (x - mx) ** 2 for x in xs
    )


def table(results: dict[int, dict[str, float]]) -> str:
    sizes = sorted(results)
    fitted = [n for n in sizes if n >= 50] or sizes
    head = "| step | " + " | ".join(f"N = {n:,}" for n in sizes) + " | exponent |"
    lines = [head, "|---" * (len(sizes) + 2) + "|"]
    for step in STEPS:
        cells = [f"{results[n][step]:.3f} s" for n in sizes]
        exp = slope(fitted, [results[n][step] for n in fitted]) if len(fitted) > 1 else float("nan")
        lines.append(f"| {step} | " + " | ".join(cells) + f" | {exp:.2f} |")
    lines.append(
        "| runs: default plan / plan that scales | "
        + " | ".join(
            f"{int(results[n]['runs_default_plan']):,} / {int(results[n]['runs_scaled_plan']):,}"
            for n in sizes
        )
        + " | |"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[5, 50, 300, 1000])
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--work", default=None, help="working folder (default: a temporary one)")
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    args = parser.parse_args(argv)
    work = Path(args.work or tempfile.mkdtemp(prefix="bench-scale-")).resolve()
    work.mkdir(parents=True, exist_ok=True)
    os.environ.pop("WORKBENCH_SOURCES", None)
    results: dict[int, dict[str, float]] = {}
    try:
        for n in args.sizes:
            results[n] = measure(n, args.reps, work, args.seed)
            print(f"N = {n}: " + ", ".join(f"{k} {results[n][k]:.3f} s" for k in STEPS), flush=True)
    finally:
        shutil.rmtree(_CACHE, ignore_errors=True)
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    print(f"\nmedians of {args.reps} runs; exponent: slope of log(time) on log(N), N >= 50\n")
    print(table(results))
    largest = max(results)
    for step, target in TARGETS.items():
        took = results[largest][step]
        verdict = "meets" if took < target else "MISSES"
        print(f"  {step} at N = {largest}: {took:.2f} s, target < {target:g} s: {verdict}")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
