"""The papermill batch of bilingual briefing reports (``workbench batch``).

``workbench batch [--plan FILE.yaml] [--jobs N] [--out reports/] [--force]``
runs every notebook of a plan (default: :func:`default_plan`) whose inputs
changed, with papermill-injected parameters, on a pool of warm kernels, and
writes for each run ``reports/<name>.html``, ``reports/pdf/<name>.pdf``,
``reports/docx/<name>.docx`` (Word/WPS) and the executed notebook ``reports/notebooks/<name>.ipynb``, then
``reports/index.html`` and ``reports/manifest.json``.

Modules
-------
- :mod:`~analysis.batch.plan`       plan files and the default plan
- :mod:`~analysis.batch.validate`   parameter checks before anything runs
- :mod:`~analysis.batch.hashing`    content hashes deciding what to rebuild
- :mod:`~analysis.batch.manifest`   ``reports/manifest.json``
- :mod:`~analysis.batch.kernel`     a warm kernel reset between notebooks
- :mod:`~analysis.batch.worker`     one worker process: execute, render, write
- :mod:`~analysis.batch.pool`       the worker processes
- :mod:`~analysis.batch.runner`     :func:`run_batch`, tying it together

Nothing heavy is imported here: ``workbench --help`` and a no-change rebuild
must stay fast.

Examples
--------
>>> from analysis.batch import Run, default_plan
>>> [r.output for r in default_plan("/nonexistent")]
['reliability', 'corpus']
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from analysis.batch.plan import PlanError, Run, default_plan, load_plan

__all__ = ["PlanError", "Run", "default_plan", "load_plan", "register", "run_batch", "main"]


def run_batch(*args: Any, **kwargs: Any) -> Any:
    """Build the reports of a plan; see :func:`analysis.batch.runner.run_batch`.

    Examples
    --------
    >>> run_batch(plan_file="plans/briefings.yaml", jobs=2).exit_code   # doctest: +SKIP
    0
    """
    from analysis.batch.runner import run_batch as _run_batch

    return _run_batch(*args, **kwargs)


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def register(subparsers: Any) -> None:
    """Add the ``batch`` subcommand to the ``workbench`` command line.

    Examples
    --------
    >>> from analysis.cli import build_parser
    >>> args = build_parser().parse_args(["batch", "--jobs", "2", "--force"])
    >>> (args.jobs, args.force)
    (2, True)
    """
    p = subparsers.add_parser(
        "batch",
        help="批量生成决策咨询报告 / render the briefing reports",
        description="Run the report notebooks of a plan with papermill parameters on warm "
                    "kernels and render HTML + PDF; only runs whose notebook, parameters, "
                    "case base or analysis code changed are rebuilt.",
    )
    p.add_argument("--plan", metavar="FILE.yaml",
                   help="YAML list of runs (default: one report per case, pair, outcome, "
                        "plus reliability and corpus)")
    p.add_argument("--jobs", "-j", type=_positive_int, default=None, metavar="N",
                   help="parallel warm kernels (default: number of CPUs)")
    p.add_argument("--out", default="reports", metavar="DIR",
                   help="output directory (default: reports/)")
    p.add_argument("--force", action="store_true", help="rebuild every report")
    p.add_argument("--no-pdf", dest="pdf", action="store_false", help="skip the PDFs")
    p.add_argument("--no-docx", dest="docx", action="store_false",
                   help="跳过 Word/WPS 文档 / skip the Word/WPS documents (docx/NAME.docx)")
    p.add_argument("--pdf-engine", choices=("auto", "chromium", "weasyprint"), default="auto",
                   help="lay PDFs out with headless Chromium (fast; Debian package 'chromium') "
                        "or WeasyPrint (always installed); auto: Chromium when installed "
                        "(default: auto, or $WORKBENCH_PDF_ENGINE)")
    p.add_argument("--timeout", type=float, default=900.0, metavar="SECONDS",
                   help="per-cell execution timeout (default: 900)")
    p.add_argument("--root", default=".", help="project root (default: current directory)")
    p.add_argument("--sources", metavar="DIR", default=None,
                   help="folder of source texts for the reports that quote or analyse them "
                        "(default: $WORKBENCH_SOURCES)")
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    """Entry point of ``workbench batch``; returns the exit code.

    Every way a batch can stop early ends in a one-line message (the case-base
    check prints ``workbench validate``'s lines) and a non-zero exit.
    """
    from analysis.batch.runner import (
        BatchBusyError,
        BatchError,
        BatchInterrupted,
        CaseBaseCheckError,
    )

    if getattr(args, "sources", None):
        import os
        from pathlib import Path

        # Worker kernels inherit the environment; the notebooks read the corpus from it.
        os.environ["WORKBENCH_SOURCES"] = str(Path(args.sources).resolve())
    try:
        result = run_batch(plan_file=args.plan, root=args.root, out_dir=args.out,
                           jobs=args.jobs, force=args.force, pdf=args.pdf,
                           cell_timeout=args.timeout,
                           pdf_engine=getattr(args, "pdf_engine", "auto"),
                           docx=getattr(args, "docx", True))
    except PlanError as exc:
        print(f"workbench batch: {exc}", file=sys.stderr)
        return 2
    except CaseBaseCheckError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(f"workbench batch: {exc}; the reports folder was left unchanged "
              "(see workbench validate)", file=sys.stderr)
        return 1
    except BatchBusyError as exc:
        print(f"workbench batch: {exc}", file=sys.stderr)
        return 3
    except BatchError as exc:
        print(f"workbench batch: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:  # read-only or full reports folder, ...
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"workbench batch: {where}{exc.strerror or exc}", file=sys.stderr)
        return 1
    except BatchInterrupted as exc:
        print(f"workbench batch: stopped by {exc}; finished reports are kept, the rest are "
              "built by the next run", file=sys.stderr)
        return 128 + exc.signum
    print(result.summary(), file=sys.stderr if result.failed else sys.stdout)
    return result.exit_code
