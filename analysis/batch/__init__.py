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
- :mod:`~analysis.batch.dask_pool`  the same jobs on a Dask cluster (``--scheduler``)
- :mod:`~analysis.batch.runner`     :func:`run_batch`, tying it together
- :mod:`~analysis.batch.scale`      which pairs a large case base compares (k nearest)

Nothing heavy is imported here: ``workbench --help`` and a no-change rebuild
must stay fast.

Examples
--------
>>> from analysis.batch import Run, default_plan
>>> [r.output for r in default_plan("/nonexistent")]
['synthesis', 'synthesis_yaobao', 'reliability', 'corpus']
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


def _pair(text: str) -> tuple[str, str]:
    """``A,B`` → ``("A", "B")`` for ``--pair``.

    Examples
    --------
    >>> _pair("shaoxing, dongguan")
    ('shaoxing', 'dongguan')
    """
    parts = [p.strip() for p in text.split(",")]
    if len(parts) != 2 or not all(parts) or parts[0] == parts[1]:
        raise argparse.ArgumentTypeError(f"expected two different case ids as A,B, got {text!r}")
    return parts[0], parts[1]


def register(subparsers: Any) -> None:
    """Add the ``batch`` subcommand to the ``workbench`` command line.

    Examples
    --------
    >>> from analysis.cli import build_parser
    >>> args = build_parser().parse_args(["batch", "--jobs", "2", "--force"])
    >>> (args.jobs, args.force)
    (2, True)
    """
    from analysis.casebase_cli import add_sources_option

    p = subparsers.add_parser(
        "batch",
        help="批量生成决策咨询简报 / render the briefing reports",
        description="按计划用 papermill 参数在常驻内核上运行报告 notebook，生成 HTML 和 PDF；"
        "只重建 notebook、参数、案例库或分析代码有变化的报告。 / "
        "Run the report notebooks of a plan with papermill parameters on warm "
        "kernels and render HTML + PDF; only runs whose notebook, parameters, "
        "case base or analysis code changed are rebuilt.",
    )
    p.add_argument(
        "--plan",
        metavar="FILE.yaml",
        help="运行计划（YAML 列表；默认：每个案例的案例参阅和调研提纲、每对案例的比较借鉴、"
        "一份综合比较、各简报的要报，另加信度和语料报告） / YAML list of runs (default: a case "
        "briefing and a field guide per case, a pairwise briefing per pair, one synthesis, "
        "a one-page brief of each briefing, plus reliability and corpus)",
    )
    p.add_argument(
        "--pairs-k",
        type=_positive_int,
        default=None,
        metavar="K",
        help="案例多于 10 个时，每个案例只与最相似的 K 个案例做比较借鉴（默认 3） / with more "
        "than 10 cases, pair reports only for each case's K most similar cases (default 3)",
    )
    p.add_argument(
        "--pair",
        action="append",
        default=[],
        metavar="A,B",
        type=_pair,
        help="另外必做的一对案例（可重复） / a pair to compare in any case (repeatable)",
    )
    p.add_argument(
        "--jobs",
        "-j",
        type=_positive_int,
        default=None,
        metavar="N",
        help="并行的常驻内核数（默认：CPU 核数） / parallel warm kernels (default: number of CPUs)",
    )
    p.add_argument(
        "--out",
        default="reports",
        metavar="DIR",
        help="输出文件夹（默认：reports/） / output directory (default: reports/)",
    )
    p.add_argument("--force", action="store_true", help="全部重建 / rebuild every report")
    p.add_argument("--no-pdf", dest="pdf", action="store_false", help="不生成 PDF / skip the PDFs")
    p.add_argument(
        "--no-docx",
        dest="docx",
        action="store_false",
        help="不生成 Word/WPS 文档 / skip the Word/WPS documents (docx/NAME.docx)",
    )
    p.add_argument(
        "--pdf-engine",
        choices=("auto", "chromium", "weasyprint"),
        default="auto",
        help="PDF 排版引擎：无头 Chromium（快）或 WeasyPrint（总是可用）；auto 在装有 "
        "Chromium 时用它（默认：auto 或 $WORKBENCH_PDF_ENGINE） / "
        "lay PDFs out with headless Chromium (fast; Debian package 'chromium') "
        "or WeasyPrint (always installed); auto: Chromium when installed "
        "(default: auto, or $WORKBENCH_PDF_ENGINE)",
    )
    p.add_argument(
        "--timeout",
        type=float,
        default=900.0,
        metavar="SECONDS",
        help="每个单元格的执行时限（默认：900 秒） / per-cell execution timeout (default: 900)",
    )
    p.add_argument(
        "--root",
        default=None,
        metavar="DIR",
        help="项目根目录（默认：从当前目录向上找到的项目） / "
        "project root (default: the project found from the working directory "
        "upwards)",
    )
    p.add_argument(
        "--scheduler",
        default=None,
        metavar="ADDRESS",
        help="在已有的 Dask 集群上运行（如 tcp://HOST:8786；默认：$DASK_SCHEDULER_ADDRESS，"
        "未设置时用本机进程） / run on an existing Dask cluster (e.g. tcp://HOST:8786; "
        "default: $DASK_SCHEDULER_ADDRESS, else local worker processes)",
    )
    add_sources_option(p)
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    """Entry point of ``workbench batch``; returns the exit code.

    Every way a batch can stop early ends in a one-line message (the case-base
    check prints ``workbench validate``'s lines) and a non-zero exit.
    """
    import os

    from analysis.batch.runner import (
        BatchBusyError,
        BatchError,
        BatchInterrupted,
        CaseBaseCheckError,
    )
    from analysis.project import SOURCES_ENV, corpus_folders, project_root

    root = args.root if args.root is not None else project_root()
    # --sources > $WORKBENCH_SOURCES > the project setting, as absolute folders; worker
    # kernels inherit the environment, so the notebooks read the same corpus.
    folders = corpus_folders(getattr(args, "sources", None), root=root)
    if folders:
        os.environ[SOURCES_ENV] = os.pathsep.join(map(str, folders))
    try:
        result = run_batch(
            plan_file=args.plan,
            root=root,
            out_dir=args.out,
            jobs=args.jobs,
            force=args.force,
            pdf=args.pdf,
            cell_timeout=args.timeout,
            pdf_engine=getattr(args, "pdf_engine", "auto"),
            docx=getattr(args, "docx", True),
            scheduler=getattr(args, "scheduler", None) or os.environ.get("DASK_SCHEDULER_ADDRESS"),
            pairs_k=getattr(args, "pairs_k", None),
            named_pairs=tuple(getattr(args, "pair", ()) or ()),
        )
    except PlanError as exc:
        print(f"workbench batch: {exc}", file=sys.stderr)
        return 2
    except CaseBaseCheckError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(
            f"workbench batch: {exc}; the reports folder was left unchanged "
            "(see workbench validate)",
            file=sys.stderr,
        )
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
        print(
            f"workbench batch: stopped by {exc}; finished reports are kept, the rest are "
            "built by the next run",
            file=sys.stderr,
        )
        return 128 + exc.signum
    print(result.summary(), file=sys.stderr if result.failed else sys.stdout)
    return result.exit_code
