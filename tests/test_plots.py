"""Figures a reader can read: fixed case colours, network labels readable and apart,
radar labels clear of the rings, legends beside or under the plot, never over it."""

from __future__ import annotations

import doctest
import itertools
import re

import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_rgb
from matplotlib.legend import Legend

import analysis.plots as plots
from analysis import configuration, networks
from analysis.casebase import load_casebase


@pytest.fixture(scope="module")
def cb():
    plots.setup()
    return load_casebase("casebase")


def _legends(fig):
    return [c for ax in fig.axes for c in ax.get_children() if isinstance(c, Legend)] + list(
        fig.legends
    )


def _assert_legends_off_the_axes(fig):
    r = plots._renderer(fig)
    legends = _legends(fig)
    assert legends
    for lg in legends:
        box = lg.get_window_extent(r)
        for ax in fig.axes:
            assert not box.overlaps(ax.get_window_extent(r)), "legend over the plot"


def _luminance(color) -> float:
    def lin(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (lin(c) for c in to_rgb(color))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast(a, b) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def test_docstring_examples_run():
    result = doctest.testmod(plots, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0


# --- case colours -------------------------------------------------------------------


def test_case_colours_are_fixed_per_case(cb):
    ids = list(cb.case_ids)
    colors = plots.case_colors(ids)
    assert len(set(colors.values())) == len(ids)  # no two cases alike in one figure
    assert plots.case_colors(list(reversed(ids))) == colors
    for cid in ids:
        assert plots.case_color(cid) == plots.case_color(cid)
    # Adding a case never recolours the others, unless it takes one's own colour and
    # sorts before it (the documented exception).
    for new in ("aa_new_case", "new_case", "zz_new_case", "ningbo", "wenling"):
        before = plots.case_colors(ids)
        after = plots.case_colors([*ids, new])
        for cid in ids:
            exempt = plots.case_color(new) == before[cid] and new < cid
            assert exempt or after[cid] == before[cid], (new, cid)
    assert plots.case_colors(["__others__"])["__others__"] == plots.OTHERS_COLOR


def _bar_colors(fig, labels):
    """Case label -> bar colour, from the legend of a grouped bar chart."""
    (lg,) = _legends(fig)
    return {
        t.get_text(): to_rgb(h.get_facecolor())
        for t, h in zip(lg.get_texts(), lg.legend_handles, strict=True)
    }


def test_profile_bars_keep_each_case_colour_whichever_cases_are_drawn(cb):
    dims = configuration.dimension_profile(cb.membership(), cb.codebook_frame())
    short = cb.labels("zh")["case_short"]
    full = _bar_colors(plots.profile_bars(dims, "dimension", short), short)
    some = list(cb.case_ids)[1:3]
    part = _bar_colors(
        plots.profile_bars(dims[dims["case_id"].isin(some)], "dimension", short), short
    )
    assert part and all(part[short[c]] == full[short[c]] for c in some)
    assert all(full[short[c]] == to_rgb(plots.case_colors(cb.case_ids)[c]) for c in cb.case_ids)


# --- legends ------------------------------------------------------------------------


def test_legends_never_cover_the_plot():
    prof = pd.DataFrame(
        {
            "case_id": ["a", "b", "c"] * 3,
            "family": ["f"] * 3 + ["g"] * 3 + ["h"] * 3,
            "mean_membership": [1.0, 0.95, 1.0, 0.9, 1.0, 0.97, 1.0, 1.0, 0.9],
        }
    )
    labels = {"a": "甲案例", "b": "乙案例", "c": "丙案例"}
    _assert_legends_off_the_axes(plots.profile_bars(prof, "family", labels))
    fams = {"f": "党建引领", "g": "网格化、重心下沉与智慧治理", "h": "多元参与"}
    _assert_legends_off_the_axes(plots.radar(prof, "family", labels, fams, ["a", "b"]))


# --- radar --------------------------------------------------------------------------


def test_radar_labels_sit_outside_the_outer_ring(cb):
    fams = configuration.family_profile(cb.membership(), cb.codebook_frame())
    lab = cb.labels("zh")
    case = cb.case_ids[0]
    fig = plots.radar(fams, "family", lab["case_short"], lab["family"], [case])
    ax = fig.axes[0]
    r = plots._renderer(fig)
    cx, cy = ax.transData.transform((0, 0))
    ring = np.hypot(*(ax.transData.transform((0.3, 1.0)) - (cx, cy)))
    names = set(lab["family"].values())
    texts = [t for t in [*ax.texts, *ax.get_xticklabels()] if t.get_text() in names]
    assert len(texts) == fams["family"].nunique()
    for t in texts:
        b = t.get_window_extent(r)
        # Nearest point of the label's box to the centre is outside the outer ring.
        nx_ = min(max(cx, b.x0), b.x1)
        ny_ = min(max(cy, b.y0), b.y1)
        assert np.hypot(nx_ - cx, ny_ - cy) > ring + 2, t.get_text()
        assert t.get_bbox_patch() is not None  # on a box: no gridline runs through it
    boxes = [t.get_window_extent(r) for t in texts]
    assert not any(a.overlaps(b) for a, b in itertools.combinations(boxes, 2))


# --- networks -----------------------------------------------------------------------


def _network(cb, case_id):
    B = networks.actor_mechanism_graph(cb.mechanism_actors(), case_id, cb.actors_frame())
    G = networks.actor_projection(B)
    short = {
        a: re.sub(r"\s*[（(][^）)]*[）)]$", "", lbl) for a, lbl in cb.labels("zh")["actor"].items()
    }
    sectors = cb.actors_frame()["sector"].to_dict()
    pos = networks.layout(G, method="circular")
    return G, pos, plots.network_figure(G, pos, short, sectors, title=case_id)


def test_network_labels_readable_and_apart_on_every_case(cb):
    for case_id in cb.case_ids:
        G, pos, fig = _network(cb, case_id)
        if G.number_of_nodes() == 0:
            continue
        ax = fig.axes[0]
        r = plots._renderer(fig)
        labels = [t for t in ax.texts if t.get_text()]
        assert len(labels) == G.number_of_nodes()
        boxes = [t.get_window_extent(r) for t in labels]
        clash = [
            (labels[i].get_text(), labels[j].get_text())
            for i, j in itertools.combinations(range(len(boxes)), 2)
            if boxes[i].overlaps(boxes[j])
        ]
        assert not clash, (case_id, clash)
        for t, box in zip(labels, boxes, strict=True):
            # Dark text on a light box, whatever the colour of the node.
            bg = t.get_bbox_patch().get_facecolor()
            assert _contrast(t.get_color(), bg[:3]) >= 4.5, (case_id, t.get_text())
            # Beside its node, not on it.
            node_xy = ax.transData.transform(t.xy)
            assert not box.contains(*node_xy), (case_id, t.get_text())
        legend_box = _legends(fig)[0].get_window_extent(r)
        assert not legend_box.overlaps(ax.get_window_extent(r))
        assert not any(legend_box.overlaps(b) for b in boxes), case_id
