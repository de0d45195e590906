"""The batch on a Dask distributed cluster (``workbench batch --scheduler tcp://HOST:8786``).

:class:`DaskPool` runs the batch's jobs on an existing ``dask.distributed`` cluster
instead of the local worker processes, behind the same interface as
:class:`analysis.batch.pool.WorkerPool`, so the runner's manifest, incremental
rebuild, stale marking, progress and failure isolation are unchanged:

- a worker plugin (:class:`KernelPlugin`) keeps one warm kernel (and PDF engine)
  per Dask worker, between jobs and between batches;
- the workers need not share a filesystem with the client: the project's case
  base, the notebooks of the plan, ``pyproject.toml`` and the corpus folders go to
  them as bytes, by content hash (SHA-256), and each worker keeps them in a
  blob cache in its local directory, so an unchanged file is sent once;
- each job runs in the worker's copy of the project, writes its reports into a
  scratch folder there, and sends the files back; the client writes them
  atomically under ``reports/``, exactly where the local pool writes them;
- a job whose worker dies or is lost is run again elsewhere by the scheduler
  (``distributed.scheduler.allowed-failures``, default 3); a notebook that fails
  fails only its own report, as in the local pool.

The workers render with their own installed ``analysis`` package and libraries;
a worker whose ``analysis`` code or rendering libraries differ from the client's
would make different bytes, so its jobs fail with a message that says so.

Examples
--------
>>> from analysis.batch.dask_pool import DaskPool
>>> with DaskPool("tcp://127.0.0.1:8786", root=".") as pool:          # doctest: +SKIP
...     for result in pool.run(jobs_list):
...         print(result["output"], result["ok"])
"""

from __future__ import annotations

import hashlib
import os
import queue
import shutil
import tempfile
import threading
import time
import traceback
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from analysis.batch.kernel import DEFAULT_PRELOAD
from analysis.batch.worker import Job

#: Name of the worker plugin on every Dask worker.
PLUGIN_NAME = "workbench-kernels"
#: Topic of the "a job started" events the workers send to the client.
START_TOPIC = "workbench-batch-start"
#: Libraries whose versions change the bytes of a report.
RENDER_LIBRARIES = (
    "numpy",
    "pandas",
    "scipy",
    "matplotlib",
    "seaborn",
    "networkx",
    "statsmodels",
    "nbconvert",
    "nbformat",
    "papermill",
    "weasyprint",
    "docx",
    "fontTools",
)


# -- what the workers need: files by content hash -------------------------------------


@dataclass(frozen=True)
class ProjectSpec:
    """The files a job needs, by content hash, and how the worker's kernel must run.

    ``files`` maps a path in the worker's copy (``project/...`` or ``corpus/<i>/...``)
    to the SHA-256 of its bytes.
    """

    files: tuple[tuple[str, str], ...]
    corpus_folders: int
    fingerprint: str

    @property
    def digest(self) -> str:
        return hashlib.sha256(repr(self.files).encode("utf-8")).hexdigest()


def _walk(folder: Path) -> Iterator[Path]:
    """Files under ``folder`` as the batch hashes them (no hidden files, caches or temp files)."""
    from analysis.batch.hashing import _walk as walk

    if folder.is_dir():
        yield from walk(folder, None)


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def notebook_place(notebook: str, root: Path) -> str:
    """Where a job's notebook lives in the worker's copy of the project.

    Examples
    --------
    >>> notebook_place("/p/notebooks/a.ipynb", Path("/p"))
    'project/notebooks/a.ipynb'
    >>> notebook_place("/elsewhere/b.py", Path("/p"))
    'project/_outside/b.py'
    """
    rel = Path(os.path.relpath(notebook, root))
    if rel.parts and rel.parts[0] == "..":
        return f"project/_outside/{rel.name}"
    return f"project/{rel.as_posix()}"


def project_files(root: Path, notebooks: Iterable[str], corpus: Sequence[Path]) -> dict[str, Path]:
    """Every file a worker needs, by its place in the worker's copy.

    The case base, ``pyproject.toml``, the folder of each notebook (a notebook may
    read files next to it) and the corpus folders.
    """
    files: dict[str, Path] = {}
    pyproject = root / "pyproject.toml"
    if pyproject.is_file():
        files["project/pyproject.toml"] = pyproject
    for path in _walk(root / "casebase"):
        files[f"project/{path.relative_to(root).as_posix()}"] = path
    for notebook in sorted(set(notebooks)):
        place = notebook_place(notebook, root)
        folder = Path(notebook).parent
        prefix = place.rsplit("/", 1)[0]
        for path in _walk(folder):
            files[f"{prefix}/{path.relative_to(folder).as_posix()}"] = path
        files[place] = Path(notebook)
    for i, folder in enumerate(corpus):
        for path in _walk(Path(folder)):
            files[f"corpus/{i}/{path.relative_to(folder).as_posix()}"] = path
    return files


def fingerprint() -> str:
    """What makes this process render the bytes it renders: the ``analysis`` code and
    the versions of the rendering libraries (compared between client and workers)."""
    import importlib.metadata

    import analysis
    from analysis.batch.hashing import tree_digest

    package = Path(analysis.__file__).parent
    parts = [f"analysis={tree_digest(package, ('.py',), base=package.parent)}"]
    for name in RENDER_LIBRARIES:
        dist = {"docx": "python-docx", "fontTools": "fonttools"}.get(name, name)
        try:
            parts.append(f"{name}={importlib.metadata.version(dist)}")
        except importlib.metadata.PackageNotFoundError:
            parts.append(f"{name}=-")
    return ";".join(parts)


def _mismatch(client: str, worker: str) -> str:
    theirs = dict(p.split("=", 1) for p in worker.split(";"))
    ours = dict(p.split("=", 1) for p in client.split(";"))
    diff = [
        f"{name} {theirs.get(name, '-')[:12]} (client {value[:12]})"
        for name, value in ours.items()
        if theirs.get(name) != value
    ]
    return ", ".join(diff)


# -- the worker side -----------------------------------------------------------------


def _worker_plugin_base() -> type:
    from distributed import WorkerPlugin

    return WorkerPlugin


class KernelPlugin(_worker_plugin_base()):  # type: ignore[misc]
    """Keeps a warm kernel and the PDF engine on a Dask worker, and the project's files.

    Parameters
    ----------
    preload : tuple of str
        Modules the kernel imports once.
    pdf_engine : str or None
        ``"chromium"`` or ``"weasyprint"`` to warm up; None if no PDFs are made.
    corpus_folders : int
        How many corpus folders the kernel's ``$WORKBENCH_SOURCES`` names.
    """

    name = PLUGIN_NAME

    def __init__(
        self,
        preload: Sequence[str] = DEFAULT_PRELOAD,
        pdf_engine: str | None = None,
        corpus_folders: int = 0,
    ) -> None:
        self.preload = tuple(preload)
        self.pdf_engine = pdf_engine
        self.corpus_folders = corpus_folders

    @property
    def config(self) -> tuple[Any, ...]:
        return (self.preload, self.pdf_engine, self.corpus_folders)

    # Dask calls these on the worker.
    def setup(self, worker: Any) -> None:
        self.home = Path(worker.local_directory) / "workbench"
        self.blobs = self.home / "blobs"
        self.blobs.mkdir(parents=True, exist_ok=True)
        self.lock = threading.Lock()
        self.placed: dict[str, str] = {}
        self.kernel: Any = None
        self.printers: Any = None
        self.error: str | None = None
        self.fingerprint = ""
        self.ready = threading.Event()
        # Warming takes seconds: not on the worker's event loop.
        threading.Thread(target=self._warm, name="workbench-warm-up", daemon=True).start()

    def teardown(self, worker: Any) -> None:
        self.ready.wait(timeout=30)
        with self.lock:
            if self.printers is not None:
                self.printers.close()
            if self.kernel is not None:
                self.kernel.shutdown(now=True)
                self.kernel = None

    def _warm(self) -> None:
        try:
            from analysis.batch.kernel import WarmKernel
            from analysis.batch.notebooks import _fast_imports
            from analysis.batch.worker import Printers, _warm_renderer

            _fast_imports()
            logs = self.home / "logs"
            logs.mkdir(parents=True, exist_ok=True)
            self.printers = Printers(str(logs / "chromium.log"))
            self.kernel = WarmKernel(
                preload=self.preload,
                log_path=logs / "kernel.log",
                start=False,
                env=self._kernel_env(),
            )
            self.kernel.launch()
            import papermill  # noqa: F401 - the rendering stack, while the kernel boots

            _warm_renderer(self.printers, self.pdf_engine)
            self.kernel.wait_ready()
            self.fingerprint = fingerprint()
        except Exception as exc:
            self.error = f"{type(exc).__name__}: {exc}"
        finally:
            self.ready.set()

    def _kernel_env(self) -> dict[str, str | None]:
        from analysis.project import SOURCES_ENV

        folders = [str(self.home / "corpus" / str(i)) for i in range(self.corpus_folders)]
        return {SOURCES_ENV: os.pathsep.join(folders) if folders else None}

    # -- files ---------------------------------------------------------------------
    def store(self, blobs: dict[str, bytes]) -> None:
        """Keep sent files in the blob cache (each checked against its hash)."""
        for sha, data in blobs.items():
            path = self.blobs / sha
            if path.exists() or hashlib.sha256(data).hexdigest() != sha:
                continue
            tmp = self.blobs / f".{sha}.{uuid.uuid4().hex}.tmp"
            tmp.write_bytes(data)
            os.replace(tmp, path)

    def missing(self, shas: Iterable[str]) -> list[str]:
        return sorted({s for s in shas if not (self.blobs / s).exists()})

    def place(self, spec: ProjectSpec) -> list[str]:
        """Make the worker's copy of the project equal ``spec``; the hashes it lacks."""
        wanted = dict(spec.files)
        lacking = self.missing(wanted.values())
        if lacking:
            return lacking
        for rel in sorted(set(self.placed) - set(wanted)):
            (self.home / rel).unlink(missing_ok=True)
            del self.placed[rel]
        for rel, sha in wanted.items():
            target = self.home / rel
            if self.placed.get(rel) == sha and target.is_file():
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp")
            shutil.copyfile(self.blobs / sha, tmp)
            os.replace(tmp, target)
            self.placed[rel] = sha
        return []

    # -- jobs ----------------------------------------------------------------------
    def run(self, job: Job, notebook: str, spec: ProjectSpec) -> dict[str, Any]:
        """Run one job in the worker's copy; the result record and the files it wrote."""
        from analysis.batch.worker import run_job

        self.ready.wait()
        if self.error is not None:
            raise RuntimeError(f"the worker's kernel did not start: {self.error}")
        if self.fingerprint != spec.fingerprint:
            return {
                "result": _failed(
                    job,
                    "this Dask worker renders with other code or libraries than the client "
                    f"({_mismatch(spec.fingerprint, self.fingerprint)}): install the same "
                    "versions on the workers",
                )
            }
        lacking = self.place(spec)
        if lacking:
            return {"missing": lacking}
        out = Path(tempfile.mkdtemp(prefix="out-", dir=self.home))
        try:
            here = replace(job, notebook=str(self.home / notebook), out_dir=str(out))
            try:
                result = run_job(self.kernel, here, self.printers)
            except Exception as exc:  # bug in our own code: report it, keep serving
                result = _failed(job, f"{type(exc).__name__}: {exc}")
                result["error"]["line"] = traceback.format_exc().strip().splitlines()[-1]
            if result.pop("restart_kernel", False) or not self.kernel.is_alive():
                self.kernel.restart()
            files = {
                path.relative_to(out).as_posix(): path.read_bytes()
                for path in sorted(out.rglob("*"))
                if path.is_file() and not path.name.endswith(".tmp")
            }
            return {"result": result, "files": files}
        finally:
            shutil.rmtree(out, ignore_errors=True)


def _same(data: Any) -> Any:
    return data


def _failed(job: Job, message: str) -> dict[str, Any]:
    return {
        "index": job.index,
        "output": job.output,
        "ok": False,
        "error": {"message": message, "stage": "worker"},
    }


def _plugin() -> KernelPlugin:
    from distributed import get_worker

    worker = get_worker()
    plugin = worker.plugins.get(PLUGIN_NAME)
    if plugin is None:
        raise RuntimeError("the workbench worker plugin is not registered on this worker")
    return plugin


def _worker_missing(shas: list[str], dask_worker: Any = None) -> list[str]:
    """On a worker (``client.run``): which of ``shas`` its blob cache lacks."""
    plugin = dask_worker.plugins.get(PLUGIN_NAME) if dask_worker is not None else None
    if plugin is None:
        return list(shas)
    return plugin.missing(shas)


def _worker_config(dask_worker: Any = None) -> Any:
    plugin = dask_worker.plugins.get(PLUGIN_NAME) if dask_worker is not None else None
    return None if plugin is None else plugin.config


def run_remote(
    job: Job, notebook: str, spec: ProjectSpec, bundles: Sequence[dict[str, bytes]], token: str
) -> dict[str, Any]:  # spec and bundles: task results, fetched once per worker
    """The task: one job on the worker this runs on (see :meth:`KernelPlugin.run`)."""
    from distributed import get_worker

    plugin = _plugin()
    with plugin.lock:
        for bundle in bundles:
            plugin.store(bundle)
        get_worker().log_event(START_TOPIC, {"token": token, "index": job.index})
        return plugin.run(job, notebook, spec)


# -- the client side -----------------------------------------------------------------


class DaskPool:
    """Runs batch jobs on a Dask cluster; the interface of :class:`~analysis.batch.pool.WorkerPool`.

    Parameters
    ----------
    address : str or distributed.Client
        Scheduler address (``tcp://host:8786``) or a connected client.
    root : path-like
        Project root (where ``casebase/`` is).
    corpus : sequence of path-like
        The corpus folders the kernels read (``$WORKBENCH_SOURCES``).
    preload : tuple of str
        Modules each worker's kernel imports once.
    pdf_engine : str or None
        PDF engine the jobs use.
    timeout : float, optional
        Seconds to wait for the scheduler (default: Dask's
        ``distributed.comm.timeouts.connect``, 30 s).
    """

    def __init__(
        self,
        address: Any,
        root: str | os.PathLike[str] = ".",
        corpus: Sequence[str | os.PathLike[str]] = (),
        preload: Iterable[str] = DEFAULT_PRELOAD,
        pdf_engine: str | None = None,
        timeout: float | None = None,
    ) -> None:
        from distributed import Client

        self.root = Path(root).resolve()
        self.corpus = [Path(f).resolve() for f in corpus]
        self.preload = tuple(preload)
        self.pdf_engine = pdf_engine
        self.preload_failures: set[str] = set()
        self.dead_messages: list[str] = []
        self._closed = False
        self._own_client = not isinstance(address, Client)
        if self._own_client:
            self.client = Client(address, **({} if timeout is None else {"timeout": timeout}))
        else:
            self.client = address
        self._events: queue.Queue = queue.Queue()
        self._token = uuid.uuid4().hex
        self.client.subscribe_topic(START_TOPIC, self._on_event)
        plugin = KernelPlugin(self.preload, pdf_engine, len(self.corpus))
        configs = self.client.run(_worker_config)
        if not configs or any(c != plugin.config for c in configs.values()):
            self.client.register_plugin(plugin, name=PLUGIN_NAME)
        self._fingerprint = fingerprint()

    def _on_event(self, event: Any) -> None:
        _, message = event
        if isinstance(message, dict) and message.get("token") == self._token:
            self._events.put(message["index"])

    def _spec(self, jobs: list[Job]) -> tuple[ProjectSpec, dict[str, Path], dict[str, str]]:
        files = project_files(self.root, [job.notebook for job in jobs], self.corpus)
        shas = {place: _sha256(path) for place, path in files.items()}
        spec = ProjectSpec(tuple(sorted(shas.items())), len(self.corpus), self._fingerprint)
        by_sha = {sha: files[place] for place, sha in shas.items()}
        return spec, by_sha, {job.notebook: notebook_place(job.notebook, self.root) for job in jobs}

    def _share(self, data: Any, name: str) -> Any:
        """``data`` as a task result every job can depend on.

        Not scattered: scattered data lost with a worker cannot be recovered (and its
        dependent jobs would be cancelled); a task's result is recomputed elsewhere.
        """
        return self.client.submit(_same, data, key=f"{name}-{uuid.uuid4().hex}", pure=False)

    def _bundle(self, shas: Iterable[str], by_sha: dict[str, Path]) -> Any:
        data = {sha: by_sha[sha].read_bytes() for sha in sorted(set(shas))}
        return self._share(data, "workbench-files")

    def run(
        self, jobs: list[Job], on_start: Callable[[Job], None] | None = None
    ) -> Iterator[dict[str, Any]]:
        """Run ``jobs``; yield one result record per job as each finishes (files written)."""
        from distributed import as_completed

        if self._closed:
            raise RuntimeError("pool is closed")
        if not jobs:
            return
        by_index = {job.index: job for job in jobs}
        spec, by_sha, places = self._spec(jobs)
        # Send only what some worker lacks; a worker that joins later asks for the rest.
        lacking = set().union(*self.client.run(_worker_missing, sorted(by_sha)).values())
        bundles = [self._bundle(lacking, by_sha)] if lacking else []
        full: Any = None
        started: set[int] = set()

        # The file list goes to each worker once, not with every task.
        spec_data = self._share(spec, "workbench-spec")

        def submit(job: Job, extra: Sequence[Any] = ()) -> Any:
            return self.client.submit(
                run_remote,
                job,
                places[job.notebook],
                spec_data,
                [*bundles, *extra],
                self._token,
                key=f"workbench-{job.output}-{uuid.uuid4().hex[:8]}",
                pure=False,
            )

        futures = {submit(job): job for job in jobs}
        done = as_completed(futures)
        while not done.is_empty():
            self._drain(by_index, started, on_start)
            if not done.has_ready():
                time.sleep(0.05)
                continue
            for future in done.next_batch(block=False):
                job = futures.pop(future)
                try:
                    payload = future.result()
                except Exception as exc:  # lost too often (KilledWorker), cancelled, ...
                    yield _failed(job, f"{type(exc).__name__}: {exc}".strip())
                    continue
                finally:
                    future.release()
                if "missing" in payload:  # a new worker: send it everything once
                    full = full if full is not None else self._bundle(by_sha, by_sha)
                    retry = submit(job, [full])
                    futures[retry] = job
                    done.add(retry)
                    continue
                self._drain(by_index, started, on_start)
                if on_start and job.index not in started:
                    started.add(job.index)
                    on_start(job)
                yield self._write(job, payload)

    def _drain(
        self, by_index: dict[int, Job], started: set[int], on_start: Callable[[Job], None] | None
    ) -> None:
        while True:
            try:
                index = self._events.get_nowait()
            except queue.Empty:
                return
            if on_start and index in by_index and index not in started:
                started.add(index)
                on_start(by_index[index])

    def _write(self, job: Job, payload: dict[str, Any]) -> dict[str, Any]:
        """Write the files a job made under the reports folder, atomically."""
        from analysis.batch.worker import write_error
        from analysis.render import atomic_write

        result = payload["result"]
        out = Path(job.out_dir)
        for rel, data in payload.get("files", {}).items():
            path = out / rel
            try:
                atomic_write(path, data)
            except OSError as exc:
                return {**_failed(job, ""), "error": write_error(exc, path)}
        return result

    def close(self, timeout: float = 10.0, grace: float = 2.0) -> None:
        """Disconnect; the workers and their warm kernels stay up for the next batch."""
        if self._closed:
            return
        self._closed = True
        try:
            self.client.unsubscribe_topic(START_TOPIC)
        except Exception:  # pragma: no cover - best effort on teardown
            pass
        if self._own_client:
            self.client.close(timeout=max(timeout, 1.0))

    def __enter__(self) -> DaskPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
