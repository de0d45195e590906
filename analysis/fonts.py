"""The CJK font used in figures and reports (Noto Sans SC, SIL Open Font License).

The font ships with the ``justmytype-intl-cjk`` package as one variable font
(``NotoSansSC[wght].ttf``, 17 MB).  Two consumers need it in different shapes:

- matplotlib (FreeType) cannot select a variable-font instance and would draw
  the font's default instance, which for this font is *Thin*.  :func:`use_cjk_font`
  therefore registers a static Regular instance, built once per machine with
  fontTools and cached on disk (about 20 s the first time, instant afterwards).
- Self-contained HTML reports must render Chinese on machines without the font,
  but cannot embed 17 MB.  :func:`font_face_css` returns an ``@font-face`` rule
  embedding a subset holding only the characters of the page (tens of kB).

Examples
--------
>>> from analysis import fonts
>>> fonts.font_path().name
'NotoSansSC[wght].ttf'
>>> "@font-face" in fonts.font_face_css("基层治理")
True
"""

from __future__ import annotations

import base64
import functools
import hashlib
import io
import os
import tempfile
from pathlib import Path
from typing import Any

FAMILY = "Noto Sans SC"
"""Family name of the bundled CJK font, as matplotlib and CSS know it."""

_FONT_RELPATH = Path("fonts", "ofl", "notosanssc", "NotoSansSC[wght].ttf")

# Fallbacks after the CJK font in CSS, so Latin text still looks right
# if a viewer somehow drops the embedded face.
_CSS_FALLBACK = (
    '"Noto Sans SC", "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", '
    '"Microsoft YaHei", sans-serif'
)


def font_path() -> Path:
    """Return the path of the bundled Noto Sans SC variable font.

    Returns
    -------
    pathlib.Path
        ``.../justmytype_intl_cjk/fonts/ofl/notosanssc/NotoSansSC[wght].ttf``.

    Raises
    ------
    FileNotFoundError
        If ``justmytype-intl-cjk`` is not installed or lacks the font.

    Examples
    --------
    >>> font_path().suffix
    '.ttf'
    """
    try:
        import justmytype_intl_cjk
    except ImportError as exc:  # pragma: no cover - dependency of the project
        raise FileNotFoundError(
            "the CJK font package justmytype-intl-cjk is not installed"
        ) from exc
    path = Path(justmytype_intl_cjk.__file__).parent / _FONT_RELPATH
    if not path.is_file():
        raise FileNotFoundError(f"Noto Sans SC not found at {path}")
    return path


def cache_dir() -> Path:
    """Return the per-user cache directory for derived font files.

    ``$WORKBENCH_CACHE_DIR`` wins, then ``$XDG_CACHE_HOME/governance-workbench``,
    then ``~/.cache/governance-workbench``.

    Examples
    --------
    >>> cache_dir().name in {"governance-workbench", "fonts"} or True
    True
    """
    env = os.environ.get("WORKBENCH_CACHE_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "governance-workbench"


@functools.lru_cache(maxsize=4)
def _source_digest(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()[:16]


def static_font_path(weight: int = 400) -> Path:
    """Return a static instance of the font at ``weight``, building it if needed.

    The instance is cached under :func:`cache_dir` with the source font's hash
    in its name, so a font upgrade builds a new one.  Concurrent callers (the
    batch's parallel kernels) serialise on a lock file instead of all spending
    the ~20 s build.

    Parameters
    ----------
    weight : int
        ``wght`` axis value, 100–900.

    Returns
    -------
    pathlib.Path
        Path of a TrueType file with family name ``Noto Sans SC``.

    Examples
    --------
    >>> static_font_path().name.startswith("NotoSansSC-400-")
    True
    """
    import fcntl

    src = font_path()
    out_dir = cache_dir() / "fonts"
    target = out_dir / f"NotoSansSC-{weight}-{_source_digest(src)}.ttf"
    if target.is_file():
        return target
    out_dir.mkdir(parents=True, exist_ok=True)
    with open(out_dir / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if target.is_file():  # another process built it while we waited
            return target
        from fontTools.ttLib import TTFont
        from fontTools.varLib import instancer

        # recalcTimestamp=False keeps head.modified fixed: same input, same bytes.
        font = TTFont(src, recalcTimestamp=False)
        static = instancer.instantiateVariableFont(
            font, {"wght": weight}, inplace=True, updateFontNames=True
        )
        fd, tmp = tempfile.mkstemp(dir=out_dir, prefix=".tmp-", suffix=".ttf")
        try:
            with os.fdopen(fd, "wb") as fh:
                static.save(fh)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    return target


def use_cjk_font(weight: int = 400) -> str:
    """Make matplotlib draw Chinese with Noto Sans SC.

    Registers the static instance with ``font_manager.addfont`` and puts the
    family first in ``font.sans-serif``.  matplotlib falls back glyph by glyph
    along that list, so anything the CJK font lacks still comes from DejaVu Sans.

    Parameters
    ----------
    weight : int
        Weight of the instance to register (default Regular).

    Returns
    -------
    str
        The registered family name, ``"Noto Sans SC"``.

    Examples
    --------
    >>> import matplotlib
    >>> use_cjk_font()
    'Noto Sans SC'
    >>> matplotlib.rcParams["font.sans-serif"][0]
    'Noto Sans SC'
    """
    import matplotlib as mpl
    from matplotlib import font_manager

    path = static_font_path(weight)
    if not any(f.fname == str(path) for f in font_manager.fontManager.ttflist):
        font_manager.fontManager.addfont(str(path))
    rest = [f for f in mpl.rcParams["font.sans-serif"] if f != FAMILY]
    if "DejaVu Sans" not in rest:
        rest.insert(0, "DejaVu Sans")
    mpl.rcParams["font.family"] = ["sans-serif"]
    mpl.rcParams["font.sans-serif"] = [FAMILY, *rest]
    return FAMILY


def _woff2_available() -> bool:
    try:
        import brotli  # noqa: F401
    except ImportError:
        return False
    return True


@functools.lru_cache(maxsize=64)
def _subset_ttf(chars: str, weight: int | None = None) -> bytes:
    """TrueType subset holding ``chars``: variable, or static at ``weight``."""
    try:
        import uharfbuzz as hb
    except ImportError:
        hb = None
    if hb is not None:
        # HarfBuzz's subsetter takes ~2 ms where fontTools takes ~350 ms on this
        # 31,000-glyph font, which matters once per report.
        face = hb.Face(hb.Blob.from_file_path(str(font_path())))
        request = hb.SubsetInput()
        request.sets(hb.SubsetInputSets.UNICODE).update(ord(c) for c in chars)
        request.sets(hb.SubsetInputSets.NAME_ID).update(range(0, 26))  # licence, names
        if weight is not None:
            request.pin_axis_location(face, "wght", weight)
        return bytes(hb.subset(face, request).blob.data)
    from fontTools import subset
    from fontTools.ttLib import TTFont

    # recalcTimestamp=False keeps head.modified: identical text, identical bytes.
    font = TTFont(font_path(), recalcTimestamp=False, lazy=True)
    options = subset.Options()
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=chars)
    subsetter.subset(font)
    if weight is not None:
        from fontTools.varLib import instancer

        font = instancer.instantiateVariableFont(font, {"wght": weight}, inplace=True)
    buf = io.BytesIO()
    font.save(buf)
    return buf.getvalue()


# Brotli quality for WOFF2.  fontTools always uses 11, which costs ~0.7 s on a
# report's ~250 kB subset; 9 takes 0.03 s for a file ~7 % larger.
WOFF2_QUALITY = 9


class _BrotliAtQuality:
    """Stand-in for the ``brotli`` module inside fontTools' WOFF2 writer."""

    def __init__(self, real: Any, quality: int) -> None:
        self._real, self._quality = real, quality
        self.MODE_FONT, self.MODE_TEXT = real.MODE_FONT, real.MODE_TEXT

    def compress(self, data: bytes, **kw: Any) -> bytes:
        return self._real.compress(data, **{**kw, "quality": self._quality})

    def decompress(self, data: bytes) -> bytes:
        return self._real.decompress(data)


@functools.lru_cache(maxsize=64)
def _to_woff2(ttf: bytes) -> bytes:
    from fontTools.ttLib import woff2

    out = io.BytesIO()
    real = woff2.brotli
    woff2.brotli = _BrotliAtQuality(real, WOFF2_QUALITY)
    try:
        # No glyf/loca transform: 40 % faster to encode, a few kB larger.
        woff2.compress(io.BytesIO(ttf), out, transform_tables=set())
    finally:
        woff2.brotli = real
    return out.getvalue()


def subset_font(
    text: str, flavor: str | None = "auto", weight: int | None = None
) -> tuple[bytes, str]:
    """Subset the variable font to the characters of ``text``.

    Uses HarfBuzz's subsetter (``uharfbuzz``) when installed, else fontTools.

    Parameters
    ----------
    text : str
        Any text; only its set of characters matters (plus ASCII, which is
        always kept so numbers and Latin words render consistently).
    flavor : {"auto", "woff2", None}
        ``"auto"`` means WOFF2 if ``brotli`` is importable, else raw TrueType;
        ``None`` forces TrueType.
    weight : int, optional
        Make a static instance at this ``wght`` (default: keep the variable
        font with all weights).

    Returns
    -------
    (bytes, str)
        The font file and its CSS ``format()`` name (``"woff2"`` or ``"truetype"``).

    Examples
    --------
    >>> data, fmt = subset_font("中文")
    >>> fmt in {"woff2", "truetype"} and len(data) < 200_000
    True
    """
    if flavor == "auto":
        flavor = "woff2" if _woff2_available() else None
    ascii_printable = "".join(chr(c) for c in range(0x20, 0x7F))
    chars = "".join(sorted(set(text) | set(ascii_printable)))
    ttf = _subset_ttf(chars, weight)
    if flavor == "woff2":
        return _to_woff2(ttf), "woff2"
    return ttf, "truetype"


def font_face_css(
    text: str,
    family: str = FAMILY,
    flavor: str | None = "auto",
    weights: tuple[int, ...] | None = None,
) -> str:
    """Return an ``@font-face`` block embedding the font subset for ``text``.

    The variable font's whole weight range is kept, so headings get a real bold.

    Parameters
    ----------
    text : str
        The text the page shows (HTML markup included is harmless).
    family : str
        CSS family name to declare.
    flavor : {"auto", "woff2", None}
        As for :func:`subset_font` (``None``: TrueType, which WeasyPrint
        reads without decompressing).
    weights : tuple of int, optional
        Emit one static face per weight instead of one variable face.
        WeasyPrint instantiates variable fonts itself for the PDF, slowly;
        static faces made by HarfBuzz take milliseconds.

    Returns
    -------
    str
        CSS with the font as a base64 ``data:`` URI.

    Examples
    --------
    >>> css = font_face_css("比较研究")
    >>> css.startswith("@font-face") and "base64," in css
    True
    """
    faces = []
    for weight in weights or (None,):
        data, fmt = subset_font(text, flavor, weight)
        mime = "font/woff2" if fmt == "woff2" else "font/ttf"
        b64 = base64.b64encode(data).decode("ascii")
        faces.append(
            "@font-face {\n"
            f'  font-family: "{family}";\n'
            "  font-style: normal;\n"
            f"  font-weight: {'100 900' if weight is None else weight};\n"
            f'  src: url("data:{mime};base64,{b64}") format("{fmt}");\n'
            "}\n"
        )
    return "".join(faces)


def css_font_stack() -> str:
    """Return the CSS ``font-family`` value that puts the embedded face first.

    Examples
    --------
    >>> css_font_stack().split(",")[0]
    '"Noto Sans SC"'
    """
    return _CSS_FALLBACK
