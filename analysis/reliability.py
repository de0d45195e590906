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


def coder_frame(cb: CaseBase, coder: str) -> pd.DataFrame:
    """A coder's scores as a tidy (case_id, code, score) frame; ``final`` = case files.

    Only cases the coder coded are included; within a coded case, a code left out
    counts as score 0 (not reported), as in the case files.

    Examples
    --------
    >>> coder_frame(cb, "final").columns.tolist()     # doctest: +SKIP
    ['case_id', 'code', 'score']
    """
    import pandas as pd

    if coder == FINAL:
        return cb.codings_frame()[["case_id", "code", "score"]]
    rows = []
    for cid, coding in sorted(cb.codings[coder].items()):
        coded = {m.code: m.score for m in coding.mechanisms}
        rows += [{"case_id": cid, "code": c, "score": coded.get(c, 0.0)} for c in cb.code_ids]
    return pd.DataFrame(rows, columns=["case_id", "code", "score"])


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
                )
            }
            | {"disagreements": len(rep["disagreements"])}
        )
    report["rounds"] = summary
    return report


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
        f"  Krippendorff's alpha (ordinal): {report['alpha_ordinal']:.3f}",
        f"  Cohen's kappa (presence, score > 0): {report['kappa_presence']:.3f}",
        f"  exact agreement: {report['exact_agreement']:.3f}",
        "",
        "All rounds:",
    ]
    for r in report["rounds"]:
        lines.append(
            f"  {r['round']:<8} v{r['codebook_version']}  {r['coders'][0]} vs {r['coders'][1]}: "
            f"alpha={r['alpha_ordinal']:.3f} kappa={r['kappa_presence']:.3f} "
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
