"""The batch itself: plan -> what changed -> validate -> execute/render -> index.

Kept import-light at module level: a batch with nothing to rebuild only
hashes files, reads the manifest and exits, without loading pandas,
papermill or any kernel (about 0.2 s).

Examples
--------
>>> from analysis.batch.runner import run_batch
>>> result = run_batch(plan_file="plans/briefings.yaml", jobs=2)   # doctest: +SKIP
>>> result.exit_code                                               # doctest: +SKIP
0
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import functools
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from analysis.batch import hashing
from analysis.batch.kernel import DEFAULT_PRELOAD
from analysis.batch.manifest import Manifest, utc_now
from analysis.batch.plan import Run, default_plan, load_plan
from analysis.batch.worker import Job, output_paths
from analysis.project import corpus_folders


class BatchError(RuntimeError):
    """A batch that cannot go on; the message is one line for the user."""


class BatchBusyError(BatchError):
    """Another batch is writing to the same output directory."""


class CaseBaseCheckError(BatchError):
    """The case base (or the sources) did not validate; nothing was run or written.

    ``problems`` are ``workbench validate``'s messages, one per line.
    """

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s) in the case base; nothing was run")


class BatchInterrupted(BaseException):
    """SIGTERM or SIGINT arrived; raised so every clean-up runs on the way out."""

    def __init__(self, signum: int) -> None:
        self.signum = signum
        super().__init__(signal.Signals(signum).name)


#: Seconds between two saves of the manifest while reports come in (see :func:`_build`).
MANIFEST_SAVE_INTERVAL = 1.0

#: Write errors that every further report would hit too: stop the batch at once.
FATAL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM})


@dataclass
class Failure:
    """A run that did not produce a report."""

    output: str
    notebook: str
    message: str
    cell_index: int | None = None
    source_cell_index: int | None = None
    line: str | None = None
    audit_notebook: str | None = None
    kept: bool = False

    def describe(self) -> str:
        """One line for the end-of-batch summary.

        Examples
        --------
        >>> Failure("a", "nb.ipynb", "ValueError: x", 3, 2, "----> 1 raise").describe()
        'a: nb.ipynb cell 2 (executed notebook cell 3): ValueError: x [----> 1 raise]'
        """
        where = self.notebook
        if self.source_cell_index is not None:
            where += f" cell {self.source_cell_index}"
            if self.cell_index is not None and self.cell_index != self.source_cell_index:
                where += f" (executed notebook cell {self.cell_index})"
        text = f"{self.output}: {where}: {self.message}"
        if self.line:
            text += f" [{self.line}]"
        if self.kept:
            text += " (previous report kept, marked stale / 保留上次的报告，标为过期)"
        return text


@dataclass
class BatchResult:
    """What a batch did."""

    built: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: list[Failure] = field(default_factory=list)
    seconds: float = 0.0
    out_dir: Path = Path("reports")
    notes: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        """0 if every report exists, 1 if any failed."""
        return 1 if self.failed else 0

    def summary(self) -> str:
        """Human-readable end-of-batch summary (bilingual)."""
        lines = [
            f"workbench batch: {len(self.built)} built / 生成, {len(self.skipped)} unchanged / "
            f"未变, {len(self.failed)} failed / 失败 in {self.seconds:.1f} s -> "
            f"{self.out_dir / 'index.html'}"
        ]
        for note in self.notes:
            lines.append(f"  note / 注意: {note}")
        if self.failed:
            lines.append("failed runs / 失败的运行:")
            for f in self.failed:
                lines.append(f"  - {f.describe()}")
                if f.audit_notebook:
                    lines.append(f"    executed notebook / 已执行笔记本: {f.audit_notebook}")
        return "\n".join(lines)


class _TrackingCache(dict):
    """Digest cache that remembers which entries were used, to prune the rest."""

    def __init__(self, old: dict) -> None:
        super().__init__(old)
        self.used: set[str] = set()

    def get(self, key: Any, default: Any = None) -> Any:
        self.used.add(key)
        return super().get(key, default)

    def __setitem__(self, key: Any, value: Any) -> None:
        self.used.add(key)
        super().__setitem__(key, value)

    def pruned(self) -> dict:
        return {k: v for k, v in self.items() if k in self.used}


def _clean_temp_files(out: Path) -> None:
    """Remove temp files left by a killed batch (we hold the lock, so none are live)."""
    for folder in (out, out / "pdf", out / "docx", out / "facts", out / "notebooks"):
        if folder.is_dir():
            for path in folder.glob(".*.tmp"):
                path.unlink(missing_ok=True)


def _lock(out: Path, wait: float = 3.0) -> Any:
    out.mkdir(parents=True, exist_ok=True)
    fh = open(out / ".batch.lock", "w")  # noqa: SIM115 - held for the whole batch
    deadline = time.monotonic() + wait
    while True:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return fh
        except BlockingIOError:
            # A batch killed a moment ago may still be going away; wait briefly.
            if time.monotonic() > deadline:
                fh.close()
                raise BatchBusyError(f"another workbench batch is writing to {out}") from None
            time.sleep(0.05)


def _is_fresh(
    entry: dict | None, key: str, out: Path, output: str, pdf: bool, docx: bool = True
) -> bool:
    if not entry or entry.get("key") != key:
        return False
    if pdf and "pdf" not in entry.get("files", {}):
        return False  # built with --no-pdf, PDF wanted now
    if docx and "docx" not in entry.get("files", {}):
        return False  # built with --no-docx (or before DOCX existed), DOCX wanted now
    places = _places(os.fspath(out))
    for kind, size in entry.get("files", {}).items():
        place = places.get(kind)
        try:
            if place is None or os.stat(place.replace("\0", output)).st_size != size:
                return False
        except FileNotFoundError:
            return False
    return True


@functools.lru_cache(maxsize=8)
def _places(out: str) -> dict[str, str]:
    """:func:`output_paths` of a report named NUL, as strings to fill in: cheap per report."""
    return {kind: os.fspath(path) for kind, path in output_paths(out, "\0").items()}


def _rel(path: Path, start: Path) -> str:
    return Path(os.path.relpath(path, start)).as_posix()


def _shown(path: Path, root: Path) -> str:
    """Path for messages: relative to the project when inside it, else absolute."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def _section(notebook: str, parameters: dict | None = None) -> str:
    """Index heading of a report: its kind in the registry (a 要报 goes with its briefing)."""
    from analysis.reports.registry import KINDS, kind_of_notebook

    kind = kind_of_notebook(notebook)
    if kind is None:
        return Path(notebook).stem
    if kind.name == "yaobao":
        kind = KINDS.get(str((parameters or {}).get("report_kind", "")), kind)
    return f"{kind.label_zh} / {kind.label_en}"


def _index_entries(runs: Sequence[Run], manifest: Manifest, out: Path) -> list[Any]:
    """One index line per report the folder holds: this plan's, then earlier plans'.

    A custom ``--plan`` must not hide what other plans built into the same
    folder, so the manifest's entries are merged in; lines are grouped by
    section, each section where its first report comes.
    """
    from analysis.render import IndexEntry

    plan = {run.output: run for run in runs}
    names = list(plan) + sorted((set(manifest.runs) | set(manifest.failures)) - set(plan))
    entries = []
    # Thousands of reports: each kind's heading looked up once, and the files' places
    # from one template (output names never contain NUL) rather than pathlib per report.
    sections: dict[tuple[str, str], str] = {}
    listings: dict[str, set[str] | None] = {}
    template = {kind: _rel(path, out) for kind, path in output_paths(out, "\0").items()}
    base = os.fspath(out)
    for name in names:
        run = plan.get(name)
        built = manifest.runs.get(name)
        failed = manifest.failures.get(name)
        notebook = (run.notebook if run else None) or (built or failed or {}).get("notebook")
        params = (run.parameters if run else None) or (built or failed or {}).get("parameters")
        key = (notebook or name, str((params or {}).get("report_kind", "")))
        if key not in sections:
            sections[key] = _section(notebook or name, params)
        section = sections[key]
        rels = {kind: rel.replace("\0", name) for kind, rel in template.items()}
        has = {kind: _exists(base, rels[kind], listings) for kind in ("notebook", "html")}
        audit = rels["notebook"] if has["notebook"] else None
        if built and has["html"]:
            stale = None
            if failed:
                stale = (failed.get("message") or "rebuild failed").splitlines()[0]
            entries.append(
                IndexEntry(
                    name,
                    built.get("title") or name,
                    built.get("summary") or "",
                    section,
                    rels["html"],
                    rels["pdf"] if "pdf" in built.get("files", {}) else None,
                    audit,
                    stale=stale,
                    docx=rels["docx"] if "docx" in built.get("files", {}) else None,
                )
            )
        else:
            message = (failed or {}).get("message") or "not built"
            title = (run.title if run else None) or (failed or {}).get("title") or name
            entries.append(
                IndexEntry(name, title, "", section, None, None, audit if failed else None, message)
            )
    order = {}
    for entry in entries:
        order.setdefault(entry.section, len(order))
    return sorted(entries, key=lambda e: order[e.section])  # stable: plan order kept


def _exists(base: str, rel: str, listings: dict[str, set[str] | None]) -> bool:
    """Whether ``base/rel`` is a file, from one listing of its folder (not a stat per report)."""
    folder, name = os.path.split(os.path.join(base, rel))
    if folder not in listings:
        try:
            listings[folder] = {e.name for e in os.scandir(folder) if e.is_file()}
        except OSError:
            listings[folder] = None
    listing = listings[folder]
    return listing is not None and name in listing


def _write_index(runs: Sequence[Run], manifest: Manifest, out: Path, force: bool) -> None:
    entries = _index_entries(runs, manifest, out)
    key = hashing.canonical_hash([hashing.FORMAT_VERSION, [e.__dict__ for e in entries]])
    index_path = out / "index.html"
    if not force and key == manifest.index_key and index_path.is_file():
        return
    from analysis.render import atomic_write, render_index

    try:
        atomic_write(index_path, render_index(entries))
    except OSError as exc:  # a full disk names no file; say which one failed
        exc.filename = exc.filename or str(index_path)
        raise
    manifest.index_key = key


def _default_validator(root: Path) -> Callable[[Run], Any]:
    """The case-base module's ``validate_run(run) -> problems`` if it has one, else ours.

    The module is imported only when its source defines the hook: importing
    it (pydantic models, YAML) costs ~0.8 s that a batch should not pay for nothing.
    """
    import importlib.util

    spec = importlib.util.find_spec("analysis.casebase")
    origin = spec.origin if spec else None
    if origin and origin.endswith(".py"):
        with open(origin, encoding="utf-8") as fh:
            defines_hook = "def validate_run(" in fh.read()
        if defines_hook:
            module = importlib.import_module("analysis.casebase")
            hook = getattr(module, "validate_run", None)
            if callable(hook):
                return hook
    from analysis.batch.validate import casebase_validator

    return casebase_validator(root / "casebase")


def run_batch(
    plan: Sequence[Run] | None = None,
    *,
    plan_file: str | os.PathLike[str] | None = None,
    root: str | os.PathLike[str] = ".",
    out_dir: str | os.PathLike[str] = "reports",
    jobs: int | None = None,
    force: bool = False,
    validator: Callable[[Run], Any] | None | str = "default",
    preload: Sequence[str] | None = None,
    pool: Any = None,
    cell_timeout: float | None = 900.0,
    pdf: bool = True,
    progress: bool | str | None = None,
    pdf_engine: str = "auto",
    docx: bool = True,
    check_casebase: bool = True,
    scheduler: str | None = None,
    pairs_k: int | None = None,
    named_pairs: Sequence[tuple[str, str]] = (),
) -> BatchResult:
    """Build every report of a plan whose inputs changed.

    Parameters
    ----------
    plan : sequence of Run, optional
        The runs; default: ``plan_file`` if given, else :func:`default_plan`.
    plan_file : path-like, optional
        YAML plan (used when ``plan`` is None; named in error messages).
    root : path-like
        Project root: notebook paths, ``casebase/`` and ``analysis/`` are
        relative to it.
    out_dir : path-like
        Reports directory (relative to ``root`` unless absolute).
    jobs : int, optional
        Parallel workers (default ``os.cpu_count()``).
    force : bool
        Rebuild everything.
    validator : callable or None
        Extra per-run check (e.g. unknown case ids); ``"default"`` uses the
        case-base module's ``validate_run`` if present, else
        :func:`analysis.batch.validate.casebase_validator`.
    preload : sequence of str, optional
        Modules the warm kernels import once (default: ``$WORKBENCH_PRELOAD``,
        comma-separated, else :data:`analysis.batch.kernel.DEFAULT_PRELOAD`).
    pool : WorkerPool, optional
        Reuse running workers (tests, repeated batches); not closed here.
    cell_timeout : float, optional
        Per-cell execution timeout in seconds.
    pdf : bool
        Also render PDFs.
    progress : bool or "lines", optional
        Progress on stderr: a bar naming the reports being built (``True``),
        one plain line per report (``"lines"``), or nothing (``False``);
        default: the bar on a terminal, plain lines otherwise (CI logs).
    pdf_engine : {"auto", "chromium", "weasyprint"}
        How PDFs are laid out; see :func:`analysis.render.pdf_engine`.
    docx : bool
        Also write Word/WPS documents (``docx/<name>.docx``, see :mod:`analysis.word`).
    check_casebase : bool
        Validate the case base and ``$WORKBENCH_SOURCES`` (as ``workbench
        validate --sources`` does) once before anything runs.
    scheduler : str, optional
        Address of a Dask scheduler (``tcp://host:8786``): run the jobs on that
        cluster (:class:`analysis.batch.dask_pool.DaskPool`) instead of local
        worker processes; the outputs are the same bytes.

    Returns
    -------
    BatchResult

    Raises
    ------
    analysis.batch.plan.PlanError
        If the plan or any parameters are invalid; nothing is executed.
    CaseBaseCheckError
        If the case base or the sources do not validate; nothing is executed
        and the reports folder is left as it was.
    BatchError
        Another batch holds the output directory (:class:`BatchBusyError`),
        the PDF engine is unknown, or the reports cannot be written.
    BatchInterrupted
        On SIGTERM or SIGINT, after the workers, kernels and browsers are stopped
        and their temporary files removed.
    OSError
        If the reports folder cannot be written.
    """
    started = time.perf_counter()
    root = Path(root).resolve()
    out = Path(out_dir)
    out = out if out.is_absolute() else root / out
    source = os.fspath(plan_file) if plan_file is not None else "<default plan>"
    engine = _pdf_engine(pdf_engine) if pdf else None
    # The corpus folders ($WORKBENCH_SOURCES, set by ``--sources``, else the project
    # setting), os.pathsep-separated.
    sources_dir = os.pathsep.join(map(str, corpus_folders(root=root)))
    if plan is None:
        plan = (
            load_plan(plan_file, cache=out / ".plan-cache.json")
            if plan_file is not None
            else _default_plan(
                root / "casebase",
                sources_dir if check_casebase else None,
                pairs_k,
                named_pairs,
                out / ".similarity-cache.json",
            )
        )
    runs = list(plan)

    with _interruptible():
        # Folders a batch killed with -9 left in the temporary directory.
        from analysis.batch.scratch import sweep

        sweep()
        lock = _lock(out)
        try:
            _clean_temp_files(out)
            manifest = Manifest.load(out / "manifest.json")
            result = BatchResult(out_dir=out, notes=list(manifest.warnings))
            for warning in manifest.warnings:
                print(f"workbench batch: warning: {warning}", file=sys.stderr)
            cache = _TrackingCache(manifest.files)
            casebase_hash = hashing.tree_digest(root / "casebase", cache=cache, base=root)
            code_hash = hashing.tree_digest(root / "analysis", (".py",), cache=cache, base=root)
            import analysis

            code_version = f"{analysis.__version__}+{code_hash[:12]}"
            # The corpus folders: hashed by content, like the case base.
            sources_hash = hashing.canonical_hash(
                [
                    hashing.tree_digest(f, cache=cache, base=root)
                    for f in sources_dir.split(os.pathsep)
                    if f
                ]
            )
            keys: dict[str, str] = {}
            stale: list[tuple[int, Run]] = []
            nb_hashes: dict[str, str] = {}  # a few notebooks serve thousands of runs
            for index, run in enumerate(runs):
                nb_hash = nb_hashes.get(run.notebook)
                if nb_hash is None:
                    try:
                        nb_hash = hashing.file_digest(root / run.notebook, cache, run.notebook)
                    except OSError:
                        nb_hash = "missing"
                    nb_hashes[run.notebook] = nb_hash
                # The corpus folder changes what the corpus and evidence reports can show.
                params_hash = hashing.canonical_hash(
                    {
                        "parameters": run.parameters,
                        "title": run.title,
                        "summary": run.summary,
                        "sources": sources_dir,
                        "sources_hash": sources_hash,
                    }
                )
                keys[run.output] = hashing.run_key(nb_hash, params_hash, casebase_hash, code_hash)
                if (
                    not force
                    and run.output not in manifest.failures
                    and _is_fresh(
                        manifest.runs.get(run.output), keys[run.output], out, run.output, pdf, docx
                    )
                ):
                    result.skipped.append(run.output)
                else:
                    stale.append((index, run))
            manifest.files = cache.pruned()

            if stale:
                checks = [lambda: _check_casebase(root / "casebase", sources_dir or None)]
                _build(
                    stale,
                    runs,
                    root,
                    out,
                    source,
                    manifest,
                    keys,
                    result,
                    casebase_hash,
                    code_hash,
                    code_version,
                    jobs,
                    validator,
                    preload,
                    pool,
                    cell_timeout,
                    pdf,
                    progress,
                    lock.fileno(),
                    engine,
                    checks if check_casebase else [],
                    docx,
                    scheduler,
                )
            _write_index(runs, manifest, out, force)
            manifest.save()
        finally:
            lock.close()
    result.seconds = time.perf_counter() - started
    return result


def _pdf_engine(choice: str) -> str:
    """The PDF engine to use; an unknown name (also in ``$WORKBENCH_PDF_ENGINE``) is a BatchError."""
    from analysis.render import pdf_engine

    try:
        return pdf_engine(choice)
    except ValueError as exc:
        where = "" if choice != "auto" else "$WORKBENCH_PDF_ENGINE: "
        raise BatchError(f"{where}{exc}") from None


def _default_plan(
    casebase_root: Path,
    sources_dir: str | None,
    pairs_k: int | None = None,
    named_pairs: Sequence[tuple[str, str]] = (),
    cache: Path | None = None,
) -> list[Run]:
    """:func:`default_plan`; a case base it cannot read is reported as validate reports it.

    Raises
    ------
    CaseBaseCheckError
        With ``workbench validate``'s messages, when the codebook cannot be read.
    """
    from analysis.safe_yaml import YamlError

    try:
        from analysis.batch.plan import outcome_ids

        outcome_ids(casebase_root)  # a codebook that cannot be read stops the batch here
        corpus = [Path(p) for p in sources_dir.split(os.pathsep) if p] if sources_dir else None
        from analysis.batch.plan import PAIRS_K

        return default_plan(
            casebase_root,
            corpus=corpus,
            pairs_k=pairs_k or PAIRS_K,
            named_pairs=named_pairs,
            cache=cache,
        )
    except YamlError as exc:
        if sources_dir is not None:
            _check_casebase(casebase_root, sources_dir or None)
        raise CaseBaseCheckError([str(exc)]) from None


def _check_casebase(casebase_root: Path, sources_dir: str | None) -> None:
    from analysis.batch.precheck import check_casebase

    problems = check_casebase(casebase_root, sources_dir)
    if problems:
        raise CaseBaseCheckError(problems)


def _check_writable(out: Path) -> None:
    """Fail now, with one message, if the reports cannot be written (read-only folder)."""
    import tempfile

    for folder in (out, out / "pdf", out / "docx", out / "facts", out / "notebooks"):
        if not folder.is_dir():
            continue  # made when the first report is written, if ``out`` is writable
        fd, probe = tempfile.mkstemp(dir=folder, prefix=".probe-", suffix=".tmp")
        os.close(fd)
        os.unlink(probe)


def _on_signal(signum: int, _frame: Any) -> None:
    # Once: a second Ctrl-C must not cut the clean-up short (it takes a few seconds).
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, signal.SIG_IGN)
    raise BatchInterrupted(signum)


@contextlib.contextmanager
def _interruptible() -> Any:
    """Turn SIGTERM and SIGINT into :class:`BatchInterrupted`, so clean-up code runs.

    Without it SIGTERM ends the batch on the spot, and its workers die with it
    (``PR_SET_PDEATHSIG``) before they stop their kernels and browsers.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    saved = {sig: signal.signal(sig, _on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)


class Progress:
    """What the batch is doing, on stderr: a bar on a terminal, plain lines in logs.

    Parameters
    ----------
    total : int
        Reports to build.
    mode : {"bar", "lines", "off"}
    stream : file, optional
        Default ``sys.stderr``.

    Examples
    --------
    >>> import io
    >>> out = io.StringIO()
    >>> p = Progress(2, "lines", out)
    >>> p.finished("a", True, 1.25); p.close()
    >>> out.getvalue().splitlines()[-1]
    '[1/2] a: built / 生成 (1.2 s)'
    """

    def __init__(self, total: int, mode: str, stream: Any = None) -> None:
        self.total = total
        self.mode = mode
        self.stream = stream or sys.stderr
        self.done = 0
        self.failed = 0
        self.running: dict[str, float] = {}
        self.bar: Any = None
        if mode == "bar":
            from tqdm import tqdm

            self.bar = tqdm(
                total=total,
                desc="workbench batch",
                unit="report",
                file=self.stream,
                dynamic_ncols=True,
                mininterval=0.2,
            )
            self.bar.set_postfix_str("starting kernels / 启动内核", refresh=True)
        elif mode == "lines":
            self._line(f"building {total} report(s) / 生成 {total} 份报告 ...")

    def _line(self, text: str) -> None:
        print(text, file=self.stream, flush=True)

    def _show_running(self) -> None:
        names = ", ".join(self.running) or "-"
        suffix = f"; {self.failed} failed / 失败" if self.failed else ""
        self.bar.set_postfix_str(f"building / 生成中: {names}{suffix}", refresh=True)

    def started(self, output: str) -> None:
        """A worker began building ``output``."""
        self.running[output] = time.perf_counter()
        if self.bar is not None:
            self._show_running()

    def finished(self, output: str, ok: bool, seconds: float | None = None) -> None:
        """``output`` is done (``ok``) or failed."""
        began = self.running.pop(output, None)
        if seconds is None and began is not None:
            seconds = time.perf_counter() - began
        self.done += 1
        self.failed += not ok
        if self.bar is not None:
            self.bar.update(1)
            self._show_running()
        elif self.mode == "lines":
            what = "built / 生成" if ok else "FAILED / 失败"
            took = f" ({seconds:.1f} s)" if seconds is not None else ""
            self._line(f"[{self.done}/{self.total}] {output}: {what}{took}")

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _progress_mode(progress: bool | str | None) -> str:
    if progress is None:
        isatty = getattr(sys.stderr, "isatty", None)
        return "bar" if isatty is not None and isatty() else "lines"
    if progress == "lines":
        return "lines"
    return "bar" if progress else "off"


def _build(
    stale: list[tuple[int, Run]],
    runs: list[Run],
    root: Path,
    out: Path,
    source: str,
    manifest: Manifest,
    keys: dict[str, str],
    result: BatchResult,
    casebase_hash: str,
    code_hash: str,
    code_version: str,
    jobs: int | None,
    validator: Any,
    preload: Sequence[str] | None,
    pool: Any,
    cell_timeout: float | None,
    pdf: bool,
    progress: bool | str | None,
    lock_fd: int,
    engine: str | None,
    checks: Sequence[Callable[[], None]] = (),
    docx: bool = True,
    scheduler: str | None = None,
) -> None:
    from analysis.batch.notebooks import _fast_imports
    from analysis.batch.pool import WorkerPool
    from analysis.batch.validate import validate_runs

    own_pool = pool is None
    completed = interrupted = False
    if preload is None:
        env = os.environ.get("WORKBENCH_PRELOAD")
        preload = tuple(m for m in env.split(",") if m) if env is not None else DEFAULT_PRELOAD
    if own_pool and scheduler:
        pool = _dask_pool(scheduler, root, preload, engine)
    elif own_pool:
        # Start the kernels first: they boot while the parent validates the plan.
        pool = WorkerPool(
            min(jobs or os.cpu_count() or 1, len(stale)),
            preload=preload,
            log_dir=out / ".logs",
            close_in_child=(lock_fd,),
            pdf_engine=engine,
        )
    try:
        # Everything is checked before the first job is queued: a bad plan, a broken
        # case base, a wrong corpus folder or a read-only folder leaves the reports
        # as they were.  The kernels boot meanwhile.
        _fast_imports()
        if validator == "default":
            validator = _default_validator(root)
        validate_runs(stale, root, source, validator)
        for check in checks:
            check()
        _check_writable(out)

        # Longest first (by last build's timings) so no worker is left with a long
        # report at the end while the others idle; never-built runs keep plan order.
        def last_seconds(item: tuple[int, Run]) -> float:
            entry = manifest.runs.get(item[1].output) or {}
            return -sum(
                float(entry.get(k) or 0)
                for k in ("execute_seconds", "render_seconds", "pdf_seconds", "docx_seconds")
            )

        stale = sorted(stale, key=last_seconds)
        job_list = [
            Job(
                index,
                run.output,
                str(root / run.notebook),
                run.notebook,
                dict(run.parameters),
                run.title,
                run.summary,
                str(out),
                casebase_hash,
                code_version,
                str(run.parameters.get("lang", "zh")),
                cell_timeout,
                pdf,
                engine or "weasyprint",
                docx,
            )
            for index, run in stale
        ]
        shown = Progress(len(job_list), _progress_mode(progress))
        saved_at, unsaved = -MANIFEST_SAVE_INTERVAL, False
        try:
            for res in pool.run(job_list, on_start=lambda job: shown.started(job.output)):
                name = res["output"]
                if res["ok"]:
                    _record_success(
                        res,
                        runs[res["index"]],
                        manifest,
                        keys[name],
                        casebase_hash,
                        code_hash,
                        result,
                    )
                else:
                    _record_failure(
                        res, runs[res["index"]], manifest, keys[name], out, root, result
                    )
                # Entry goes in only now that the files are in place: a kill before
                # the manifest is saved means the run is rebuilt next time.  Saved at
                # most every MANIFEST_SAVE_INTERVAL seconds (and at the end): writing
                # the whole manifest after each of thousands of reports is quadratic.
                unsaved = True
                if time.monotonic() - saved_at >= MANIFEST_SAVE_INTERVAL:
                    manifest.save()
                    saved_at, unsaved = time.monotonic(), False
                shown.finished(name, res["ok"])
                err = res.get("error") or {}
                if not res["ok"] and err.get("errno") in FATAL_ERRNOS:
                    # A full or read-only disk fails every report after this one too.
                    raise BatchError(err.get("message") or os.strerror(err["errno"]))
        finally:
            shown.close()
            if unsaved:  # also on Ctrl-C or a full disk: what is built stays recorded
                with contextlib.suppress(OSError):
                    manifest.save()
        completed = True
    except BatchInterrupted:
        interrupted = True
        raise
    finally:
        if own_pool:
            # Rejected plan, Ctrl-C or SIGTERM: do not wait for kernels still warming up;
            # on a signal, give the workers time to remove their temporary folders.
            pool.close(timeout=10.0 if completed else 0.0, grace=5.0 if interrupted else 2.0)


def _dask_pool(scheduler: str, root: Path, preload: Sequence[str], engine: str | None) -> Any:
    """A :class:`~analysis.batch.dask_pool.DaskPool` on ``scheduler``; one-line errors."""
    try:
        from analysis.batch.dask_pool import DaskPool
    except ImportError as exc:
        raise BatchError(
            f"--scheduler needs Dask's distributed package ({exc}): "
            "pip install 'governance-workbench[dask]'"
        ) from None
    try:
        return DaskPool(scheduler, root, corpus_folders(root=root), preload, engine)
    except (OSError, TimeoutError, ValueError) as exc:
        raise BatchError(f"cannot use the Dask scheduler at {scheduler}: {exc}") from None


def _record_success(
    res: dict[str, Any],
    run: Run,
    manifest: Manifest,
    key: str,
    casebase_hash: str,
    code_hash: str,
    result: BatchResult,
) -> None:
    name = res["output"]
    manifest.runs[name] = {
        "key": key,
        "notebook": run.notebook,
        "parameters_hash": hashing.canonical_hash(run.parameters),
        "casebase_hash": casebase_hash,
        "code_hash": code_hash,
        "title": res["title"],
        "summary": res["summary"],
        "files": res["files"],
        "built_at": utc_now(),
        "execute_seconds": res.get("execute_seconds"),
        "render_seconds": res.get("render_seconds"),
        "pdf_seconds": res.get("pdf_seconds"),
        "pdf_engine": res.get("pdf_engine"),
        "docx_seconds": res.get("docx_seconds"),
    }
    if res.get("pdf_note"):
        result.notes.append(f"{name}: {res['pdf_note']}")
    manifest.failures.pop(name, None)
    result.built.append(name)


def _record_failure(
    res: dict[str, Any],
    run: Run,
    manifest: Manifest,
    key: str,
    out: Path,
    root: Path,
    result: BatchResult,
) -> None:
    """Record a failed run; a previous good report of it is kept and marked stale."""
    name = res["output"]
    err = res.get("error", {})
    paths = output_paths(out, name)
    audit = paths["notebook"] if paths["notebook"].exists() else None
    message = err.get("message", "failed")
    previous = manifest.runs.get(name)
    kept = previous is not None and paths["html"].exists()
    if previous is not None:
        # Never delete a good report because its rebuild failed: it stays, and the
        # manifest and the index say it is out of date and why.
        previous["stale"] = {"reason": message, "since": utc_now()}
    manifest.failures[name] = {
        **err,
        "key": key,
        "at": utc_now(),
        "notebook": run.notebook,
        "title": run.title,
    }
    result.failed.append(
        Failure(
            name,
            run.notebook,
            message,
            err.get("cell_index"),
            err.get("source_cell_index"),
            err.get("line"),
            _shown(audit, root) if audit else None,
            kept,
        )
    )
