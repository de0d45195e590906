"""Actor-mechanism networks: who takes part in which mechanism, and who is tied to whom.

For one case, the coded mechanisms and the actors involved in each form a *bipartite*
graph (actors on one side, mechanisms on the other).  Projecting it onto the actors
gives the case's *actor network*: two actors are tied when they take part in a common
mechanism, and the tie's ``weight`` is the number of mechanisms they share.

The measures below are computed on that actor projection and answer the questions the
governance literature asks of these models:

* how dense the web of co-participation is (:func:`density`);
* how far it is organised around one centre (:func:`degree_centralization`);
* how much of it runs through the party organization (:func:`party_tie_share`,
  :func:`party_betweenness`);
* how diverse the participants are (:func:`actor_type_count`);
* how much co-participation bypasses both party and government
  (:func:`share_ties_bypassing_state`), counted by actor role: every actor of the
  party or government sector (party organization, party members, government, grid
  staff, resident agencies, ...) is party/state-side (:func:`state_side_actors`).

All measures read the coded texts, not the field: an actor tie means the source
describes both actors in the same mechanism (:data:`TIE_DEFINITION`).  A case whose
source does not cover party building gets no party measure and no bypass share (NaN,
flagged ``party_covered = False``), never 0%.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from itertools import combinations

import networkx as nx
import numpy as np
import pandas as pd

__all__ = [
    "STATE_SECTORS",
    "TIE_DEFINITION",
    "ActorNetworkMeasures",
    "actor_mechanism_graph",
    "actor_network_measures",
    "actor_projection",
    "actor_type_count",
    "cooccurrence_network",
    "degree_centralization",
    "density",
    "layout",
    "network_measures",
    "party_betweenness",
    "party_tie_share",
    "share_ties_bypassing_state",
    "state_side_actors",
]

PARTY = "party"
GOVERNMENT = "government"

#: Actor sectors on the party/state side (the codebook's ``actors[].sector``).
STATE_SECTORS: tuple[str, ...] = (PARTY, GOVERNMENT)

#: What a tie in an actor network is, for every report that shows a network measure.
TIE_DEFINITION: dict[str, str] = {
    "zh": "联系的含义：两个行动者在同一案例的同一个已编码机制（隶属度 > 0）中被来源文本同时提及，"
    "即为一条联系；联系的权重是两者共同参与的机制数。联系描述的是文本中的共同参与，不是观察到的实际往来。",
    "en": "What a tie is: two actors are tied when the case's source names both in the same "
    "coded mechanism (membership > 0); a tie's weight is the number of mechanisms they "
    "share. Ties are co-participation as the text describes it, not observed contacts.",
}


def state_side_actors(actors: pd.DataFrame, sectors: Iterable[str] = STATE_SECTORS) -> list[str]:
    """Actor ids on the party/state side: those whose ``sector`` is in ``sectors``.

    Parameters
    ----------
    actors : pandas.DataFrame
        Actor vocabulary (index ``actor``, column ``sector``).
    sectors : iterable of str
        Sectors counted as party/state-side (default: party and government).

    Returns
    -------
    list of str
        Sorted actor ids.

    Examples
    --------
    >>> import pandas as pd
    >>> actors = pd.DataFrame({"sector": ["party", "party", "government", "social"]},
    ...                       index=["party", "party_members", "grid_staff", "volunteers"])
    >>> state_side_actors(actors)
    ['grid_staff', 'party', 'party_members']
    """
    wanted = set(sectors)
    return sorted(str(a) for a, sec in actors["sector"].items() if sec in wanted)


def actor_mechanism_graph(
    mechanism_actors: pd.DataFrame,
    case_id: str,
    actors: pd.DataFrame | None = None,
) -> nx.Graph:
    """Bipartite actor-mechanism graph of one case.

    Parameters
    ----------
    mechanism_actors : pandas.DataFrame
        Tidy frame with columns ``case_id``, ``code``, ``score``, ``actor`` (one row per
        case x coded mechanism x actor; only mechanisms with score > 0).
    case_id : str
        The case to build.
    actors : pandas.DataFrame, optional
        Actor vocabulary (index ``actor``; columns ``label_zh``, ``label_en``,
        ``sector``).  If given, these are copied onto the actor nodes, which
        :func:`actor_type_count` needs.

    Returns
    -------
    networkx.Graph
        Actor nodes have ``bipartite=0, kind="actor"``; mechanism nodes have
        ``bipartite=1, kind="mechanism", score=<membership>``.  Each edge joins an actor
        to a mechanism it takes part in and carries the mechanism's ``score``.
        ``G.graph["case_id"]`` is set.  Mechanisms with score 0 are left out.

    Raises
    ------
    KeyError
        If the case has no rows, or ``actors`` lacks an actor that the case uses.
    ValueError
        If an id is used both as an actor and as a mechanism code (the two would merge
        into one node).

    Examples
    --------
    >>> import pandas as pd
    >>> ma = pd.DataFrame({"case_id": ["c"] * 3, "code": ["grid", "grid", "app"],
    ...                    "score": [1.0, 1.0, 0.33],
    ...                    "actor": ["party", "grid_staff", "party"]})
    >>> B = actor_mechanism_graph(ma, "c")
    >>> sorted(B.nodes), B.nodes["grid"]["bipartite"], B.edges["party", "app"]["score"]
    (['app', 'grid', 'grid_staff', 'party'], 1, 0.33)
    """
    rows = mechanism_actors[mechanism_actors["case_id"] == case_id]
    if rows.empty:
        raise KeyError(f"no mechanism-actor rows for case {case_id!r}")
    rows = rows[rows["score"] > 0]
    actor_ids = sorted(set(rows["actor"]))
    codes = sorted(set(rows["code"]))
    clash = set(actor_ids) & set(codes)
    if clash:
        raise ValueError(f"ids used both as actor and mechanism code: {sorted(clash)}")
    B = nx.Graph(case_id=case_id)
    for a in actor_ids:
        attrs: dict[str, object] = {"bipartite": 0, "kind": "actor"}
        if actors is not None:
            if a not in actors.index:
                raise KeyError(f"actor {a!r} is not in the actors table")
            for col in ("label_zh", "label_en", "sector"):
                if col in actors.columns:
                    attrs[col] = actors.at[a, col]
        B.add_node(a, **attrs)
    scores = rows.groupby("code")["score"].max()
    for c in codes:
        B.add_node(c, bipartite=1, kind="mechanism", score=float(scores[c]))
    for a, c in sorted(set(zip(rows["actor"], rows["code"], strict=True))):
        B.add_edge(a, c, score=float(scores[c]))
    return B


def _actor_nodes(B: nx.Graph) -> list[Hashable]:
    return sorted(n for n, d in B.nodes(data=True) if d.get("bipartite") == 0)


def actor_projection(B: nx.Graph) -> nx.Graph:
    """Weighted projection of a bipartite actor-mechanism graph onto its actors.

    Uses :func:`networkx.algorithms.bipartite.weighted_projected_graph`: two actors are
    tied when they share at least one mechanism, and ``weight`` is the number of
    mechanisms they share.  Actors that appear only alone in their mechanisms are kept
    as isolated nodes (they count in :func:`density` and centralization).

    Parameters
    ----------
    B : networkx.Graph
        Output of :func:`actor_mechanism_graph`.

    Returns
    -------
    networkx.Graph
        Actor nodes with their attributes; ``graph`` attributes copied from ``B``.

    Examples
    --------
    >>> import networkx as nx
    >>> B = nx.Graph()
    >>> B.add_nodes_from(["party", "residents", "volunteers"], bipartite=0)
    >>> B.add_nodes_from(["m1", "m2"], bipartite=1)
    >>> B.add_edges_from([("party", "m1"), ("residents", "m1"),
    ...                   ("party", "m2"), ("residents", "m2"), ("volunteers", "m2")])
    >>> P = actor_projection(B)
    >>> P["party"]["residents"]["weight"], P["party"]["volunteers"]["weight"]
    (2, 1)
    """
    P = nx.bipartite.weighted_projected_graph(B, _actor_nodes(B))
    P.graph.update(B.graph)
    return P


def density(G: nx.Graph) -> float:
    """Share of possible ties that are present: 2m / (n(n − 1)) for an undirected graph.

    Weights are ignored.  Returns 0 for graphs with fewer than two nodes (as networkx).

    Examples
    --------
    >>> import networkx as nx
    >>> density(nx.path_graph(4))     # 3 of 6 possible ties
    0.5
    """
    return float(nx.density(G))


def degree_centralization(G: nx.Graph) -> float:
    """Freeman's degree centralization of an undirected graph (ties unweighted).

    C_D = Σ_i (d_max − d_i) / ((n − 1)(n − 2)),

    where d_i is the number of ties of node i and d_max the largest degree.  The
    denominator is the value of the numerator for a star with n nodes, the most
    centralized graph, so C_D = 1 for a star and 0 for any regular graph (e.g. a
    complete graph or a cycle).  On the actor projection it measures how far
    co-participation is organised around a single actor.  Tie weights are ignored:
    the measure is about who is connected, not how often.

    Returns NaN for graphs with fewer than three nodes, where it is undefined.

    Examples
    --------
    >>> import networkx as nx
    >>> degree_centralization(nx.star_graph(4)), degree_centralization(nx.complete_graph(5))
    (1.0, 0.0)
    """
    n = G.number_of_nodes()
    if n < 3:
        return float("nan")
    degrees = np.array([d for _, d in G.degree()], dtype=float)
    return float((degrees.max() - degrees).sum() / ((n - 1) * (n - 2)))


def party_tie_share(G: nx.Graph, party: str = PARTY, weight: str | None = "weight") -> float:
    """Share of ties in the actor network that involve the party organization.

    Σ (weights of ties incident to ``party``) / Σ (weights of all ties).  With the
    default weights (number of shared mechanisms), a tie counts as often as the two
    actors meet in a mechanism.  Pass ``weight=None`` to count each tie once.

    Returns 0.0 if the party takes part in no mechanism, NaN if there are no ties.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.Graph()
    >>> G.add_edge("party", "residents", weight=3)
    >>> G.add_edge("residents", "volunteers", weight=1)
    >>> party_tie_share(G), party_tie_share(G, weight=None)
    (0.75, 0.5)
    """
    total = G.size(weight=weight)
    if total == 0:
        return float("nan")
    if party not in G:
        return 0.0
    return float(G.degree(party, weight=weight) / total)


def party_betweenness(G: nx.Graph, party: str = PARTY) -> float:
    """Normalized betweenness centrality of the party organization in the actor network.

    The share of shortest paths between pairs of other actors that pass through
    ``party`` (networkx's ``betweenness_centrality`` with ``normalized=True``, i.e.
    divided by (n − 1)(n − 2)/2 for undirected graphs).  Paths are counted on
    unweighted ties: how many mechanisms two actors share does not make them
    "closer".  1 means every other pair is linked only through the party (a star
    around it); 0 means the party brokers nothing.  Returns 0.0 if the party is not in
    the network.

    Examples
    --------
    >>> import networkx as nx
    >>> party_betweenness(nx.relabel_nodes(nx.star_graph(3), {0: "party"}))
    1.0
    """
    if party not in G:
        return 0.0
    return float(nx.betweenness_centrality(G, normalized=True)[party])


def actor_type_count(G: nx.Graph, actors: pd.DataFrame | None = None) -> int:
    """Number of distinct actor types (sectors) in a network.

    Sectors are party, government, community, social, market, individual, expert.
    They are read from the ``sector`` node attribute (set by
    :func:`actor_mechanism_graph` when given ``actors``) or, if ``actors`` is passed
    here, from its ``sector`` column.  Mechanism nodes of a bipartite graph are
    ignored.

    Raises
    ------
    KeyError
        If an actor's sector is unknown.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.Graph()
    >>> G.add_nodes_from([("party", {"sector": "party"}),
    ...                   ("party_members", {"sector": "party"}),
    ...                   ("volunteers", {"sector": "social"})])
    >>> actor_type_count(G)
    2
    """
    sectors = set()
    for node, data in G.nodes(data=True):
        if data.get("kind") == "mechanism" or data.get("bipartite") == 1:
            continue
        if actors is not None:
            if node not in actors.index:
                raise KeyError(f"actor {node!r} is not in the actors table")
            sectors.add(actors.at[node, "sector"])
        elif "sector" in data:
            sectors.add(data["sector"])
        else:
            raise KeyError(f"actor {node!r} has no sector; pass the actors table")
    return len(sectors)


def share_ties_bypassing_state(
    G: nx.Graph,
    state: Iterable[str] | None = None,
    weight: str | None = None,
) -> float:
    """Share of ties in the actor network with neither end on the party/state side.

    A tie "bypasses party and government" when both actors are outside ``state``.  By
    default (``state=None``) the party/state side is read from the actors' role: every
    actor node whose ``sector`` attribute (set by :func:`actor_mechanism_graph` when
    given the actors table) is in :data:`STATE_SECTORS`, so party members and grid
    staff count with the party organization and the government.  Pass ``state`` (actor
    ids) to choose otherwise.  Each tie counts once by default; pass
    ``weight="weight"`` to count shared mechanisms instead.

    Returns NaN if there are no ties.

    Raises
    ------
    KeyError
        If ``state`` is None and an actor has no ``sector``.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.Graph([("party", "residents"), ("residents", "volunteers"),
    ...               ("grid_staff", "volunteers")])
    >>> nx.set_node_attributes(G, {"party": "party", "residents": "individual",
    ...                            "volunteers": "social", "grid_staff": "government"},
    ...                        "sector")
    >>> share_ties_bypassing_state(G)                       # grid staff are state-side
    0.3333333333333333
    >>> share_ties_bypassing_state(G, state=["party"])      # the party organization only
    0.6666666666666666
    """
    if state is None:
        missing = [n for n, d in G.nodes(data=True) if "sector" not in d]
        if missing:
            raise KeyError(f"actor {missing[0]!r} has no sector; pass state= or the actors")
        state_set = {n for n, d in G.nodes(data=True) if d["sector"] in STATE_SECTORS}
    else:
        state_set = set(state)
    total = G.size(weight=weight)
    if total == 0:
        return float("nan")
    bypass = sum(
        (d.get(weight, 1) if weight is not None else 1)
        for u, v, d in G.edges(data=True)
        if u not in state_set and v not in state_set
    )
    return float(bypass / total)


def network_measures(
    mechanism_actors: pd.DataFrame,
    actors: pd.DataFrame | None = None,
    party_not_covered: Iterable[str] = (),
) -> pd.DataFrame:
    """All network measures for every case, one row per case.

    Parameters
    ----------
    mechanism_actors : pandas.DataFrame
        Tidy frame ``case_id``, ``code``, ``score``, ``actor``.
    actors : pandas.DataFrame, optional
        Actor vocabulary; needed for the ``actor_type_count`` column, which is left
        out without it, and for counting the party/state side by role in
        ``share_ties_bypassing_state`` (:func:`state_side_actors`; without it only the
        actors ``party`` and ``government`` are state-side).
    party_not_covered : iterable of str
        Cases whose source excerpt does not cover party building (the sources'
        ``coverage.not_covered``): their party measures and the share of ties bypassing
        party and government are NaN (not covered), never 0.

    Returns
    -------
    pandas.DataFrame
        Index ``case_id`` (sorted); columns ``n_actors``, ``n_mechanisms``, ``n_ties``,
        ``density``, ``degree_centralization``, ``party_tie_share``,
        ``party_betweenness``, ``share_ties_bypassing_state``, ``party_covered`` and,
        with ``actors``, ``actor_type_count``.  All measures are on the actor projection;
        ``.attrs["tie"]`` holds :data:`TIE_DEFINITION` and ``.attrs["state_side"]`` the
        actor ids counted as party/state-side.  :func:`actor_network_measures` gives
        the same as a typed result.

    Examples
    --------
    >>> import pandas as pd
    >>> ma = pd.DataFrame({"case_id": ["c"] * 4, "code": ["m1", "m1", "m2", "m2"],
    ...                    "score": [1.0] * 4,
    ...                    "actor": ["party", "residents", "party", "volunteers"]})
    >>> network_measures(ma).loc["c", ["n_ties", "party_betweenness"]].tolist()
    [2.0, 1.0]
    >>> float(network_measures(ma, party_not_covered=["c"]).loc["c", "party_tie_share"])
    nan
    """
    uncovered = set(party_not_covered)
    state = state_side_actors(actors) if actors is not None else [PARTY, GOVERNMENT]
    records = []
    for case in sorted(mechanism_actors["case_id"].unique()):
        B = actor_mechanism_graph(mechanism_actors, case, actors)
        P = actor_projection(B)
        rec: dict[str, object] = {
            "case_id": case,
            "n_actors": P.number_of_nodes(),
            "n_mechanisms": B.number_of_nodes() - P.number_of_nodes(),
            "n_ties": P.number_of_edges(),
            "density": density(P),
            "degree_centralization": degree_centralization(P),
            "party_tie_share": party_tie_share(P),
            "party_betweenness": party_betweenness(P),
            "share_ties_bypassing_state": share_ties_bypassing_state(P, state),
            "party_covered": case not in uncovered,
        }
        if case in uncovered:
            for key in ("party_tie_share", "party_betweenness", "share_ties_bypassing_state"):
                rec[key] = float("nan")
        if actors is not None:
            rec["actor_type_count"] = actor_type_count(P)
        records.append(rec)
    out = pd.DataFrame.from_records(records).set_index("case_id")
    out.attrs["tie"] = dict(TIE_DEFINITION)
    out.attrs["state_side"] = list(state)
    return out


@dataclass(frozen=True)
class ActorNetworkMeasures:
    """Result of :func:`actor_network_measures`.

    Attributes
    ----------
    measures : pandas.DataFrame
        :func:`network_measures`' table, one row per case.
    tie : dict of str to str
        What a tie is (``"zh"``, ``"en"``; :data:`TIE_DEFINITION`).
    state_side : list of str
        Actor ids counted as party/state-side in ``share_ties_bypassing_state``.
    party_not_covered : list of str
        Cases flagged: their sources do not cover party building, so party measures
        and the bypass share are NaN (not covered), not 0%.
    """

    measures: pd.DataFrame
    tie: dict[str, str]
    state_side: list[str]
    party_not_covered: list[str] = field(default_factory=list)


def actor_network_measures(
    mechanism_actors: pd.DataFrame,
    actors: pd.DataFrame | None = None,
    party_not_covered: Iterable[str] = (),
) -> ActorNetworkMeasures:
    """:func:`network_measures` with what a tie is and who is state-side, typed.

    Examples
    --------
    >>> import pandas as pd
    >>> ma = pd.DataFrame({"case_id": ["c"] * 4, "code": ["m1", "m1", "m2", "m2"],
    ...                    "score": [1.0] * 4,
    ...                    "actor": ["grid_staff", "residents", "residents", "volunteers"]})
    >>> actors = pd.DataFrame({"sector": ["government", "individual", "social"]},
    ...                       index=["grid_staff", "residents", "volunteers"])
    >>> res = actor_network_measures(ma, actors)
    >>> res.state_side, float(res.measures.loc["c", "share_ties_bypassing_state"])
    (['grid_staff'], 0.5)
    >>> res.tie["en"].startswith("What a tie is")
    True
    """
    uncovered = sorted(set(party_not_covered))
    table = network_measures(mechanism_actors, actors, uncovered)
    return ActorNetworkMeasures(
        measures=table,
        tie=dict(table.attrs["tie"]),
        state_side=list(table.attrs["state_side"]),
        party_not_covered=[c for c in uncovered if c in table.index],
    )


def cooccurrence_network(membership: pd.DataFrame, threshold: float = 0.0) -> nx.Graph:
    """Mechanism co-occurrence network across cases.

    Nodes are codes; two codes are tied when at least one case has both (score above
    ``threshold``).

    Parameters
    ----------
    membership : pandas.DataFrame
        Index ``case_id``, one column per code.
    threshold : float
        A mechanism counts as present in a case when its score is above this.

    Returns
    -------
    networkx.Graph
        Every code is a node (codes present nowhere are isolated), with attributes
        ``n_cases`` (cases where present) and ``cases``.  Edges carry ``weight``
        (number of cases with both), ``fuzzy_weight`` (Σ over cases of
        min(score_a, score_b), the fuzzy-set intersection) and ``cases`` (sorted).

    Examples
    --------
    >>> import pandas as pd
    >>> m = pd.DataFrame({"grid": [1, 1, 0], "app": [0.67, 0.33, 0], "fund": [0, 0, 1]},
    ...                  index=pd.Index(["a", "b", "c"], name="case_id"))
    >>> G = cooccurrence_network(m)
    >>> G["grid"]["app"]["weight"], round(G["grid"]["app"]["fuzzy_weight"], 2)
    (2, 1.0)
    >>> G.has_edge("grid", "fund")
    False
    """
    G = nx.Graph()
    present = membership.astype(float) > threshold
    for code in membership.columns:
        cases = sorted(str(c) for c in membership.index[present[code]])
        G.add_node(code, n_cases=len(cases), cases=cases)
    for u, v in combinations(membership.columns, 2):
        both = present[u] & present[v]
        if both.any():
            fuzzy = np.minimum(membership.loc[both, u], membership.loc[both, v]).astype(float)
            G.add_edge(
                u,
                v,
                weight=int(both.sum()),
                fuzzy_weight=float(fuzzy.sum()),
                cases=sorted(str(c) for c in membership.index[both]),
            )
    return G


def layout(
    G: nx.Graph, seed: int = 0, method: str = "spring", weight: str | None = "weight"
) -> dict[Hashable, np.ndarray]:
    """Deterministic node positions for drawing.

    The graph is first rebuilt with nodes and edges in sorted order, so the same
    graph gives the same picture whatever order it was built in; then laid out.

    Parameters
    ----------
    G : networkx.Graph
    seed : int
        Seed of the spring layout's random initial positions.
    method : {"spring", "kamada_kawai", "bipartite", "circular"}
        ``"bipartite"`` puts actors (``bipartite=0``) in one column and mechanisms in
        the other.
    weight : str or None
        Edge attribute used as spring strength / distance (ignored by the others).

    Returns
    -------
    dict
        Node -> array([x, y]), as ``networkx.draw(G, pos=...)`` expects.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.karate_club_graph()
    >>> p1, p2 = layout(G, seed=1), layout(G, seed=1)
    >>> all((p1[n] == p2[n]).all() for n in G)
    True
    """
    H = nx.Graph()
    H.graph.update(G.graph)
    H.add_nodes_from(sorted(G.nodes(data=True), key=lambda nd: str(nd[0])))
    H.add_edges_from(
        sorted(
            ((*sorted((u, v), key=str), d) for u, v, d in G.edges(data=True)),
            key=lambda e: (str(e[0]), str(e[1])),
        )
    )
    if method == "spring":
        return nx.spring_layout(H, seed=seed, weight=weight)
    if method == "kamada_kawai":
        return nx.kamada_kawai_layout(H, weight=weight) if H.number_of_nodes() else {}
    if method == "circular":
        return nx.circular_layout(H)
    if method == "bipartite":
        top = [n for n, d in H.nodes(data=True) if d.get("bipartite") == 0]
        return nx.bipartite_layout(H, top)
    raise ValueError(f"unknown layout method {method!r}")
