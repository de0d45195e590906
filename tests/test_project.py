"""A newcomer's path: the notebooks see edits, paths mean the same everywhere, one corpus setting."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from analysis.cli import main
from analysis.reports.common import open_casebase
from tests.conftest import CASEBASE, ROOT


def _project(tmp_path: Path, pyproject: str | None = None) -> Path:
    """A project folder with a copy of the case base (and optionally a pyproject.toml)."""
    root = tmp_path / "project"
    shutil.copytree(CASEBASE, root / "casebase", ignore=shutil.ignore_patterns("schema"))
    (root / "notebooks").mkdir()
    if pyproject is not None:
        (root / "pyproject.toml").write_text(pyproject, encoding="utf-8")
    return root


def _touch_later(path: Path, text: str) -> None:
    """Rewrite ``path``; make sure its mtime moves even on a coarse-clock file system."""
    before = path.stat().st_mtime_ns
    path.write_text(text, encoding="utf-8")
    if path.stat().st_mtime_ns == before:
        os.utime(path, ns=(before + 1_000_000, before + 1_000_000))


# ----------------------------------------------------------------------- JupyterLab cache


def test_open_casebase_sees_an_edited_and_an_added_case(tmp_path, monkeypatch):
    root = _project(tmp_path)
    monkeypatch.delenv("WORKBENCH_SOURCES", raising=False)
    monkeypatch.chdir(root / "notebooks")  # where JupyterLab runs a notebook
    first = open_casebase("casebase")
    assert first.cases["shaoxing"].name_zh == "绍兴市党建引领城市社区治理"
    assert open_casebase("casebase") is first  # nothing changed: the kernel's copy is reused

    case = root / "casebase" / "cases" / "shaoxing.yaml"
    text = case.read_text(encoding="utf-8")
    _touch_later(
        case, text.replace("name_zh: 绍兴市党建引领城市社区治理", "name_zh: 绍兴（已修改）")
    )
    assert open_casebase("casebase").cases["shaoxing"].name_zh == "绍兴（已修改）"

    (root / "casebase" / "cases" / "shaoxing_copy.yaml").write_text(
        text.replace("id: shaoxing\n", "id: shaoxing_copy\n"), encoding="utf-8"
    )
    assert "shaoxing_copy" in open_casebase("casebase").case_ids


def test_open_casebase_sees_a_changed_corpus(tmp_path, monkeypatch, seeds):
    root = _project(tmp_path)
    corpus = tmp_path / "corpus"
    shutil.copytree(seeds, corpus)
    monkeypatch.delenv("WORKBENCH_SOURCES", raising=False)
    monkeypatch.chdir(root)
    assert open_casebase("casebase", str(corpus)).texts
    name = "001_7a74fcaebfa6efba.txt"
    _touch_later(corpus / name, (corpus / name).read_text(encoding="utf-8") + "（补）")
    with pytest.raises(Exception, match="different sha256"):
        open_casebase("casebase", str(corpus))


def test_unchanged_casebase_is_not_reloaded(tmp_path, monkeypatch):
    """The batch's warm kernels keep the benefit: a second call costs a few stat calls."""
    root = _project(tmp_path)
    monkeypatch.delenv("WORKBENCH_SOURCES", raising=False)
    monkeypatch.chdir(root)
    open_casebase("casebase")
    started = time.perf_counter()
    for _ in range(20):
        open_casebase("casebase")
    assert (time.perf_counter() - started) / 20 < 0.02


# ----------------------------------------------------------------------------- paths


def test_notebook_sources_are_relative_to_the_project_root(monkeypatch, seeds):
    """The README's ``../shared/seeds`` works from JupyterLab, which runs in notebooks/."""
    monkeypatch.delenv("WORKBENCH_SOURCES", raising=False)
    monkeypatch.chdir(ROOT / "notebooks")
    cb = open_casebase("casebase", "../shared/seeds")
    assert set(cb.texts) == set(cb.sources)


def test_project_setting_names_the_corpus_for_the_notebooks(tmp_path, monkeypatch, seeds):
    root = _project(tmp_path, f'[tool.workbench]\nsources = ["{seeds}"]\n')
    monkeypatch.delenv("WORKBENCH_SOURCES", raising=False)
    monkeypatch.chdir(root / "notebooks")
    assert set(open_casebase("casebase").texts) == set(open_casebase("casebase").sources)


def _split_corpus(tmp_path: Path, seeds: Path) -> tuple[Path, Path]:
    a, b = tmp_path / "corpus_a", tmp_path / "corpus_b"
    a.mkdir()
    b.mkdir()
    for i, f in enumerate(sorted(seeds.glob("*.txt"))):
        shutil.copy(f, (a if i % 2 else b) / f.name)
    return a, b


def test_validate_reads_a_corpus_spread_over_folders_from_the_project_setting(
    tmp_path, monkeypatch, seeds, capsys
):
    a, b = _split_corpus(tmp_path, seeds)
    root = _project(tmp_path, '[tool.workbench]\nsources = ["../corpus_a", "../corpus_b"]\n')
    monkeypatch.delenv("WORKBENCH_SOURCES", raising=False)
    monkeypatch.chdir(root / "casebase")  # any folder inside the project
    assert main(["validate"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("OK") and "corpus_a" in out and "corpus_b" in out


@pytest.mark.parametrize("style", ["repeated", "pathsep"])
def test_sources_option_takes_several_folders(tmp_path, monkeypatch, seeds, capsys, style):
    a, b = _split_corpus(tmp_path, seeds)
    root = _project(tmp_path)
    monkeypatch.delenv("WORKBENCH_SOURCES", raising=False)
    monkeypatch.chdir(root)
    args = ["--sources", str(a), "--sources", str(b)]
    if style == "pathsep":
        args = ["--sources", f"{a}{os.pathsep}{b}"]
    assert main(["validate", *args]) == 0, capsys.readouterr().err


def test_environment_variable_takes_several_folders(tmp_path, monkeypatch, seeds, capsys):
    a, b = _split_corpus(tmp_path, seeds)
    root = _project(tmp_path)
    monkeypatch.setenv("WORKBENCH_SOURCES", f"{a}{os.pathsep}{b}")
    monkeypatch.chdir(root)
    assert main(["validate"]) == 0, capsys.readouterr().err


def test_a_source_file_in_two_folders_is_ambiguous(tmp_path, monkeypatch, seeds, capsys):
    a, b = _split_corpus(tmp_path, seeds)
    name = "001_7a74fcaebfa6efba.txt"
    shutil.copy(seeds / name, a / name)
    shutil.copy(seeds / name, b / name)
    root = _project(tmp_path)
    monkeypatch.chdir(root)
    assert main(["validate", "--sources", str(a), "--sources", str(b)]) == 1
    err = capsys.readouterr().err
    assert f"sources.yaml:{_line_of_file(root, name)}: sources[1].file: " in err
    assert "more than one corpus folder" in err and "Traceback" not in err


def _line_of_file(root: Path, name: str) -> int:
    lines = (root / "casebase" / "sources.yaml").read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if name in line)


def test_precedence_command_line_then_environment_then_setting(tmp_path, monkeypatch):
    from analysis.project import corpus_folders

    root = _project(tmp_path, '[tool.workbench]\nsources = "from_setting"\n')
    monkeypatch.delenv("WORKBENCH_SOURCES", raising=False)
    assert corpus_folders(root=root) == (root / "from_setting",)
    monkeypatch.setenv("WORKBENCH_SOURCES", "from_env")
    assert corpus_folders(root=root) == (root / "from_env",)
    assert corpus_folders(["cli"], root=root, cwd=tmp_path) == (tmp_path / "cli",)


def test_bad_project_setting_is_one_line(tmp_path, monkeypatch, capsys):
    root = _project(tmp_path, "[tool.workbench]\nsources = 3\n")
    monkeypatch.delenv("WORKBENCH_SOURCES", raising=False)
    monkeypatch.chdir(root)
    assert main(["validate"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.endswith("tool.workbench.sources: must be a folder name or a list of folder names")
    assert len(err.splitlines()) == 1


def test_the_project_names_its_corpus_once(monkeypatch):
    """The README's commands need no --sources: the project setting names ../shared/seeds."""
    from analysis.project import corpus_folders, project_settings

    monkeypatch.delenv("WORKBENCH_SOURCES", raising=False)
    assert project_settings(ROOT)["sources"] == ["../shared/seeds"]
    assert corpus_folders(root=ROOT) == ((ROOT.parent / "shared" / "seeds"),)


def test_batch_passes_every_corpus_folder_to_the_kernels(tmp_path, monkeypatch):
    """``workbench batch --sources A --sources B``: the kernels inherit both, absolute."""
    import analysis.batch as batch_cli

    seen = {}

    class Result:
        failed = []
        exit_code = 0

        def summary(self):
            return "done"

    def fake_run_batch(**kwargs):
        seen["env"] = os.environ.get("WORKBENCH_SOURCES")
        seen["root"] = kwargs["root"]
        return Result()

    root = _project(tmp_path)
    monkeypatch.setattr(batch_cli, "run_batch", fake_run_batch)
    monkeypatch.setenv("WORKBENCH_SOURCES", "ignored")
    monkeypatch.chdir(root / "notebooks")
    assert main(["batch", "--sources", "../a", "--sources", f"../b{os.pathsep}../c"]) == 0
    base = root / "notebooks"
    assert seen["env"] == os.pathsep.join(
        str((base / n).resolve()) for n in ("../a", "../b", "../c")
    )
    assert seen["root"] == root  # the project found from notebooks/, not the working directory


def test_a_case_base_elsewhere_takes_its_own_projects_corpus(tmp_path, monkeypatch, seeds, capsys):
    """``--casebase`` (or a notebook's absolute ``casebase_dir``) of another project: that
    project's setting names the corpus, not the one of the working directory."""
    _split_corpus(tmp_path, seeds)
    other = _project(tmp_path, '[tool.workbench]\nsources = ["../corpus_a", "../corpus_b"]\n')
    monkeypatch.delenv("WORKBENCH_SOURCES", raising=False)
    monkeypatch.chdir(ROOT)  # a project whose own setting names ../shared/seeds
    assert main(["validate", "--casebase", str(other / "casebase")]) == 0
    assert "corpus_a" in capsys.readouterr().out
    assert set(open_casebase(other / "casebase").texts) == set(open_casebase(CASEBASE).sources)
    plain = _project(tmp_path / "plain")  # no setting: no corpus, quotes not checked
    assert open_casebase(plain / "casebase").texts == {}
