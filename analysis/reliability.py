"""Inter-coder reliability of the case base: ``workbench reliability`` and ``freeze-coding``.

Independent codings live in ``casebase/codings/<coder>/<case_id>.yaml`` and are never
edited after comparison.  ``casebase/codings/rounds.yaml`` says which codings form
each round of the reliability check (for example the first coding against a blind
second coding under codebook version 1, then a fresh blind coding against the
adjudicated case files under a revised codebook).  The pseudo-coder ``final`` means
the current, adjudicated scores in ``casebase/cases/``.

Agreement itself is computed by :func:`analysis.stats.agreement` (Krippendorff's
alpha via the ``krippendorff`` package, Cohen's kappa via statsmodels).

Examples
--------
>>> from analysis.casebase import load_casebase
>>> from analysis.reliability import reliability_round
>>> cb = load_casebase("casebase", "../shared/seeds")      # doctest: +SKIP
>>> reliability_round(cb).alpha_ordinal > 0.8              # doctest: +SKIP
True
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from analysis.casebase import CaseBase
    from analysis.stats import AgreementResult

FINAL = "final"


@dataclass(frozen=True)
class Round:
    """One round of the reliability check."""

    id: str
    codebook_version: int
    coders: tuple[str, str]
    note: str = ""


def read_rounds(cb: CaseBase) -> list[Round]:
    """Rounds declared in ``codings/rounds.yaml`` (default: the first two coders found).

    Examples
    --------
    >>> [r.id for r in read_rounds(cb)]      # doctest: +SKIP
    ['round1', 'round2']
    """
    from analysis.casebase import load_rounds

    path = Path(cb.root) / "codings" / "rounds.yaml"
    doc = load_rounds(cb.root)  # checked: raises CaseBaseError with file:line messages
    if doc is not None:
        out = []
        for i, r in enumerate(doc["rounds"]):
            coders = r.get("coders", [])
            if len(coders) != 2:
                raise ValueError(f"{path}: rounds[{i}].coders must name exactly two coders")
            for c in coders:
                if c != FINAL and c not in cb.codings:
                    raise ValueError(
                        f"{path}: rounds[{i}].coders: no codings for {c!r} in codings/{c}/"
                    )
            out.append(
                Round(
                    str(r["id"]),
                    int(r.get("codebook_version", 1)),
                    tuple(coders),
                    r.get("note", ""),
                )
            )
        return out
    coders = sorted(cb.codings)
    if len(coders) >= 2:
        return [Round("round1", cb.codebook.version, (coders[0], coders[1]))]
    if len(coders) == 1:
        return [Round("round1", cb.codebook.version, (FINAL, coders[0]))]
    return []


def _codes_of(cb: CaseBase, coder: str) -> list[str]:
    """The codes a coder's files list (current codes first), so a round keeps its own units.

    Codings frozen under an earlier codebook name the codes of that version (retired ones
    included); comparing them over today's codes would change the published figures.
    """
    if coder == FINAL:
        return list(cb.code_ids)
    named = {m.code for coding in cb.codings[coder].values() for m in coding.mechanisms}
    return [c for c in cb.code_ids if c in named] + sorted(named - set(cb.code_ids))


def coder_frame(cb: CaseBase, coder: str, codes: list[str] | None = None) -> pd.DataFrame:
    """A coder's codings as a tidy (case_id, code, score, status) frame; ``final`` = case files.

    Only cases the coder coded are included; within a coded case a code left out is
    not_reported. ``score`` is NaN for not_reported (missing data, never 0).

    Examples
    --------
    >>> coder_frame(cb, "final").columns.tolist()     # doctest: +SKIP
    ['case_id', 'code', 'score', 'status']
    """
    import pandas as pd

    if coder == FINAL:
        return cb.codings_frame()[["case_id", "code", "score", "status"]]
    codes = codes or _codes_of(cb, coder)
    rows = []
    for cid, coding in sorted(cb.codings[coder].items()):
        coded = {m.code: m for m in coding.mechanisms}
        for c in codes:
            m = coded.get(c)
            status = m.status if m else "not_reported"
            score = float("nan") if m is None or m.score is None else m.score
            rows.append({"case_id": cid, "code": c, "score": score, "status": status})
    return pd.DataFrame(rows, columns=["case_id", "code", "score", "status"])


def _outcome_frame(cb: CaseBase, coder: str) -> pd.DataFrame:
    import pandas as pd

    rows = []
    if coder == FINAL:
        items = {cid: case.outcomes for cid, case in cb.cases.items()}
    else:
        items = {cid: c.outcomes for cid, c in cb.codings[coder].items()}
    for cid, outs in sorted(items.items()):
        got = {o.outcome: o for o in outs}
        for oid in cb.outcome_ids:
            o = got.get(oid)
            rows.append(
                {
                    "case_id": cid,
                    "outcome": oid,
                    "score": float("nan") if o is None else o.score,
                    "claim_strength": None if o is None else o.claim_strength,
                }
            )
    return pd.DataFrame(rows, columns=["case_id", "outcome", "score", "claim_strength"])


STATUS_ORDER = ("absent", "proposed", "weak", "present", "not_reported")


def missing_aware_measures(cb: CaseBase, rnd: Round) -> dict[str, Any]:
    """Agreement with silence as missing data: scores, statuses and outcomes.

    - ``alpha_ordinal_reported``: Krippendorff's alpha (ordinal) on scores with not_reported
      as missing (a unit both coders left unreported carries no information);
    - ``alpha_status_nominal``: alpha (nominal) on the five statuses;
    - ``outcomes``: alpha (ordinal) on outcome scores (an outcome a coder did not score is
      missing), the units, and how often both coders gave the same claim_strength;
    - ``both_missing`` / ``both_zero_or_missing``: share of case x code units both coders
      left not reported (or at 0 or not reported), which the alphas above leave out or
      which silence-as-zero figures count as agreement.

    Examples
    --------
    >>> sorted(missing_aware_measures(cb, read_rounds(cb)[-1]))   # doctest: +SKIP
    ['alpha_ordinal_reported', 'alpha_status_nominal', 'both_missing', ...]
    """
    import numpy as np

    from analysis.stats import krippendorff_alpha, to_scale_steps

    ca, cb_ = rnd.coders
    codes = (
        [c for c in _codes_of(cb, ca) if c in set(_codes_of(cb, cb_))]
        if FINAL
        not in (
            ca,
            cb_,
        )
        else None
    )
    a, b = coder_frame(cb, ca, codes), coder_frame(cb, cb_, codes)
    shared = sorted(set(a["case_id"]) & set(b["case_id"]))
    a = a[a["case_id"].isin(shared)].set_index(["case_id", "code"]).sort_index()
    b = b[b["case_id"].isin(shared)].set_index(["case_id", "code"]).sort_index()
    b = b.reindex(a.index)
    sa, sb = to_scale_steps(a["score"].to_numpy()), to_scale_steps(b["score"].to_numpy())
    status_rank = {s: i for i, s in enumerate(STATUS_ORDER)}
    ta = np.array([status_rank[s] for s in a["status"].fillna("not_reported")], dtype=float)
    tb = np.array([status_rank[s] for s in b["status"].fillna("not_reported")], dtype=float)
    both_missing = np.isnan(sa) & np.isnan(sb)
    zero_or_missing = (np.isnan(sa) | (sa == 0)) & (np.isnan(sb) | (sb == 0))
    oa, ob = _outcome_frame(cb, ca), _outcome_frame(cb, cb_)
    oa = oa[oa["case_id"].isin(shared)].set_index(["case_id", "outcome"]).sort_index()
    ob = ob[ob["case_id"].isin(shared)].set_index(["case_id", "outcome"]).reindex(oa.index)
    oa_s, ob_s = to_scale_steps(oa["score"].to_numpy()), to_scale_steps(ob["score"].to_numpy())
    both_scored = ~np.isnan(oa_s) & ~np.isnan(ob_s)
    same_claim = (oa["claim_strength"] == ob["claim_strength"]).to_numpy() & both_scored
    domain = [0.0, 1.0, 2.0, 3.0]
    n = len(sa)
    return {
        "alpha_ordinal_reported": _num(krippendorff_alpha(np.vstack([sa, sb]), "ordinal", domain)),
        "units_reported_by_either": int((~both_missing).sum()),
        "alpha_status_nominal": _num(krippendorff_alpha(np.vstack([ta, tb]), "nominal")),
        "both_missing": _num(both_missing.sum() / n) if n else None,
        "both_zero_or_missing": _num(zero_or_missing.sum() / n) if n else None,
        "outcomes": {
            "alpha_ordinal": _num(krippendorff_alpha(np.vstack([oa_s, ob_s]), "ordinal", domain)),
            "units": len(oa_s),
            "scored_by_both": int(both_scored.sum()),
            "scored_by_one": int((np.isnan(oa_s) ^ np.isnan(ob_s)).sum()),
            "same_claim_strength": int(same_claim.sum()),
        },
    }


def _evidence_of(cb: CaseBase, coder: str, case_id: str, code: str) -> list[dict[str, Any]]:
    if coder == FINAL:
        mechs = cb.cases[case_id].mechanisms if case_id in cb.cases else []
    else:
        coding = cb.codings.get(coder, {}).get(case_id)
        mechs = coding.mechanisms if coding else []
    for m in mechs:
        if m.code == code:
            return [
                {"source": e.source, "start": e.start, "end": e.end, "quote": e.quote}
                for e in m.evidence
            ]
    return []


def reliability_round(cb: CaseBase, rnd: Round | None = None) -> AgreementResult:
    """Agreement of a round's two coders over the cases both coded.

    Examples
    --------
    >>> res = reliability_round(cb)          # doctest: +SKIP
    >>> res.n_units                          # doctest: +SKIP
    175
    """
    from analysis.stats import agreement

    if rnd is None:
        rounds = read_rounds(cb)
        if not rounds:
            raise ValueError("no independent codings in casebase/codings/")
        rnd = rounds[-1]
    a, b = (coder_frame(cb, c) for c in rnd.coders)
    shared = sorted(set(a["case_id"]) & set(b["case_id"]))
    if not shared:
        raise ValueError(f"coders {rnd.coders} share no case")
    a = a[a["case_id"].isin(shared)]
    b = b[b["case_id"].isin(shared)]
    return agreement(a, b)


def _num(x: float) -> float | None:
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else round(float(x), 4)


def round_report(cb: CaseBase, rnd: Round) -> dict[str, Any]:
    """JSON-ready report of one round: alpha, kappa, units, per-code, disagreements.

    Examples
    --------
    >>> sorted(round_report(cb, read_rounds(cb)[0]))[:3]     # doctest: +SKIP
    ['alpha_ordinal', 'codebook_version', 'coders']
    """
    res = reliability_round(cb, rnd)
    ca, cb_ = rnd.coders
    dis = []
    for row in res.disagreements.itertuples():
        dis.append(
            {
                "case_id": row.case_id,
                "code": row.code,
                ca: float(row.score_a),
                cb_: float(row.score_b),
                "steps": int(row.steps),
                "evidence": {
                    ca: _evidence_of(cb, ca, row.case_id, row.code),
                    cb_: _evidence_of(cb, cb_, row.case_id, row.code),
                },
            }
        )
    return {
        **missing_aware_measures(cb, rnd),
        "round": rnd.id,
        "codebook_version": rnd.codebook_version,
        "coders": list(rnd.coders),
        "note": rnd.note,
        "alpha_ordinal": _num(res.alpha_ordinal),
        "kappa_presence": _num(res.kappa_presence),
        "exact_agreement": _num(res.exact_agreement),
        "units": res.n_units,
        "cases": sorted(set(res.units["case_id"])),
        "per_code": {
            code: {
                "alpha": _num(r.alpha_ordinal),
                "n": int(r.n),
                "exact_agreement": _num(r.exact_agreement),
                "disagreements": int(r.n_disagreements),
            }
            for code, r in res.per_code.iterrows()
        },
        "disagreements": dis,
    }


def reliability_report(cb: CaseBase, round_id: str | None = None) -> dict[str, Any]:
    """Report of the chosen round (default: the latest), with every round summarized.

    The top-level keys ``alpha_ordinal``, ``kappa_presence``, ``units``, ``per_code``
    and ``disagreements`` belong to the chosen round; ``rounds`` lists each round's
    headline figures.

    Examples
    --------
    >>> rep = reliability_report(cb)            # doctest: +SKIP
    >>> rep["units"]                            # doctest: +SKIP
    175
    """
    rounds = read_rounds(cb)
    if not rounds:
        raise ValueError("no independent codings in casebase/codings/ (see README: reliability)")
    chosen = rounds[-1] if round_id is None else next((r for r in rounds if r.id == round_id), None)
    if chosen is None:
        raise ValueError(f"unknown round {round_id!r}; rounds: {', '.join(r.id for r in rounds)}")
    report = round_report(cb, chosen)
    summary = []
    for r in rounds:
        rep = report if r is chosen else round_report(cb, r)
        summary.append(
            {
                k: rep[k]
                for k in (
                    "round",
                    "codebook_version",
                    "coders",
                    "note",
                    "alpha_ordinal",
                    "kappa_presence",
                    "exact_agreement",
                    "units",
                    "alpha_ordinal_reported",
                    "alpha_status_nominal",
                    "both_zero_or_missing",
                    "outcomes",
                )
            }
            | {"disagreements": len(rep["disagreements"])}
        )
    report["rounds"] = summary
    return report


def _fmt(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.3f}"


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.0%}"


def format_text(report: dict[str, Any]) -> str:
    """Plain-text rendering of :func:`reliability_report`.

    Examples
    --------
    >>> print(format_text(reliability_report(cb)).splitlines()[0])   # doctest: +SKIP
    编码信度 / Inter-coder reliability
    """
    a, b = report["coders"]
    lines = [
        "编码信度 / Inter-coder reliability",
        "",
        f"Round {report['round']} (codebook v{report['codebook_version']}): {a} vs {b}",
        f"  cases: {', '.join(report['cases'])}",
        f"  units compared (case x code): {report['units']}",
        "  silence as missing (the case base's rule):",
        f"    Krippendorff's alpha (ordinal), scores: {_fmt(report['alpha_ordinal_reported'])}"
        f" over {report['units_reported_by_either']} units reported by either coder",
        f"    Krippendorff's alpha (nominal), statuses: {_fmt(report['alpha_status_nominal'])}",
        f"    outcomes: alpha (ordinal) {_fmt(report['outcomes']['alpha_ordinal'])}; "
        f"{report['outcomes']['scored_by_both']} scored by both, "
        f"{report['outcomes']['scored_by_one']} by one only; same claim_strength in "
        f"{report['outcomes']['same_claim_strength']} of {report['outcomes']['scored_by_both']}",
        f"    units both coders left not reported: {_pct(report['both_missing'])}; "
        f"at 0 or not reported: {_pct(report['both_zero_or_missing'])}",
        "  silence as 0 (as rounds 1-2 were published):",
        f"    Krippendorff's alpha (ordinal): {report['alpha_ordinal']:.3f}",
        f"    Cohen's kappa (presence, score > 0): {report['kappa_presence']:.3f}",
        f"    exact agreement: {report['exact_agreement']:.3f}",
        "",
        "All rounds (alpha with silence as missing / as 0):",
    ]
    for r in report["rounds"]:
        lines.append(
            f"  {r['round']:<8} v{r['codebook_version']}  {r['coders'][0]} vs {r['coders'][1]}: "
            f"alpha={_fmt(r['alpha_ordinal_reported'])} / {r['alpha_ordinal']:.3f} "
            f"status alpha={_fmt(r['alpha_status_nominal'])} kappa={r['kappa_presence']:.3f} "
            f"units={r['units']} disagreements={r['disagreements']}"
        )
    lines += ["", "Per code (alpha is undefined where neither coder varies across cases):"]
    for code, pc in sorted(
        report["per_code"].items(), key=lambda kv: (kv[1]["alpha"] is None, kv[1]["alpha"] or 0)
    ):
        alpha = "   n/a" if pc["alpha"] is None else f"{pc['alpha']:6.3f}"
        flag = "  < 0.667" if pc["alpha"] is not None and pc["alpha"] < 0.667 else ""
        lines.append(
            f"  {code:<32} alpha={alpha}  n={pc['n']}  disagreements={pc['disagreements']}{flag}"
        )
    lines += ["", f"Disagreements ({len(report['disagreements'])}):"]
    for d in report["disagreements"]:
        lines.append(
            f"  {d['case_id']}/{d['code']}: {a}={d[a]:g} {b}={d[b]:g} ({d['steps']:+d} steps)"
        )
        for coder in (a, b):
            quotes = (
                "; ".join(e["quote"] for e in d["evidence"][coder]) or "(no evidence: not reported)"
            )
            lines.append(f"      {coder}: {quotes}")
    return "\n".join(lines)


def freeze_coding(cb: CaseBase, coder: str, out_root: Path | None = None) -> list[Path]:
    """Copy the case files' current mechanism codings to ``codings/<coder>/`` verbatim.

    Used once, before comparison, so that the first coding is kept exactly as it was
    made while the case files go on to record adjudicated scores.

    Examples
    --------
    >>> freeze_coding(cb, "primary")          # doctest: +SKIP
    """
    from ruamel.yaml import YAML

    root = Path(out_root or cb.root) / "codings" / coder
    root.mkdir(parents=True, exist_ok=True)
    y = YAML()
    y.width = 4096
    y.allow_unicode = True
    written = []
    for cid, case in cb.cases.items():
        path = root / f"{cid}.yaml"
        if path.exists():
            raise FileExistsError(f"{path} exists: independent codings are never overwritten")
        doc = {
            "id": cid,
            "coder": coder,
            "codebook_version": cb.codebook.version,
            "sources": list(case.sources),
            "mechanisms": [
                m.model_dump(exclude_none=True, exclude={"adjudication"}) for m in case.mechanisms
            ],
            "outcomes": [o.model_dump(exclude_none=True) for o in case.outcomes],
        }
        with path.open("w", encoding="utf-8") as fh:
            fh.write(f"# Independent coding by {coder}, frozen from casebase/cases/{cid}.yaml.\n")
            fh.write("# Never edit after comparison; adjudicated scores live in the case file.\n")
            y.dump(doc, fh)
        written.append(path)
    return written


def cmd_reliability(args: argparse.Namespace) -> int:
    from analysis.casebase import CaseBaseError, load_casebase
    from analysis.casebase_cli import casebase_of, corpus_of

    try:
        cb = load_casebase(casebase_of(args), corpus_of(args) or None)
        report = reliability_report(cb, args.round)
    except CaseBaseError as exc:
        for p in exc.problems:
            print(p, file=sys.stderr)
        return 1
    except ValueError as exc:
        print(f"reliability: {exc}", file=sys.stderr)
        return 1
    if args.format == "json":
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        print(format_text(report))
    return 0


def cmd_freeze(args: argparse.Namespace) -> int:
    from analysis.casebase import CaseBaseError, load_casebase
    from analysis.casebase_cli import casebase_of

    try:
        cb = load_casebase(casebase_of(args))
        for p in freeze_coding(cb, args.coder):
            print(p)
    except CaseBaseError as exc:
        for p in exc.problems:
            print(p, file=sys.stderr)
        return 1
    except FileExistsError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``reliability`` and ``freeze-coding`` to the ``workbench`` parser."""
    from analysis.casebase_cli import add_casebase_option, add_format_option, add_sources_option

    p = sub.add_parser(
        "reliability",
        help="编码者间信度（Krippendorff α、Cohen κ） / "
        "inter-coder agreement (Krippendorff's alpha, Cohen's kappa)",
    )
    add_casebase_option(p)
    add_sources_option(
        p,
        help="用此语料核对独立编码的引文（默认同 validate） / "
        "check the codings' quotes against this corpus (default: as for validate)",
    )
    p.add_argument(
        "--round",
        default=None,
        metavar="ID",
        help="codings/rounds.yaml 中的轮次 id（默认：最新一轮） / "
        "round id from codings/rounds.yaml (default: latest)",
    )
    add_format_option(p)
    p.set_defaults(func=cmd_reliability)

    p = sub.add_parser(
        "freeze-coding",
        help="把案例文件当前的编码保存为一份独立编码 / "
        "keep the case files' current coding as an independent coding",
    )
    p.add_argument("coder", help="编码者名称，如 primary / coder name, e.g. primary")
    add_casebase_option(p)
    p.set_defaults(func=cmd_freeze)
