"""Where the project is, and where its corpus is: one answer for the CLI, batch and notebooks.

A notebook in JupyterLab runs in ``notebooks/``, the command line wherever it was
started, the batch's kernels in the notebooks' folder.  So that a path means the same
thing in all three, every path that is not typed on the command line (the notebooks'
``casebase_dir`` and ``sources`` parameters, ``$WORKBENCH_SOURCES``, the project
setting) is taken relative to the *project root*: the nearest folder, from the working
directory upwards, with a ``pyproject.toml`` declaring ``[tool.workbench]`` or with a
``casebase/`` folder.  A case base given elsewhere (``--casebase DIR``) takes the
settings of its own project (:func:`project_of`).

The corpus (the folder or folders of source texts) is chosen, first match wins, by

1. ``--sources`` on the command line (repeatable; relative to the working directory),
2. ``$WORKBENCH_SOURCES``,
3. ``sources`` in the ``[tool.workbench]`` table of the project's ``pyproject.toml``.

Several folders may be given (``--sources`` repeated, or any value separated by
``os.pathsep``, or a TOML list); a source file is looked up in all of them.

Examples
--------
>>> import os; os.environ.pop(SOURCES_ENV, None) and None
>>> split_folders("a" + os.pathsep + "b" + os.pathsep)
['a', 'b']
>>> corpus_folders(root="/nonexistent")
()
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

#: Environment variable naming the corpus folder(s), ``os.pathsep``-separated.
SOURCES_ENV = "WORKBENCH_SOURCES"
#: The table of ``pyproject.toml`` holding the project's settings.
SETTINGS_TABLE = ("tool", "workbench")

PathLike = str | os.PathLike[str]


class ProjectSettingsError(ValueError):
    """The ``[tool.workbench]`` table cannot be read; the message is one line."""


def _declares_workbench(pyproject: Path) -> bool:
    try:
        text = pyproject.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    return "[tool.workbench]" in text


def project_root(start: PathLike | None = None) -> Path:
    """The project root: the nearest folder from ``start`` upwards that is a workbench project.

    A folder is one when its ``pyproject.toml`` has a ``[tool.workbench]`` table or it
    holds a ``casebase/`` folder.  Without either anywhere above, ``start`` itself.

    Parameters
    ----------
    start : path-like, optional
        Where to start looking (default: the working directory).

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     (Path(tmp) / "casebase").mkdir()
    ...     (Path(tmp) / "notebooks").mkdir()
    ...     project_root(Path(tmp) / "notebooks") == Path(tmp).resolve()
    True
    """
    here = Path(start if start is not None else Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if _declares_workbench(folder / "pyproject.toml") or (folder / "casebase").is_dir():
            return folder
    return here


def project_of(casebase: PathLike) -> Path:
    """The project a case-base folder belongs to: the one whose settings apply to it.

    Examples
    --------
    >>> project_of("/nonexistent/project/casebase")
    PosixPath('/nonexistent/project')
    """
    return project_root(Path(casebase).resolve().parent)


def project_settings(root: PathLike | None = None) -> dict[str, Any]:
    """The ``[tool.workbench]`` table of the project's ``pyproject.toml`` (empty without one).

    Raises
    ------
    ProjectSettingsError
        If ``pyproject.toml`` is not valid TOML or the table is not a table.

    Examples
    --------
    >>> project_settings("/nonexistent")
    {}
    """
    path = Path(root if root is not None else project_root()) / "pyproject.toml"
    if not path.is_file():
        return {}
    # Imported here: the no-change batch and `workbench --help` stay light.
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ProjectSettingsError(f"{path}: {exc}") from None
    table: Any = data
    for key in SETTINGS_TABLE:
        table = table.get(key, {}) if isinstance(table, dict) else None
    if not isinstance(table, dict):
        raise ProjectSettingsError(f"{path}: [tool.workbench] must be a table")
    return table


def split_folders(value: str | PathLike | Iterable[str | PathLike] | None) -> list[str]:
    """Folder names from a value that may hold several: ``os.pathsep``-separated or a list.

    Examples
    --------
    >>> split_folders(None)
    []
    >>> split_folders(["a", "b" + os.pathsep + "c"])
    ['a', 'b', 'c']
    """
    if value is None:
        return []
    items = [value] if isinstance(value, str | os.PathLike) else list(value)
    return [part for item in items for part in os.fspath(item).split(os.pathsep) if part]


def _absolute(folders: Iterable[str], base: Path) -> tuple[Path, ...]:
    return tuple(Path(os.path.normpath(base / Path(f).expanduser())) for f in folders)


def corpus_folders(
    command_line: str | PathLike | Sequence[str | PathLike] | None = None,
    *,
    root: PathLike | None = None,
    cwd: PathLike | None = None,
) -> tuple[Path, ...]:
    """The corpus folders, absolute: ``--sources`` > ``$WORKBENCH_SOURCES`` > project setting.

    Parameters
    ----------
    command_line : str, path or list of them, optional
        The ``--sources`` values, taken relative to ``cwd``.
    root : path-like, optional
        Project root that the environment variable and the setting are relative to
        (default: :func:`project_root`).
    cwd : path-like, optional
        What command-line folders are relative to (default: the working directory).

    Returns
    -------
    tuple of Path
        Empty when no corpus is configured.

    Raises
    ------
    ProjectSettingsError
        If the project setting cannot be read or ``sources`` is not a string or list.

    Examples
    --------
    >>> corpus_folders(["/corpus/a", "/corpus/b"])
    (PosixPath('/corpus/a'), PosixPath('/corpus/b'))
    """
    given = split_folders(command_line)
    if given:
        return _absolute(given, Path(cwd if cwd is not None else Path.cwd()))
    base = Path(root).resolve() if root is not None else project_root()
    env = split_folders(os.environ.get(SOURCES_ENV))
    if env:
        return _absolute(env, base)
    setting = project_settings(base).get("sources")
    if setting is None:
        return ()
    if not (
        isinstance(setting, str)
        or (isinstance(setting, list) and all(isinstance(s, str) for s in setting))
    ):
        raise ProjectSettingsError(
            f"{base / 'pyproject.toml'}: tool.workbench.sources: "
            "must be a folder name or a list of folder names"
        )
    return _absolute(split_folders(setting), base)


def project_path(path: PathLike, root: PathLike | None = None) -> Path:
    """``path`` taken relative to the project root (an absolute path is kept).

    Examples
    --------
    >>> project_path("casebase", "/project")
    PosixPath('/project/casebase')
    >>> project_path("/data/casebase", "/project")
    PosixPath('/data/casebase')
    """
    base = Path(root) if root is not None else project_root()
    return Path(os.path.normpath(base / Path(path).expanduser()))
