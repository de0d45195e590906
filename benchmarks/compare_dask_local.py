"""Render a synthetic case base's default plan locally and on a Dask LocalCluster; compare bytes.

Issue 13 asks that a 300-case synthetic base render its default plan through a
``distributed.LocalCluster`` and through the local pool with identical bytes.  The whole
plan of 300 cases is 2,270 reports (about 40 minutes per run on a 2-core machine), so
``--sample K`` renders only the first K runs of each report kind; ``--sample 0`` renders
the whole plan.

Usage::

    .venv/bin/python benchmarks/compare_dask_local.py --cases 300 --sample 3 --work /tmp/c300
    .venv/bin/python benchmarks/compare_dask_local.py --cases 300 --sample 0 --work /tmp/c300

Prints the number of files each way and the files that differ (none, when identical);
exits 1 when any file differs or a batch fails.  Manifests differ by their timestamps and
are left out of the comparison.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _files(out: Path) -> dict[str, bytes]:
    skip = {"manifest.json", ".batch.lock"}
    return {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and p.name not in skip and ".logs" not in p.parts
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--sample", type=int, default=3, help="runs per report kind; 0 = all")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--work", default="/tmp/compare-dask-local")
    parser.add_argument("--pdf", action="store_true", help="also render PDFs (slow)")
    parser.add_argument("--no-docx", dest="docx", action="store_false", help="skip the DOCX")
    args = parser.parse_args(argv)

    from analysis.batch.plan import default_plan
    from benchmarks.bench_scale import make_project
    from benchmarks.make_casebase import _dump

    work = Path(args.work)
    project = work / f"n{args.cases}"
    if (project / "casebase").is_dir():
        base = project / "casebase"
    else:
        project, base, _ = make_project(work, args.cases, args.seed)
    plan = default_plan(base)
    if args.sample:
        kinds: dict[tuple[str, bool], list] = {}
        for run in plan:
            key = (Path(run.notebook).stem, run.output.endswith("_yaobao"))
            kinds.setdefault(key, []).append(run)
        chosen = [r for runs in kinds.values() for r in runs[: args.sample]]
    else:
        chosen = plan
    plan_file = project / "plan.yaml"
    plan_file.write_text(
        _dump(
            [
                {"notebook": r.notebook, "output": r.output, "parameters": r.parameters}
                for r in chosen
            ]
        ),
        encoding="utf-8",
    )
    print(f"default plan: {len(plan)} runs; rendered: {len(chosen)}", flush=True)
    extra = ([] if args.pdf else ["--no-pdf"]) + ([] if args.docx else ["--no-docx"])

    def batch(out: str, *more: str) -> int:
        start = time.perf_counter()
        cmd = [sys.executable, "-m", "analysis", "batch", "--plan", str(plan_file)]
        cmd += ["--root", str(project), "--out", out, *extra, *more]
        proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
        print(f"{out}: exit {proc.returncode} in {time.perf_counter() - start:.1f} s", flush=True)
        if proc.returncode:
            print(proc.stdout[-1000:], proc.stderr[-2000:], file=sys.stderr)
        return proc.returncode

    failed = batch("reports-local")
    from distributed import LocalCluster

    with LocalCluster(
        n_workers=args.workers,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        silence_logs=50,
    ) as cluster:
        failed |= batch("reports-dask", "--scheduler", cluster.scheduler_address)
    local, dask = _files(project / "reports-local"), _files(project / "reports-dask")
    differ = sorted(k for k in local.keys() | dask.keys() if local.get(k) != dask.get(k))
    print(
        json.dumps(
            {"files_local": len(local), "files_dask": len(dask), "differ": differ[:20]},
            ensure_ascii=False,
        )
    )
    return 1 if failed or differ else 0


if __name__ == "__main__":
    raise SystemExit(main())
