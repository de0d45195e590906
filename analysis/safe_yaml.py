"""Read YAML and text files safely: the one place the workbench parses YAML.

Every YAML file the project reads (case files, ``codebook.yaml``, ``sources.yaml``,
independent codings, ``codings/rounds.yaml``, batch plans) goes through
:func:`load_yaml`, and the round-trip documents that ``workbench locate`` rewrites
come from :func:`roundtrip_yaml`.  Parsing uses libyaml's C parser (fast); before
any Python object is built, the parsed node graph is checked so that

- anchors and aliases (``&name`` / ``*name``) are refused: a few hundred bytes of
  nested aliases ("billion laughs") would otherwise expand to gigabytes;
- nesting deeper than :data:`MAX_DEPTH` is refused (the case files nest about 6
  levels; very deep nesting would otherwise end in a RecursionError);
- duplicate keys are refused, and only ``true``/``false`` are booleans (YAML 1.2),
  so ``name_en: No`` stays a string.

Files must be UTF-8; :func:`decode_utf8` says how to convert one that is not.
Every failure is a :class:`YamlError` printed as ``file:line: message``.

This module imports only PyYAML (ruamel.yaml lazily), so the batch's no-change path
stays fast.

Examples
--------
>>> load_yaml("a: [1, 2]", "x.yaml")
{'a': [1, 2]}
>>> load_yaml("a: &x [1]\\nb: *x", "x.yaml")
Traceback (most recent call last):
...
analysis.safe_yaml.YamlError: x.yaml:1: YAML anchors and aliases are not allowed (&x): write the value out in full
"""

from __future__ import annotations

import gc
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

if TYPE_CHECKING:
    from ruamel.yaml import YAML

#: Deepest nesting of mappings and sequences accepted in a YAML file.
MAX_DEPTH = 50


class YamlError(ValueError):
    """A file could not be read as safe UTF-8 YAML; ``str()`` is ``file:line: message``.

    Examples
    --------
    >>> str(YamlError("cases/a.yaml", 3, "malformed YAML"))
    'cases/a.yaml:3: malformed YAML'
    """

    def __init__(self, file: str, line: int | None, message: str) -> None:
        self.file = file
        self.line = line
        self.message = message
        super().__init__(f"{file}:{line}: {message}" if line else f"{file}: {message}")


# ------------------------------------------------------------------------ text


def _guess_encoding(data: bytes) -> str | None:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "UTF-16"
    try:
        data.decode("gb18030")
    except UnicodeDecodeError:
        return None
    return "GBK"


def decode_utf8(data: bytes, display: str, after: str = "") -> str:
    """Decode a file's bytes as UTF-8, or say how to convert the file.

    Parameters
    ----------
    data : bytes
        The file's content.
    display : str
        How to name the file in the message.
    after : str, optional
        What else to do once the file is converted (e.g. update its sha256).

    Raises
    ------
    YamlError
        If the bytes are not UTF-8; the message names the line, a guess of the
        encoding and the ``iconv`` command that converts the file.

    Examples
    --------
    >>> decode_utf8("共治".encode("gbk"), "a.txt")
    Traceback (most recent call last):
    ...
    analysis.safe_yaml.YamlError: a.txt:1: not UTF-8 text (GBK?): convert it with `iconv -f GBK -t UTF-8 a.txt > a.utf8 && mv a.utf8 a.txt`
    """
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        enc = _guess_encoding(data)
        name = Path(display).name
        stem = Path(display).stem
        if enc is None:
            how = f"not UTF-8 text (bad byte at offset {exc.start}): save it as UTF-8"
        else:
            how = (
                f"not UTF-8 text ({enc}?): convert it with "
                f"`iconv -f {enc} -t UTF-8 {name} > {stem}.utf8 && mv {stem}.utf8 {name}`"
            )
        raise YamlError(display, line, how + (f", {after}" if after else "")) from None


def read_utf8(path: str | Path, display: str | None = None, after: str = "") -> str:
    """Read a UTF-8 text file (see :func:`decode_utf8`); a missing file is a YamlError.

    Examples
    --------
    >>> read_utf8("/nonexistent/x.txt", "x.txt")
    Traceback (most recent call last):
    ...
    analysis.safe_yaml.YamlError: x.txt: file not found
    """
    display = display or str(path)
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise YamlError(display, None, "file not found") from None
    except OSError as exc:
        raise YamlError(display, None, f"cannot read the file: {exc.strerror}") from None
    return decode_utf8(data, display, after)


# ------------------------------------------------------------------------ YAML


class _SafeLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """libyaml's safe loader with YAML 1.2 booleans and duplicate keys refused."""


# YAML 1.1 reads yes/no/on/off as booleans; the project's files follow YAML 1.2, where
# only true/false are, so that `name_en: No` stays a string.
_SafeLoader.yaml_implicit_resolvers = {
    k: [r for r in v if r[0] != "tag:yaml.org,2002:bool"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_SafeLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector (restored as it was afterwards).

    A parsed document, or a loaded case base, is hundreds of thousands of small
    objects and no cyclic garbage: the collector would scan them over and over while
    they are built (a 7,758-run plan: 1.7 s with it, 0.8 s without; 1,000 cases:
    17 s and 10 s).

    Examples
    --------
    >>> import gc
    >>> with collector_paused():
    ...     gc.isenabled()
    False
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _mapping_without_duplicates(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict:
    loader.flatten_mapping(node)
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                "while constructing a mapping",
                node.start_mark,
                f"found duplicate key {key!r}",
                key_node.start_mark,
            )
        seen.add(key)
    return loader.construct_mapping(node, deep=True)


_SafeLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_without_duplicates
)


def _first_anchor(text: str) -> tuple[int | None, str]:
    """Line and name of the first anchor or alias in a text (for the error message)."""
    for event in yaml.parse(text, Loader=_SafeLoader):
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            return event.start_mark.line + 1, anchor
    return None, ""


def _check_graph(root: yaml.Node, text: str, display: str) -> None:
    """Refuse shared nodes (aliases) and nesting deeper than MAX_DEPTH, without recursion."""
    seen: set[int] = set()
    stack: list[tuple[yaml.Node, int]] = [(root, 0)]
    while stack:
        node, depth = stack.pop()
        if id(node) in seen:
            line, name = _first_anchor(text)
            raise YamlError(
                display,
                line,
                f"YAML anchors and aliases are not allowed (&{name}): write the value out in full",
            )
        seen.add(id(node))
        if isinstance(node, yaml.ScalarNode):
            continue
        if depth >= MAX_DEPTH:
            raise YamlError(
                display,
                node.start_mark.line + 1,
                f"nested more than {MAX_DEPTH} levels deep: flatten the structure",
            )
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                stack.append((key, depth + 1))
                stack.append((value, depth + 1))
        else:
            stack.extend((child, depth + 1) for child in node.value)


_STR = "tag:yaml.org,2002:str"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_SPECIAL_KEYS = frozenset({"tag:yaml.org,2002:merge", "tag:yaml.org,2002:value"})


def _construct(loader: Any, node: yaml.Node) -> Any:
    """What ``loader.construct_document(node)`` gives, faster for plain files.

    Strings, mappings and lists, nearly all of a case file, are built here without
    PyYAML's per-node bookkeeping; every other node (numbers, booleans, dates, tagged
    values, merge keys) goes to the loader's own constructors.  Duplicate keys are
    refused as :func:`_mapping_without_duplicates` refuses them, keys first.  Aliases
    never reach here (:func:`_check_graph`).
    """
    if isinstance(node, yaml.ScalarNode):
        return node.value if node.tag == _STR else loader.construct_object(node, deep=True)
    if isinstance(node, yaml.SequenceNode) and node.tag == _SEQ:
        return [_construct(loader, child) for child in node.value]
    if (
        isinstance(node, yaml.MappingNode)
        and node.tag == _MAP
        and not any(key.tag in _SPECIAL_KEYS for key, _ in node.value)
    ):
        keys = []
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = _construct(loader, key_node)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    "while constructing a mapping",
                    node.start_mark,
                    f"found duplicate key {key!r}",
                    key_node.start_mark,
                )
            seen.add(key)
            keys.append(key)
        return {
            key: _construct(loader, value_node)
            for key, (_, value_node) in zip(keys, node.value, strict=True)
        }
    return loader.construct_object(node, deep=True)


def load_yaml(text: str, display: str) -> Any:
    """Parse YAML text safely (no anchors/aliases, bounded depth, no duplicate keys).

    Parameters
    ----------
    text : str
        The YAML text.
    display : str
        How to name the file in messages.

    Returns
    -------
    Any
        Plain dicts, lists and scalars; None for an empty document.

    Raises
    ------
    YamlError
        ``file:line: message`` for malformed YAML, anchors/aliases, too deep nesting.

    Examples
    --------
    >>> load_yaml("name_en: No\\nok: true", "x.yaml")
    {'name_en': 'No', 'ok': True}
    >>> load_yaml("a: 1\\na: 2", "x.yaml")
    Traceback (most recent call last):
    ...
    analysis.safe_yaml.YamlError: x.yaml:2: malformed YAML: while constructing a mapping found duplicate key 'a'
    """
    with collector_paused():
        return _load(text, display)


def _load(text: str, display: str) -> Any:
    loader = _SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check_graph(node, text, display)
        return _construct(loader, node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        msg = " ".join(str(x) for x in (exc.context, exc.problem) if x)
        raise YamlError(display, line, f"malformed YAML: {msg}") from None
    except RecursionError:  # only without libyaml: the pure-Python composer recurses
        raise YamlError(
            display, None, f"nested more than {MAX_DEPTH} levels deep: flatten the structure"
        ) from None
    except (yaml.YAMLError, ValueError, TypeError) as exc:
        if isinstance(exc, YamlError):
            raise
        raise YamlError(display, None, f"malformed YAML: {exc}") from None
    finally:
        loader.dispose()


def read_yaml_file(path: str | Path, display: str | None = None) -> tuple[Any, str]:
    """Read and safely parse a UTF-8 YAML file.

    Returns
    -------
    (data, text)
        The parsed document and the file's text.

    Raises
    ------
    YamlError
        If the file is missing, not UTF-8 or not safe, well-formed YAML.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "x.yaml"; _ = p.write_text("- 1")
    >>> read_yaml_file(p)[0]
    [1]
    """
    display = display or str(path)
    text = read_utf8(path, display)
    return load_yaml(text, display), text


def roundtrip_yaml() -> YAML:
    """The ruamel round-trip YAML used to keep comments and layout (``workbench locate``).

    Only load texts with it that :func:`load_yaml` has accepted: the fast, safe
    parse refuses aliases and deep nesting first.

    Examples
    --------
    >>> roundtrip_yaml().load("a: 1  # kept")["a"]
    1
    """
    from ruamel.yaml import YAML

    # The round-trip loader constructs only plain mappings, sequences and scalars (no
    # arbitrary Python objects), so it is as safe as typ="safe" and it keeps line numbers.
    y = YAML(typ="rt")
    y.preserve_quotes = True
    y.width = 4096
    # The case files indent list items under their key ("  - code: ..."); writing them
    # back the same way keeps `workbench locate` diffs to the lines it changes.
    y.indent(mapping=2, sequence=4, offset=2)
    # Keep explicit `null`s as written instead of turning `year: null` into `year:`.
    y.representer.add_representer(
        type(None), lambda r, _: r.represent_scalar("tag:yaml.org,2002:null", "null")
    )
    return y
