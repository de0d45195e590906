"""Headless Chromium as a PDF printer, driven over the DevTools protocol on a pipe.

Starting Chromium for every report (``chromium --print-to-pdf``) costs about a
second each; one browser kept open prints a report in ~0.3 s, most of it in
Chromium's own processes rather than in Python, where WeasyPrint spends
~1 s of CPU per report.  :class:`ChromiumPrinter` keeps one browser and one
tab and prints one local HTML file after another.

The protocol runs over ``--remote-debugging-pipe`` (JSON messages separated by
NUL bytes on file descriptors 3 and 4): no port to pick, nothing listening on
the network, and no WebSocket library needed.

The browser loads nothing but the report itself.  The page is handed over
through the DevTools ``Fetch`` domain at :data:`PAGE_URL` (an address that
cannot exist), and every other request the page makes (``http:``, ``https:``,
a stylesheet, a frame) is failed there; ``file:`` URLs cannot be loaded from
that origin at all, so only what is embedded as ``data:`` is shown.  Page
scripts are disabled, and a JavaScript dialog is dismissed at once should one
open, so no page can stall the printer.

What :meth:`ChromiumPrinter.print_pdf` returns is made byte-stable: Chromium
stamps the print time into the document information and numbers the tagged
structure elements with a counter that keeps running across pages printed by
the same browser; both are normalised without changing any byte offset.

Examples
--------
>>> from analysis.chromium import ChromiumPrinter, find_chromium
>>> if find_chromium():                                       # doctest: +SKIP
...     with ChromiumPrinter() as printer:
...         pdf = printer.print_pdf("reports/profile_shaoxing.html")
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import re
import select
import shutil
import signal
import time
from pathlib import Path
from typing import Any

__all__ = ["BrowserExited", "ChromiumError", "ChromiumPrinter", "find_chromium", "normalize_pdf"]

#: Names the browser goes by on Debian, Ubuntu and with Google's packages.
EXECUTABLES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")

#: Flags for a quiet, offline, throw-away browser.  Without the background
#: networking flags Chromium keeps trying to reach Google's services, which a
#: closed network refuses many times over; ``--no-sandbox`` because the pages
#: are our own reports and the sandbox cannot start as root or in containers.
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--mute-audio",
    "--remote-debugging-pipe",
)

#: ``Page.printToPDF`` options: the page size and margins come from the report's
#: own ``@page`` rule, backgrounds (table shading) are kept, and the headings
#: become the PDF's bookmarks.
PRINT_OPTIONS: dict[str, Any] = {
    "printBackground": True,
    "preferCSSPageSize": True,
    "displayHeaderFooter": False,
    "generateTaggedPDF": True,
    "generateDocumentOutline": True,
}


_LOAD_FONTS = """(async () => {
  document.body && document.body.offsetHeight;
  await Promise.all([...document.fonts].map(f => f.load().catch(() => null)));
  await document.fonts.ready;
  return true;
})()"""


#: Where a printed report appears to come from.  ``.invalid`` names no host, and
#: the request never leaves the browser: it is answered through ``Fetch``.
PAGE_URL = "https://report.workbench.invalid/"

#: What the page may load, stated to the browser as well (scripts, frames, and
#: anything not embedded are refused before they reach :meth:`ChromiumPrinter._on_event`).
PAGE_POLICY = (
    "default-src 'none'; img-src data:; font-src data:; style-src 'unsafe-inline'; "
    "base-uri 'none'; form-action 'none'"
)


class ChromiumError(RuntimeError):
    """The browser could not be started, stopped answering, or refused a request."""


class BrowserExited(ChromiumError):
    """The browser process is gone, whichever way the pipe noticed first.

    Writing to a browser that has just exited fails with a broken pipe, and
    reading from one gives end-of-file; which comes first is down to timing, so
    both are reported as this one error with the exit code.
    """


def find_chromium() -> str | None:
    """Path of a Chromium or Chrome executable, or None.

    ``WORKBENCH_CHROMIUM`` names one explicitly (an empty value means "none").

    Examples
    --------
    >>> find_chromium() is None or os.path.exists(find_chromium())
    True
    """
    explicit = os.environ.get("WORKBENCH_CHROMIUM")
    if explicit is not None:
        return (
            shutil.which(explicit) or (explicit if os.path.isfile(explicit) else None)
            if explicit
            else None
        )
    for name in EXECUTABLES:
        path = shutil.which(name)
        if path:
            return path
    return None


_DATE_RE = re.compile(rb"\(D:\d{14}[^)]{0,10}\)")
_NODE_ID_RE = re.compile(rb"\(node(\d{8})\)")


_LEAF_RE = re.compile(rb"/Limits \[\(node\d{8}\) \(node\d{8}\)\]\n/Names \[([^\]]*)\]")
_ENTRY_RE = re.compile(rb"\((node\d{8})\) (\d+ \d+ R)")


def normalize_pdf(pdf: bytes) -> bytes:
    r"""Make a Chromium PDF independent of when, and after what, it was printed.

    Two things vary between prints of the same page: the creation and
    modification dates, which become 2000-01-01, and the ids Chromium gives
    tagged structure elements (``node00000483``, from a DOM counter that
    depends on what the tab showed before and on the order nodes were
    touched).  The ids are renumbered by the structure element they name
    (its object number, which is fixed by the document), and the ID tree is
    re-sorted under the new names.  Every replacement has the same length, so
    the cross-reference offsets stay valid.

    Examples
    --------
    >>> normalize_pdf(b"/CreationDate (D:20261201190009+00'00') /ID (node00000483)")
    b"/CreationDate (D:20000101000000+00'00') /ID (node00000000)"
    >>> tree = (b"/ID (node00000090)>> /ID (node00000077)>> /Limits [(node00000077) "
    ...         b"(node00000090)]\n/Names [(node00000077) 9 0 R (node00000090) 8 0 R]")
    >>> normalize_pdf(tree).decode()
    '/ID (node00000000)>> /ID (node00000001)>> /Limits [(node00000000) (node00000001)]\n/Names [(node00000000) 8 0 R (node00000001) 9 0 R]'
    """
    pdf = _DATE_RE.sub(lambda m: b"(D:20000101000000" + m.group(0)[17:], pdf)
    leaves = list(_LEAF_RE.finditer(pdf))
    entries = [e for leaf in leaves for e in _ENTRY_RE.findall(leaf.group(1))]
    by_object = sorted(entries, key=lambda e: tuple(int(x) for x in e[1].split()[:2]))
    rename = {old: b"node%08d" % i for i, (old, _) in enumerate(by_object)}
    # Ids not in the ID tree (none expected) keep their order after the others.
    for old in sorted(set(_NODE_ID_RE.findall(pdf)) - {o[4:] for o in rename}):
        rename[b"node" + old] = b"node%08d" % len(rename)
    if not rename:
        return pdf
    # One pass renames every id (so no new name is ever renamed again); the
    # leaves keep their spans, since every name keeps its length.
    pdf = _NODE_ID_RE.sub(lambda m: b"(%s)" % rename[b"node" + m.group(1)], pdf)
    # Then each leaf lists its entries in the new order, leaf sizes unchanged.
    pieces, pos, taken = [], 0, 0
    for leaf in leaves:
        count = len(_ENTRY_RE.findall(leaf.group(1)))
        mine = [(rename[old], ref) for old, ref in by_object[taken : taken + count]]
        taken += count
        body = b"/Limits [(%s) (%s)]\n/Names [%s]" % (
            mine[0][0],
            mine[-1][0],
            b" ".join(b"(%s) %s" % e for e in mine),
        )
        if len(body) != leaf.end() - leaf.start():  # pragma: no cover - multi-leaf trees
            body = pdf[leaf.start() : leaf.end()]  # renamed but unsorted, offsets kept
        pieces += [pdf[pos : leaf.start()], body]
        pos = leaf.end()
    return b"".join([*pieces, pdf[pos:]])


class ChromiumPrinter:
    """One headless Chromium with one tab, printing local HTML files to PDF.

    Parameters
    ----------
    executable : str, optional
        The browser; default :func:`find_chromium`.
    timeout : float
        Seconds any single request (start-up, loading a page, printing) may take.
    log_path : path-like, optional
        Where the browser's own stderr goes (default: discarded).

    Examples
    --------
    >>> printer = ChromiumPrinter()                               # doctest: +SKIP
    >>> printer.print_pdf("report.html")[:5]                      # doctest: +SKIP
    b'%PDF-'
    >>> printer.close()                                           # doctest: +SKIP
    """

    def __init__(
        self,
        executable: str | None = None,
        timeout: float = 60.0,
        log_path: str | os.PathLike[str] | None = None,
    ) -> None:
        self.executable = executable or find_chromium()
        if not self.executable:
            raise ChromiumError(
                "no Chromium found (install Debian's 'chromium' package, or set WORKBENCH_CHROMIUM)"
            )
        self.timeout = timeout
        self.log_path = log_path
        self._pid: int | None = None
        self._status: int | None = None
        self._to_browser = self._from_browser = -1
        self._buffer = b""
        self._next_id = 0
        self._session = ""
        self._profile = ""
        self._page: bytes | None = None
        #: Every URL a page asked for and was refused, oldest first.
        self.refused: list[str] = []
        try:
            self._start()
        except BaseException:
            self.close()  # no browser or profile folder left behind
            raise

    # -- lifecycle ---------------------------------------------------------
    def _start(self) -> None:
        from analysis.batch.scratch import make_scratch_dir

        # Marked with this process as its owner: a batch killed with -9 leaves it
        # behind, and the next batch removes it (analysis.batch.scratch.sweep).
        self._profile = make_scratch_dir("chromium")
        read_cmd, write_cmd = os.pipe()  # we write requests; the browser reads fd 3
        read_evt, write_evt = os.pipe()  # the browser writes fd 4; we read replies
        # Lift the child's ends above any fd a dup2 onto 3 or 4 could clobber.
        child_in = fcntl.fcntl(read_cmd, fcntl.F_DUPFD_CLOEXEC, 10)
        child_out = fcntl.fcntl(write_evt, fcntl.F_DUPFD_CLOEXEC, 10)
        for fd in (read_cmd, write_evt):
            os.close(fd)
        null = os.open(os.devnull, os.O_RDWR | os.O_CLOEXEC)
        log = (
            os.open(self.log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_CLOEXEC, 0o644)
            if self.log_path
            else null
        )
        argv = [self.executable, *FLAGS, f"--user-data-dir={self._profile}", "about:blank"]
        try:
            # posix_spawn's dup2 puts the pipe ends on exactly fds 3 and 4, which
            # subprocess cannot do without an unsafe preexec_fn; setsid makes the
            # browser a process group we can kill whole (renderer, GPU helpers).
            self._pid = os.posix_spawn(
                self.executable,
                argv,
                os.environ,
                file_actions=[
                    (os.POSIX_SPAWN_DUP2, null, 0),
                    (os.POSIX_SPAWN_DUP2, null, 1),
                    (os.POSIX_SPAWN_DUP2, log, 2),
                    (os.POSIX_SPAWN_DUP2, child_in, 3),
                    (os.POSIX_SPAWN_DUP2, child_out, 4),
                ],
                setsid=True,
            )
        except OSError as exc:
            os.close(write_cmd)
            os.close(read_evt)
            raise ChromiumError(f"cannot start {self.executable}: {exc}") from exc
        finally:
            for fd in {child_in, child_out, null, log}:
                os.close(fd)
        self._to_browser, self._from_browser = write_cmd, read_evt
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        self._session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})[
            "sessionId"
        ]
        self.call("Page.enable", session=self._session)
        # Reports need no script; fonts are awaited through Runtime, which still works.
        self.call("Emulation.setScriptExecutionDisabled", {"value": True}, session=self._session)
        self.call("Fetch.enable", {"patterns": [{"urlPattern": "*"}]}, session=self._session)

    def _poll(self) -> int | None:
        """Exit status of the browser, or None while it runs."""
        if self._pid is None:
            return self._status
        try:
            pid, status = os.waitpid(self._pid, os.WNOHANG)
        except ChildProcessError:
            pid, status = self._pid, 0
        if pid == 0:
            return None
        self._pid, self._status = None, os.waitstatus_to_exitcode(status)
        return self._status

    def _wait(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while self._poll() is None:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.02)
        return True

    def is_alive(self) -> bool:
        """Whether the browser process is still running."""
        return self._pid is not None and self._poll() is None

    def close(self) -> None:
        """Stop the browser and remove its profile."""
        if self.is_alive():
            pid = self._pid
            try:
                self._send("Browser.close")
            except ChromiumError:
                pass
            if not self._wait(5.0) and pid is not None:
                try:  # the whole group: renderer and GPU helpers too
                    os.killpg(pid, signal.SIGKILL)
                except OSError:
                    pass
                self._wait(5.0)
        for fd in (self._to_browser, self._from_browser):
            if fd >= 0:
                try:
                    os.close(fd)
                except OSError:
                    pass
        self._to_browser = self._from_browser = -1
        shutil.rmtree(self._profile, ignore_errors=True)

    def __enter__(self) -> ChromiumPrinter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- protocol ----------------------------------------------------------
    def _send(
        self, method: str, params: dict[str, Any] | None = None, session: str | None = None
    ) -> int:
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        data = json.dumps(message).encode() + b"\0"
        try:
            while data:
                data = data[os.write(self._to_browser, data) :]
        except OSError as exc:
            raise self._exited() from exc
        return self._next_id

    def _exited(self) -> BrowserExited:
        """The error for a browser whose pipe closed: wait for its exit code (or stop it)."""
        if not self._wait(5.0) and self._pid is not None:
            try:
                os.killpg(self._pid, signal.SIGKILL)
            except OSError:
                pass
            self._wait(5.0)
        return BrowserExited(f"the browser exited (code {self._poll()})")

    def _receive(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise ChromiumError(f"the browser did not answer within {self.timeout:g} s")
            ready, _, _ = select.select([self._from_browser], [], [], remaining)
            if not ready:
                continue
            chunk = os.read(self._from_browser, 1 << 20)
            if not chunk:
                raise self._exited()
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def call(
        self,
        method: str,
        params: dict[str, Any] | None = None,
        session: str | None = None,
        wait_for: str | None = None,
    ) -> dict[str, Any]:
        """Send one DevTools request and return its result.

        ``wait_for`` names an event (e.g. ``Page.loadEventFired``) that must also
        have arrived, from this session, before the call returns.
        """
        request = self._send(method, params, session)
        deadline = time.monotonic() + self.timeout
        result: dict[str, Any] | None = None
        seen = wait_for is None
        while result is None or not seen:
            message = self._receive(deadline)
            if message.get("id") == request:
                if "error" in message:
                    raise ChromiumError(f"{method}: {message['error'].get('message')}")
                result = message.get("result", {})
            elif "method" in message:
                self._on_event(message)
                if (
                    wait_for
                    and message["method"] == wait_for
                    and message.get("sessionId") == session
                ):
                    seen = True
        return result

    def _on_event(self, message: dict[str, Any]) -> None:
        """Answer what the page asks of us: only the report itself is ever served."""
        method, params = message["method"], message.get("params", {})
        session = message.get("sessionId")
        if method == "Fetch.requestPaused":
            url = params.get("request", {}).get("url", "")
            if url == PAGE_URL and self._page is not None:
                self._send(
                    "Fetch.fulfillRequest",
                    {
                        "requestId": params["requestId"],
                        "responseCode": 200,
                        "responseHeaders": [
                            {"name": "Content-Type", "value": "text/html; charset=utf-8"},
                            {"name": "Content-Security-Policy", "value": PAGE_POLICY},
                            {"name": "Cache-Control", "value": "no-store"},
                        ],
                        "body": base64.b64encode(self._page).decode("ascii"),
                    },
                    session=session,
                )
            else:
                self.refused.append(url)
                self._send(
                    "Fetch.failRequest",
                    {"requestId": params["requestId"], "errorReason": "BlockedByClient"},
                    session=session,
                )
        elif method == "Page.javascriptDialogOpening":
            self._send("Page.handleJavaScriptDialog", {"accept": False}, session=session)

    # -- printing ----------------------------------------------------------
    def print_pdf(self, html_path: str | os.PathLike[str]) -> bytes:
        """Print a local HTML file to PDF (see :meth:`print_html`).

        Parameters
        ----------
        html_path : path-like
            A complete HTML document on disk.

        Returns
        -------
        bytes
            The PDF, normalised by :func:`normalize_pdf`.
        """
        if not Path(html_path).is_file():
            raise FileNotFoundError(f"no such page to print: {html_path}")
        return self.print_html(Path(html_path).read_text(encoding="utf-8"))

    def print_html(self, html: str) -> bytes:
        """Lay out an HTML document and print it to PDF.

        The page is served at :data:`PAGE_URL` and may load nothing else.
        Waits for the page's load event and for every web font it declares, so
        no text is laid out in a fallback font.

        Parameters
        ----------
        html : str
            A complete, self-contained HTML document.

        Returns
        -------
        bytes
            The PDF, normalised by :func:`normalize_pdf`.
        """
        if not self.is_alive():
            raise ChromiumError("the browser is not running")
        self._page = html.encode("utf-8")
        try:
            nav = self.call(
                "Page.navigate",
                {"url": PAGE_URL},
                session=self._session,
                wait_for="Page.loadEventFired",
            )
        finally:
            self._page = None
        if nav.get("errorText"):
            raise ChromiumError(f"cannot load the page: {nav['errorText']}")
        # fonts.ready alone can resolve before layout has asked for a face (a CJK
        # fallback inside <pre>, say), and that text would print as empty boxes:
        # load every declared face first.
        self.call(
            "Runtime.evaluate",
            {"expression": _LOAD_FONTS, "awaitPromise": True},
            session=self._session,
        )
        result = self.call("Page.printToPDF", PRINT_OPTIONS, session=self._session)
        pdf = base64.b64decode(result["data"])
        if not pdf.startswith(b"%PDF-"):
            raise ChromiumError("the browser returned no PDF")
        return normalize_pdf(pdf)
