"""A warm, reusable Jupyter kernel that behaves like a fresh one for each notebook.

Starting a kernel (~1.7 s) and importing pandas, seaborn and statsmodels in it
(~3 s) cost far more than a briefing notebook's real work (<1 s).  A
:class:`WarmKernel` pays that once: it starts one ipykernel, imports the heavy
libraries, snapshots the interpreter state, and before every notebook puts
that state back.  Notebooks are then executed by papermill itself
(:func:`papermill.execute_notebook` with our kernel manager and client), so
parameter injection, error handling and the executed notebook are exactly
papermill's.

What the reset restores, and why each matters:

- the user namespace, ``In``/``Out`` and the execution counter
  (``InteractiveShell.reset(new_session=True)``): otherwise variables leak and
  execution counts differ from a fresh kernel;
- matplotlib ``rcParams`` and open figures: ``sns.set_theme()`` or a style in
  one notebook would restyle the next one's figures;
- ``random`` and ``numpy.random`` global state, reseeded to a fixed value:
  otherwise a notebook's random draws would depend on which notebooks ran
  before it on the same worker;
- ``sys.path``, ``os.environ``, the working directory, warning filters (and
  their once-only registries), numpy error/print options, pandas options and
  root logging handlers.

What it deliberately keeps: ``sys.modules`` (that is the point; the project's
own modules are cached too, which is fine within one batch) and fonts
registered with matplotlib's font manager.  The matplotlib backend is put
back to the one active after warm-up, so a notebook calling
``matplotlib.use()`` cannot change how the next one displays figures.

Examples
--------
>>> from analysis.batch.kernel import WarmKernel
>>> with WarmKernel(preload=("numpy",)) as kernel:          # doctest: +SKIP
...     nb = kernel.execute(source_nb, {"case_id": "x"}, cwd="notebooks")
"""

from __future__ import annotations

import functools
import os
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from analysis.batch.scratch import make_scratch_dir

#: Libraries imported once per kernel.  Importing them in every notebook is
#: most of a naive run's cost; importing them up front changes nothing a
#: notebook can observe except speed.  Only what the report notebooks use:
#: ``statsmodels.api`` (0.5 s, every model class) is left for a notebook that
#: asks for it; the project needs ``statsmodels.stats`` only, which
#: ``analysis.stats`` imports.
DEFAULT_PRELOAD: tuple[str, ...] = (
    "numpy",
    "pandas",
    "scipy.stats",
    "matplotlib",
    "matplotlib.pyplot",
    "seaborn",
    "networkx",
    "IPython.display",
    # The project's own modules: notebooks import them anyway, and whatever they
    # set up at import (analysis.plots selects the Agg backend) then belongs to
    # the state every notebook starts from, as after its own imports.
    "analysis.*",
)

#: Seed given to ``random`` and ``numpy.random`` before every notebook.
RESET_SEED = 0

# Runs inside the kernel, as the module ``_workbench_kernel``; kept as source so
# the kernel never has to import anything from the batch machinery.
_KERNEL_HELPER = r'''
import importlib, logging, os, random, sys, warnings

_snap = {}


def _ip():
    return get_ipython()  # noqa: F821 - provided by IPython in the kernel


def _expand(modules):
    """``pkg.*`` means every module directly in ``pkg`` (not CLIs or the batch itself)."""
    import pkgutil
    for name in modules:
        if not name.endswith(".*"):
            yield name
            continue
        pkg = name[:-2]
        try:
            path = importlib.import_module(pkg).__path__
        except Exception:
            yield pkg
            continue
        for info in sorted(pkgutil.iter_modules(path), key=lambda m: m.name):
            if info.name.startswith("_") or "cli" in info.name or info.name in _SKIP:
                continue
            yield f"{pkg}.{info.name}"


_SKIP = {"batch", "render"}


def warm_up(modules):
    failed = []
    for name in _expand(modules):
        try:
            importlib.import_module(name)
        except Exception as exc:  # a broken optional module must not kill the worker
            failed.append(f"{name}: {type(exc).__name__}: {exc}")
    # Snapshot after the imports: that state is what every notebook starts from.
    ns = _ip().user_ns
    _snap["dunders"] = {k: v for k, v in ns.items() if k.startswith("__") and k.endswith("__")}
    _snap["path"] = list(sys.path)
    _snap["environ"] = dict(os.environ)
    _snap["filters"] = list(warnings.filters)
    root = logging.getLogger()
    _snap["log"] = (list(root.handlers), root.level)
    if "matplotlib" in sys.modules:
        import matplotlib
        _snap["rc"] = dict(matplotlib.rcParams)
        _snap["backend"] = matplotlib.get_backend() if "matplotlib.pyplot" in sys.modules else None
    if "numpy" in sys.modules:
        import numpy
        _snap["np_err"] = numpy.geterr()
        _snap["np_print"] = numpy.get_printoptions()
    # Everything imported so far lives as long as the kernel.  Moving it out of
    # the collector's reach makes the full collection in every reset (and the
    # automatic ones while a notebook runs) skip ~10^6 objects: 0.1 s -> 3 ms.
    import gc
    gc.collect()
    gc.freeze()
    return failed


def reset(cwd, seed):
    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")
    ip = _ip()
    ip.reset(new_session=True)
    ip.user_ns.update(_snap["dunders"])
    sys.path[:] = _snap["path"]
    if os.environ != _snap["environ"]:
        os.environ.clear()
        os.environ.update(_snap["environ"])
    warnings.filters[:] = _snap["filters"]
    warnings._filters_mutated()  # forget "shown once" registries, as a new process would
    root = logging.getLogger()
    root.handlers[:], level = _snap["log"]
    root.setLevel(level)
    if "rc" in _snap:
        import matplotlib
        rc = matplotlib.rcParams
        # Same raw restore as matplotlib.rc_context uses on exit.
        plt = sys.modules.get("matplotlib.pyplot")
        if plt is not None and _snap.get("backend") and plt.get_backend() != _snap["backend"]:
            # A notebook called matplotlib.use(); the next one must not inherit it.
            # Back to inline goes through IPython, which also re-registers the
            # figure formatters and display hooks the switch away removed.
            if "inline" in _snap["backend"]:
                ip.enable_matplotlib("inline")
            else:
                plt.switch_backend(_snap["backend"])
        getattr(rc, "_update_raw", lambda d: dict.update(rc, d))(_snap["rc"])
    if "pandas" in sys.modules:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                sys.modules["pandas"].reset_option("all")
            except Exception:
                pass
    random.seed(seed)
    if "numpy" in sys.modules:
        import numpy
        numpy.seterr(**_snap["np_err"])
        numpy.set_printoptions(**_snap["np_print"])
        numpy.random.seed(seed)
    os.chdir(cwd)
'''


class KernelStartError(RuntimeError):
    """The kernel could not be started or warmed up."""


class WarmKernel:
    """One ipykernel, started once and reset between notebooks.

    Parameters
    ----------
    preload : iterable of str
        Modules to import once, before the state snapshot.
    kernel_name : str
        Kernel spec to start.
    log_path : path-like, optional
        Where the kernel process's own stdout/stderr go (not notebook output).
    startup_timeout : float
        Seconds to wait for the kernel to answer.
    start : bool
        Start and warm up now (default); ``False`` leaves it to
        :meth:`launch` and :meth:`wait_ready`.
    env : mapping, optional
        Environment variables to set (a value of None removes one) on top of this
        process's environment, e.g. the corpus folders of a Dask worker.

    Examples
    --------
    >>> kernel = WarmKernel(preload=())                           # doctest: +SKIP
    >>> nb = kernel.execute(nb, {"lang": "zh"}, cwd=".")          # doctest: +SKIP
    >>> kernel.shutdown()                                         # doctest: +SKIP
    """

    def __init__(
        self,
        preload: Iterable[str] = DEFAULT_PRELOAD,
        kernel_name: str = "python3",
        log_path: str | os.PathLike[str] | None = None,
        startup_timeout: float = 120.0,
        start: bool = True,
        env: Mapping[str, str | None] | None = None,
    ) -> None:
        self.preload = tuple(preload)
        self.env = dict(env or {})
        self.kernel_name = kernel_name
        self.log_path = Path(log_path) if log_path else None
        self.startup_timeout = startup_timeout
        self.preload_failures: list[str] = []
        self.km: Any = None
        self.kc: Any = None
        self.ctl: Any = None
        self._runtime_dir = make_scratch_dir("kernel")
        self._log_fh: Any = None
        self._warmup_id = ""
        if start:
            self.start()

    # -- lifecycle ---------------------------------------------------------
    def start(self) -> None:
        """Start the kernel and warm it up (blocks until ready)."""
        self.launch()
        self.wait_ready()

    def launch(self) -> None:
        """Start the kernel process and queue the warm-up; do not wait.

        The caller can do its own slow imports while the kernel boots and
        imports the preload list, then call :meth:`wait_ready`.
        """
        from jupyter_client.manager import AsyncKernelManager
        from jupyter_core.utils import run_sync

        km = AsyncKernelManager(kernel_name=self.kernel_name)
        # IPC sockets: no free-port races between parallel kernels, no TCP warning.
        km.transport = "ipc"
        km.ip = os.path.join(self._runtime_dir, "kernel")
        km.connection_file = os.path.join(self._runtime_dir, "kernel.json")
        env = dict(os.environ)
        for name, value in self.env.items():
            if value is None:
                env.pop(name, None)
            else:
                env[name] = value
        # Fixed string hashing, so set iteration order (and any output that
        # depends on it) is the same in every run.
        env["PYTHONHASHSEED"] = "0"
        env.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
        kwargs: dict[str, Any] = {
            # nbclient's default: no SQLite history file shared between kernels.
            "extra_arguments": ["--HistoryManager.hist_file=:memory:"],
            "env": env,
        }
        if self.log_path:
            self.log_path.parent.mkdir(parents=True, exist_ok=True)
            self._log_fh = open(self.log_path, "ab")  # noqa: SIM115 - lives with the kernel
            kwargs["stdout"] = self._log_fh
            kwargs["stderr"] = self._log_fh
        self.km = km
        run_sync(km.start_kernel)(**kwargs)
        # Our own requests go through a separate synchronous client holding only a
        # shell socket: sharing nbclient's asyncio sockets between two pollers loses
        # wake-ups, and a shell reply is all we need to know a request finished.
        self.ctl = km.blocking_client()
        self.ctl.start_channels(shell=True, iopub=False, stdin=False, hb=False, control=False)
        code = (
            "import sys as _s, types as _t\n"
            "_m = _t.ModuleType('_workbench_kernel')\n"
            f"exec(compile({_KERNEL_HELPER!r}, '<workbench-kernel>', 'exec'), _m.__dict__)\n"
            "_s.modules['_workbench_kernel'] = _m\n"
            f"_wb_failed = _m.warm_up({list(self.preload)!r})\n"
        )
        # Queued on the socket; the kernel runs it as soon as it is up.
        self._warmup_id = self.ctl.execute(
            code,
            silent=True,
            store_history=False,
            allow_stdin=False,
            user_expressions={"failed": "_wb_failed"},
        )

    def wait_ready(self) -> None:
        """Wait for the warm-up to finish and connect nbclient's client."""
        from jupyter_core.utils import run_sync

        try:
            reply = self._wait_reply(self._warmup_id, self.startup_timeout)
            kc = self.km.client()
            kc.start_channels()
            self.kc = kc
            run_sync(kc.wait_for_ready)(timeout=self.startup_timeout)
        except Exception as exc:
            self.shutdown()
            raise KernelStartError(f"kernel did not start: {exc}") from exc
        kc.allow_stdin = False
        failed = reply["content"].get("user_expressions", {}).get("failed", {})
        if failed.get("status") == "ok":
            import ast

            self.preload_failures = ast.literal_eval(failed["data"]["text/plain"])

    def shutdown(self, now: bool = False) -> None:
        """Stop the kernel and release its sockets and files.

        ``now=True`` kills it instead of asking (a busy kernel answers late).
        """
        from jupyter_core.utils import run_sync

        for client in (self.ctl, self.kc):
            if client is not None:
                try:
                    client.stop_channels()
                except Exception:  # pragma: no cover - best effort on teardown
                    pass
        self.kc = self.ctl = None
        if self.km is not None:
            try:
                run_sync(self.km.shutdown_kernel)(now=now)
            except Exception:  # pragma: no cover - best effort on teardown
                pass
            self.km = None
        if self._log_fh is not None:
            self._log_fh.close()
            self._log_fh = None
        import shutil

        shutil.rmtree(self._runtime_dir, ignore_errors=True)

    def restart(self) -> None:
        """Replace a dead or wedged kernel by a new warm one."""
        self.shutdown()
        self._runtime_dir = make_scratch_dir("kernel")
        self.start()

    def is_alive(self) -> bool:
        """Whether the kernel process is still running."""
        from jupyter_core.utils import run_sync

        return self.km is not None and bool(run_sync(self.km.is_alive)())

    def __enter__(self) -> WarmKernel:
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()

    # -- execution ---------------------------------------------------------
    def _wait_reply(self, msg_id: str, timeout: float) -> dict:
        from queue import Empty

        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise KernelStartError("kernel did not answer in time")
            try:
                reply = self.ctl.get_shell_msg(timeout=remaining)
            except Empty:
                continue
            if reply["parent_header"].get("msg_id") != msg_id:
                continue
            if reply["content"]["status"] != "ok":
                content = reply["content"]
                raise KernelStartError(
                    f"kernel helper failed: {content.get('ename')}: {content.get('evalue')}"
                )
            return reply

    def _run_silent(self, code: str, timeout: float | None = None) -> dict:
        msg_id = self.ctl.execute(code, silent=True, store_history=False, allow_stdin=False)
        return self._wait_reply(msg_id, timeout or self.startup_timeout)

    def reset(self, cwd: str | os.PathLike[str]) -> None:
        """Put the kernel back into its post-warm-up state, working in ``cwd``."""
        self._run_silent(
            f"__import__('sys').modules['_workbench_kernel'].reset({os.path.abspath(cwd)!r}, {RESET_SEED})"
        )

    def execute(
        self,
        nb: Any,
        parameters: Mapping[str, Any],
        cwd: str | os.PathLike[str],
        cell_timeout: float | None = None,
    ) -> tuple[Any, Exception | None, float]:
        """Reset the kernel, then run ``nb`` with papermill against it.

        Parameters
        ----------
        nb : nbformat.NotebookNode
            The source notebook (not modified).
        parameters : mapping
            Injected by papermill exactly as ``papermill -p`` would.
        cwd : path-like
            Working directory for the notebook (its own folder, like Jupyter).
        cell_timeout : float, optional
            Per-cell timeout in seconds (papermill's ``execution_timeout``).

        Returns
        -------
        (NotebookNode, Exception or None, float)
            The executed notebook (with papermill's error markers if it failed),
            the papermill error if a cell raised, and the seconds it took.
        """
        import papermill

        from analysis.batch import _memio

        engine = _warm_engine()
        self.reset(cwd)
        start = time.perf_counter()
        key = _memio.new_key()
        error: Exception | None = None
        try:
            papermill.execute_notebook(
                nb,
                key,
                parameters=dict(parameters),
                kernel_name=self.kernel_name,
                progress_bar=False,
                request_save_on_cell_execute=False,
                execution_timeout=cell_timeout,
                engine_name=engine,
                km=self.km,
                kc=self.kc,
            )
        except papermill.PapermillExecutionError as exc:
            error = exc
        executed = _memio.pop(key)
        return executed, error, time.perf_counter() - start


_ENGINE = "workbench-warm"


@functools.cache
def _warm_engine() -> str:
    """Register (once) a papermill engine that runs on an existing kernel client.

    papermill's own ``nbclient`` engine accepts ``km`` but nbclient's
    constructor drops any ``kc``, so every notebook would open a fresh client
    and wait for it to be ready, a fixed ~0.2 s (jupyter_client flushes IOPub
    with a 0.2 s timeout).  This engine is the stock one plus that single
    assignment: the same :class:`papermill.clientwrap.PapermillNotebookClient`
    executes the cells, so parameters, error markers and the executed
    notebook stay papermill's.
    """
    from papermill.engines import NBClientEngine, papermill_engines

    class WarmClientEngine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(
            cls,
            nb_man,
            kernel_name,
            log_output=False,
            stdout_file=None,
            stderr_file=None,
            start_timeout=60,
            execution_timeout=None,
            kc=None,
            **kwargs,
        ):
            from papermill.clientwrap import PapermillNotebookClient
            from papermill.engines import logger
            from papermill.utils import merge_kwargs, remove_args

            # Same argument handling as NBClientEngine.execute_managed_notebook.
            kwargs = remove_args(["input_path"], **kwargs)
            safe_kwargs = remove_args(["timeout", "startup_timeout"], **kwargs)
            final_kwargs = merge_kwargs(
                safe_kwargs,
                timeout=execution_timeout if execution_timeout else kwargs.get("timeout"),
                startup_timeout=start_timeout,
                kernel_name=kernel_name,
                log=logger,
                log_output=log_output,
                stdout_file=stdout_file,
                stderr_file=stderr_file,
            )
            client = PapermillNotebookClient(nb_man, **final_kwargs)
            client.kc = kc  # the one difference; the kernel manager still owns it
            return client.execute()

    papermill_engines.register(_ENGINE, WarmClientEngine)
    return _ENGINE
