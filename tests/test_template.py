"""`workbench new-case` writes a template that names every empty field when validated."""

from __future__ import annotations

import shutil

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
