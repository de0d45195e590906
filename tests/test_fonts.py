"""The CJK font: matplotlib draws Chinese without missing glyphs; HTML gets a small subset."""

from __future__ import annotations

import io
import warnings

import pytest

from analysis import fonts


def test_font_file_is_bundled() -> None:
    path = fonts.font_path()
    assert path.name == "NotoSansSC[wght].ttf"
    assert path.stat().st_size > 10_000_000


def test_chinese_figure_has_no_missing_glyphs() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    with matplotlib.rc_context():
        assert fonts.use_cjk_font() == "Noto Sans SC"
        with warnings.catch_warnings():
            # matplotlib reports "Glyph 27835 (\N{CJK UNIFIED IDEOGRAPH-6CBB}) missing
            # from font(s) DejaVu Sans." as a UserWarning; any warning fails the test.
            warnings.simplefilter("error")
            fig, ax = plt.subplots(figsize=(3, 2))
            ax.set_title("基层社会治理：枫桥经验")
            ax.set_xlabel("年份（−2 至 2）")
            ax.plot([-2, 0, 2], [1, -1, 0], label="治理指数")
            ax.legend()
            buf = io.BytesIO()
            fig.savefig(buf, format="png")
            plt.close(fig)
    assert buf.getvalue()[:8] == b"\x89PNG\r\n\x1a\n"


def test_without_the_font_matplotlib_would_warn() -> None:
    """Guard the test above: it must be able to fail."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    with matplotlib.rc_context({"font.family": ["DejaVu Sans"]}):
        fig, ax = plt.subplots()
        ax.set_title("治理")
        with pytest.warns(UserWarning, match="missing from font"):
            fig.canvas.draw()
        plt.close(fig)


def test_static_instance_is_regular_weight() -> None:
    from fontTools.ttLib import TTFont

    font = TTFont(fonts.static_font_path(400), lazy=True)
    assert "fvar" not in font
    assert font["OS/2"].usWeightClass == 400
    assert font["name"].getDebugName(1) == "Noto Sans SC"


def test_subset_holds_only_the_page_characters() -> None:
    from fontTools.ttLib import TTFont

    data, fmt = fonts.subset_font("决策咨询报告")
    assert fmt == "woff2"
    assert len(data) < 60_000  # the full font is 17 MB
    cmap = TTFont(io.BytesIO(data))["cmap"].getBestCmap()
    assert all(ord(c) in cmap for c in "决策咨询报告ABC123")
    assert ord("龍") not in cmap
    # Deterministic: same text, same bytes (no timestamps in the font).
    fonts._subset_ttf.cache_clear()
    fonts._to_woff2.cache_clear()
    assert fonts.subset_font("告报询咨策决")[0] == data


def test_font_face_css_embeds_data_uri() -> None:
    css = fonts.font_face_css("治理", flavor=None)
    assert css.startswith("@font-face")
    assert 'font-family: "Noto Sans SC"' in css
    assert "data:font/ttf;base64," in css and 'format("truetype")' in css
