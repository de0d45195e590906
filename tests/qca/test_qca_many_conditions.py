"""Beyond 31 conditions: exact answers (no int64 overflow) or a fast, clear refusal.

R's reference analyses are padded with conditions that are 0 for every case,
placed after the real ones (so the real conditions take the high bits, where
64-bit implicant keys overflowed).  A pad cannot tell cases apart, so the
conservative models are R's with ``~P1*...*~Pn`` appended, the parsimonious
models are exactly R's, and every fit figure is unchanged.
"""

from __future__ import annotations

import json
import time
import tracemalloc

import numpy as np
import pandas as pd
import pytest

from analysis.qca import QCAError, minimize, truth_table
from analysis.qca import primes as primes_module
from analysis.qca.cli import main

from .test_qca_reference import SUFFICIENCY, check_models, load_json, minimize_args

PADS = 30


def padded_tt(ref: dict, load_dataset):
    data = load_dataset(ref["dataset"]).copy()
    pads = [f"P{i}" for i in range(1, PADS + 1)]
    for pad in pads:
        data[pad] = 0
    opts = ref["truth_table"]["options"]
    outcome = ("~" if opts["neg.out"] else "") + opts["outcome"]
    tt = truth_table(
        data,
        outcome,
        [*ref["conditions"], *pads],
        incl_cut=opts["incl.cut"],
        n_cut=opts["n.cut"],
        pri_cut=opts["pri.cut"],
    )
    return tt, "*".join("~" + p for p in pads)


def with_pads(models: list[dict], suffix: str) -> list[dict]:
    out = []
    for m in models:
        terms = [f"{t}*{suffix}" for t in m["terms"]]
        term_fit = [{**t, "term": f"{t['term']}*{suffix}"} for t in m["term_fit"]]
        out.append({**m, "terms": terms, "term_fit": term_fit})
    return out


@pytest.mark.parametrize("path", SUFFICIENCY, ids=lambda p: p.stem)
def test_padded_reference_equals_r_beyond_int64(path, load_dataset):
    ref = load_json(path)
    tt, suffix = padded_tt(ref, load_dataset)
    assert tt.k >= 35
    for kind in ("conservative", "parsimonious"):
        want = ref["solutions"][kind]
        kwargs = minimize_args(want["call"])
        kwargs.pop("dir_exp", None)
        solution = minimize(tt, **kwargs)
        expected = with_pads(want["models"], suffix) if kind == "conservative" else want["models"]
        check_models(solution.models, expected)


def constructed_table(k: int) -> pd.DataFrame:
    """Y = C1*C2: four positive rows varying C3 and C4, two negative rows."""
    rows = [[1, 1, c3, c4] for c3 in (0, 1) for c4 in (0, 1)] + [[0, 1, 1, 1], [1, 0, 1, 1]]
    x = np.zeros((6, k), dtype=int)
    x[:, :4] = rows
    frame = pd.DataFrame(x, columns=[f"C{i}" for i in range(1, k + 1)])
    frame["Y"] = [1, 1, 1, 1, 0, 0]
    return frame


@pytest.mark.parametrize("k", [31, 33, 40])
def test_constructed_table_has_the_known_answer(k, tmp_path, capsys):
    path = tmp_path / f"k{k}.csv"
    constructed_table(k).to_csv(path, index=False)
    assert main(["--data", str(path), "--outcome", "Y", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    rest = "*".join(f"~C{i}" for i in range(5, k + 1))
    conservative = doc["solutions"]["conservative"]["models"]
    assert [m["terms"] for m in conservative] == [[f"C1*C2*{rest}"]]
    assert [m["terms"] for m in doc["solutions"]["parsimonious"]["models"]] == [["C1*C2"]]


def random_table(k: int, n: int, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(rng.integers(0, 2, (n, k)), columns=[f"C{i}" for i in range(1, k + 1)])
    frame["Y"] = rng.integers(0, 2, n)
    return frame


def test_memory_is_estimated_before_the_search(tmp_path, capsys):
    path = tmp_path / "wide.csv"
    random_table(40, 50).to_csv(path, index=False)
    start = time.perf_counter()
    argv = ["--data", str(path), "--outcome", "Y", "--solution", "parsimonious"]
    status = main([*argv, "--max-memory", "0.01"])
    elapsed = time.perf_counter() - start
    err = capsys.readouterr().err
    assert status == 1
    assert "no parsimonious solution: the parsimonious search would need about" in err
    assert "40 conditions" in err and "the limit is 10 MB" in err
    assert "use fewer conditions" in err and "--max-memory" in err
    assert elapsed < 10


def test_default_limit_follows_free_memory(monkeypatch):
    monkeypatch.setattr(primes_module, "available_memory", lambda: 64 * 1024**2)
    assert primes_module.default_max_memory() == 32 * 1024**2
    tt = truth_table(random_table(40, 50), "Y")
    start = time.perf_counter()
    with pytest.raises(QCAError, match="limit is 32 MB"):
        minimize(tt, "?")
    assert time.perf_counter() - start < 10


def test_estimate_bounds_the_memory_really_used():
    # The figure the refusal is based on is an upper bound of the search's peak.

    k, level = 30, 3
    rng = np.random.default_rng(2)
    pos, neg = rng.integers(0, 2**k, 25), rng.integers(0, 2**k, 25)
    tracemalloc.start()
    masks = primes_module._masks_of_size(k, level)
    width = primes_module._key_width(k, level)
    keys = primes_module._projected_keys(pos, masks, k, width)
    primes_module._in_sorted(keys, primes_module._projected_keys(neg, masks, k, width))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < primes_module.search_level_bytes(k, level, 25, 25)
