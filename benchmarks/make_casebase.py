"""Write a synthetic case base of N cases with generated Chinese source texts.

``benchmarks/make_casebase.py --cases N --seed S OUT/`` writes

- ``OUT/casebase/``: ``codebook.yaml`` and ``conditions.yaml`` copied from the
  project's ``casebase/``, a ``sources.yaml`` with one source per case (sha256 of
  its generated text), ``cases/<id>.yaml`` for every case, and a small blind
  double coding (``codings/``, two synthetic coders on the first cases, with
  ``rounds.yaml``) so the reliability report has something to compare;
- ``OUT/sources/``: one generated text per case.

Every case codes every codebook mechanism with one of the five statuses
(``present``, ``weak``, ``proposed``, ``absent``, ``not_reported``), and has
practices, indicators, outcomes, context, drivers, problems, recommendations
and links, each with evidence spans at their exact character offsets in its
text (``text[start:end] == quote``), outcome passages apart from mechanism
passages, so ``workbench validate --casebase OUT/casebase --sources
OUT/sources`` accepts it.  Cases are drawn around a few latent profiles, so
similarity and clustering have structure to find.  The same ``--seed`` and
``--cases`` give byte-identical files.

Usage::

    .venv/bin/python benchmarks/make_casebase.py --cases 300 --seed 1 /tmp/syn300
    .venv/bin/workbench validate --casebase /tmp/syn300/casebase --sources /tmp/syn300/sources
"""

from __future__ import annotations

import argparse
import hashlib
import random
import shutil
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
CASEBASE = ROOT / "casebase"

#: Author relations drawn for sources, and the claim strength each implies
#: (analysis.casebase.DEFAULT_CLAIM; ``unknown`` implies none, any is allowed).
CLAIMS = {
    "implementing_authority": "implementing_authority",
    "local_party_school": "party_school_analysis",
    "external_scholar": "external_analysis",
    "unknown": "external_analysis",
}
GENRES = {
    "implementing_authority": ("official_summary", "decision_advisory_report"),
    "local_party_school": ("party_school_report", "decision_advisory_report"),
    "external_scholar": ("academic_article", "journal_article"),
    "unknown": ("book_chapter", "book_chapter"),
}
PROVINCES = ("浙江省", "江苏省", "广东省", "福建省", "山东省", "四川省", "湖北省", "河南省")
SYLLABLES = "安宁丰平和兴华江海山川东西南北新永嘉清云青阳明德泰昌盛禾林溪湖".replace(" ", "")
PINYIN = ("an", "ning", "feng", "ping", "he", "xing", "hua", "jiang", "hai", "shan", "chuan")
LEVELS = ("subdistrict", "district", "county", "prefecture_city")
LEVEL_ZH = {"subdistrict": "街道", "district": "区", "county": "县", "prefecture_city": "市"}
URBAN = ("城市社区", "城乡结合部", "农村", "城镇")
STAGES = ("pilot", "citywide", "diffused", "unknown")
DRIVER_KINDS = ("leader_instruction", "leading_group", "secretary_campaign", "policy_document")
LINK_KINDS = ("learned_from", "diffused_to", "related")
FILLER = (
    "近年来，当地围绕基层社会治理现代化持续探索。",
    "这些做法在实践中不断调整完善。",
    "社区工作者普遍反映工作量较大。",
    "当地把群众满意作为检验工作的重要标准。",
    "有关部门多次组织调研座谈。",
    "下文对主要做法逐一加以介绍。",
)
#: Status probabilities (present, weak, proposed, absent, not_reported) by a
#: profile's leaning on a code: strong, middling, or silent.
LEANINGS = (
    (0.70, 0.15, 0.03, 0.02, 0.10),
    (0.25, 0.30, 0.08, 0.07, 0.30),
    (0.05, 0.10, 0.05, 0.05, 0.75),
)
STATUSES = ("present", "weak", "proposed", "absent", "not_reported")


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    """Safe dumper that never writes anchors or aliases (the case base refuses them)."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _dump(data: Any) -> str:
    return yaml.dump(
        data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1000, indent=2
    )


class _Text:
    """A source text built sentence by sentence, remembering each sentence's offsets."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.parts: list[str] = []
        self.length = 0

    def add(self, sentence: str) -> dict[str, Any]:
        """Append ``sentence``; return its evidence span."""
        start = self.length
        self.parts.append(sentence)
        self.length += len(sentence)
        return {"source": self.source, "start": start, "end": self.length, "quote": sentence}

    def plain(self, sentence: str) -> None:
        self.parts.append(sentence)
        self.length += len(sentence)

    def text(self) -> str:
        return "".join(self.parts)


def _place(rng: random.Random, index: int) -> tuple[str, str, str]:
    """A made-up place: (Chinese name, pinyin-ish stem, province)."""
    a, b = rng.choice(SYLLABLES), rng.choice(SYLLABLES)
    stem = f"{rng.choice(PINYIN)}{rng.choice(PINYIN)}"
    return f"{a}{b}", stem, PROVINCES[index % len(PROVINCES)]


def _profiles(rng: random.Random, codes: list[dict], n_profiles: int) -> list[dict[str, int]]:
    """Latent model profiles: each code's leaning (0 strong, 1 middling, 2 silent)."""
    return [
        {c["id"]: rng.choices((0, 1, 2), weights=(3, 3, 4))[0] for c in codes}
        for _ in range(n_profiles)
    ]


def _mechanism(
    rng: random.Random, code: dict, leaning: int, text: _Text, name: str, actors: set[str]
) -> dict[str, Any]:
    status = rng.choices(STATUSES, weights=LEANINGS[leaning])[0]
    label = code["label_zh"]
    entry: dict[str, Any] = {"code": code["id"]}
    if status == "not_reported":
        return {
            **entry,
            "score": None,
            "status": status,
            "rationale": "来源未提及。",
            "evidence": [],
        }
    score = {"present": rng.choice((0.67, 1)), "weak": 0.33}.get(status, 0)
    sentences = {
        "present": [
            f"{name}建立了“{label}”的工作机制，明确了责任分工和运行流程。",
            f"{name}把{label}作为常态化制度，每年开展专项评估。",
        ],
        "weak": [f"{name}也提到了{label}方面的做法。"],
        "proposed": [f"下一步，{name}建议探索{label}的具体办法。"],
        "absent": [f"{name}目前尚未形成{label}方面的安排。"],
    }[status]
    evidence = [text.add(s) for s in sentences[: rng.randint(1, len(sentences))]]
    text.plain(rng.choice(FILLER))
    pool = [a for a in code.get("actors", []) if a in actors] or sorted(actors)[:1]
    chosen = sorted(rng.sample(pool, k=min(len(pool), rng.randint(1, 3))))
    return {
        **entry,
        "score": score,
        "status": status,
        "rationale": f"合成数据：{label}为{status}。",
        "actors": chosen,
        "year": rng.randint(2005, 2022) if status == "present" else None,
        "evidence": evidence,
    }


def _outcome_score(rng: random.Random, mechanisms: list[dict]) -> float:
    scored = [m["score"] for m in mechanisms if m["score"] is not None]
    mean = sum(scored) / len(scored) if scored else 0.5
    raw = min(1.0, max(0.0, mean * 1.4 + rng.gauss(0, 0.2)))
    return min((0, 0.33, 0.67, 1), key=lambda s: abs(s - raw))


def _case(
    rng: random.Random,
    index: int,
    case_id: str,
    codebook: dict,
    profile: dict[str, int],
    names: list[str],
) -> tuple[dict, dict, str]:
    """One case: (case file data, its source entry, its source text)."""
    place, _, province = _place(rng, index)
    level = LEVELS[index % len(LEVELS)]
    name = f"{place}{LEVEL_ZH[level]}"
    source_id = f"{case_id}_src"
    relation = rng.choice(tuple(CLAIMS))
    genre, doc_type = GENRES[relation]
    text = _Text(source_id)
    text.plain(f"{name}基层社会治理创新调查报告\n\n")
    text.plain(f"{name}位于{province}，本文记述其基层社会治理的主要做法与成效。\n")
    actors = {a["id"] for a in codebook["actors"]}
    mechanisms = [
        _mechanism(rng, code, profile[code["id"]], text, name, actors) for code in codebook["codes"]
    ]
    text.plain("\n")
    practiced = [m["code"] for m in mechanisms if m["status"] in ("present", "weak")]
    practices = []
    for j in range(min(len(practiced), rng.randint(1, 3))):
        label = f"{place}{rng.choice(('幸福', '和美', '同心', '红色'))}工程{j + 1}号"
        codes = sorted(rng.sample(practiced, k=min(len(practiced), rng.randint(1, 2))))
        practices.append(
            {
                "id": f"practice_{j + 1}",
                "name_zh": label,
                "name_en": f"Programme {j + 1}",
                "year": rng.randint(2008, 2021),
                "mechanisms": codes,
                "evidence": [text.add(f"{name}推出“{label}”，把有关做法整合为一个品牌项目。")],
            }
        )
    indicators = []
    for j in range(rng.randint(1, 3)):
        value = rng.randint(10, 900)
        indicators.append(
            {
                "id": f"indicator_{j + 1}",
                "label_zh": f"网格数（第{j + 1}项）",
                "label_en": f"Grids ({j + 1})",
                "value": value,
                "value_max": None,
                "qualifier": None,
                "unit": "个",
                "year": rng.randint(2010, 2022),
                "evidence": [text.add(f"截至统计时点，{name}第{j + 1}批共划分网格{value}个。")],
            }
        )
    text.plain("\n")
    outcomes = []
    for o in codebook["outcomes"]:
        if rng.random() < 0.15:
            continue  # the source is silent on this outcome
        score = _outcome_score(rng, mechanisms)
        label = o["label_zh"]
        outcomes.append(
            {
                "outcome": o["id"],
                "score": score,
                "claim_strength": CLAIMS[relation],
                "claim_note": None,
                "rationale": f"合成数据：{label}得分{score}。",
                "evidence": [text.add(f"据介绍，{name}在{label}方面成效{_grade(score)}。")],
            }
        )
    population = rng.randint(2, 90) * 1000
    context = [
        {
            "field": "admin_level",
            "value": LEVEL_ZH[level],
            "value_num": None,
            "year": None,
            "evidence": [text.add(f"{name}是一个{LEVEL_ZH[level]}级治理单元。")],
        },
        {
            "field": "urban_rural",
            "value": (urban := rng.choice(URBAN)),
            "value_num": None,
            "year": None,
            "evidence": [text.add(f"{name}以{urban}为主。")],
        },
        {
            "field": "population",
            "value": f"{population}人",
            "value_num": population,
            "year": rng.randint(2010, 2022),
            "evidence": [text.add(f"{name}常住人口约{population}人。")],
        },
        {
            "field": "stage",
            "value": (stage := rng.choice(STAGES)),
            "value_num": None,
            "year": None,
            "evidence": [text.add(f"这一模式目前处于{_stage_zh(stage)}阶段。")],
        },
    ]
    drivers = [
        {
            "kind": kind,
            "description_zh": f"{name}的{_driver_zh(kind)}",
            "year": rng.randint(2008, 2021),
            "evidence": [text.add(f"这项工作得到{name}{_driver_zh(kind)}的推动。")],
        }
        for kind in rng.sample(DRIVER_KINDS, k=rng.randint(0, 2))
    ]
    problems = [
        {
            "problem_zh": f"问题{j + 1}：{what}",
            "scope": scope,
            "evidence": [
                text.add(f"{'当地' if scope == 'local' else '各地普遍'}存在{what}的问题。")
            ],
        }
        for j, (what, scope) in enumerate(
            rng.sample(
                [
                    ("经费保障不足", "local"),
                    ("居民参与不均衡", "local"),
                    ("考核负担偏重", "general"),
                    ("数据共享不畅", "general"),
                ],
                k=rng.randint(1, 2),
            )
        )
    ]
    recommendations = [
        {
            "recommendation_zh": f"建议{what}",
            "evidence": [text.add(f"笔者建议，{name}应当{what}。")],
        }
        for what in rng.sample(
            ["加强经费保障", "完善考评办法", "扩大居民参与"], k=rng.randint(1, 2)
        )
    ]
    links = []
    if names and rng.random() < 0.6:
        other = rng.choice(names)
        kind = rng.choice(LINK_KINDS)
        links.append(
            {
                "kind": kind,
                "target": f"{other}的经验",
                "evidence": [text.add(f"{name}与{other}的做法{_link_zh(kind)}。")],
            }
        )
    text.plain("\n（本文为合成测试文本。）\n")
    case = {
        "id": case_id,
        "name_zh": f"{name}基层社会治理模式",
        "name_en": f"Synthetic model {index + 1}",
        "short_zh": name,
        "short_en": f"Model {index + 1}",
        "province": province,
        "city": f"{place}市",
        "level": level,
        "start_year": rng.randint(2003, 2020),
        "sources": [source_id],
        "summary_zh": f"{name}的合成治理模式，用于规模测试。",
        "summary_en": "A synthetic governance model for scaling tests.",
        "mechanisms": mechanisms,
        "practices": practices,
        "indicators": indicators,
        "outcomes": outcomes,
        "context": context,
        "drivers": drivers,
        "problems": problems,
        "recommendations": recommendations,
        "links": links,
    }
    body = text.text()
    source = {
        "id": source_id,
        "file": f"{case_id}.txt",
        "sha256": hashlib.sha256(body.encode("utf-8")).hexdigest(),
        "title": f"{name}基层社会治理创新调查报告",
        "authors": [f"作者{index + 1}"],
        "venue": "合成测试语料",
        "date": str(rng.randint(2008, 2023)),
        "doc_type": doc_type,
        "genre": genre,
        "author_relation": relation,
        "author_relation_basis": "合成数据：随机指定。",
        "coverage": {
            "held_zh": "全文（合成）。",
            "complete": True,
            "not_covered": [],
            "note_zh": "",
        },
    }
    return case, source, body


def _grade(score: float) -> str:
    return {0: "不明显", 0.33: "初步显现", 0.67: "较为明显", 1: "十分显著"}[score]


def _stage_zh(stage: str) -> str:
    return {"pilot": "试点", "citywide": "全市推广", "diffused": "向外扩散", "unknown": "探索"}[
        stage
    ]


def _driver_zh(kind: str) -> str:
    return {
        "leader_instruction": "主要领导批示",
        "leading_group": "领导小组",
        "secretary_campaign": "书记项目",
        "policy_document": "专门文件",
    }[kind]


def _link_zh(kind: str) -> str:
    return {"learned_from": "一脉相承", "diffused_to": "被推广借鉴", "related": "相互呼应"}[kind]


def _coding(rng: random.Random, case: dict, coder: str) -> dict:
    """An independent coding: the case's statuses, with some scores moved within a status."""
    mechanisms = []
    for m in case["mechanisms"]:
        score, status = m["score"], m["status"]
        if status == "present" and rng.random() < 0.2:
            score = 1 if score == 0.67 else 0.67
        elif status == "present" and rng.random() < 0.1:
            score, status = 0.33, "weak"
        mechanisms.append(
            {
                "code": m["code"],
                "score": score,
                "status": status,
                "rationale": m["rationale"],
                "evidence": [dict(ev) for ev in m["evidence"]],
            }
        )
    outcomes = [
        {
            **{k: o[k] for k in ("outcome", "claim_strength", "claim_note", "rationale")},
            "score": o["score"] if rng.random() < 0.8 else min(1, round(o["score"] + 0.33, 2)),
            "evidence": [dict(ev) for ev in o["evidence"]],
        }
        for o in case["outcomes"]
    ]
    for o in outcomes:
        o["score"] = min((0, 0.33, 0.67, 1), key=lambda s: abs(s - o["score"]))
    return {
        "id": case["id"],
        "coder": coder,
        "codebook_version": 4,
        "sources": list(case["sources"]),
        "mechanisms": mechanisms,
        "outcomes": outcomes,
    }


def make_casebase(out: str | Path, cases: int, seed: int = 0, coded: int = 6) -> Path:
    """Write a synthetic case base of ``cases`` cases and its source texts under ``out``.

    Parameters
    ----------
    out : path-like
        Output folder; ``casebase/`` and ``sources/`` inside it are replaced.
    cases : int
        Number of cases (at least 1).
    seed : int
        Random seed: the same seed and size give byte-identical files.
    coded : int
        Cases double-coded by two synthetic coders (``codings/``).

    Returns
    -------
    Path
        The ``casebase/`` folder.
    """
    if cases < 1:
        raise ValueError("--cases must be at least 1")
    out = Path(out)
    base, corpus = out / "casebase", out / "sources"
    for folder in (base, corpus):
        shutil.rmtree(folder, ignore_errors=True)
    (base / "cases").mkdir(parents=True)
    corpus.mkdir(parents=True)
    for name in ("codebook.yaml", "conditions.yaml"):
        shutil.copyfile(CASEBASE / name, base / name)
    codebook = yaml.load((CASEBASE / "codebook.yaml").read_text(encoding="utf-8"), _loader())
    rng = random.Random(seed)
    profiles = _profiles(rng, codebook["codes"], max(2, min(8, cases // 10 + 2)))
    width = max(4, len(str(cases)))
    sources, written, names = [], [], []
    for index in range(cases):
        case_id = f"syn_{index + 1:0{width}d}"
        case_rng = random.Random(f"{seed}:{case_id}")
        profile = profiles[case_rng.randrange(len(profiles))]
        case, source, body = _case(case_rng, index, case_id, codebook, profile, names[-20:])
        names.append(case["short_zh"])
        (corpus / source["file"]).write_text(body, encoding="utf-8", newline="")
        (base / "cases" / f"{case_id}.yaml").write_text(
            "# Synthetic case (benchmarks/make_casebase.py); not a real governance model.\n"
            + _dump(case),
            encoding="utf-8",
        )
        sources.append(source)
        written.append(case)
    (base / "sources.yaml").write_text(
        "# Synthetic sources (benchmarks/make_casebase.py).\n" + _dump({"sources": sources}),
        encoding="utf-8",
    )
    coders = ("syn_coder_a", "syn_coder_b")
    for coder in coders:
        (base / "codings" / coder).mkdir(parents=True)
        for case in written[: max(0, coded)]:
            coding = _coding(random.Random(f"{seed}:{coder}:{case['id']}"), case, coder)
            (base / "codings" / coder / f"{case['id']}.yaml").write_text(
                _dump(coding), encoding="utf-8"
            )
    rounds = {
        "rounds": [
            {
                "id": "1",
                "codebook_version": 4,
                "coders": list(coders),
                "note": "Synthetic blind double coding (benchmarks/make_casebase.py).",
            }
        ]
    }
    (base / "codings" / "rounds.yaml").write_text(_dump(rounds), encoding="utf-8")
    return base


def _loader() -> type:
    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", metavar="OUT", help="output folder (casebase/ and sources/)")
    parser.add_argument("--cases", type=int, required=True, metavar="N", help="number of cases")
    parser.add_argument("--seed", type=int, default=0, metavar="S", help="random seed (default 0)")
    parser.add_argument(
        "--coded", type=int, default=6, metavar="K", help="cases double-coded (default 6)"
    )
    args = parser.parse_args(argv)
    try:
        base = make_casebase(args.out, args.cases, args.seed, args.coded)
    except ValueError as exc:
        print(f"make_casebase: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {args.cases} cases to {base} and their sources to {Path(args.out) / 'sources'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
