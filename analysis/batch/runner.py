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

import fcntl
import os
import sys
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

#: Index section headings for the default plan's notebooks (by file stem).
SECTIONS = {
    "case_profile": "案例画像 / Case profiles",
    "pairwise_comparison": "两两比较 / Pairwise comparisons",
    "cross_case": "跨案例分析 / Cross-case analysis",
    "reliability": "编码信度 / Coding reliability",
    "corpus": "语料分析 / Corpus analysis",
}


class BatchBusyError(RuntimeError):
    """Another batch is writing to the same output directory."""


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
    for folder in (out, out / "pdf", out / "notebooks"):
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


def _is_fresh(entry: dict | None, key: str, out: Path, output: str, pdf: bool) -> bool:
    if not entry or entry.get("key") != key:
        return False
    if pdf and "pdf" not in entry.get("files", {}):
        return False  # built with --no-pdf, PDF wanted now
    paths = output_paths(out, output)
    for kind, size in entry.get("files", {}).items():
        path = paths.get(kind)
        try:
            if path is None or path.stat().st_size != size:
                return False
        except FileNotFoundError:
            return False
    return True


def _rel(path: Path, start: Path) -> str:
    return Path(os.path.relpath(path, start)).as_posix()


def _shown(path: Path, root: Path) -> str:
    """Path for messages: relative to the project when inside it, else absolute."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def _section(run: Run) -> str:
    stem = Path(run.notebook).stem
    return SECTIONS.get(stem, stem)


def _write_index(runs: Sequence[Run], manifest: Manifest, out: Path, force: bool) -> None:
    from analysis.render import IndexEntry

    entries = []
    for run in runs:
        paths = output_paths(out, run.output)
        built = manifest.runs.get(run.output)
        failed = manifest.failures.get(run.output)
        audit = _rel(paths["notebook"], out) if paths["notebook"].exists() else None
        if built and not failed:
            entries.append(IndexEntry(
                run.output, built.get("title") or run.output, built.get("summary") or "",
                _section(run), _rel(paths["html"], out),
                _rel(paths["pdf"], out) if "pdf" in built.get("files", {}) else None, audit))
        else:
            message = (failed or {}).get("message") or "not built"
            entries.append(IndexEntry(run.output, run.title or run.output, "", _section(run),
                                      None, None, audit if failed else None, message))
    key = hashing.canonical_hash([hashing.FORMAT_VERSION, [e.__dict__ for e in entries]])
    index_path = out / "index.html"
    if not force and key == manifest.index_key and index_path.is_file():
        return
    from analysis.render import atomic_write, render_index

    atomic_write(index_path, render_index(entries))
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
    progress: bool | None = None,
    pdf_engine: str = "auto",
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
    progress : bool, optional
        Show the progress bar (default: when stderr is a terminal).
    pdf_engine : {"auto", "chromium", "weasyprint"}
        How PDFs are laid out; see :func:`analysis.render.pdf_engine`.

    Returns
    -------
    BatchResult

    Raises
    ------
    analysis.batch.plan.PlanError
        If the plan or any parameters are invalid; nothing is executed.
    BatchBusyError
        If another batch holds the output directory.
    """
    started = time.perf_counter()
    root = Path(root).resolve()
    out = Path(out_dir)
    out = out if out.is_absolute() else root / out
    source = os.fspath(plan_file) if plan_file is not None else "<default plan>"
    if plan is None:
        plan = load_plan(plan_file) if plan_file is not None else default_plan(root / "casebase")
    runs = list(plan)

    lock = _lock(out)
    try:
        _clean_temp_files(out)
        manifest = Manifest.load(out / "manifest.json")
        cache = _TrackingCache(manifest.files)
        casebase_hash = hashing.tree_digest(root / "casebase", cache=cache, base=root)
        code_hash = hashing.tree_digest(root / "analysis", (".py",), cache=cache, base=root)
        import analysis

        code_version = f"{analysis.__version__}+{code_hash[:12]}"
        # $WORKBENCH_SOURCES (``--sources``): hashed by content, like the case base.
        sources_dir = os.environ.get("WORKBENCH_SOURCES", "")
        sources_hash = (hashing.tree_digest(sources_dir, cache=cache, base=root)
                        if sources_dir else "")
        keys: dict[str, str] = {}
        stale: list[tuple[int, Run]] = []
        result = BatchResult(out_dir=out)
        for index, run in enumerate(runs):
            nb_path = root / run.notebook
            try:
                nb_hash = hashing.file_digest(nb_path, cache, run.notebook)
            except OSError:
                nb_hash = "missing"
            # The corpus folder changes what the corpus and evidence reports can show.
            params_hash = hashing.canonical_hash(
                {"parameters": run.parameters, "title": run.title, "summary": run.summary,
                 "sources": sources_dir, "sources_hash": sources_hash})
            keys[run.output] = hashing.run_key(nb_hash, params_hash, casebase_hash, code_hash)
            if (not force and run.output not in manifest.failures
                    and _is_fresh(manifest.runs.get(run.output), keys[run.output], out,
                                  run.output, pdf)):
                result.skipped.append(run.output)
            else:
                stale.append((index, run))
        manifest.files = cache.pruned()

        if stale:
            _build(stale, runs, root, out, source, manifest, keys, result, casebase_hash,
                   code_hash, code_version, jobs, validator, preload, pool, cell_timeout,
                   pdf, progress, lock.fileno(), pdf_engine)
        _write_index(runs, manifest, out, force)
        manifest.save()
    finally:
        lock.close()
    result.seconds = time.perf_counter() - started
    return result


def _build(stale: list[tuple[int, Run]], runs: list[Run], root: Path, out: Path, source: str,
           manifest: Manifest, keys: dict[str, str], result: BatchResult, casebase_hash: str,
           code_hash: str, code_version: str, jobs: int | None, validator: Any,
           preload: Sequence[str] | None, pool: Any, cell_timeout: float | None, pdf: bool,
           progress: bool | None, lock_fd: int, pdf_engine: str = "auto") -> None:
    from analysis.batch.notebooks import _fast_imports
    from analysis.batch.pool import WorkerPool
    from analysis.batch.validate import validate_runs
    from analysis.render import pdf_engine as resolve_pdf_engine

    own_pool = pool is None
    completed = False
    engine = resolve_pdf_engine(pdf_engine) if pdf else None
    if preload is None:
        env = os.environ.get("WORKBENCH_PRELOAD")
        preload = tuple(m for m in env.split(",") if m) if env is not None else DEFAULT_PRELOAD
    if own_pool:
        # Start the kernels first: they boot while the parent validates the plan.
        pool = WorkerPool(min(jobs or os.cpu_count() or 1, len(stale)), preload=preload,
                          log_dir=out / ".logs", close_in_child=(lock_fd,),
                          pdf_engine=engine)
    try:
        _fast_imports()
        if validator == "default":
            validator = _default_validator(root)
        validate_runs(stale, root, source, validator)

        # Longest first (by last build's timings) so no worker is left with a long
        # report at the end while the others idle; never-built runs keep plan order.
        def last_seconds(item: tuple[int, Run]) -> float:
            entry = manifest.runs.get(item[1].output) or {}
            return -sum(float(entry.get(k) or 0)
                        for k in ("execute_seconds", "render_seconds", "pdf_seconds"))

        stale = sorted(stale, key=last_seconds)
        job_list = [
            Job(index, run.output, str(root / run.notebook), run.notebook, dict(run.parameters),
                run.title, run.summary, str(out), casebase_hash, code_version,
                str(run.parameters.get("lang", "zh")), cell_timeout, pdf,
                engine or "weasyprint")
            for index, run in stale
        ]
        from tqdm import tqdm

        bar = tqdm(total=len(job_list), desc="workbench batch", unit="report",
                   disable=None if progress is None else not progress, file=sys.stderr,
                   dynamic_ncols=True)
        try:
            for res in pool.run(job_list):
                name = res["output"]
                run = runs[res["index"]]
                paths = output_paths(out, name)
                if res["ok"]:
                    manifest.runs[name] = {
                        "key": keys[name],
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
                    }
                    if res.get("pdf_note"):
                        result.notes.append(f"{name}: {res['pdf_note']}")
                    manifest.failures.pop(name, None)
                    result.built.append(name)
                else:
                    err = res.get("error", {})
                    manifest.runs.pop(name, None)
                    # A report built from older inputs must not pass for a current one.
                    for kind in ("html", "pdf"):
                        paths[kind].unlink(missing_ok=True)
                    audit = paths["notebook"] if paths["notebook"].exists() else None
                    failure = Failure(name, run.notebook, err.get("message", "failed"),
                                      err.get("cell_index"), err.get("source_cell_index"),
                                      err.get("line"), _shown(audit, root) if audit else None)
                    manifest.failures[name] = {**err, "key": keys[name], "at": utc_now()}
                    result.failed.append(failure)
                # Entry goes in only now that the files are in place: a kill before
                # this line means the run is rebuilt next time.
                manifest.save()
                bar.update(1)
                if result.failed:
                    bar.set_postfix(failed=len(result.failed))
        finally:
            bar.close()
        completed = True
    finally:
        if own_pool:
            # Rejected plan or Ctrl-C: do not wait for kernels still warming up.
            pool.close(timeout=10.0 if completed else 0.0)
