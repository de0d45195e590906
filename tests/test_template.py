"""`workbench new-case` writes a template that names every empty field when validated."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from analysis.casebase import CaseBaseError, load_casebase
from analysis.cli import main
from tests.conftest import CASEBASE


def test_new_case_template_lists_every_code_and_guides_the_scholar(tmp_path, capsys):
    root = tmp_path / "casebase"
    (root / "cases").mkdir(parents=True)
    shutil.copy(CASEBASE / "codebook.yaml", root)
    shutil.copy(CASEBASE / "sources.yaml", root)
    assert main(["new-case", "chengdu_wuhou", "--casebase", str(root)]) == 0
    path = root / "cases" / "chengdu_wuhou.yaml"
    text = path.read_text(encoding="utf-8")
    cb = load_casebase(CASEBASE)
    for code in cb.codebook.codes:
        assert f"- code: {code.id}" in text
    # Refuses to overwrite, and refuses a bad id.
    assert main(["new-case", "chengdu_wuhou", "--casebase", str(root)]) == 1
    assert main(["new-case", "Bad Id", "--casebase", str(root)]) == 2
    capsys.readouterr()
    # The unfilled template fails validation with messages naming the empty fields.
    try:
        load_casebase(root)
    except CaseBaseError as exc:
        fields = {p.field for p in exc.problems}
        assert {"name_zh", "name_en", "sources"} <= fields
    else:  # pragma: no cover
        raise AssertionError("an empty template must not validate")


def _codebook_only(tmp_path: Path) -> Path:
    """A case-base folder with the codebook and sources but no ``cases/`` folder."""
    root = tmp_path / "casebase"
    root.mkdir()
    shutil.copy(CASEBASE / "codebook.yaml", root)
    shutil.copy(CASEBASE / "sources.yaml", root)
    return root


def test_new_case_refuses_an_overlong_id_in_one_line(tmp_path, capsys):
    root = _codebook_only(tmp_path)
    (root / "cases").mkdir()
    assert main(["new-case", "a" * 300, "--casebase", str(root)]) == 2
    err = capsys.readouterr().err
    assert err == (
        "case id is 300 characters long; the limit is 64 "
        "(lower-case letters, digits, _, starting with a letter)\n"
    )
    assert list((root / "cases").iterdir()) == []
    # 64 characters are fine.
    assert main(["new-case", "a" * 64, "--casebase", str(root)]) == 0
    assert (root / "cases" / f"{'a' * 64}.yaml").is_file()
    capsys.readouterr()


def test_new_case_creates_a_missing_cases_folder(tmp_path, capsys):
    root = _codebook_only(tmp_path)
    assert main(["new-case", "chengdu_wuhou", "--casebase", str(root)]) == 0
    assert (
        (root / "cases" / "chengdu_wuhou.yaml")
        .read_text(encoding="utf-8")
        .startswith("# 新案例模板 / New case template: chengdu_wuhou\n")
    )
    assert "wrote " in capsys.readouterr().out


def test_new_case_names_a_missing_casebase_folder(tmp_path, capsys):
    missing = tmp_path / "nowhere"
    assert main(["new-case", "chengdu_wuhou", "--casebase", str(missing)]) == 1
    err = capsys.readouterr().err
    assert err == f"{missing}: case-base folder not found (give it with --casebase DIR)\n"
    assert not missing.exists()


def test_new_case_write_failure_is_one_line(tmp_path, capsys, monkeypatch):
    root = _codebook_only(tmp_path)

    def read_only(*_args, **_kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", read_only)
    assert main(["new-case", "chengdu_wuhou", "--casebase", str(root)]) == 1
    err = capsys.readouterr().err
    assert err == (
        f"{root / 'cases' / 'chengdu_wuhou.yaml'}: cannot write the template: Permission denied\n"
    )
    assert list((root / "cases").iterdir()) == []
