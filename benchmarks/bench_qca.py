"""Benchmark ``workbench qca`` on the shared random crisp tables perf_k08 ... perf_k14.

Each table has 300 cases and the outcome ``Y = C1*C2*~C3 + C4*C5*C6`` (no noise).
For every k in ``--k`` the command is run as a subprocess, ``--reps`` times, for
each solution type alone (``--solution conservative|parsimonious|intermediate``)
and for all of them together (``--solution all``, which also writes the
complete truth table); the JSON output goes to /dev/null.  The intermediate
solution uses the directional expectations ``C1=1,C2=1,C3=0,C4=1,C5=1,C6=1``
(none for the other conditions).  Medians are printed, with the ratio to R.

The R figures are the ones measured in the issue (R QCA 3.25), NOT measured in
this run: 42 s (parsimonious) and 58 s (conservative) at 12 conditions, more
than 300 s at 14 conditions, and a memory failure for the conservative
solution at 10 conditions.

Usage::

    .venv/bin/python benchmarks/bench_qca.py                 # k = 8, 10, 12, 14; 3 runs
    .venv/bin/python benchmarks/bench_qca.py --k 12 14 --reps 5
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = (ROOT / ".." / "shared" / "qca" / "data").resolve()
DIR_EXP = "C1=1,C2=1,C3=0,C4=1,C5=1,C6=1"
SOLUTIONS = ("conservative", "parsimonious", "intermediate", "all")

# From the issue, not measured here: seconds, None where R failed; ">" marks a lower bound.
R_SECONDS: dict[tuple[int, str], tuple[str, float | None]] = {
    (12, "parsimonious"): ("=", 42.0),
    (12, "conservative"): ("=", 58.0),
    (14, "parsimonious"): (">", 300.0),
    (14, "conservative"): (">", 300.0),
    (10, "conservative"): ("fails (memory)", None),
}


def workbench_command() -> list[str]:
    """``workbench`` if the dispatcher works, else the stand-alone ``qca`` entry point."""
    exe = Path(sys.executable).parent / "workbench"
    candidates = [[str(exe)]] if exe.exists() else []
    candidates.append([sys.executable, "-m", "analysis"])
    for cmd in candidates:
        probe = subprocess.run(
            [*cmd, "qca", "--help"], cwd=ROOT, capture_output=True, text=True, timeout=120
        )
        if probe.returncode == 0:
            return [*cmd, "qca"]
    print(
        "note: the workbench dispatcher does not start; timing python -m analysis.qca.cli",
        file=sys.stderr,
    )
    return [sys.executable, "-m", "analysis.qca.cli"]


def run_once(cmd: list[str], k: int, solution: str) -> float:
    conditions = ",".join(f"C{i}" for i in range(1, k + 1))
    argv = [
        *cmd,
        "--data", str(DATA / f"perf_k{k:02d}.csv"),
        "--outcome", "Y",
        "--conditions", conditions,
        "--dir-exp", DIR_EXP,
        "--solution", solution,
        "--format", "json",
    ]  # fmt: skip
    start = time.perf_counter()
    proc = subprocess.run(argv, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"k={k} {solution}: exit {proc.returncode}: {proc.stderr.decode()}")
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--k", type=int, nargs="+", default=[8, 10, 12, 14])
    parser.add_argument("--reps", type=int, default=3)
    args = parser.parse_args(argv)
    if not DATA.is_dir():
        print(f"data not found: {DATA}", file=sys.stderr)
        return 2
    cmd = workbench_command()
    print(f"command: {' '.join(Path(c).name if i == 0 else c for i, c in enumerate(cmd))}")
    print(f"machine: {shutil.os.cpu_count()} CPUs; {args.reps} runs each; medians in seconds")
    print("R figures: from the issue (R QCA 3.25), not measured in this run\n")
    header = f"{'k':>3}  {'solution':<13} {'median':>8} {'min':>8} {'max':>8}   R / ratio"
    print(header)
    print("-" * len(header))
    for k in args.k:
        for solution in SOLUTIONS:
            times = [run_once(cmd, k, solution) for _ in range(args.reps)]
            med = statistics.median(times)
            r = R_SECONDS.get((k, solution))
            if r is None:
                versus = ""
            elif r[1] is None:
                versus = f"R {r[0]}"
            else:
                sign = "" if r[0] == "=" else r[0]
                versus = f"R {sign}{r[1]:.0f} s: {sign}{r[1] / med:.0f}x faster"
            print(
                f"{k:>3}  {solution:<13} {med:>8.2f} {min(times):>8.2f} {max(times):>8.2f}   "
                f"{versus}",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
