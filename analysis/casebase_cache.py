"""A per-user cache of validated case bases: a kernel loads 1,000 cases in about a second.

Validating a case base parses every YAML file with its line numbers and checks every
reference and every quote against its source text: about 10 s for 1,000 cases on two
cores.  Every kernel of a batch and every notebook a scholar opens would repeat that
work on the same bytes.  After a successful validation the result is kept here, keyed
by the SHA-256 of every file the validation read and of the code that validated them;
the next load of the same bytes reads the result back instead.

What keeps this safe:

- **JSON, never pickle.**  An entry is plain JSON read back through the same strict
  pydantic models the YAML went through: nothing in an entry can run code, and an
  entry that does not fit the models is ignored.
- **The user's own folder, signed.**  Entries live in :func:`cache_dir` (by default
  ``~/.cache/governance-workbench/casebase``, created ``0700``; a folder owned by
  someone else, or writable by others, is not used).  Each entry
  carries an HMAC-SHA256 made with a random per-user key kept there (``0600``), so an
  entry copied in from elsewhere (say, inside a project someone hands over) is ignored
  and the case base is validated from its files.
- **Exact keys.**  The key covers the bytes of ``codebook.yaml``, ``sources.yaml``,
  ``codings/rounds.yaml``, every case file and every coding, whether source texts were
  checked, and the bytes of the validating modules and the pydantic and Python
  versions: any edit, or a new version of the workbench, misses the cache.  The source
  texts are read again on every load and must still have the SHA-256 that
  ``sources.yaml`` records (the quotes were checked against exactly those bytes).
- **Nothing half-written.**  Entries are written to a temporary file and renamed; a
  failed validation is never stored.

``WORKBENCH_CACHE=off`` turns the cache off.  Only the most recently used
:data:`KEEP` entries are kept.

Examples
--------
>>> from analysis.casebase import load_casebase
>>> cb = load_casebase("casebase", "../shared/seeds", cache=True)   # doctest: +SKIP
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import os
import secrets
import stat
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

import pydantic
from pydantic import BaseModel, ConfigDict, ValidationError

from analysis import casebase as _casebase
from analysis import safe_yaml as _safe_yaml
from analysis.casebase import (
    Case,
    CaseBase,
    Codebook,
    Coding,
    Source,
)

#: How many entries are kept (the most recently used).
KEEP = 8
#: Format of an entry; bump when :class:`Snapshot` changes.
FORMAT = "1"


class Snapshot(BaseModel):
    """What a successful validation produced, as stored in an entry."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str
    with_texts: bool
    codebook: Codebook
    sources: dict[str, Source]
    cases: dict[str, Case]
    codings: dict[str, dict[str, Coding]]


def cache_dir(environ: Mapping[str, str] | None = None) -> Path | None:
    """The folder of this user's case-base entries, or None when the cache is off.

    ``$WORKBENCH_CASEBASE_CACHE`` names it directly; otherwise it is ``casebase/`` in
    the workbench's per-user cache (the fonts' too, :func:`analysis.fonts.cache_dir`):
    ``$WORKBENCH_CACHE_DIR``, else ``$XDG_CACHE_HOME/governance-workbench``, else
    ``~/.cache/governance-workbench``.

    Parameters
    ----------
    environ : mapping, optional
        The environment to read (default ``os.environ``).

    Examples
    --------
    >>> cache_dir({"WORKBENCH_CACHE_DIR": "/data/cache"})
    PosixPath('/data/cache/casebase')
    >>> cache_dir({"XDG_CACHE_HOME": "/home/li/.cache"})
    PosixPath('/home/li/.cache/governance-workbench/casebase')
    >>> cache_dir({"WORKBENCH_CASEBASE_CACHE": "/tmp/cb", "WORKBENCH_CACHE_DIR": "/data"})
    PosixPath('/tmp/cb')
    >>> cache_dir({"WORKBENCH_CACHE": "off", "WORKBENCH_CACHE_DIR": "/data/cache"}) is None
    True
    """
    env = os.environ if environ is None else environ
    if env.get("WORKBENCH_CACHE", "").strip().lower() in {"off", "0", "no", "false"}:
        return None
    if env.get("WORKBENCH_CASEBASE_CACHE"):
        return Path(env["WORKBENCH_CASEBASE_CACHE"])
    if env.get("WORKBENCH_CACHE_DIR"):
        return Path(env["WORKBENCH_CACHE_DIR"]) / "casebase"
    xdg = env.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg else Path.home() / ".cache"
    return base / "governance-workbench" / "casebase"


def _private_dir(create: bool) -> Path | None:
    """The entries' folder if it is this user's alone (created if asked), else None."""
    entries = cache_dir()
    if entries is None:
        return None
    try:
        if create:
            entries.mkdir(parents=True, exist_ok=True, mode=0o700)
        st = os.stat(entries, follow_symlinks=False)
    except OSError:
        return None
    if not stat.S_ISDIR(st.st_mode):
        return None
    if hasattr(os, "getuid") and (st.st_uid != os.getuid() or st.st_mode & 0o022):
        return None
    return entries


def _secret(entries: Path, create: bool) -> bytes | None:
    path = entries / "key"
    try:
        return _read_private(path)
    except FileNotFoundError:
        if not create:
            return None
    except OSError:
        return None
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first
        try:
            return _read_private(path)
        except OSError:
            return None
    except OSError:
        return None
    with os.fdopen(fd, "wb") as fh:
        fh.write(secrets.token_bytes(32))
    return _read_private(path)


def _read_private(path: Path) -> bytes | None:
    st = os.stat(path, follow_symlinks=False)
    if not stat.S_ISREG(st.st_mode) or st.st_mode & 0o077:
        return None
    if hasattr(os, "getuid") and st.st_uid != os.getuid():
        return None
    key = path.read_bytes()
    return key if len(key) == 32 else None


@functools.cache
def _code_fingerprint() -> bytes:
    h = hashlib.sha256(FORMAT.encode())
    for module in (_casebase, _safe_yaml):
        h.update(Path(module.__file__ or "").read_bytes())
    h.update(pydantic.VERSION.encode())
    h.update(sys.version.encode())
    return h.digest()


def files_read(root: Path) -> list[Path]:
    """Every file :func:`analysis.casebase.load_casebase` reads under ``root``, in order.

    Examples
    --------
    >>> [p.name for p in files_read(Path("/nonexistent"))]
    ['codebook.yaml', 'sources.yaml']
    """
    files = [root / "codebook.yaml", root / "sources.yaml"]
    rounds = root / "codings" / "rounds.yaml"
    if rounds.is_file():
        files.append(rounds)
    files += _casebase._case_files(root)
    files += [path for _, path in _casebase._coding_files(root)]
    return files


def fingerprint(root: str | os.PathLike[str], with_texts: bool) -> str | None:
    """The key of a case base's files as they are now (None if one cannot be read).

    Examples
    --------
    >>> fingerprint("/nonexistent", True) is None
    True
    """
    root = Path(root)
    h = hashlib.sha256(_code_fingerprint())
    h.update(b"texts" if with_texts else b"no-texts")
    for path in files_read(root):
        try:
            data = path.read_bytes()
        except OSError:
            return None
        h.update(path.relative_to(root).as_posix().encode() + b"\0")
        h.update(hashlib.sha256(data).digest())
    return h.hexdigest()


def _texts(sources: dict[str, Source], corpus: Sequence[Path]) -> dict[str, str] | None:
    """The source texts, if every one is found once and still has its recorded SHA-256
    (the validation's own reader; any problem sends the load to a full validation,
    which reports it with its line)."""
    try:
        texts, problems = _casebase._load_sources_texts(
            list(enumerate(sources.values())), corpus, "sources.yaml", None
        )
    except OSError:
        return None
    return None if problems else texts


def load(root: str | os.PathLike[str], corpus: Sequence[Path], key: str) -> CaseBase | None:
    """The case base of the entry ``key``, or None when there is no valid entry.

    ``corpus`` are the corpus folders (empty: no source texts).  The texts are read
    from them, never from the entry.

    Examples
    --------
    >>> load("casebase", (), "0" * 64) is None
    True
    """
    entries = _private_dir(create=False)
    if entries is None:
        return None
    secret = _secret(entries, create=False)
    path = entries / f"{key}.json"
    if secret is None or not path.is_file():
        return None
    try:
        raw = path.read_bytes()
    except OSError:
        return None
    mac, _, body = raw.partition(b"\n")
    expected = hmac.new(secret, body, hashlib.sha256).hexdigest().encode()
    if not hmac.compare_digest(mac, expected):
        return None
    try:
        snap = Snapshot.model_validate_json(body)
    except ValidationError:
        return None
    if snap.key != key or snap.with_texts != bool(corpus):
        return None
    texts = _texts(snap.sources, corpus) if corpus else {}
    if texts is None:
        return None
    try:
        os.utime(path)  # most recently used
    except OSError:
        pass
    return CaseBase(
        root=Path(root),
        codebook=snap.codebook,
        sources=snap.sources,
        cases=snap.cases,
        codings=snap.codings,
        texts=texts,
    )


def store(cb: CaseBase, key: str, with_texts: bool) -> Path | None:
    """Keep a validated case base under ``key``; the entry's path, or None if not kept.

    Only :func:`analysis.casebase.load_casebase` calls this, after a validation that
    found no problem, with the key computed before and after it (equal: no file
    changed meanwhile).

    Examples
    --------
    >>> from analysis.casebase import load_casebase
    >>> cb = load_casebase("casebase")                       # doctest: +SKIP
    >>> key = fingerprint("casebase", with_texts=False)      # doctest: +SKIP
    >>> store(cb, key, with_texts=False).name == f"{key}.json"   # doctest: +SKIP
    True
    """
    entries = _private_dir(create=True)
    if entries is None:
        return None
    secret = _secret(entries, create=True)
    if secret is None:
        return None
    snap = Snapshot(
        key=key,
        with_texts=with_texts,
        codebook=cb.codebook,
        sources=cb.sources,
        cases=cb.cases,
        codings=cb.codings,
    )
    body = snap.model_dump_json().encode()
    mac = hmac.new(secret, body, hashlib.sha256).hexdigest().encode()
    target = entries / f"{key}.json"
    try:
        fd, tmp = tempfile.mkstemp(dir=entries, prefix=".tmp-", suffix=".json")
        with os.fdopen(fd, "wb") as fh:
            fh.write(mac + b"\n" + body)
        os.replace(tmp, target)
    except OSError:
        try:
            os.unlink(tmp)
        except (OSError, UnboundLocalError):
            pass
        return None
    _prune(entries)
    return target


def _prune(entries: Path) -> None:
    found = []
    for path in entries.glob("*.json"):
        try:
            found.append((path.stat().st_mtime_ns, path))
        except OSError:
            continue
    for _, path in sorted(found, reverse=True)[KEEP:]:
        try:
            path.unlink()
        except OSError:
            pass
