"""What the comparison's guards cost: permutation test, contradiction benchmark, jackknife.

Issue 10 asks that the guards keep the whole default batch within 10% of its time.
This script times, in one process and the same run (medians of ``--reps``):

- the guarded comparison (:func:`analysis.compare.compare`) as the reports run it, and
  the same with the permutation test and the contradiction benchmark replaced by
  no-ops;
- the similarity facts of the 综合比较 with the jackknife intervals and the split
  stability, and without them;

and prints the guards' cost per computation.  The batch computes the comparison once
per kernel that builds a report needing it (at most one per worker and kind of report,
since kernels keep it) and the similarity once per synthesis report; multiply by those
counts and divide by the batch time from ``bench_batch.py`` for the share.

Usage::

    .venv/bin/python benchmarks/bench_guards.py --reps 7
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _median_time(fn, reps: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=7)
    args = parser.parse_args()

    from analysis import compare as compare_module
    from analysis import similarity
    from analysis.compare_cli import casebase_frames
    from analysis.reports import synthesis
    from analysis.reports.casefacts import load_condition_set
    from analysis.reports.common import open_casebase

    cb = open_casebase(ROOT / "casebase")
    scores, outcomes = casebase_frames(cb)
    cs = load_condition_set(cb)

    def run_compare() -> None:
        compare_module.compare(scores, outcomes, cs)

    start = time.perf_counter()
    run_compare()  # cold: the benchmark's simulations are cached per design afterwards
    cold = time.perf_counter() - start
    with_guards = _median_time(run_compare, args.reps)
    real_bench = compare_module.contradiction_benchmark
    with (
        mock.patch.object(compare_module, "permutation_test", side_effect=lambda *a, **k: None),
        mock.patch.object(
            compare_module,
            "contradiction_benchmark",
            side_effect=lambda n, k, **kw: real_bench(n, k, simulations=1),
        ),
    ):
        without_guards = _median_time(run_compare, args.reps)

    def run_similarity() -> None:
        synthesis._similarity(cb, cb.case_ids)

    sim_with = _median_time(run_similarity, args.reps)

    def plain_similarity() -> None:
        from analysis import configuration

        m = configuration.membership_matrix(cb.membership(), cb.codebook_frame())
        dist = similarity.distance_matrix(m, "fuzzy_jaccard")
        similarity.cluster(dist)
        similarity.mds(dist)

    sim_without = _median_time(plain_similarity, args.reps)
    print(f"cases: {len(cb.case_ids)}, reps: {args.reps} (medians, seconds)")
    print(f"compare(), first call in a fresh process        {cold:8.3f}")
    print(f"compare() with permutation test and benchmark   {with_guards:8.3f}")
    print(f"compare() without them                           {without_guards:8.3f}")
    print(f"  guards per comparison                          {with_guards - without_guards:8.3f}")
    print(f"similarity with jackknife intervals and split    {sim_with:8.3f}")
    print(f"similarity without them                          {sim_without:8.3f}")
    print(f"  guards per synthesis                           {sim_with - sim_without:8.3f}")


if __name__ == "__main__":
    main()
