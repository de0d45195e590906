"""Benchmark ``workbench batch`` against the naive papermill + nbconvert loop.

Measured in the same run, on the same plan, from cold:

- **naive loop**: for each run, ``papermill NB OUT.ipynb -y PARAMS`` then
  ``jupyter nbconvert --to html --no-input OUT.ipynb``, one notebook at a time
  (what the batch replaces);
- **batch, cold**: ``python -m analysis batch`` into an empty output folder
  (HTML *and* PDF unless ``--no-pdf``; the naive loop makes no PDF);
- **batch, no change**: the same command again, nothing to rebuild.

Each is repeated ``--reps`` times; medians are reported.  On a big plan the
naive loop can be timed on its first ``--naive-sample`` runs only; its total is
then extrapolated from the per-report median and marked as such.

With ``--scheduler`` it compares instead the local pool with the batch on a Dask
``distributed.LocalCluster`` of 1 and of 2 worker processes (one thread each),
same plan, same machine, from cold: the local pool's ``--jobs`` is the number of
CPUs; a cluster's first batch (``cold``: its workers' kernels warm up during the
batch) and a second batch into an empty folder on the same cluster (``warm``: the
kernels and the files are already there) are timed apart, and starting the
cluster itself is left out.

Usage::

    .venv/bin/python benchmarks/bench_batch.py                      # default plan
    .venv/bin/python benchmarks/bench_batch.py --scheduler --plan tests/fixtures/bench_plan.yaml
    .venv/bin/python benchmarks/bench_batch.py --plan plans/x.yaml --reps 5
    .venv/bin/python benchmarks/bench_batch.py --plan tests/fixtures/bench_plan.yaml
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analysis.batch.plan import Run, default_plan, load_plan  # noqa: E402

BIN = Path(sys.executable).parent


def _yaml_dump(data: object) -> str:
    import yaml

    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def _as_ipynb(run: Run, root: Path, cache: Path) -> Path:
    """papermill's CLI reads only .ipynb; convert jupytext notebooks once, untimed."""
    src = root / run.notebook
    if src.suffix == ".ipynb":
        return src
    out = cache / (src.stem + ".ipynb")
    if not out.exists():
        subprocess.run(
            [str(BIN / "jupytext"), "--to", "ipynb", "-o", str(out), str(src)],
            check=True,
            capture_output=True,
        )
    return out


def _run(cmd: list[str]) -> None:
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode:
        raise SystemExit(
            f"naive loop: {Path(cmd[0]).name} failed ({proc.returncode}):\n{proc.stderr[-3000:]}"
        )


def naive_loop(runs: list[Run], root: Path, work: Path, cache: Path) -> list[float]:
    """Seconds per report for papermill CLI + nbconvert CLI, one after another."""
    times = []
    for run in runs:
        nb = _as_ipynb(run, root, cache)
        out = work / f"{run.output}.ipynb"
        started = time.perf_counter()
        _run(
            [
                str(BIN / "papermill"),
                str(nb),
                str(out),
                "-y",
                _yaml_dump(run.parameters),
                "--cwd",
                str((root / run.notebook).parent),
                "--no-progress-bar",
                "--log-level",
                "ERROR",
            ]
        )
        _run(
            [
                str(BIN / "jupyter"),
                "nbconvert",
                "--to",
                "html",
                "--no-input",
                str(out),
                "--output-dir",
                str(work),
            ]
        )
        times.append(time.perf_counter() - started)
    return times


def batch(
    plan_file: Path,
    root: Path,
    out: Path,
    jobs: int | None,
    pdf: bool,
    scheduler: str | None = None,
) -> float:
    cmd = [
        sys.executable,
        "-m",
        "analysis",
        "batch",
        "--plan",
        str(plan_file),
        "--root",
        str(root),
        "--out",
        str(out),
    ]
    if jobs:
        cmd += ["--jobs", str(jobs)]
    if not pdf:
        cmd.append("--no-pdf")
    if scheduler:
        cmd += ["--scheduler", scheduler]
    started = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=root)
    elapsed = time.perf_counter() - started
    if proc.returncode not in (0, 1):  # 1 = some run failed; still a timing
        raise SystemExit(f"batch failed ({proc.returncode}):\n{proc.stderr}")
    if proc.returncode == 1:
        print(f"  note: some runs failed:\n{proc.stderr.strip()}", file=sys.stderr)
    return elapsed


def scheduler_bench(
    args: argparse.Namespace, plan_file: Path, root: Path, work: Path, n: int
) -> dict:
    """Local pool against a LocalCluster of 1 and 2 workers; medians of ``args.reps``."""
    from distributed import LocalCluster

    med = statistics.median
    local, cold, warm, start = [], {1: [], 2: []}, {1: [], 2: []}, {1: [], 2: []}
    for rep in range(args.reps):
        local.append(batch(plan_file, root, work / f"local-{rep}", args.jobs, args.pdf))
        for workers in (1, 2):
            began = time.perf_counter()
            with LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                silence_logs=50,
            ) as cluster:
                start[workers].append(time.perf_counter() - began)
                address = cluster.scheduler_address
                for label, times in (("cold", cold), ("warm", warm)):
                    out = work / f"dask{workers}-{label}-{rep}"
                    times[workers].append(batch(plan_file, root, out, None, args.pdf, address))
        print(
            f"rep {rep + 1}: local pool {local[-1]:.1f} s, cluster of 1 {cold[1][-1]:.1f} s cold / "
            f"{warm[1][-1]:.1f} s warm, cluster of 2 {cold[2][-1]:.1f} s cold / "
            f"{warm[2][-1]:.1f} s warm",
            flush=True,
        )
    results = {
        "runs": n,
        "local_pool_jobs": args.jobs or os.cpu_count(),
        "local_pool_seconds_median": round(med(local), 2),
        **{f"cluster_{w}_cold_seconds_median": round(med(cold[w]), 2) for w in (1, 2)},
        **{f"cluster_{w}_warm_seconds_median": round(med(warm[w]), 2) for w in (1, 2)},
        **{f"cluster_{w}_start_seconds_median": round(med(start[w]), 2) for w in (1, 2)},
        "pdf": args.pdf,
        "repetitions": args.reps,
    }
    print(f"\nmedians over {args.reps} repetitions, {n} reports (pdf={args.pdf}):")
    print(
        f"  local pool (--jobs {results['local_pool_jobs']})  {results['local_pool_seconds_median']:7.1f} s"
    )
    for w in (1, 2):
        print(
            f"  LocalCluster, {w} worker(s)   {results[f'cluster_{w}_cold_seconds_median']:7.1f} s cold, "
            f"{results[f'cluster_{w}_warm_seconds_median']:7.1f} s warm "
            f"(cluster start {results[f'cluster_{w}_start_seconds_median']:.1f} s, not included)"
        )
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--plan", help="YAML plan (default: the default plan of --root)")
    parser.add_argument("--root", default=str(ROOT), help="project root")
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=None, help="batch --jobs (default: CPUs)")
    parser.add_argument(
        "--naive-sample",
        type=int,
        default=None,
        metavar="K",
        help="time the naive loop on the first K runs only and extrapolate",
    )
    parser.add_argument(
        "--no-pdf",
        dest="pdf",
        action="store_false",
        help="batch without PDFs (the naive loop never makes them)",
    )
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    parser.add_argument(
        "--scheduler",
        action="store_true",
        help="compare the local pool with a Dask LocalCluster of 1 and 2 workers instead",
    )
    args = parser.parse_args(argv)

    root = Path(args.root).resolve()
    if os.environ.get("WORKBENCH_SOURCES"):
        # Notebooks run in notebooks/: a relative corpus path would point nowhere there.
        os.environ["WORKBENCH_SOURCES"] = str(Path(os.environ["WORKBENCH_SOURCES"]).resolve())
    runs = load_plan(args.plan) if args.plan else default_plan(root / "casebase")
    sample = runs[: args.naive_sample] if args.naive_sample else runs
    work = Path(tempfile.mkdtemp(prefix="bench-batch-"))
    plan_file = work / "plan.yaml"
    plan_file.write_text(
        _yaml_dump(
            [
                {
                    "notebook": r.notebook,
                    "output": r.output,
                    "parameters": r.parameters,
                    **({"title": r.title} if r.title else {}),
                    **({"summary": r.summary} if r.summary else {}),
                }
                for r in runs
            ]
        ),
        encoding="utf-8",
    )
    cache = work / "converted"
    cache.mkdir()
    print(
        f"plan: {args.plan or 'default plan'} - {len(runs)} runs; naive loop on "
        f"{len(sample)}; {args.reps} repetitions; jobs={args.jobs or os.cpu_count()}; "
        f"pdf={args.pdf}",
        flush=True,
    )

    if args.scheduler:
        try:
            results = scheduler_bench(args, plan_file, root, work, len(runs))
        finally:
            shutil.rmtree(work, ignore_errors=True)
        if args.json:
            Path(args.json).write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
        return 0

    naive_per, naive_total, cold, nochange = [], [], [], []
    try:
        for rep in range(args.reps):
            nwork = work / f"naive-{rep}"
            nwork.mkdir()
            per = naive_loop(sample, root, nwork, cache)
            naive_per.append(statistics.median(per))
            naive_total.append(
                sum(per) if len(sample) == len(runs) else statistics.mean(per) * len(runs)
            )
            out = work / f"reports-{rep}"
            cold.append(batch(plan_file, root, out, args.jobs, args.pdf))
            nochange.append(batch(plan_file, root, out, args.jobs, args.pdf))
            print(
                f"rep {rep + 1}: naive {naive_total[-1]:.1f} s "
                f"({naive_per[-1]:.2f} s/report), batch cold {cold[-1]:.1f} s, "
                f"no-change {nochange[-1]:.2f} s",
                flush=True,
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)

    med = statistics.median
    results = {
        "runs": len(runs),
        "naive_sampled_runs": len(sample),
        "naive_extrapolated": len(sample) != len(runs),
        "naive_seconds_per_report_median": round(med(naive_per), 3),
        "naive_total_seconds_median": round(med(naive_total), 2),
        "batch_cold_seconds_median": round(med(cold), 2),
        "batch_seconds_per_report": round(med(cold) / len(runs), 3),
        "no_change_seconds_median": round(med(nochange), 3),
        "speedup_cold": round(med(naive_total) / med(cold), 2),
        "pdf": args.pdf,
        "jobs": args.jobs or os.cpu_count(),
        "repetitions": args.reps,
    }
    extra = " (extrapolated)" if results["naive_extrapolated"] else ""
    print(f"\nmedians over {args.reps} repetitions, {len(runs)} reports:")
    print(
        f"  naive loop        {results['naive_total_seconds_median']:8.1f} s{extra}  "
        f"({results['naive_seconds_per_report_median']:.2f} s/report)"
    )
    print(
        f"  batch, cold       {results['batch_cold_seconds_median']:8.1f} s  "
        f"({results['batch_seconds_per_report']:.2f} s/report)"
    )
    print(f"  batch, no change  {results['no_change_seconds_median']:8.2f} s")
    print(f"  speed-up (cold)   {results['speedup_cold']:8.1f} x")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
