"""CI must prove the README: .ci/run runs the README's test command verbatim."""

from __future__ import annotations

import re

from tests.conftest import ROOT


def _bash_blocks(text: str) -> list[str]:
    return [b.strip() for b in re.findall(r"```bash\n(.*?)```", text, flags=re.S)]


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = _bash_blocks(readme)
    test_cmds = [b for b in blocks if "pytest" in b]
    assert test_cmds, "README has no test command"
    assert len(set(test_cmds)) == 1, "the Chinese and English sections disagree"
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert test_cmds[0] in ci.splitlines()


def test_readme_main_command_is_the_same_in_both_languages():
    blocks = [
        b
        for b in _bash_blocks((ROOT / "README.md").read_text(encoding="utf-8"))
        if "pytest" not in b
    ]
    assert len(blocks) == 2 and blocks[0] == blocks[1]
    assert blocks[0].startswith("python3 -m venv .venv && ")


def test_readme_main_command_parses_and_finds_the_corpus_from_the_project_setting(monkeypatch):
    """Every ``workbench`` step of the main command is a valid command line, and the corpus
    it needs is named by the project setting (no --sources to repeat on each step)."""
    from analysis.cli import build_parser
    from analysis.project import corpus_folders

    main_cmd = next(
        b
        for b in _bash_blocks((ROOT / "README.md").read_text(encoding="utf-8"))
        if "pytest" not in b
    )
    steps = [s.split()[1:] for s in main_cmd.split(" && ") if s.startswith(".venv/bin/workbench")]
    assert [s[0] for s in steps] == ["validate", "export", "batch"]
    for step in steps:
        build_parser().parse_args(step)
    monkeypatch.delenv("WORKBENCH_SOURCES", raising=False)
    assert corpus_folders(root=ROOT) == ((ROOT.parent / "shared" / "seeds"),)
