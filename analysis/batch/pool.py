"""A pool of worker processes, each with one warm kernel, fed from one job queue.

Workers are forked from the batch process while it is still light (no
pandas, no kernels), start their kernels in parallel, and pull jobs from a
shared queue, so a slow notebook never holds up the others.  A worker that
dies takes only its current job down: the job is reported as failed and a
replacement worker is started for the rest.

Examples
--------
>>> from analysis.batch.pool import WorkerPool
>>> with WorkerPool(jobs=2) as pool:                       # doctest: +SKIP
...     for result in pool.run(jobs_list):
...         print(result["output"], result["ok"])
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from analysis.batch.kernel import DEFAULT_PRELOAD
from analysis.batch.worker import Job, worker_main


class WorkerPool:
    """``jobs`` worker processes with warm kernels.

    Parameters
    ----------
    jobs : int
        Number of workers (and kernels).
    preload : tuple of str
        Modules every kernel imports once.
    log_dir : str, optional
        Kernel processes' own stdout/stderr go to ``kernel-<n>.log`` there.
    max_respawns : int
        Replacement workers started, in total, for workers that died.
    close_in_child : iterable of int
        File descriptors the workers must not keep open (the batch lock: a
        worker outliving a killed batch must not keep the output locked).
    pdf_engine : str or None
        PDF engine the jobs will use (``"chromium"`` or ``"weasyprint"``), which
        the workers start or warm up while their kernels boot; None if the jobs
        make no PDFs.
    """

    def __init__(
        self,
        jobs: int | None = None,
        preload: Iterable[str] = DEFAULT_PRELOAD,
        log_dir: str | os.PathLike[str] | None = None,
        max_respawns: int = 4,
        close_in_child: Iterable[int] = (),
        pdf_engine: str | None = "weasyprint",
    ) -> None:
        self.size = max(1, jobs or os.cpu_count() or 1)
        self.preload = tuple(preload)
        self.log_dir = os.fspath(log_dir) if log_dir else None
        self.respawns_left = max_respawns
        self.close_in_child = tuple(close_in_child)
        self.pdf_engine = pdf_engine
        # fork: the batch process holds nothing yet that a child must not inherit,
        # and forking skips re-importing the batch machinery in every worker.
        self._ctx = multiprocessing.get_context("fork")
        self._tasks: Any = self._ctx.Queue()
        self._results: Any = self._ctx.Queue()
        self._procs: dict[int, Any] = {}
        self._next_id = 0
        self.preload_failures: set[str] = set()
        self.dead_messages: list[str] = []
        self._closed = False
        for _ in range(self.size):
            self._spawn()

    def _spawn(self) -> None:
        worker_id = self._next_id
        self._next_id += 1
        proc = self._ctx.Process(
            target=worker_main,
            args=(
                worker_id,
                self._tasks,
                self._results,
                self.preload,
                self.log_dir,
                self.close_in_child,
                self.pdf_engine,
            ),
            name=f"workbench-worker-{worker_id}",
            daemon=True,
        )
        proc.start()
        self._procs[worker_id] = proc

    # -- running -----------------------------------------------------------
    def run(
        self, jobs: list[Job], on_start: Callable[[Job], None] | None = None
    ) -> Iterator[dict[str, Any]]:
        """Run ``jobs``; yield one result record per job as each finishes."""
        if self._closed:
            raise RuntimeError("pool is closed")
        by_index = {job.index: job for job in jobs}
        pending = set(by_index)
        running: dict[int, int] = {}  # worker id -> job index
        for job in jobs:
            self._tasks.put(job)
        while pending:
            try:
                kind, worker_id, payload = self._results.get(timeout=0.5)
            except queue.Empty:
                yield from self._reap(by_index, pending, running)
                continue
            if kind == "ready":
                self.preload_failures.update(payload)
            elif kind == "start":
                running[worker_id] = payload
                if on_start:
                    on_start(by_index[payload])
            elif kind == "done":
                running.pop(worker_id, None)
                if payload["index"] in pending:
                    pending.discard(payload["index"])
                    yield payload
            elif kind == "dead":
                self.dead_messages.append(f"worker {worker_id}: {payload}")

    def _reap(
        self, by_index: dict[int, Job], pending: set[int], running: dict[int, int]
    ) -> Iterator[dict[str, Any]]:
        """Fail the jobs of workers that died; replace the workers."""
        for worker_id, proc in list(self._procs.items()):
            if proc.is_alive():
                continue
            proc.join()
            del self._procs[worker_id]
            index = running.pop(worker_id, None)
            if index is not None and index in pending:
                pending.discard(index)
                why = self.dead_messages[-1] if self.dead_messages else ""
                yield {
                    "index": index,
                    "output": by_index[index].output,
                    "ok": False,
                    "error": {
                        "message": f"worker process died (exit code {proc.exitcode})"
                        + (f": {why}" if why else ""),
                        "stage": "worker",
                    },
                }
            if self.respawns_left > 0:
                self.respawns_left -= 1
                self._spawn()
        if not self._procs and pending:
            # Nobody left to run the rest: fail them instead of waiting forever.
            why = "; ".join(self.dead_messages) or "all workers died"
            for index in sorted(pending):
                yield {
                    "index": index,
                    "output": by_index[index].output,
                    "ok": False,
                    "error": {"message": f"no worker could run it ({why})", "stage": "worker"},
                }
            pending.clear()
            self._drain_tasks()

    def _drain_tasks(self) -> None:
        while True:
            try:
                self._tasks.get_nowait()
            except queue.Empty:
                return

    # -- teardown ----------------------------------------------------------
    def close(self, timeout: float = 10.0, grace: float = 2.0) -> None:
        """Stop the workers (and so their kernels).

        Workers get ``timeout`` seconds to finish their current job and stop
        their kernels cleanly; ``timeout=0`` stops them at once (used when the
        plan is rejected while the kernels are still warming up).  Then they
        get ``grace`` seconds after SIGTERM to stop their browser and kernel
        and remove their temporary folders before they are killed.
        """
        if self._closed:
            return
        self._closed = True
        self._drain_tasks()
        for _ in self._procs:
            self._tasks.put(None)
        deadline = time.monotonic() + timeout
        for proc in self._procs.values():
            proc.join(max(0.0, deadline - time.monotonic()))
        for proc in self._procs.values():
            if proc.is_alive():
                proc.terminate()  # SIGTERM: the worker still shuts its kernel down
        deadline = time.monotonic() + grace
        for proc in self._procs.values():
            proc.join(max(0.0, deadline - time.monotonic()))
            if proc.is_alive():
                proc.kill()
        self._tasks.close()
        self._results.close()

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
