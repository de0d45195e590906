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
    blocks = [b for b in _bash_blocks((ROOT / "README.md").read_text(encoding="utf-8")) if "pytest" not in b]
    assert len(blocks) == 2 and blocks[0] == blocks[1]
    assert blocks[0].startswith("python3 -m venv .venv && ")
