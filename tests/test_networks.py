"""Tests for analysis.networks: classic graphs and a hand-computed bipartite case."""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from analysis.networks import (
    actor_mechanism_graph,
    actor_network_measures,
    actor_projection,
    actor_type_count,
    cooccurrence_network,
    degree_centralization,
    density,
    layout,
    network_measures,
    party_betweenness,
    party_tie_share,
    share_ties_bypassing_state,
)

# --- classic graphs --------------------------------------------------------------


def test_density_classic():
    assert density(nx.complete_graph(6)) == 1.0
    assert density(nx.path_graph(5)) == pytest.approx(4 / 10)
    assert density(nx.star_graph(4)) == pytest.approx(4 / 10)
    assert density(nx.empty_graph(3)) == 0.0


def test_degree_centralization_classic():
    assert degree_centralization(nx.star_graph(4)) == 1.0
    assert degree_centralization(nx.star_graph(9)) == 1.0
    assert degree_centralization(nx.complete_graph(5)) == 0.0
    assert degree_centralization(nx.cycle_graph(7)) == 0.0
    # P5: degrees 1,2,2,2,1 -> (1 + 0 + 0 + 0 + 1) / (4 * 3)
    assert degree_centralization(nx.path_graph(5)) == pytest.approx(1 / 6)
    # Ties' weights do not matter.
    G = nx.star_graph(3)
    nx.set_edge_attributes(G, 5, "weight")
    assert degree_centralization(G) == 1.0
    assert math.isnan(degree_centralization(nx.path_graph(2)))


def _with_party(G: nx.Graph, node) -> nx.Graph:
    return nx.relabel_nodes(G, {node: "party"})


def test_party_betweenness_classic():
    assert party_betweenness(_with_party(nx.star_graph(5), 0)) == 1.0
    assert party_betweenness(_with_party(nx.star_graph(5), 1)) == 0.0
    assert party_betweenness(_with_party(nx.complete_graph(4), 0)) == 0.0
    # Middle of P5 lies on 4 of the 6 pairs' paths not involving it: 4 / (4*3/2).
    assert party_betweenness(_with_party(nx.path_graph(5), 2)) == pytest.approx(4 / 6)
    assert party_betweenness(nx.path_graph(3)) == 0.0  # no party at all


def test_party_betweenness_florentine_medici():
    # Padgett's Florentine marriage network: the Medici's raw betweenness is 47.5
    # (a textbook value); 15 families -> normalize by 14 * 13 / 2 = 91.
    G = _with_party(nx.florentine_families_graph(), "Medici")
    assert G.number_of_nodes() == 15
    assert party_betweenness(G) == pytest.approx(47.5 / 91)


def test_party_betweenness_karate_club():
    # Zachary's karate club, node 0 (the instructor): raw betweenness 231.0714...,
    # normalized by 33 * 32 / 2 = 528.
    G = _with_party(nx.karate_club_graph(), 0)
    assert party_betweenness(G) == pytest.approx(0.43763528, abs=1e-8)
    assert party_betweenness(G) * 528 == pytest.approx(231.0714286, abs=1e-6)


def test_party_tie_share_and_bypass_classic():
    star = _with_party(nx.star_graph(4), 0)
    assert party_tie_share(star) == 1.0
    state = ["party", "government"]
    assert share_ties_bypassing_state(star, state) == 0.0
    K4 = nx.relabel_nodes(nx.complete_graph(4), {0: "party", 1: "government"})
    # party is in 3 of 6 ties; 1 tie (2-3) touches neither party nor government.
    assert party_tie_share(K4) == pytest.approx(0.5)
    assert share_ties_bypassing_state(K4, state) == pytest.approx(1 / 6)
    assert party_tie_share(nx.path_graph(3)) == 0.0
    assert math.isnan(party_tie_share(nx.empty_graph(3)))
    assert math.isnan(share_ties_bypassing_state(nx.empty_graph(3), state))
    with pytest.raises(KeyError, match="no sector"):
        share_ties_bypassing_state(K4)  # who is state-side must be known


def test_ties_bypassing_party_and_government_count_by_actor_role():
    """Party members and grid staff are party/state-side, as the codebook's sectors say."""
    ma = pd.DataFrame(
        {
            "case_id": ["c"] * 7,
            "code": ["m1", "m1", "m2", "m2", "m3", "m3", "m3"],
            "score": [1.0] * 7,
            "actor": [
                "party_members",
                "residents",
                "grid_staff",
                "volunteers",
                "residents",
                "volunteers",
                "enterprises",
            ],
        }
    )
    actors = pd.DataFrame(
        {"sector": ["party", "government", "individual", "social", "market", "party"]},
        index=pd.Index(
            ["party_members", "grid_staff", "residents", "volunteers", "enterprises", "party"],
            name="actor",
        ),
    )
    # Ties: party_members-residents, grid_staff-volunteers, and the triangle
    # residents-volunteers-enterprises (m3): 5 ties, 3 with neither end state-side.
    t = network_measures(ma, actors)
    assert t.loc["c", "n_ties"] == 5
    assert t.loc["c", "share_ties_bypassing_state"] == pytest.approx(3 / 5)
    assert t.attrs["state_side"] == ["grid_staff", "party", "party_members"]
    assert t.attrs["tie"]["en"].startswith("What a tie is: two actors are tied")
    assert "同一个已编码机制" in t.attrs["tie"]["zh"]
    res = actor_network_measures(ma, actors, party_not_covered=["c", "elsewhere"])
    assert res.party_not_covered == ["c"]  # flagged, and only cases in the table
    assert math.isnan(res.measures.loc["c", "share_ties_bypassing_state"])
    assert not res.measures.loc["c", "party_covered"]
    assert res.state_side == ["grid_staff", "party", "party_members"]


# --- a hand-computed case ---------------------------------------------------------


@pytest.fixture()
def mechanism_actors() -> pd.DataFrame:
    involved = {
        "m1": ["party", "government", "residents"],
        "m2": ["party", "social_organizations"],
        "m3": ["government", "enterprises"],
        "m4": ["residents"],
        "m5": ["party", "government"],
        "m6": ["residents", "social_organizations"],
    }
    scores = {"m1": 1.0, "m2": 0.67, "m3": 0.33, "m4": 1.0, "m5": 0.67, "m6": 0.33}
    rows = [
        ("x", code, scores[code], actor) for code, actors in involved.items() for actor in actors
    ]
    # A second case: party alone with residents in one mechanism.
    rows += [("y", "m1", 1.0, "party"), ("y", "m1", 1.0, "residents")]
    return pd.DataFrame(rows, columns=["case_id", "code", "score", "actor"])


@pytest.fixture()
def actors() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "label_zh": ["党组织", "政府", "居民", "社会组织", "企业"],
            "label_en": ["party", "government", "residents", "social orgs", "enterprises"],
            "sector": ["party", "government", "individual", "social", "market"],
        },
        index=pd.Index(
            ["party", "government", "residents", "social_organizations", "enterprises"],
            name="actor",
        ),
    )


def test_actor_mechanism_graph(mechanism_actors, actors):
    B = actor_mechanism_graph(mechanism_actors, "x", actors)
    assert B.graph["case_id"] == "x"
    assert B.number_of_nodes() == 5 + 6
    assert B.number_of_edges() == 3 + 2 + 2 + 1 + 2 + 2
    assert nx.is_bipartite(B)
    assert B.nodes["party"] == {
        "bipartite": 0,
        "kind": "actor",
        "label_zh": "党组织",
        "label_en": "party",
        "sector": "party",
    }
    assert B.nodes["m3"] == {"bipartite": 1, "kind": "mechanism", "score": 0.33}
    assert B.edges["enterprises", "m3"]["score"] == 0.33
    with pytest.raises(KeyError):
        actor_mechanism_graph(mechanism_actors, "nowhere")
    with pytest.raises(KeyError, match="residents"):
        actor_mechanism_graph(mechanism_actors, "x", actors.drop(index="residents"))


def test_actor_mechanism_graph_rejects_id_clash():
    ma = pd.DataFrame(
        {
            "case_id": ["c", "c"],
            "code": ["party", "party"],
            "score": [1, 1],
            "actor": ["party", "residents"],
        }
    )
    with pytest.raises(ValueError, match="both"):
        actor_mechanism_graph(ma, "c")


def test_actor_projection_weights(mechanism_actors):
    P = actor_projection(actor_mechanism_graph(mechanism_actors, "x"))
    assert sorted(P.nodes) == [
        "enterprises",
        "government",
        "party",
        "residents",
        "social_organizations",
    ]
    weights = {tuple(sorted((u, v))): d["weight"] for u, v, d in P.edges(data=True)}
    assert weights == {
        ("government", "party"): 2,  # m1, m5
        ("party", "residents"): 1,
        ("government", "residents"): 1,
        ("party", "social_organizations"): 1,
        ("enterprises", "government"): 1,
        ("residents", "social_organizations"): 1,
    }
    assert P.graph["case_id"] == "x"


def test_measures_hand_computed(mechanism_actors, actors):
    P = actor_projection(actor_mechanism_graph(mechanism_actors, "x", actors))
    assert density(P) == pytest.approx(6 / 10)
    # degrees: party 3, government 3, residents 3, social 2, enterprises 1
    assert degree_centralization(P) == pytest.approx((0 + 0 + 0 + 1 + 2) / 12)
    # weights: total 7, incident to party 2 + 1 + 1
    assert party_tie_share(P) == pytest.approx(4 / 7)
    assert party_tie_share(P, weight=None) == pytest.approx(3 / 6)
    # Only residents-social_organizations bypasses party and government.
    assert share_ties_bypassing_state(P) == pytest.approx(1 / 6)
    assert share_ties_bypassing_state(P, weight="weight") == pytest.approx(1 / 7)
    assert share_ties_bypassing_state(P, state=["party"]) == pytest.approx(3 / 6)
    # Pairs without party routed through it: gov-soc (1 of 2 shortest paths),
    # soc-ent (1 of 2) -> 1, normalized by 4 * 3 / 2.
    assert party_betweenness(P) == pytest.approx(1 / 6)
    assert actor_type_count(P) == 5
    two_party = actors.assign(sector=["party", "party", "individual", "social", "market"])
    assert actor_type_count(P, two_party) == 4
    with pytest.raises(KeyError):
        actor_type_count(nx.Graph([("a", "b")]))


def test_network_measures_table(mechanism_actors, actors):
    t = network_measures(mechanism_actors, actors)
    assert list(t.index) == ["x", "y"]
    assert list(t.columns) == [
        "n_actors",
        "n_mechanisms",
        "n_ties",
        "density",
        "degree_centralization",
        "party_tie_share",
        "party_betweenness",
        "share_ties_bypassing_state",
        "party_covered",
        "actor_type_count",
    ]
    assert t["party_covered"].all()
    x = t.loc["x"]
    assert (x["n_actors"], x["n_mechanisms"], x["n_ties"]) == (5, 6, 6)
    assert x["party_tie_share"] == pytest.approx(4 / 7)
    assert x["party_betweenness"] == pytest.approx(1 / 6)
    y = t.loc["y"]
    assert (y["n_actors"], y["n_ties"], y["party_tie_share"]) == (2, 1, 1.0)
    assert math.isnan(y["degree_centralization"])
    assert "actor_type_count" not in network_measures(mechanism_actors).columns


def test_party_measures_are_missing_where_the_excerpt_lacks_party_building(mechanism_actors):
    t = network_measures(mechanism_actors, party_not_covered=["x"])
    x = t.loc["x"]
    assert not x["party_covered"]
    for col in ("party_tie_share", "party_betweenness", "share_ties_bypassing_state"):
        assert math.isnan(x[col]), col  # not covered, not 0%
    assert (x["n_actors"], x["n_ties"]) == (5, 6)  # the rest of the network stands
    assert t.loc["y", "party_covered"] and t.loc["y", "party_tie_share"] == 1.0


def test_cooccurrence_network_skips_not_reported():
    m = pd.DataFrame(
        {"a": [1.0, np.nan], "b": [0.33, 1.0]}, index=pd.Index(["s1", "s2"], name="case_id")
    )
    G = cooccurrence_network(m)
    assert G.nodes["a"]["n_cases"] == 1
    assert G["a"]["b"]["weight"] == 1 and G["a"]["b"]["fuzzy_weight"] == pytest.approx(0.33)


def test_cooccurrence_network():
    m = pd.DataFrame(
        {"a": [1.0, 0.67, 0.0], "b": [0.33, 1.0, 0.0], "c": [0.0, 0.0, 1.0], "d": [0.0] * 3},
        index=pd.Index(["s1", "s2", "s3"], name="case_id"),
    )
    G = cooccurrence_network(m)
    assert sorted(G.nodes) == ["a", "b", "c", "d"]
    assert G.nodes["d"]["n_cases"] == 0 and G.degree("d") == 0
    assert G.nodes["a"]["cases"] == ["s1", "s2"]
    assert G.number_of_edges() == 1
    e = G.edges["a", "b"]
    assert e["weight"] == 2
    assert e["fuzzy_weight"] == pytest.approx(0.33 + 0.67)
    assert e["cases"] == ["s1", "s2"]
    G5 = cooccurrence_network(m, threshold=0.5)
    assert G5.edges["a", "b"]["weight"] == 1
    assert G5.edges["a", "b"]["cases"] == ["s2"]


def test_layout_is_deterministic_and_order_independent(mechanism_actors):
    B = actor_mechanism_graph(mechanism_actors, "x")
    shuffled = nx.Graph()
    shuffled.add_nodes_from(reversed(list(B.nodes(data=True))))
    shuffled.add_edges_from(reversed(list(B.edges(data=True))))
    p1, p2 = layout(B, seed=3), layout(shuffled, seed=3)
    assert set(p1) == set(B.nodes)
    for n in B:
        np.testing.assert_array_equal(p1[n], p2[n])
    p3 = layout(B, seed=4)
    assert any(not np.array_equal(p1[n], p3[n]) for n in B)
    bip = layout(B, method="bipartite")
    actor_x = {round(float(bip[n][0]), 9) for n, d in B.nodes(data=True) if d["bipartite"] == 0}
    mech_x = {round(float(bip[n][0]), 9) for n, d in B.nodes(data=True) if d["bipartite"] == 1}
    assert len(actor_x) == 1 and len(mech_x) == 1 and actor_x != mech_x
    with pytest.raises(ValueError):
        layout(B, method="nope")


def test_docstring_examples_run():
    import doctest

    import analysis.networks as module

    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
