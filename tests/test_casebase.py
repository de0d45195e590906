"""The case-base loader: schema, cross-checks, clean messages for every kind of bad input."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.casebase import CaseBaseError, load_casebase, read_yaml
from analysis.cli import main
from tests.conftest import CASEBASE

SHAOXING = "001_7a74fcaebfa6efba.txt"


def _mini(tmp_path: Path, seeds: Path, case_yaml: str, name: str = "mini") -> Path:
    """A purpose-built case base: the real codebook and sources plus one small case."""
    root = tmp_path / "casebase"
    (root / "cases").mkdir(parents=True)
    shutil.copy(CASEBASE / "codebook.yaml", root)
    shutil.copy(CASEBASE / "sources.yaml", root)
    (root / "cases" / f"{name}.yaml").write_text(textwrap.dedent(case_yaml), encoding="utf-8")
    return root


def _span(seeds: Path, quote: str) -> tuple[int, int]:
    text = (seeds / SHAOXING).read_text(encoding="utf-8")
    start = text.index(quote)
    return start, start + len(quote)


QUOTE = "率先开展社区党建“契约化”共建载体"


def good_case(seeds: Path, **over: str) -> str:
    s, e = _span(seeds, QUOTE)
    fields = {
        "code": "regionalized_party_building",
        "score": "1",
        "status": "present",
        "start": str(s),
        "end": str(e),
        "quote": QUOTE,
        "id": "mini",
    }
    fields.update(over)
    return f"""\
    id: {fields["id"]}
    name_zh: 测试案例
    name_en: Test case
    province: 浙江省
    city: 绍兴市
    level: prefecture_city
    start_year: 2008
    sources: [shaoxing2021]
    mechanisms:
      - code: {fields["code"]}
        score: {fields["score"]}
        status: {fields["status"]}
        rationale: 测试
        actors: [party]
        evidence:
          - source: shaoxing2021
            start: {fields["start"]}
            end: {fields["end"]}
            quote: {fields["quote"]}
    """


def problems_of(root: Path, seeds: Path | None) -> list[str]:
    with pytest.raises(CaseBaseError) as info:
        load_casebase(root, seeds)
    return [str(p) for p in info.value.problems]


def test_good_mini_case_loads(tmp_path, seeds):
    cb = load_casebase(_mini(tmp_path, seeds, good_case(seeds)), seeds)
    m = cb.membership()
    assert m.shape == (1, len(cb.codebook.codes))
    assert m.loc["mini", "regionalized_party_building"] == 1.0
    # A code the case leaves out is not_reported, not absent.
    frame = cb.codings_frame().set_index("code")
    assert frame.loc["grid_management", "status"] == "not_reported"
    assert cb.texts["shaoxing2021"][frame.shape[0] :]  # texts are kept when a corpus is given


def test_malformed_yaml_names_file_and_line(tmp_path, seeds):
    root = _mini(tmp_path, seeds, "id: mini\nname_zh: [unclosed\nname_en: x\n")
    [msg] = problems_of(root, seeds)
    assert msg.startswith("casebase/cases/mini.yaml:")
    assert "malformed YAML" in msg
    line = int(msg.split(":")[1])
    assert line in (2, 3, 4)


def test_unknown_code(tmp_path, seeds):
    root = _mini(tmp_path, seeds, good_case(seeds, code="no_such_code"))
    msgs = problems_of(root, seeds)
    assert msgs == [
        "casebase/cases/mini.yaml:10: mechanisms[0].code: unknown code 'no_such_code' (not in codebook.yaml)"
    ]


def test_score_outside_set(tmp_path, seeds):
    root = _mini(tmp_path, seeds, good_case(seeds, score="0.5"))
    [msg] = problems_of(root, seeds)
    assert (
        msg
        == "casebase/cases/mini.yaml:11: mechanisms[0].score: score 0.5 is not one of 0, 0.33, 0.67, 1"
    )


def test_status_score_mismatch(tmp_path, seeds):
    root = _mini(tmp_path, seeds, good_case(seeds, score="0.33"))
    [msg] = problems_of(root, seeds)
    assert "mechanisms[0].score: status 'present' requires score 0.67 or 1, got 0.33" in msg


def test_quote_that_does_not_match(tmp_path, seeds):
    s, e = _span(seeds, QUOTE)
    root = _mini(tmp_path, seeds, good_case(seeds, start=str(s + 1), end=str(e + 1)))
    [msg] = problems_of(root, seeds)
    assert msg.startswith(
        "casebase/cases/mini.yaml:19: mechanisms[0].evidence[0].quote: quote does not match"
    )
    assert SHAOXING in msg
    # Without a corpus the offsets cannot be checked, so the same file loads.
    assert load_casebase(root, None).cases["mini"]


def test_code_with_no_evidence(tmp_path, seeds):
    text = good_case(seeds)
    text = text[: text.index("        evidence:")] + "        evidence: []\n"
    root = _mini(tmp_path, seeds, text)
    [msg] = problems_of(root, seeds)
    assert (
        msg
        == "casebase/cases/mini.yaml:15: mechanisms[0].evidence: status 'present' needs at least one evidence span"
    )


def test_duplicate_ids(tmp_path, seeds):
    text = good_case(seeds)
    block = text[text.index("      - code:") :]
    root = _mini(tmp_path, seeds, text.rstrip(" ") + block)
    msgs = problems_of(root, seeds)
    assert any(
        "mechanisms[1].code: duplicate code 'regionalized_party_building'" in m for m in msgs
    )
    # Two files claiming one case id.
    root2 = _mini(tmp_path / "b", seeds, good_case(seeds))
    (root2 / "cases" / "other.yaml").write_text(textwrap.dedent(good_case(seeds)), encoding="utf-8")
    msgs = problems_of(root2, seeds)
    assert any("other.yaml:1: id: id 'mini' must equal the file name 'other'" in m for m in msgs)


def test_missing_source_file(tmp_path, seeds):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for f in seeds.glob("*.txt"):
        if f.name != SHAOXING:
            shutil.copy(f, corpus)
    root = _mini(tmp_path, seeds, good_case(seeds))
    msgs = problems_of(root, corpus)
    assert any(
        m.startswith("casebase/sources.yaml:")
        and f"source file '{SHAOXING}' of 'shaoxing2021' not found" in m
        for m in msgs
    )


def test_changed_source_is_detected(tmp_path, seeds):
    corpus = tmp_path / "corpus"
    shutil.copytree(seeds, corpus)
    with (corpus / SHAOXING).open("a", encoding="utf-8") as fh:
        fh.write("追加")
    msgs = problems_of(_mini(tmp_path, seeds, good_case(seeds)), corpus)
    assert any("sha256" in m and "changed" in m for m in msgs)


def test_unknown_field_is_a_typo(tmp_path, seeds):
    root = _mini(tmp_path, seeds, good_case(seeds) + "    summery_zh: 拼写错误\n")
    [msg] = problems_of(root, seeds)
    assert "summery_zh: unknown field" in msg


def test_all_problems_reported_at_once(tmp_path, seeds):
    text = good_case(seeds, code="bad_code", score="2")
    root = _mini(tmp_path, seeds, text)
    msgs = problems_of(root, seeds)
    assert len(msgs) >= 1
    text2 = good_case(seeds, code="bad_code")
    (root / "cases" / "mini.yaml").write_text(
        textwrap.dedent(text2).replace("actors: [party]", "actors: [aliens]"), encoding="utf-8"
    )
    msgs = problems_of(root, seeds)
    assert any("unknown code 'bad_code'" in m for m in msgs)
    assert any("unknown actor 'aliens'" in m for m in msgs)


def test_cli_prints_problems_without_traceback(tmp_path, seeds, capsys):
    root = _mini(tmp_path, seeds, good_case(seeds, score="0.5"))
    code = main(["validate", "--casebase", str(root), "--sources", str(seeds)])
    out = capsys.readouterr()
    assert code == 1
    assert "Traceback" not in out.err
    assert "mechanisms[0].score: score 0.5 is not one of 0, 0.33, 0.67, 1" in out.err
    assert out.err.strip().endswith("1 problem(s) found")


# Any YAML text at all: the loader either loads it or raises CaseBaseError, never anything else.
yaml_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=8)
)
yaml_values = st.recursive(
    yaml_scalars,
    lambda kids: st.one_of(
        st.lists(kids, max_size=3), st.dictionaries(st.text(max_size=6), kids, max_size=4)
    ),
    max_leaves=12,
)
case_keys = st.sampled_from(
    ["id", "name_zh", "mechanisms", "score", "code", "evidence", "sources", "level", "quote"]
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    raw=st.one_of(
        st.text(max_size=80),
        st.dictionaries(case_keys, yaml_values, max_size=6).map(repr),
        st.dictionaries(case_keys, yaml_values, max_size=6).map(
            lambda d: "\n".join(f"{k}: {v!r}" for k, v in d.items())
        ),
    )
)
def test_arbitrary_yaml_gives_only_clean_errors(tmp_path_factory, raw):
    root = tmp_path_factory.mktemp("cb") / "casebase"
    (root / "cases").mkdir(parents=True)
    shutil.copy(CASEBASE / "codebook.yaml", root)
    shutil.copy(CASEBASE / "sources.yaml", root)
    (root / "cases" / "x.yaml").write_text(raw, encoding="utf-8")
    try:
        load_casebase(root)
    except CaseBaseError as exc:
        for p in exc.problems:
            assert p.file.endswith("x.yaml")
            assert str(p).startswith("casebase/cases/x.yaml")


def test_read_yaml_rejects_non_utf8(tmp_path):
    p = tmp_path / "bad.yaml"
    p.write_bytes("名称: 绍兴".encode("gbk"))
    doc, problems = read_yaml(p, "bad.yaml")
    assert doc is None and "not UTF-8" in problems[0].message


def test_duplicate_yaml_key_is_refused_with_its_line(tmp_path, seeds):
    text = good_case(seeds).replace("    city: 绍兴市\n", "    city: 绍兴市\n    city: 宁波市\n")
    root = _mini(tmp_path, seeds, text)
    [msg] = problems_of(root, seeds)
    assert (
        msg.startswith("casebase/cases/mini.yaml:6: malformed YAML")
        and "duplicate key 'city'" in msg
    )


def test_yes_and_no_stay_strings_as_in_yaml_1_2(tmp_path, seeds):
    text = good_case(seeds).replace("name_en: Test case", "name_en: No")
    cb = load_casebase(_mini(tmp_path, seeds, text), seeds)
    assert cb.cases["mini"].name_en == "No"


# -- source files stay inside the corpus -----------------------------------------------


def _with_source_file(root: Path, name: str) -> None:
    text = (CASEBASE / "sources.yaml").read_text(encoding="utf-8")
    text = text.replace(f"file: {SHAOXING}", f"file: {name}")
    (root / "sources.yaml").write_text(text, encoding="utf-8")


# The line of the Shaoxing source's `file:` in sources.yaml (whatever fields come before it).
FILE_LINE = next(
    i
    for i, ln in enumerate((CASEBASE / "sources.yaml").read_text(encoding="utf-8").splitlines(), 1)
    if ln.strip() == f"file: {SHAOXING}"
)


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("../../../../etc/passwd", "leads out of the corpus folder (`..`)"),
        ("sub/../../x.txt", "leads out of the corpus folder (`..`)"),
        ("/etc/passwd", "is an absolute path"),
        ("C:/Windows/win.ini", "is an absolute path"),
        ("'~/notes.txt'", "is an absolute path"),
    ],
)
def test_source_file_outside_the_corpus_is_refused(tmp_path, seeds, name, why, capsys):
    root = _mini(tmp_path, seeds, good_case(seeds))
    _with_source_file(root, name)
    for corpus in (seeds, None):  # a schema error: refused even without a corpus
        msgs = problems_of(root, corpus)
        assert len(msgs) == 1 and msgs[0].startswith(
            f"casebase/sources.yaml:{FILE_LINE}: sources[1].file: "
        )
        assert why in msgs[0]
    assert main(["locate", "--casebase", str(root), "--sources", str(seeds)]) == 1
    assert why in capsys.readouterr().err


def test_source_symlink_out_of_the_corpus_is_refused(tmp_path, seeds):
    corpus = tmp_path / "corpus"
    shutil.copytree(seeds, corpus)
    outside = tmp_path / "secret.txt"
    outside.write_text("secret", encoding="utf-8")
    (corpus / "link.txt").symlink_to(outside)
    (corpus / "inside.txt").symlink_to(corpus / SHAOXING)  # a link inside the corpus is fine
    root = _mini(tmp_path, seeds, good_case(seeds))
    _with_source_file(root, "inside.txt")
    assert load_casebase(root, corpus).texts["shaoxing2021"]
    _with_source_file(root, "link.txt")
    assert problems_of(root, corpus) == [
        f"casebase/sources.yaml:{FILE_LINE}: sources[1].file: 'link.txt' is a symbolic link "
        "that leads "
        "out of the corpus folder"
    ]


def test_gbk_source_text_says_how_to_convert(tmp_path, seeds, capsys):
    corpus = tmp_path / "corpus"
    shutil.copytree(seeds, corpus)
    text = (corpus / SHAOXING).read_text(encoding="utf-8")
    (corpus / SHAOXING).write_bytes(text.encode("gb18030"))
    root = _mini(tmp_path, seeds, good_case(seeds))
    assert main(["validate", "--casebase", str(root), "--sources", str(corpus)]) == 1
    err = capsys.readouterr().err
    line = next(i for i, ln in enumerate(text.splitlines(), 1) if not ln.isascii())
    stem = SHAOXING[:-4]
    assert (
        f"{corpus / SHAOXING}:{line}: not UTF-8 text (GBK?): convert it with "
        f"`iconv -f GBK -t UTF-8 {SHAOXING} > {stem}.utf8 && mv {stem}.utf8 {SHAOXING}`, "
        "then record its new sha256 in sources.yaml"
    ) in err
    assert "Traceback" not in err and "codec" not in err


# -- strict types ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("score: 1\n", "score: true\n", "11: mechanisms[0].score: Input should be a valid number"),
        (
            "start_year: 2008",
            "start_year: '2008'",
            "7: start_year: Input should be a valid integer",
        ),
        (
            "start_year: 2008",
            "start_year: 2008.0",
            "7: start_year: Input should be a valid integer",
        ),
        ("name_zh: 测试案例", "name_zh: 2008", "2: name_zh: Input should be a valid string"),
        (
            "actors: [party]",
            "actors: party",
            "14: mechanisms[0].actors: Input should be a valid list",
        ),
    ],
)
def test_lax_types_are_refused(tmp_path, seeds, old, new, message):
    text = textwrap.dedent(good_case(seeds))
    assert old in text
    root = _mini(tmp_path, seeds, "")
    (root / "cases" / "mini.yaml").write_text(text.replace(old, new), encoding="utf-8")
    assert problems_of(root, seeds) == [f"casebase/cases/mini.yaml:{message}"]


# -- .yml counts like .yaml ----------------------------------------------------------------


def test_yml_files_are_cases_and_codings_too(tmp_path, seeds, capsys):
    from analysis.batch.plan import case_ids
    from analysis.casebase import casebase_hash

    root = _mini(tmp_path, seeds, good_case(seeds, code="bad_code"), name="x")
    (root / "cases" / "x.yaml").rename(root / "cases" / "mini.yml")
    (root / "codings" / "coder_b").mkdir(parents=True)
    coding = "id: mini\ncoder: coder_b\nsources: [shaoxing2021]\nmechanisms: []\nextra: 1\n"
    (root / "codings" / "coder_b" / "mini.yml").write_text(coding, encoding="utf-8")
    assert case_ids(root) == ["mini"]  # what the batch plans
    msgs = problems_of(root, seeds)
    assert any(
        m.startswith("casebase/cases/mini.yml:10: mechanisms[0].code: unknown") for m in msgs
    )
    assert any(m.startswith("casebase/codings/coder_b/mini.yml:5: extra: unknown") for m in msgs)
    before = casebase_hash(root)
    with (root / "cases" / "mini.yml").open("a", encoding="utf-8") as fh:
        fh.write("# edited\n")
    assert casebase_hash(root) != before
    # locate fills in a .yml file's offsets.
    text = textwrap.dedent(good_case(seeds))
    text = "".join(ln for ln in text.splitlines(True) if "start:" not in ln and "end:" not in ln)
    (root / "cases" / "mini.yml").write_text(text, encoding="utf-8")
    (root / "codings" / "coder_b" / "mini.yml").unlink()
    assert main(["locate", "--casebase", str(root), "--sources", str(seeds)]) == 0
    assert "mini.yml: 1 span(s) updated" in capsys.readouterr().out
    assert load_casebase(root, seeds).cases["mini"].mechanisms[0].evidence[0].start is not None


# -- every problem in one run -------------------------------------------------------------


def test_a_bad_score_hides_neither_an_unknown_actor_nor_a_quote_mismatch(tmp_path, seeds):
    s, e = _span(seeds, QUOTE)
    text = good_case(seeds, score="0.5", start=str(s + 1), end=str(e + 1))
    root = _mini(tmp_path, seeds, text.replace("actors: [party]", "actors: [aliens]"))
    msgs = problems_of(root, seeds)
    assert msgs[:2] == [
        "casebase/cases/mini.yaml:11: mechanisms[0].score: score 0.5 is not one of 0, 0.33, 0.67, 1",
        "casebase/cases/mini.yaml:14: mechanisms[0].actors[0]: unknown actor 'aliens' "
        "(not in codebook.yaml)",
    ]
    assert msgs[2].startswith(
        "casebase/cases/mini.yaml:19: mechanisms[0].evidence[0].quote: quote does not match"
    )
    assert len(msgs) == 3


def test_a_broken_codebook_or_source_entry_hides_no_case_problem(tmp_path, seeds):
    root = _mini(tmp_path, seeds, good_case(seeds, code="no_such_code", score="true"))
    cb = (root / "codebook.yaml").read_text(encoding="utf-8")
    (root / "codebook.yaml").write_text(cb.replace("version: ", "version: v", 1), "utf-8")
    src = (root / "sources.yaml").read_text(encoding="utf-8")
    (root / "sources.yaml").write_text(src.replace("sha256: 5", "sha256: X", 1), "utf-8")
    msgs = problems_of(root, seeds)
    files = [m.split(":")[0] for m in msgs]
    groups = [f for i, f in enumerate(files) if i == 0 or files[i - 1] != f]
    assert groups == list(dict.fromkeys(files))  # each file's problems together
    assert any(m.startswith("casebase/codebook.yaml:") and "version" in m for m in msgs)
    assert any(m.startswith("casebase/sources.yaml:") and "sources[0].sha256" in m for m in msgs)
    assert "casebase/cases/mini.yaml:10: mechanisms[0].code: unknown code 'no_such_code' " in (
        "\n".join(msgs)
    )
    assert any("mechanisms[0].score: Input should be a valid number" in m for m in msgs)
