"""Figures for the briefing reports (matplotlib / seaborn), Chinese labels included.

Every function returns a :class:`matplotlib.figure.Figure` and draws only what it is
given: the numbers come from the analysis modules.  :func:`setup` registers the
bundled Noto Sans SC font so Chinese never renders as empty boxes.

What a reader sees is fixed here once for every report:

* each case has its own colour, :func:`case_color` (the CRC-32 of its id into
  :data:`CASE_PALETTE`), the same in every report and unchanged when cases are added;
  :func:`case_colors` resolves the rare clash between two cases drawn together;
* network labels sit beside their nodes, dark on a white box, moved apart until none
  overlap (:func:`separate_labels`); radar labels sit outside the outer ring on a box;
* legends are beside or under a plot, never over it.

Examples
--------
>>> import pandas as pd
>>> from analysis.plots import setup, profile_bars
>>> _ = setup()
>>> prof = pd.DataFrame({"case_id": ["a", "a"], "dimension": ["共建", "共治"],
...                      "mean_membership": [0.5, 0.2]})
>>> fig = profile_bars(prof, "dimension", {"a": "甲"})
>>> len(fig.axes)
1
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import networkx as nx  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

#: Case colours: Okabe-Ito's six most distinct hues, then four of Paul Tol's "muted".
CASE_PALETTE: tuple[str, ...] = (
    "#0072B2",
    "#D55E00",
    "#009E73",
    "#CC79A7",
    "#E69F00",
    "#56B4E9",
    "#882255",
    "#44AA99",
    "#999933",
    "#332288",
)
#: Colour of a pseudo-case such as "mean of the other cases" (ids starting with "_").
OTHERS_COLOR = "#888888"


def case_color(case_id: str) -> str:
    """A case's own colour: the palette entry at the CRC-32 of its id.

    It depends on the id alone, so it is the same in every report and does not change
    when cases are added or removed.  Ids starting with ``_`` (e.g. ``__others__``,
    the mean of the other cases) are grey.

    Examples
    --------
    >>> case_color("shaoxing") == case_color("shaoxing"), case_color("__others__")
    (True, '#888888')
    """
    import zlib

    if case_id.startswith("_"):
        return OTHERS_COLOR
    return CASE_PALETTE[zlib.crc32(case_id.encode("utf-8")) % len(CASE_PALETTE)]


def case_colors(case_ids: Sequence[str]) -> dict[str, str]:
    """Colours of the cases drawn together: each case's :func:`case_color`, except that
    when two cases share one, the one whose id sorts later takes the next palette colour
    not in use (so a figure never shows two cases alike).

    Pass every case of the case base (``cb.case_ids``) to get the same colours in every
    figure; a case's colour then changes only if a case added later has the same
    :func:`case_color` and an id that sorts before it.

    Examples
    --------
    >>> c = case_colors(["b", "a", "__others__"])
    >>> c["a"] != c["b"], c["__others__"]
    (True, '#888888')
    """
    out: dict[str, str] = {}
    used: set[str] = set()
    for cid in sorted(dict.fromkeys(case_ids)):
        color = case_color(cid)
        if color != OTHERS_COLOR and color in used and len(used) < len(CASE_PALETTE):
            start = CASE_PALETTE.index(color)
            n = len(CASE_PALETTE)
            color = next(
                CASE_PALETTE[(start + k) % n]
                for k in range(1, n)
                if CASE_PALETTE[(start + k) % n] not in used
            )
        out[cid] = color
        used.add(color)
    return {cid: out[cid] for cid in case_ids}


def _renderer(fig: Figure):  # type: ignore[no-untyped-def]
    """A renderer for measuring text (figures here are closed, so give them an Agg canvas)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    if not hasattr(fig.canvas, "get_renderer"):
        FigureCanvasAgg(fig)
    return fig.canvas.get_renderer()


def separate_labels(fig: Figure, labels: Sequence, pad: float = 2.0, max_iter: int = 300) -> int:
    """Move annotations (placed with ``textcoords="offset points"``) apart vertically
    until no two of their boxes overlap; returns the number of passes made.

    Examples
    --------
    >>> fig, ax = plt.subplots()
    >>> a = [ax.annotate(t, (0, 0), xytext=(0, 0), textcoords="offset points") for t in "AB"]
    >>> _ = separate_labels(fig, a)
    >>> r = _renderer(fig)
    >>> bool(a[0].get_window_extent(r).overlaps(a[1].get_window_extent(r)))
    False
    """
    if len(labels) < 2:
        return 0
    r = _renderer(fig)
    to_pt = 72.0 / fig.dpi
    for n in range(1, max_iter + 1):
        boxes = [a.get_window_extent(r).padded(pad) for a in labels]
        moved = False
        for i in range(len(labels)):
            for j in range(i + 1, len(labels)):
                bi, bj = boxes[i], boxes[j]
                if not bi.overlaps(bj):
                    continue
                lo, hi = (i, j) if (bi.y0 + bi.y1, i) <= (bj.y0 + bj.y1, j) else (j, i)
                push = (min(boxes[lo].y1, boxes[hi].y1) - max(boxes[lo].y0, boxes[hi].y0)) / 2
                step = (push + 0.5) * to_pt
                for k, sign in ((lo, -1), (hi, 1)):
                    x, y = labels[k].xyann
                    labels[k].xyann = (x, y + sign * step)
                    boxes[k] = labels[k].get_window_extent(r).padded(pad)
                moved = True
        if not moved:
            return n
    return max_iter


# One colour per actor sector, colour-blind safe (Okabe-Ito).
SECTOR_COLORS: dict[str, str] = {
    "party": "#D55E00",
    "government": "#0072B2",
    "community": "#009E73",
    "social": "#CC79A7",
    "market": "#E69F00",
    "individual": "#56B4E9",
    "expert": "#999999",
}
SECTOR_LABELS: dict[str, dict[str, str]] = {
    "zh": {
        "party": "党组织",
        "government": "政府",
        "community": "社区自治组织",
        "social": "社会组织",
        "market": "市场主体",
        "individual": "居民个体",
        "expert": "专家",
    },
    "en": {
        "party": "Party",
        "government": "Government",
        "community": "Community bodies",
        "social": "Social organizations",
        "market": "Market",
        "individual": "Residents",
        "expert": "Experts",
    },
}


def setup() -> str:
    """Register the CJK font and a quiet, print-friendly style; return the font family.

    Examples
    --------
    >>> setup()
    'Noto Sans SC'
    """
    from analysis.fonts import use_cjk_font

    family = use_cjk_font()
    matplotlib.rcParams.update(
        {
            "figure.dpi": 100,
            "savefig.dpi": 100,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.unicode_minus": False,
            "svg.hashsalt": "workbench",
        }
    )
    return family


def _finish(fig: Figure) -> Figure:
    fig.tight_layout()
    # The figure is returned, not left open, so repeated report cells do not pile up figures.
    plt.close(fig)
    return fig


def configuration_heatmap(
    membership: pd.DataFrame,
    row_order: Sequence[str],
    row_labels: Mapping[str, str],
    col_labels: Mapping[str, str],
    col_groups: Mapping[str, str] | None = None,
    title: str = "",
) -> Figure:
    """Case x mechanism membership heatmap, rows in dendrogram order, columns by family.

    Parameters
    ----------
    membership : DataFrame
        Index case ids, columns codes, values 0/0.33/0.67/1.
    row_order : sequence of str
        Case ids in the order to draw (e.g. clustering leaves).
    row_labels, col_labels : mapping
        Display labels for cases and codes.
    col_groups : mapping, optional
        Code -> family label; family boundaries are drawn as vertical lines.
    title : str

    Examples
    --------
    >>> m = pd.DataFrame([[1, 0], [0.33, 0.67]], index=["a", "b"], columns=["x", "y"])
    >>> fig = configuration_heatmap(m, ["b", "a"], {"a": "甲", "b": "乙"}, {"x": "X", "y": "Y"})
    >>> fig.axes[0].get_yticklabels()[0].get_text()
    '乙'
    """
    data = membership.loc[list(row_order)].astype(float)
    width = max(8.0, 0.28 * data.shape[1] + 3)
    fig, ax = plt.subplots(figsize=(width, 1.0 + 0.55 * data.shape[0] + 2.6))
    # What seaborn.heatmap draws, without the full trial rendering it makes to
    # decide whether tick labels overlap (we set their rotation ourselves):
    # that rendering was a third of this figure's cost, and the figure appears
    # in every comparison and cross-case report.
    mesh = ax.pcolormesh(
        np.ma.masked_invalid(data.to_numpy()),
        cmap="YlGnBu",
        vmin=0,
        vmax=1,
        edgecolors="white",
        linewidth=0.5,
    )
    ax.set_xlim(0, data.shape[1])
    ax.set_ylim(data.shape[0], 0)  # first row at the top
    ax.set_xticks(
        np.arange(data.shape[1]) + 0.5, labels=[col_labels.get(c, c) for c in data.columns]
    )
    ax.set_yticks(np.arange(data.shape[0]) + 0.5, labels=[row_labels.get(r, r) for r in data.index])
    for spine in ax.spines.values():
        spine.set_visible(False)
    cbar = fig.colorbar(mesh, ax=ax, shrink=0.6, label="隶属度 membership")
    cbar.outline.set_linewidth(0)
    ax.tick_params(axis="x", labelsize=7, rotation=90)
    ax.tick_params(axis="y", labelsize=9, rotation=0)
    ax.set_xlabel("")
    ax.set_ylabel("")
    if col_groups:
        groups = [col_groups.get(c, "") for c in data.columns]
        for i in range(1, len(groups)):
            if groups[i] != groups[i - 1]:
                ax.axvline(i, color="black", linewidth=1.2)
    if title:
        ax.set_title(title)
    return _finish(fig)


def profile_bars(
    profile: pd.DataFrame,
    by: str,
    case_labels: Mapping[str, str],
    value: str = "mean_membership",
    group_labels: Mapping[str, str] | None = None,
    title: str = "",
) -> Figure:
    """Grouped bars of a dimension or family profile, one colour per case.

    Examples
    --------
    >>> prof = pd.DataFrame({"case_id": ["a", "b"], "dimension": ["共建", "共建"],
    ...                      "mean_membership": [0.5, 0.2]})
    >>> fig = profile_bars(prof, "dimension", {"a": "甲", "b": "乙"})
    >>> bool(fig.axes[0].get_ylim()[1] >= 1)
    True
    """
    import seaborn as sns

    data = profile.copy()
    data["case"] = data["case_id"].map(lambda c: case_labels.get(c, c))
    if group_labels:
        data[by] = data[by].map(lambda g: group_labels.get(g, g))
    n_groups = data[by].nunique()
    fig, ax = plt.subplots(figsize=(max(6.0, 1.3 * n_groups + 2), 4.2))
    # One value per bar: no interval to estimate (the default bootstraps one anyway).
    # Each case keeps its own colour (case_colors), whatever other cases are drawn.
    colors = case_colors(list(dict.fromkeys(data["case_id"])))
    palette = {case_labels.get(c, c): col for c, col in colors.items()}
    sns.barplot(
        data=data, x=by, y=value, hue="case", ax=ax, palette=palette, errorbar=None, saturation=1
    )
    ax.set_ylim(0, 1.05)
    ax.set_xlabel("")
    ax.set_ylabel("平均隶属度 mean membership")
    ax.tick_params(axis="x", labelsize=9)
    if n_groups > 4:
        plt.setp(ax.get_xticklabels(), rotation=20, ha="right")
    # Beside the plot, never over the bars (a legend inside covered the tallest ones).
    ax.legend(fontsize=8, frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    if title:
        ax.set_title(title)
    return _finish(fig)


def radar(
    profile: pd.DataFrame,
    by: str,
    case_labels: Mapping[str, str],
    group_labels: Mapping[str, str],
    cases: Sequence[str],
    value: str = "mean_membership",
    title: str = "",
) -> Figure:
    """Radar chart of family profiles for a few cases (one polygon each).

    Examples
    --------
    >>> prof = pd.DataFrame({"case_id": ["a"] * 3, "family": ["f", "g", "h"],
    ...                      "mean_membership": [0.5, 0.2, 1.0]})
    >>> fig = radar(prof, "family", {"a": "甲"}, {"f": "F", "g": "G", "h": "H"}, ["a"])
    >>> fig.axes[0].name
    'polar'
    """
    groups = list(dict.fromkeys(profile[by]))
    angles = np.linspace(0, 2 * np.pi, len(groups), endpoint=False).tolist()
    fig = plt.figure(figsize=(7.4, 6.2))
    ax = fig.add_subplot(111, polar=True)
    ax.set_theta_offset(np.pi / 2)  # first family at the top, then clockwise
    ax.set_theta_direction(-1)
    colors = case_colors(list(cases))
    for case in cases:
        # A family nothing of which is reported stays a gap (NaN), not a 0.
        sub = profile[profile["case_id"] == case].set_index(by).reindex(groups)[value]
        vals = sub.tolist()
        ax.plot(
            angles + angles[:1],
            vals + vals[:1],
            color=colors[case],
            linewidth=2,
            label=case_labels.get(case, case),
        )
        ax.fill(angles + angles[:1], vals + vals[:1], color=colors[case], alpha=0.15)
    ax.set_ylim(0, 1)
    ax.set_xticks(angles, labels=[""] * len(angles))
    ax.set_yticks([0.33, 0.67, 1.0])
    ax.set_yticklabels(["0.33", "0.67", "1"], fontsize=7, color="#555555")
    if len(angles) > 1:  # the ring values between the first two axes, off every polygon corner
        ax.set_rlabel_position(np.degrees((angles[0] + angles[1]) / 2))
    # Family labels outside the outer ring, on a white box, so no gridline crosses them.
    for angle, g in zip(angles, groups, strict=True):
        screen = np.pi / 2 - angle  # where the axis points on the page
        dx, dy = np.cos(screen), np.sin(screen)
        ax.annotate(
            group_labels.get(g, g),
            (angle, 1.0),
            xytext=(10 * dx, 10 * dy),
            textcoords="offset points",
            ha="left" if dx > 0.15 else ("right" if dx < -0.15 else "center"),
            va="bottom" if dy > 0.15 else ("top" if dy < -0.15 else "center"),
            fontsize=8,
            annotation_clip=False,
            bbox={"boxstyle": "round,pad=0.2", "facecolor": "white", "edgecolor": "none"},
            zorder=5,
        )
    fig.subplots_adjust(left=0.2, right=0.8, top=0.84, bottom=0.2)
    # Under the chart, never over it.
    fig.legend(
        *ax.get_legend_handles_labels(),
        loc="lower center",
        bbox_to_anchor=(0.5, 0.0),
        ncols=max(1, min(len(cases), 3)),
        fontsize=8,
        frameon=False,
    )
    if title:
        ax.set_title(title, pad=34)
    plt.close(fig)
    return fig


def network_figure(
    G: nx.Graph,
    pos: Mapping,
    node_labels: Mapping[str, str],
    sectors: Mapping[str, str],
    lang: str = "zh",
    title: str = "",
    ax: plt.Axes | None = None,
) -> Figure:
    """Draw a weighted actor network: node colour by sector, edge width by weight.

    Examples
    --------
    >>> G = nx.Graph(); G.add_edge("party", "residents", weight=2)
    >>> pos = {"party": (0, 0), "residents": (1, 0)}
    >>> fig = network_figure(G, pos, {"party": "党组织", "residents": "居民"},
    ...                      {"party": "party", "residents": "individual"})
    >>> len(fig.axes)
    1
    """
    from matplotlib.lines import Line2D

    own = ax is None
    if own:
        fig, ax = plt.subplots(figsize=(7.6, 5.4))
    else:
        fig = ax.figure
    if G.number_of_nodes() == 0:
        ax.text(0.5, 0.5, "无网络数据 / no network data", ha="center", va="center")
        ax.axis("off")
        return _finish(fig) if own else fig
    weights = np.array([d.get("weight", 1.0) for _, _, d in G.edges(data=True)], dtype=float)
    widths = 0.8 + 3.5 * (weights / weights.max()) if len(weights) else []
    strength = dict(G.degree(weight="weight"))
    smax = max(strength.values()) or 1
    sizes = [300 + 1400 * strength[n] / smax for n in G.nodes]
    colors = [SECTOR_COLORS.get(sectors.get(n, ""), "#BBBBBB") for n in G.nodes]
    nx.draw_networkx_edges(G, pos, ax=ax, width=widths, edge_color="#888888", alpha=0.6)
    nx.draw_networkx_nodes(
        G, pos, ax=ax, node_size=sizes, node_color=colors, linewidths=0.8, edgecolors="white"
    )
    # Labels beside their nodes, away from the layout's centre, dark text on a white box:
    # readable whatever the node colour, and moved apart until no two overlap.
    xy = np.array([pos[n] for n in G.nodes], dtype=float)
    centre = xy.mean(axis=0)
    labels = []
    for n, size in zip(G.nodes, sizes, strict=True):
        d = np.asarray(pos[n], dtype=float) - centre
        norm = float(np.hypot(*d))
        dx, dy = (d / norm) if norm > 1e-9 else (0.0, 1.0)
        gap = np.sqrt(size) / 2 + 3  # node radius (points) and a little air
        labels.append(
            ax.annotate(
                node_labels.get(n, n),
                pos[n],
                xytext=(gap * dx, gap * dy),
                textcoords="offset points",
                ha="left" if dx > 0.3 else ("right" if dx < -0.3 else "center"),
                va="bottom" if dy > 0.3 else ("top" if dy < -0.3 else "center"),
                fontsize=8,
                color="#1A1A1A",
                annotation_clip=False,
                bbox={
                    "boxstyle": "round,pad=0.15",
                    "facecolor": "white",
                    "alpha": 0.85,
                    "edgecolor": "none",
                },
                zorder=5,
            )
        )
    present = sorted({sectors.get(n, "") for n in G.nodes} - {""})
    handles = [
        Line2D(
            [0],
            [0],
            marker="o",
            color="w",
            markerfacecolor=SECTOR_COLORS[s],
            markersize=9,
            label=SECTOR_LABELS.get(lang, SECTOR_LABELS["en"])[s],
        )
        for s in present
        if s in SECTOR_COLORS
    ]
    ax.axis("off")
    ax.margins(x=0.4, y=0.22)  # room for the labels outside the outermost nodes
    if title:
        ax.set_title(title, fontsize=10)
    if own:
        fig.tight_layout()
    separate_labels(fig, labels)
    # Right of every label: never over the network or its names.
    r = _renderer(fig)
    right = max([ax.get_window_extent(r).x1] + [a.get_window_extent(r).x1 for a in labels])
    x = ax.transAxes.inverted().transform((right + 6, 0))[0]
    ax.legend(handles=handles, fontsize=7, frameon=False, loc="upper left", bbox_to_anchor=(x, 1.0))
    if own:
        plt.close(fig)
    return fig


def dendrogram_figure(
    linkage: np.ndarray,
    labels: Sequence[str],
    title: str = "",
    ylabel: str = "",
    cophenetic: float | None = None,
) -> Figure:
    """Dendrogram of the case clustering (scipy), with its cophenetic correlation if given.

    Examples
    --------
    >>> import numpy as np
    >>> Z = np.array([[0, 1, 0.2, 2], [2, 3, 0.6, 3]])
    >>> fig = dendrogram_figure(Z, ["甲", "乙", "丙"], cophenetic=0.93)
    >>> len(fig.axes), fig.axes[0].texts[-1].get_text()
    (1, 'cophenetic r = 0.93')
    """
    from scipy.cluster.hierarchy import dendrogram

    fig, ax = plt.subplots(figsize=(6.4, 3.8))
    dendrogram(
        linkage, labels=list(labels), ax=ax, color_threshold=0, above_threshold_color="#0072B2"
    )
    ax.set_ylabel(ylabel)
    ax.tick_params(axis="x", labelsize=9)
    if cophenetic is not None:
        _corner_note(ax, f"cophenetic r = {cophenetic:.2f}")
    if title:
        ax.set_title(title)
    return _finish(fig)


def _corner_note(ax: plt.Axes, text: str) -> None:
    """A fit statistic in the top-right corner of a plot."""
    ax.text(
        0.98, 0.97, text, transform=ax.transAxes, ha="right", va="top", fontsize=8, color="#555555"
    )


def mds_figure(coords: pd.DataFrame, labels: Mapping[str, str], title: str = "") -> Figure:
    """Scatter of classical-MDS coordinates with case labels, and the map's Kruskal
    stress-1 when ``coords.attrs`` carries it (as :func:`analysis.similarity.mds` gives).

    Examples
    --------
    >>> c = pd.DataFrame({"dim1": [0.1, -0.1], "dim2": [0.0, 0.2]}, index=["a", "b"])
    >>> fig = mds_figure(c, {"a": "甲", "b": "乙"})
    >>> len(fig.axes[0].texts)
    2
    >>> c.attrs["stress"] = 0.123
    >>> mds_figure(c, {}).axes[0].texts[-1].get_text()
    'stress-1 = 0.12'
    """
    x, y = coords.columns[:2]
    fig, ax = plt.subplots(figsize=(5.6, 4.6))
    ax.scatter(coords[x], coords[y], s=80, color="#0072B2")
    for case, row in coords.iterrows():
        ax.annotate(
            labels.get(case, case),
            (row[x], row[y]),
            textcoords="offset points",
            xytext=(6, 6),
            fontsize=9,
        )
    ax.axhline(0, color="#DDDDDD", linewidth=0.8, zorder=0)
    ax.axvline(0, color="#DDDDDD", linewidth=0.8, zorder=0)
    ax.set_xlabel("MDS 1")
    ax.set_ylabel("MDS 2")
    ax.margins(0.25)
    if "stress" in coords.attrs:
        _corner_note(ax, f"stress-1 = {coords.attrs['stress']:.2f}")
    if title:
        ax.set_title(title)
    return _finish(fig)


def timeline_figure(events: pd.DataFrame, title: str = "") -> Figure:
    """Practices on a timeline: ``events`` has columns ``year`` and ``label``.

    Examples
    --------
    >>> ev = pd.DataFrame({"year": [2008, 2013], "label": ["契约化共建", "民情通"]})
    >>> fig = timeline_figure(ev)
    >>> len(fig.axes[0].texts)
    2
    """
    ev = events.dropna(subset=["year"]).sort_values(["year", "label"]).reset_index(drop=True)
    fig, ax = plt.subplots(figsize=(7.6, 1.2 + 0.32 * max(len(ev), 1)))
    if ev.empty:
        ax.text(0.5, 0.5, "来源未给出年份 / the source gives no years", ha="center", va="center")
        ax.axis("off")
        return _finish(fig)
    ys = np.arange(len(ev))[::-1]
    ax.scatter(ev["year"], ys, color="#D55E00", zorder=3)
    for yv, (_, row) in zip(ys, ev.iterrows(), strict=True):
        ax.annotate(
            str(row["label"]),
            (row["year"], yv),
            textcoords="offset points",
            xytext=(8, -3),
            fontsize=8,
        )
    lo, hi = int(ev["year"].min()), int(ev["year"].max())
    ax.set_xlim(lo - 1, hi + 4)
    ax.set_yticks([])
    ax.spines["left"].set_visible(False)
    ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    if title:
        ax.set_title(title)
    return _finish(fig)


def alpha_bars(per_code: pd.DataFrame, labels: Mapping[str, str], title: str = "") -> Figure:
    """Per-code Krippendorff's alpha as horizontal bars with the 0.667 and 0.80 lines.

    ``per_code`` has index ``code`` and a column ``alpha`` (NaN where undefined).

    Examples
    --------
    >>> pc = pd.DataFrame({"alpha": [0.9, 0.5]}, index=pd.Index(["x", "y"], name="code"))
    >>> fig = alpha_bars(pc, {"x": "甲", "y": "乙"})
    >>> len(fig.axes[0].patches)
    2
    """
    data = per_code.sort_values("alpha", na_position="first")
    fig, ax = plt.subplots(figsize=(7.2, 0.8 + 0.26 * len(data)))
    vals = data["alpha"].fillna(0).clip(lower=-1)
    colors = [
        "#BBBBBB"
        if np.isnan(a)
        else ("#D55E00" if a < 0.667 else ("#E69F00" if a < 0.8 else "#009E73"))
        for a in data["alpha"]
    ]
    ax.barh([labels.get(c, c) for c in data.index], vals, color=colors)
    for y, a in enumerate(data["alpha"]):
        ax.text(
            max(0.0, 0 if np.isnan(a) else a) + 0.01,
            y,
            "n/a" if np.isnan(a) else f"{a:.2f}",
            va="center",
            fontsize=7,
        )
    ax.axvline(0.667, color="#D55E00", linestyle="--", linewidth=1)
    ax.axvline(0.8, color="#009E73", linestyle="--", linewidth=1)
    ax.set_xlim(min(-0.1, float(vals.min()) - 0.05), 1.1)
    ax.tick_params(axis="y", labelsize=7)
    ax.set_xlabel("Krippendorff's α (ordinal)")
    if title:
        ax.set_title(title)
    return _finish(fig)


def keyness_figure(keyness: pd.DataFrame, n: int = 15, title: str = "") -> Figure:
    """Top keywords of a document by G² (columns ``term`` and ``G2``).

    Examples
    --------
    >>> k = pd.DataFrame({"term": ["网格", "社区"], "G2": [12.0, 5.0]})
    >>> fig = keyness_figure(k)
    >>> len(fig.axes[0].patches)
    2
    """
    top = keyness.sort_values("G2", ascending=False).head(n).iloc[::-1]
    fig, ax = plt.subplots(figsize=(5.2, 0.8 + 0.28 * len(top)))
    ax.barh(top["term"], top["G2"], color="#0072B2")
    ax.set_xlabel("G² (log-likelihood)")
    ax.tick_params(axis="y", labelsize=9)
    if title:
        ax.set_title(title, fontsize=10)
    return _finish(fig)
