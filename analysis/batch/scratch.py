"""Temporary folders of the batch (kernel connection files, browser profiles) and
their clean-up after a batch that was killed.

Each folder is made in the system temporary directory with a ``wb-<kind>-``
name and an owner file recording the process that made it (its pid and, on
Linux, its start time, so a reused pid is not mistaken for the owner).
A batch removes its folders itself, also on SIGTERM and Ctrl-C; only a
``kill -9`` can leave one behind, and :func:`sweep` removes those at the next
start: a folder is removed only when it carries our name prefix, belongs to
our user, has an owner file, and its owner is dead.

Examples
--------
>>> from analysis.batch.scratch import make_scratch_dir, owner_alive
>>> import shutil
>>> path = make_scratch_dir("kernel")
>>> owner_alive(path)
True
>>> shutil.rmtree(path)
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

#: Name prefixes of the batch's temporary folders.
KINDS = ("kernel", "chromium")
OWNER_FILE = ".wb-owner"


def _start_time(pid: int) -> str:
    """The process's start time in clock ticks since boot ("" where unknown)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as fh:
            stat = fh.read()
    except OSError:
        return ""
    # Field 22; the command name (field 2) may contain spaces, so count from its end.
    fields = stat[stat.rfind(")") + 2 :].split()
    return fields[19] if len(fields) > 19 else ""


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def make_scratch_dir(kind: str) -> str:
    """Make a ``wb-<kind>-*`` folder in the temporary directory, owned by this process.

    Parameters
    ----------
    kind : str
        One of :data:`KINDS`.

    Returns
    -------
    str
        The new folder's path.
    """
    path = tempfile.mkdtemp(prefix=f"wb-{kind}-")
    pid = os.getpid()
    with open(os.path.join(path, OWNER_FILE), "w", encoding="ascii") as fh:
        fh.write(f"{pid} {_start_time(pid)}\n")
    return path


def owner_alive(folder: str | os.PathLike[str]) -> bool | None:
    """Whether the process that made ``folder`` still runs; None if it cannot be told.

    Examples
    --------
    >>> owner_alive("/nonexistent") is None
    True
    """
    try:
        text = Path(folder, OWNER_FILE).read_text(encoding="ascii")
        pid_text, _, started = text.strip().partition(" ")
        pid = int(pid_text)
    except (OSError, ValueError):
        return None
    if pid <= 0 or not _pid_alive(pid):
        return False
    # Alive: but is it the same process, or a new one that got the same pid?
    return not started or _start_time(pid) == started


def sweep(tmp_dir: str | os.PathLike[str] | None = None) -> list[Path]:
    """Remove the batch folders left in ``tmp_dir`` by batch processes that are gone.

    Parameters
    ----------
    tmp_dir : path-like, optional
        Default: :func:`tempfile.gettempdir`.

    Returns
    -------
    list of Path
        The folders removed.

    Examples
    --------
    >>> import tempfile
    >>> sweep(tempfile.mkdtemp())
    []
    """
    base = Path(tmp_dir or tempfile.gettempdir())
    prefixes = tuple(f"wb-{kind}-" for kind in KINDS)
    removed: list[Path] = []
    try:
        entries = list(os.scandir(base))
    except OSError:
        return removed
    uid = os.getuid() if hasattr(os, "getuid") else None
    for entry in entries:
        if not entry.name.startswith(prefixes):
            continue
        try:
            if not entry.is_dir(follow_symlinks=False):
                continue
            if uid is not None and entry.stat(follow_symlinks=False).st_uid != uid:
                continue
        except OSError:
            continue
        if owner_alive(entry.path) is False:
            shutil.rmtree(entry.path, ignore_errors=True)
            removed.append(Path(entry.path))
    return removed
