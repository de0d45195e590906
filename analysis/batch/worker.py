"""One batch worker: a process owning one warm kernel, executing and rendering jobs.

Rendering (nbconvert, fontTools, WeasyPrint) is CPU-bound Python; doing it in
the worker processes rather than in the parent keeps it parallel instead of
serialised on the parent's GIL.  Each worker writes its job's files itself
(atomically) and reports back; only the parent touches the manifest.

Examples
--------
>>> from analysis.batch.worker import Job
>>> Job(0, "x", "/p/n.ipynb", "n.ipynb", {}, None, None, "/p/reports", "h", "v").pdf
True
"""

from __future__ import annotations

import os
import re
import signal
import sys
import time
import traceback
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

_ANSI_RE = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


@dataclass(frozen=True)
class Job:
    """Everything a worker needs for one report (picklable)."""

    index: int
    output: str
    notebook: str  # absolute path
    notebook_rel: str  # as written in the plan, for provenance
    parameters: dict[str, Any]
    title: str | None
    summary: str | None
    out_dir: str  # absolute
    casebase_hash: str
    code_version: str
    lang: str = "zh"
    cell_timeout: float | None = None
    pdf: bool = True
    pdf_engine: str = "weasyprint"  # resolved: "chromium" or "weasyprint"
    docx: bool = True


def output_paths(out_dir: str | Path, output: str) -> dict[str, Path]:
    """Where a run's files go.

    Examples
    --------
    >>> sorted(output_paths("reports", "a"))
    ['docx', 'facts', 'html', 'notebook', 'pdf']
    """
    out = Path(out_dir)
    return {
        "html": out / f"{output}.html",
        "pdf": out / "pdf" / f"{output}.pdf",
        "docx": out / "docx" / f"{output}.docx",
        "notebook": out / "notebooks" / f"{output}.ipynb",
        "facts": out / "facts" / f"{output}.json",
    }


def _error_line(tb: list[str]) -> str | None:
    """The notebook line that raised: IPython marks it with ``---->``."""
    for line in tb:
        for sub in _ANSI_RE.sub("", line).splitlines():
            if sub.lstrip().startswith("---->"):
                return sub.strip()
    return None


def describe_error(error: Any, executed: Any) -> dict[str, Any]:
    """Turn papermill's execution error into a summary record.

    The cell index is given both in the executed notebook (audit copy, before
    papermill's error-marker cells) and in the source notebook (without the
    injected parameters cell), since authors fix the source.

    Examples
    --------
    >>> describe_error(RuntimeError("boom"), None)["message"]
    'RuntimeError: boom'
    """
    ename = getattr(error, "ename", None) or type(error).__name__
    evalue = getattr(error, "evalue", None)
    if evalue is None:
        evalue = str(error)
    first = str(evalue).strip().splitlines()[0] if str(evalue).strip() else ""
    record: dict[str, Any] = {
        "message": f"{ename}: {first}" if first else ename,
        "cell_index": None,
        "source_cell_index": None,
        "execution_count": getattr(error, "exec_count", None),
        "line": _error_line(getattr(error, "traceback", None) or []),
    }
    index = getattr(error, "cell_index", None)
    if index is not None:
        record["cell_index"] = index
        injected_before = 0
        if executed is not None:
            cells = [
                c
                for c in executed.cells
                if "papermill-error-cell-tag" not in c.metadata.get("tags", [])
            ]
            injected_before = sum(
                1 for c in cells[:index] if "injected-parameters" in c.metadata.get("tags", [])
            )
        record["source_cell_index"] = index - injected_before
    return record


class Printers:
    """The worker's PDF engines: one headless Chromium, started at warm-up or on first use.

    A browser that fails is restarted once for the same report; if that fails
    too, the report is laid out by WeasyPrint instead and the result says so,
    so a broken browser costs speed, never a report.
    """

    def __init__(self, log_path: str | None = None) -> None:
        self.log_path = log_path
        self.chromium: Any = None
        self.last_error = ""

    def _browser(self) -> Any:
        from analysis.chromium import ChromiumPrinter

        if self.chromium is None or not self.chromium.is_alive():
            self.close()
            self.chromium = ChromiumPrinter(log_path=self.log_path)
        return self.chromium

    def start(self, engine: str) -> None:
        """Start the browser now (while the kernel boots) if ``engine`` needs one."""
        if engine == "chromium":
            try:
                self._browser()
            except Exception as exc:  # the first job retries, then falls back
                self.last_error = f"{type(exc).__name__}: {exc}"

    def render(self, html: str, engine: str) -> tuple[bytes, str]:
        """PDF bytes for ``html`` and the engine that made them."""
        from analysis.chromium import ChromiumError
        from analysis.render import render_pdf

        if engine == "chromium":
            for _attempt in range(2):
                try:
                    return render_pdf(html, printer=self._browser()), "chromium"
                except ChromiumError as exc:
                    self.last_error = str(exc)
                    self.close()
        return render_pdf(html), "weasyprint"

    def close(self) -> None:
        if self.chromium is not None:
            self.chromium.close()
            self.chromium = None


def run_job(kernel: Any, job: Job, printers: Printers | None = None) -> dict[str, Any]:
    """Execute one notebook on a warm kernel and write its audit notebook and reports.

    ``printers`` is the worker's PDF engines; without it a private set is used
    and closed again.  Returns a result record; never raises for notebook or
    rendering problems.
    """
    import nbformat

    from analysis.batch.notebooks import read_notebook
    from analysis.render import (
        Provenance,
        atomic_write,
        normalize_notebook,
        notebook_summary,
        notebook_title,
        render_html,
    )

    result: dict[str, Any] = {"index": job.index, "output": job.output, "ok": False}
    paths = output_paths(job.out_dir, job.output)
    try:
        source = read_notebook(job.notebook)
    except Exception as exc:
        result["error"] = {
            "message": f"cannot read notebook: {type(exc).__name__}: {exc}",
            "stage": "read",
        }
        return result
    try:
        executed, error, seconds = kernel.execute(
            source, job.parameters, cwd=os.path.dirname(job.notebook), cell_timeout=job.cell_timeout
        )
    except Exception as exc:  # dead kernel, cell timeout, ...: this job fails, the worker goes on
        result["error"] = {"message": f"{type(exc).__name__}: {exc}".strip(), "stage": "execute"}
        result["restart_kernel"] = True
        return result
    result["execute_seconds"] = round(seconds, 3)
    if executed is not None:
        try:
            atomic_write(paths["notebook"], nbformat.writes(normalize_notebook(executed)))
        except OSError as exc:
            result["error"] = write_error(exc, paths["notebook"])
            return result
    if error is not None:
        result["error"] = {**describe_error(error, executed), "stage": "execute"}
        return result
    start = time.perf_counter()
    own_printers = printers is None
    printers = printers or Printers()
    try:
        from analysis.reports.facts import facts_json, notebook_facts

        facts = notebook_facts(executed)
        title = job.title or (facts or {}).get("title") or notebook_title(executed) or job.output
        summary = job.summary or (facts or {}).get("summary") or notebook_summary(executed) or ""
        provenance = Provenance(
            job.casebase_hash, job.code_version, job.parameters, job.notebook_rel
        )
        html = render_html(executed, provenance, title=title, lang=job.lang)
        result["render_seconds"] = round(time.perf_counter() - start, 3)
        pdf = b""
        if job.pdf:
            start = time.perf_counter()
            pdf, engine = printers.render(html, job.pdf_engine)
            result.update(pdf_engine=engine, pdf_seconds=round(time.perf_counter() - start, 3))
            if engine != job.pdf_engine:
                result["pdf_note"] = (
                    f"{job.pdf_engine} failed ({printers.last_error}); laid out by {engine}"
                )
        docx = b""
        if job.docx:
            from analysis.word import render_docx, variant_for

            start = time.perf_counter()
            docx = render_docx(html, variant=variant_for(job.output), title=title, lang=job.lang)
            result["docx_seconds"] = round(time.perf_counter() - start, 3)
    except Exception as exc:
        result["error"] = {
            "message": f"{type(exc).__name__}: {exc}",
            "stage": "render",
            "line": traceback.format_exc().strip().splitlines()[-1],
        }
        return result
    finally:
        if own_printers:
            printers.close()
    # All made before any is written: a report that fails to render leaves
    # the previous HTML, PDF and DOCX as they were.
    files = (
        {"html": html.encode("utf-8")}
        | ({"pdf": pdf} if job.pdf else {})
        | ({"docx": docx} if job.docx else {})
        | ({"facts": facts_json(facts).encode("utf-8")} if facts is not None else {})
    )
    for kind, data in files.items():
        try:
            atomic_write(paths[kind], data)
        except OSError as exc:
            result["error"] = write_error(exc, paths[kind])
            return result
    sizes = {kind: len(data) for kind, data in files.items()}
    sizes["notebook"] = paths["notebook"].stat().st_size
    result.update(ok=True, title=title, summary=summary, files=sizes)
    return result


def write_error(exc: OSError, path: str | os.PathLike[str]) -> dict[str, Any]:
    """Failure record for a report file that could not be written (full or read-only disk).

    Examples
    --------
    >>> write_error(OSError(28, "No space left on device"), "r/a.html")["message"]
    'r/a.html: No space left on device'
    """
    return {
        "message": f"{os.fspath(path)}: {exc.strerror or exc}",
        "stage": "write",
        "errno": exc.errno,
    }


def _warm_renderer(printers: Printers, pdf_engine: str | None) -> None:
    """Render a throw-away report so the first real one does not pay the set-up.

    nbconvert (template compilation, Markdown and Pygments set-up), fontconfig
    and the PDF engine initialise lazily on first use (WeasyPrint ~1.3 s in
    all, Chromium ~0.4 s to start); doing it while the kernel is still
    importing its preload list hides that cost.
    """
    import nbformat

    from analysis.render import Provenance, render_html
    from analysis.word import render_docx

    printers.start(pdf_engine or "")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# 预热 warm-up\n\n*x*")])
    cell = nbformat.v4.new_code_cell("1", execution_count=1)
    cell.outputs = [
        nbformat.v4.new_output(
            "execute_result", {"text/html": "<table><tr><td>1</td></tr></table>"}, execution_count=1
        )
    ]
    nb.cells.append(cell)
    try:
        html = render_html(nb, Provenance("-", "-"))
        if pdf_engine == "weasyprint":  # a started Chromium needs no rehearsal
            printers.render(html, pdf_engine)
        render_docx(html)  # python-docx and lxml imports, the template
    except Exception:  # a real job will report the problem properly
        pass


def _die_with_parent() -> None:
    """Ask Linux to SIGKILL this worker when the batch process dies (even by SIGKILL).

    The kernel then notices its parent is gone (ipykernel's parent poller) and
    exits too, so a killed batch leaves no orphans.
    """
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except OSError:  # pragma: no cover - exotic libc
        pass


def _on_sigterm(*_: object) -> None:
    sys.exit(143)


def worker_main(
    worker_id: int,
    tasks: Any,
    results: Any,
    preload: tuple[str, ...],
    log_dir: str | None,
    close_fds: tuple[int, ...] = (),
    pdf_engine: str | None = "weasyprint",
) -> None:
    """Worker process body: start a kernel, then serve jobs until ``None``."""
    _die_with_parent()
    for fd in close_fds:
        try:
            os.close(fd)
        except OSError:
            pass
    # SIGTERM (pool shutdown) unwinds through ``finally`` so the kernel is stopped.
    signal.signal(signal.SIGTERM, _on_sigterm)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's business
    from analysis.batch.kernel import WarmKernel
    from analysis.batch.notebooks import _fast_imports

    _fast_imports()
    kernel = None
    printers = Printers(os.path.join(log_dir, f"chromium-{worker_id}.log") if log_dir else None)
    try:
        log_path = os.path.join(log_dir, f"kernel-{worker_id}.log") if log_dir else None
        kernel = WarmKernel(preload=preload, log_path=log_path, start=False)
        kernel.launch()
        # Import the rendering stack while the kernel boots and imports its preload.
        import papermill  # noqa: F401

        _warm_renderer(printers, pdf_engine)
        kernel.wait_ready()
        # The rendering stack stays loaded for the worker's life; keep the
        # collector from rescanning it (see the same call in the kernel).
        import gc

        gc.freeze()
        results.put(("ready", worker_id, kernel.preload_failures))
        while True:
            job = tasks.get()
            if job is None:
                break
            results.put(("start", worker_id, job.index))
            try:
                result = run_job(kernel, job, printers)
            except Exception as exc:  # bug in our own code: report it, keep serving
                result = {
                    "index": job.index,
                    "output": job.output,
                    "ok": False,
                    "error": {
                        "message": f"{type(exc).__name__}: {exc}",
                        "stage": "worker",
                        "line": traceback.format_exc().strip().splitlines()[-1],
                    },
                }
            if result.pop("restart_kernel", False) or not kernel.is_alive():
                kernel.restart()
            results.put(("done", worker_id, result))
    except Exception as exc:
        results.put(("dead", worker_id, f"{type(exc).__name__}: {exc}"))
    finally:
        printers.close()
        if kernel is not None:
            # Nothing in a kernel is worth a graceful exit; killing it saves ~1 s.
            kernel.shutdown(now=True)


def job_dict(job: Job) -> dict[str, Any]:
    """Plain-dict view of a job (for logs and tests)."""
    return asdict(job)
