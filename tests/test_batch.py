"""The report batch: validation, failure isolation, incremental rebuilds, atomicity,
determinism, and equality of the warm-kernel fast path with a fresh papermill run.

Kernel-starting tests share one module-scoped worker pool (two warm kernels).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from argparse import Namespace
from pathlib import Path

import nbformat
import pytest

from analysis.batch import PlanError, Run, default_plan, load_plan
from analysis.batch.pool import WorkerPool
from analysis.batch.runner import run_batch
from analysis.render import REPORT_POLICY, Provenance, normalize_notebook, render_html

FIXTURES = Path(__file__).parent / "fixtures" / "notebooks"
REPO = Path(__file__).resolve().parents[1]
LIGHT_PRELOAD = (
    "numpy",
    "pandas",
    "matplotlib",
    "matplotlib.pyplot",
    "IPython.display",
    "analysis.fonts",
)


#: The miniature project's cases: real case files under other ids, so the case
#: base validates (the batch checks it before running anything).
CASES = {"alpha": "dongguan", "beta": "shaoxing", "demo": "xiamen_haicang"}


def make_project(root: Path) -> Path:
    """A miniature project: case base, analysis code and the fixture notebooks."""
    (root / "casebase" / "cases").mkdir(parents=True)
    for name in ("codebook.yaml", "sources.yaml"):
        shutil.copy(REPO / "casebase" / name, root / "casebase" / name)
    for case, real in CASES.items():
        text = (REPO / "casebase" / "cases" / f"{real}.yaml").read_text(encoding="utf-8")
        (root / "casebase" / "cases" / f"{case}.yaml").write_text(
            re.sub(rf"(?m)^id: {real}$", f"id: {case}", text), encoding="utf-8"
        )
    (root / "analysis").mkdir()
    (root / "analysis" / "helpers.py").write_text("X = 1\n")
    shutil.copytree(FIXTURES, root / "notebooks")
    return root


@pytest.fixture(scope="module")
def pool(tmp_path_factory: pytest.TempPathFactory):
    with WorkerPool(
        jobs=2, preload=LIGHT_PRELOAD, log_dir=tmp_path_factory.mktemp("kernel-logs")
    ) as workers:
        yield workers


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path / "proj")


def batch(project: Path, plan: list[Run], pool: WorkerPool, **kw):
    return run_batch(
        plan,
        root=project,
        out_dir="reports",
        pool=pool,
        progress=kw.pop("progress", False),
        pdf=kw.pop("pdf", False),
        **kw,
    )


OK = Run("notebooks/report_ok.ipynb", "ok", {"case_id": "alpha", "n_points": 8})
TEXT = Run("notebooks/report_text.py", "text", {"incl_cut": 0.7})
FAIL = Run("notebooks/report_fail.ipynb", "fail", {"case_id": "beta"})


# -- plans and validation ---------------------------------------------------------


def test_plan_file_and_default_plan(tmp_path: Path) -> None:
    root = make_project(tmp_path)
    plan = tmp_path / "plan.yaml"
    plan.write_text(
        "- notebook: notebooks/report_ok.ipynb\n  output: a\n"
        "  parameters: {case_id: demo}\n  title: 标题\n",
        encoding="utf-8",
    )
    assert load_plan(plan) == [Run("notebooks/report_ok.ipynb", "a", {"case_id": "demo"}, "标题")]
    runs = default_plan(root / "casebase")
    names = [r.output for r in runs]
    assert names == [
        "case_alpha",
        "case_alpha_yaobao",
        "case_beta",
        "case_beta_yaobao",
        "case_demo",
        "case_demo_yaobao",
        "pair_alpha__beta",
        "pair_alpha__beta_yaobao",
        "pair_alpha__demo",
        "pair_alpha__demo_yaobao",
        "pair_beta__demo",
        "pair_beta__demo_yaobao",
        "synthesis",
        "synthesis_yaobao",
        "fieldguide_alpha",
        "fieldguide_beta",
        "fieldguide_demo",
        "reliability",
        "corpus",
    ]
    assert runs[0].parameters == {"case_id": "alpha", "lang": "zh"}
    assert runs[1].parameters == {"report_kind": "case", "case_id": "alpha", "lang": "zh"}
    assert runs[6].parameters == {"case_a": "alpha", "case_b": "beta", "lang": "zh"}
    assert runs[12].parameters == {"lang": "zh"}


def test_malformed_plan_lists_every_problem(tmp_path: Path) -> None:
    plan = tmp_path / "bad.yaml"
    plan.write_text(
        "- {notebook: a.ipynb, output: x}\n- {notebook: b.ipynb, output: x}\n"
        "- {output: '../evil', colour: red}\n"
        # Names of the batch's own files: index.html, manifest.json.
        "- {notebook: a.ipynb, output: index}\n"
        "- {notebook: a.ipynb, output: Manifest}\n- {notebook: a.ipynb, output: index2}\n"
    )
    with pytest.raises(PlanError) as info:
        load_plan(plan)
    problems = info.value.problems
    assert any("run 3: output 'index' is reserved" in p for p in problems)
    assert any("run 4: output 'Manifest' is reserved" in p for p in problems)
    assert not any("run 5" in p for p in problems)
    assert any("run 1" in p and "already used by run 0" in p for p in problems)
    assert any("run 2" in p and "'notebook' is required" in p for p in problems)
    assert any("run 2" in p and "unknown key(s) colour" in p for p in problems)
    assert any("run 2" in p and "plain file name" in p for p in problems)
    assert all(str(plan) in p for p in problems)


def test_parameter_validation_rejects_plan_before_running(project: Path, pool: WorkerPool) -> None:
    plan = [
        OK,
        Run("notebooks/report_ok.ipynb", "typo", {"cse_id": "alpha"}),
        Run(
            "notebooks/report_ok.ipynb", "badtype", {"n_points": "12", "scale": 2, "cases": "alpha"}
        ),
        Run("notebooks/report_ok.ipynb", "nocase", {"case_id": "atlantis"}),
        Run("notebooks/missing.ipynb", "missing", {}),
        Run("notebooks/report_text.py", "textbad", {"incl_cut": "high"}),
    ]
    with pytest.raises(PlanError) as info:
        batch(project, plan, pool)
    text = str(info.value)
    problems = info.value.problems
    assert "nothing was run" in text
    assert any("run 1" in p and "unknown parameter 'cse_id'" in p for p in problems)
    assert any("run 2" in p and "'n_points' should be int" in p for p in problems)
    assert any("run 2" in p and "'cases' should be list" in p for p in problems)
    assert not any("'scale'" in p for p in problems)  # an int fits a float default
    assert any("run 3" in p and "unknown case id 'atlantis'" in p for p in problems)
    assert any("run 4" in p and "notebook not found" in p for p in problems)
    assert any("run 5" in p and "'incl_cut' should be float" in p for p in problems)
    assert not any("run 0" in p for p in problems)
    reports = project / "reports"
    assert not list(reports.glob("*.html")) and not (reports / "notebooks").exists()


def test_cli_exits_non_zero_on_invalid_plan(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from analysis.batch import main

    plan = project / "plan.yaml"
    plan.write_text(
        "- {notebook: notebooks/report_ok.ipynb, output: a, parameters: {case_id: nowhere}}\n"
    )
    args = Namespace(
        plan=str(plan),
        root=str(project),
        out="reports",
        jobs=1,
        force=False,
        pdf=False,
        timeout=60.0,
    )
    started = time.perf_counter()
    assert main(args) == 2
    assert time.perf_counter() - started < 5  # warming kernels are stopped, not awaited
    err = capsys.readouterr().err
    assert f"{plan} run 0" in err and "unknown case id 'nowhere'" in err
    assert not (project / "reports" / "a.html").exists()


# -- execution ----------------------------------------------------------------------


def test_failure_is_isolated_and_summarised(project: Path, pool: WorkerPool) -> None:
    result = batch(project, [FAIL, OK, TEXT], pool, pdf=True)
    out = project / "reports"
    assert sorted(result.built) == ["ok", "text"]
    assert result.exit_code == 1
    [failure] = result.failed
    assert failure.output == "fail"
    assert failure.source_cell_index == 3  # in the source notebook
    assert failure.cell_index == 4  # after papermill injected its parameters cell
    assert failure.message == "ValueError: 故意失败 deliberate failure for beta"
    assert failure.line and "raise ValueError" in failure.line
    summary = result.summary()
    assert (
        "fail: notebooks/report_fail.ipynb cell 3 (executed notebook cell 4): ValueError" in summary
    )
    assert "reports/notebooks/fail.ipynb" in summary
    # The failed run left its executed notebook for audit, and no report.
    audit = nbformat.read(out / "notebooks" / "fail.ipynb", as_version=4)
    assert any(o.get("ename") == "ValueError" for c in audit.cells for o in c.get("outputs", []))
    assert not (out / "fail.html").exists()
    # The others are complete.
    for name in ("ok", "text"):
        assert (out / f"{name}.html").stat().st_size > 1000
        assert (out / "pdf" / f"{name}.pdf").read_bytes().startswith(b"%PDF")
        assert (out / "notebooks" / f"{name}.ipynb").exists()
    manifest = json.loads((out / "manifest.json").read_text())
    assert set(manifest["runs"]) == {"ok", "text"} and set(manifest["failures"]) == {"fail"}
    assert manifest["runs"]["ok"]["built_at"].endswith("Z")
    index = (out / "index.html").read_text(encoding="utf-8")
    assert '<a href="ok.html">' in index and '<a href="text.html">' in index
    assert "案例画像：alpha / Case profile: alpha" in index  # title from the notebook
    assert "alpha：8 个观测，比较 2 个案例。" in index  # summary cell
    assert "生成失败 / failed" in index and "pdf/ok.pdf" in index
    html = (out / "ok.html").read_text(encoding="utf-8")
    assert "data:image/png;base64," in html and "rng.uniform" not in html
    assert "alpha" in html and '"n_points": 8' in html  # provenance parameters


def test_kernel_state_does_not_leak_between_notebooks(project: Path, pool: WorkerPool) -> None:
    probes = [
        Run("notebooks/state_probe.ipynb", f"probe{i}", {"marker": f"m{i}"}) for i in range(5)
    ]
    result = batch(project, probes, pool)
    assert result.failed == [] and len(result.built) == 5
    outputs = []
    for i in range(5):
        nb = nbformat.read(project / "reports" / "notebooks" / f"probe{i}.ipynb", as_version=4)
        text = "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []))
        marker_line, random_line = text.splitlines()
        assert marker_line == f"m{i} []"  # no leaked names, rcParams, figures, paths, env
        outputs.append(random_line)
        assert [c.execution_count for c in nb.cells if c.cell_type == "code"] == [1, 2, 3, 4]
    assert len(set(outputs)) == 1  # the same random state for every notebook


def test_incremental_rebuild_and_force(project: Path, pool: WorkerPool) -> None:
    plan = [OK, TEXT]
    first = batch(project, plan, pool)
    assert sorted(first.built) == ["ok", "text"]
    html = (project / "reports" / "ok.html").read_bytes()

    again = batch(project, plan, pool)
    assert again.built == [] and sorted(again.skipped) == ["ok", "text"]
    assert again.seconds < 1.0

    changed = [Run(OK.notebook, "ok", {**OK.parameters, "n_points": 9}), TEXT]
    assert batch(project, changed, pool).built == ["ok"]

    with open(project / "casebase" / "cases" / "alpha.yaml", "a", encoding="utf-8") as fh:
        fh.write("# 编辑过 / edited\n")
    assert sorted(batch(project, changed, pool).built) == ["ok", "text"]

    (project / "analysis" / "helpers.py").write_text("X = 2\n")
    assert sorted(batch(project, changed, pool).built) == ["ok", "text"]

    nb_path = project / "notebooks" / "report_text.py"
    nb_path.write_text(
        nb_path.read_text(encoding="utf-8") + "\n# %%\nprint('新增')\n", encoding="utf-8"
    )
    assert batch(project, changed, pool).built == ["text"]

    # Built without PDFs; asking for them rebuilds, and they then stay fresh.
    assert sorted(batch(project, changed, pool, pdf=True).built) == ["ok", "text"]
    assert batch(project, changed, pool, pdf=True).built == []

    forced = batch(project, changed, pool, force=True)
    assert sorted(forced.built) == ["ok", "text"]
    # A deleted report is noticed and rebuilt.
    (project / "reports" / "text.html").unlink()
    assert batch(project, changed, pool).built == ["text"]
    assert html != (project / "reports" / "ok.html").read_bytes()  # inputs did change


def test_sources_folder_contents_trigger_rebuild(
    project: Path, pool: WorkerPool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sources = tmp_path / "corpus"
    shutil.copytree(REPO.parent / "shared" / "seeds", sources)
    # A file the case base does not cite: it changes what the corpus report shows,
    # and editing it leaves the case base valid against the corpus.
    (sources / "a.txt").write_text("基层治理", encoding="utf-8")
    monkeypatch.setenv("WORKBENCH_SOURCES", str(sources))
    assert batch(project, [TEXT], pool).built == ["text"]
    assert batch(project, [TEXT], pool).built == []
    (sources / "a.txt").write_text("基层治理创新", encoding="utf-8")
    assert batch(project, [TEXT], pool).built == ["text"]


def test_corpus_folders_of_the_project_setting_trigger_rebuild(
    project: Path, pool: WorkerPool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The batch reads the corpus from [tool.workbench] too, every folder of it."""
    monkeypatch.delenv("WORKBENCH_SOURCES", raising=False)
    (project / "pyproject.toml").write_text(
        '[tool.workbench]\nsources = ["corpus_a", "corpus_b"]\n', encoding="utf-8"
    )
    # The cited texts in one folder, a text the case base does not cite in the other.
    shutil.copytree(REPO.parent / "shared" / "seeds", project / "corpus_a")
    (project / "corpus_b").mkdir()
    (project / "corpus_b" / "corpus_b.txt").write_text("基层治理", encoding="utf-8")
    assert batch(project, [TEXT], pool).built == ["text"]
    assert batch(project, [TEXT], pool).built == []
    (project / "corpus_b" / "corpus_b.txt").write_text("基层治理创新", encoding="utf-8")
    assert batch(project, [TEXT], pool).built == ["text"]


def test_rerender_is_byte_identical(project: Path, pool: WorkerPool) -> None:
    plan = [OK, TEXT]
    batch(project, plan, pool, pdf=True)
    out = project / "reports"
    before = {p: p.read_bytes() for p in [*out.glob("*.html"), *out.glob("*/*.*")]}
    result = batch(project, plan, pool, pdf=True, force=True)
    assert sorted(result.built) == ["ok", "text"]
    after = {p: p.read_bytes() for p in before}
    assert after == before  # HTML, PDF, executed notebooks and index


def test_no_change_rebuild_stays_light(project: Path, pool: WorkerPool) -> None:
    plan_file = project / "plan.yaml"
    plan_file.write_text(
        "- {notebook: notebooks/report_text.py, output: text, parameters: {incl_cut: 0.7}}\n"
    )
    batch(project, load_plan(plan_file), pool, plan_file=plan_file)
    # The batch subcommand alone: the dispatcher also imports the other command
    # modules, whose import cost is theirs.
    code = (
        "import argparse, sys, time\n"
        "t = time.perf_counter()\n"
        "import analysis.batch as b\n"
        "p = argparse.ArgumentParser(); b.register(p.add_subparsers())\n"
        f"args = p.parse_args(['batch', '--plan', {str(plan_file)!r}, '--root', "
        f"{str(project)!r}, '--no-pdf'])\n"
        "rc = args.func(args)\n"
        "heavy = [m for m in ('pandas', 'papermill', 'nbconvert', 'matplotlib', 'jupyter_client')"
        " if m in sys.modules]\n"
        "print(rc, heavy, round(time.perf_counter() - t, 3))\n"
    )
    started = time.perf_counter()
    # cwd outside the project: its own analysis/ folder would shadow the package.
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=project.parent, check=True
    )
    wall = time.perf_counter() - started
    line = proc.stdout.strip().splitlines()[-1]
    assert line.startswith("0 []"), proc.stdout + proc.stderr
    assert "0 built" in proc.stdout and "1 unchanged" in proc.stdout
    assert wall < 1.5  # interpreter start included; the batch itself is ~0.05 s


# -- atomicity ----------------------------------------------------------------------


def test_stale_temp_files_are_cleaned_and_run_completed(project: Path, pool: WorkerPool) -> None:
    out = project / "reports"
    (out / "pdf").mkdir(parents=True)
    # What a batch killed mid-write leaves: temp files, and no manifest entry.
    for leftover in (out / ".ok.html.abc123.tmp", out / "pdf" / ".ok.pdf.x.tmp"):
        leftover.write_bytes(b"<html><body>half a rep")
    result = batch(project, [OK], pool)
    assert result.built == ["ok"]
    assert not list(out.rglob("*.tmp"))
    assert (out / "ok.html").read_text(encoding="utf-8").rstrip().endswith("</html>")


def _batch_after_first_report(
    project: Path, plan_file: Path, *args: str, **env: str
) -> subprocess.Popen:
    """Start ``workbench batch`` (one worker) and return once a report is in the manifest."""
    env = {**os.environ, "WORKBENCH_PRELOAD": "", **env}  # fastest start; not a speed test
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "analysis",
            "batch",
            "--plan",
            str(plan_file),
            "--jobs",
            "1",
            "--root",
            str(project),
            *args,
        ],
        cwd=project.parent,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    manifest = project / "reports" / "manifest.json"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if manifest.exists() and json.loads(manifest.read_text())["runs"]:
            return proc
        assert proc.poll() is None, proc.stderr.read().decode()
        time.sleep(0.05)
    proc.kill()
    raise AssertionError("no report was built within 120 s")


def test_killed_batch_is_completed_by_next_run(project: Path, pool: WorkerPool) -> None:
    runs = [Run("notebooks/report_text.py", f"t{i}", {"incl_cut": 0.5 + i / 10}) for i in range(4)]
    plan_file = _plan_file(project, runs)
    manifest = project / "reports" / "manifest.json"
    proc = _batch_after_first_report(project, plan_file, "--no-pdf")
    os.kill(proc.pid, signal.SIGKILL)  # no cleanup handlers run
    proc.wait()
    done = set(json.loads(manifest.read_text())["runs"])
    assert done and len(done) < 4
    # Every report present is complete; none is half-written.
    for html in (project / "reports").glob("t*.html"):
        assert html.read_text(encoding="utf-8").rstrip().endswith("</html>")
    result = batch(project, load_plan(plan_file), pool, plan_file=plan_file)
    assert set(result.built) == {f"t{i}" for i in range(4)} - done
    assert set(result.skipped) == done
    assert not list((project / "reports").rglob("*.tmp"))
    # The killed batch's worker and kernel did not outlive it.
    time.sleep(1.5)
    orphans = subprocess.run(
        ["pgrep", "-f", f"workbench-worker|{project}"], capture_output=True, text=True
    ).stdout.split()
    assert str(proc.pid) not in orphans


# -- fast path == papermill ---------------------------------------------------------


def test_fast_path_matches_fresh_papermill(
    project: Path, pool: WorkerPool, monkeypatch: pytest.MonkeyPatch
) -> None:
    import papermill

    params = {"case_id": "demo", "n_points": 10, "cases": ["alpha", "beta", "demo"]}
    batch(project, [Run("notebooks/report_ok.ipynb", "same", params)], pool)
    fast = nbformat.read(project / "reports" / "notebooks" / "same.ipynb", as_version=4)

    monkeypatch.setenv("PYTHONHASHSEED", "0")  # as the warm kernels run
    nb_dir = project / "notebooks"
    fresh = papermill.execute_notebook(
        str(nb_dir / "report_ok.ipynb"),
        None,
        parameters=params,
        cwd=str(nb_dir),
        progress_bar=False,
    )
    fresh = normalize_notebook(fresh)

    assert [c.source for c in fast.cells] == [c.source for c in fresh.cells]
    assert [c.get("execution_count") for c in fast.cells] == [
        c.get("execution_count") for c in fresh.cells
    ]
    assert [c.get("outputs") for c in fast.cells] == [c.get("outputs") for c in fresh.cells]
    assert any("image/png" in o.get("data", {}) for c in fast.cells for o in c.get("outputs", []))
    prov = Provenance("h", "v", params, "notebooks/report_ok.ipynb")
    assert render_html(fast, prov) == render_html(fresh, prov)


# -- headless browser ---------------------------------------------------------------

CHROMIUM = (
    shutil.which("chromium")
    or shutil.which("chromium-browser")
    or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
)

_PROBE_JS = """
<script>
(async () => {
  await document.fonts.ready;
  const h = document.querySelector("h1");
  await document.fonts.load('16px "Noto Sans SC"', h.textContent);
  const imgs = [...document.images];
  await Promise.all(imgs.map(i => i.decode().catch(() => null)));
  const r = document.body.dataset;
  r.fontLoaded = [...document.fonts].some(f => f.family.includes("Noto Sans SC")
                                               && f.status === "loaded");
  r.fontCovers = document.fonts.check('16px "Noto Sans SC"', h.textContent);
  r.heading = h.textContent;
  r.images = imgs.filter(i => i.naturalWidth > 0).length;
  r.links = document.links.length;
  r.done = "yes";
})();
</script>
"""


def _chromium_dom(page: Path, tmp_path: Path) -> str:
    html = page.read_text(encoding="utf-8").replace("</body>", _PROBE_JS + "</body>")
    # The probe is a script, which the report's own policy (rightly) forbids: lift it.
    html, lifted = re.subn(r"<meta [^>]*Content-Security-Policy[^>]*>", "", html)
    assert lifted == 1 and REPORT_POLICY in page.read_text(encoding="utf-8")
    probe = page.with_name(f"probe_{page.name}")
    probe.write_text(html, encoding="utf-8")
    dom = ""
    # --dump-dom fires when virtual time runs out; on a loaded machine the async
    # font check can occasionally land after it, so allow a couple of retries.
    for attempt in range(6):
        cmd = [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            # A fresh profile per call: a second browser on a profile still locked
            # by the first would hand the page over to it and print nothing.
            f"--user-data-dir={tmp_path / f'profile-{page.stem}-{attempt}'}",
            f"--virtual-time-budget={10000 * min(attempt + 1, 3)}",
            "--dump-dom",
            probe.as_uri(),
        ]
        dom = subprocess.run(cmd, capture_output=True, text=True, timeout=90, check=True).stdout
        if 'data-done="yes"' in dom:
            break
    return dom


@pytest.mark.skipif(
    CHROMIUM is None,
    reason="chromium is not installed (apt-get install chromium) - browser rendering not checked",
)
def test_reports_render_in_headless_chromium(
    project: Path, pool: WorkerPool, tmp_path: Path
) -> None:
    batch(project, [OK, TEXT], pool)
    out = project / "reports"
    dom = _chromium_dom(out / "ok.html", tmp_path)
    assert 'data-done="yes"' in dom, dom[-2000:]
    assert 'data-heading="案例画像：alpha / Case profile: alpha"' in dom
    assert 'data-font-loaded="true"' in dom and 'data-font-covers="true"' in dom
    assert 'data-images="1"' in dom
    index = _chromium_dom(out / "index.html", tmp_path)
    assert 'data-done="yes"' in index and 'data-font-loaded="true"' in index
    assert 'data-links="6"' in index  # two reports, each with its Word document and notebook
    # A screenshot, for people to look at (kept in the reports folder of the test).
    subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            f"--user-data-dir={tmp_path / 'profile-shot'}",
            "--hide-scrollbars",
            "--window-size=900,1200",
            f"--screenshot={out / 'ok.png'}",
            (out / "ok.html").as_uri(),
        ],
        capture_output=True,
        timeout=90,
        check=True,
    )
    assert (out / "ok.png").stat().st_size > 10_000


# -- nothing lost: a failing batch keeps the last good reports ------------------------


def _snapshot(out: Path) -> dict[str, tuple[bytes, int]]:
    """Every visible file of the reports folder with its bytes and mtime."""
    return {
        p.relative_to(out).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in out.rglob("*")
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(out).parts)
    }


def _args(project: Path, plan: Path | None = None, **kw) -> Namespace:
    return Namespace(
        **{
            "plan": str(plan) if plan else None,
            "root": str(project),
            "out": "reports",
            "jobs": 1,
            "force": False,
            "pdf": False,
            "timeout": 60.0,
            "pdf_engine": "auto",
            "sources": None,
            **kw,
        }
    )


def _plan_file(project: Path, runs: list[Run]) -> Path:
    path = project / "plan.yaml"
    path.write_text(
        "".join(
            f"- {json.dumps({'notebook': r.notebook, 'output': r.output, 'parameters': r.parameters})}\n"
            for r in runs
        ),
        encoding="utf-8",
    )
    return path


def test_invalid_casebase_or_sources_stop_the_batch_and_touch_nothing(
    project: Path,
    pool: WorkerPool,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from analysis.batch import main
    from analysis.batch.runner import CaseBaseCheckError

    assert sorted(batch(project, [OK, TEXT], pool).built) == ["ok", "text"]
    out = project / "reports"
    before = _snapshot(out)
    assert "ok.html" in before and "manifest.json" in before and "index.html" in before

    # A corpus folder that does not exist ($WORKBENCH_SOURCES or --sources).
    monkeypatch.setenv("WORKBENCH_SOURCES", str(tmp_path / "no-such-corpus"))
    with pytest.raises(CaseBaseCheckError) as info:
        batch(project, [OK, TEXT], pool)
    assert info.value.problems == [f"{tmp_path / 'no-such-corpus'}: sources folder not found"]
    assert _snapshot(out) == before
    # A corpus folder whose texts are not the ones the case base quotes.
    wrong = tmp_path / "wrong-corpus"
    shutil.copytree(REPO.parent / "shared" / "seeds", wrong)
    first = sorted(wrong.glob("0*.txt"))[0]
    first.write_text(first.read_text(encoding="utf-8") + "改", encoding="utf-8")
    plan = _plan_file(project, [OK, TEXT])
    assert main(_args(project, plan, sources=str(wrong))) == 1
    err = capsys.readouterr().err
    assert "sha256" in err and "the reports folder was left unchanged" in err
    assert "Traceback" not in err
    assert _snapshot(out) == before
    monkeypatch.delenv("WORKBENCH_SOURCES")

    # One bad score in one case file: validate's message, file and line included.
    case = project / "casebase" / "cases" / "alpha.yaml"
    text = case.read_text(encoding="utf-8")
    case.write_text(text.replace("score: 0.33", "score: 0.5", 1), encoding="utf-8")
    line = text[: text.index("score: 0.33")].count("\n") + 1
    with pytest.raises(CaseBaseCheckError) as info:
        batch(project, [OK, TEXT], pool, force=True)
    assert len(info.value.problems) == 1
    assert f"cases/alpha.yaml:{line}: " in info.value.problems[0]
    assert "score" in info.value.problems[0]
    assert _snapshot(out) == before


def test_failed_rebuild_keeps_previous_report_marked_stale(project: Path, pool: WorkerPool) -> None:
    out = project / "reports"
    assert batch(project, [OK], pool, pdf=True).built == ["ok"]
    html, pdf = (out / "ok.html").read_bytes(), (out / "pdf" / "ok.pdf").read_bytes()
    # The same report from a notebook that now fails.
    broken = Run("notebooks/report_fail.ipynb", "ok", {"case_id": "beta"})
    result = batch(project, [broken], pool, pdf=True)
    [failure] = result.failed
    assert failure.kept and "previous report kept" in result.summary()
    assert (out / "ok.html").read_bytes() == html
    assert (out / "pdf" / "ok.pdf").read_bytes() == pdf
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    entry = manifest["runs"]["ok"]
    assert entry["stale"]["reason"] == "ValueError: 故意失败 deliberate failure for beta"
    assert "ok" in manifest["failures"]
    index = (out / "index.html").read_text(encoding="utf-8")
    assert '<li id="ok" class="stale"><a href="ok.html">' in index
    assert "stale, out of date (rebuild failed)：ValueError: 故意失败" in index
    assert "1 份已过期 / 1 out of date" in index
    # Fixed: rebuilt, no longer stale.
    assert batch(project, [OK], pool, pdf=True).built == ["ok"]
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert "stale" not in manifest["runs"]["ok"] and manifest["failures"] == {}
    assert 'class="stale"' not in (out / "index.html").read_text(encoding="utf-8")


# -- nothing left behind: temporary folders of killed batches -------------------------


def test_sigterm_stops_workers_and_removes_their_temporary_files(
    project: Path, tmp_path: Path
) -> None:
    # Short: Chromium's socket path under $TMPDIR must stay within 107 bytes.
    tmp = Path(tempfile.mkdtemp(prefix="wbt-", dir="/tmp"))
    try:
        _sigterm_leaves_nothing(project, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _sigterm_leaves_nothing(project: Path, tmp: Path) -> None:
    plan_file = _plan_file(
        project,
        [Run("notebooks/report_text.py", f"t{i}", {"incl_cut": 0.5 + i / 10}) for i in range(4)],
    )
    engine = ["--pdf-engine", "chromium"] if CHROMIUM else []
    proc = _batch_after_first_report(project, plan_file, *engine, TMPDIR=str(tmp))
    assert {p.name.split("-")[1] for p in tmp.glob("wb-*")} >= (
        {"kernel", "chromium"} if CHROMIUM else {"kernel"}
    )
    proc.send_signal(signal.SIGTERM)
    err = proc.communicate(timeout=60)[1].decode()
    assert proc.returncode == 128 + signal.SIGTERM, err
    assert "stopped by SIGTERM" in err and "Traceback" not in err
    assert list(tmp.iterdir()) == []  # no browser profile, no kernel.json


def test_leftovers_of_killed_batches_are_swept_at_next_start(
    project: Path, pool: WorkerPool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    env = {**os.environ, "TMPDIR": str(tmp)}
    made = subprocess.run(  # folders whose owner process has exited, as after kill -9
        [
            sys.executable,
            "-c",
            "from analysis.batch.scratch import make_scratch_dir as m\n"
            "for kind in ('kernel', 'chromium'): print(m(kind))",
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        check=True,
    ).stdout.split()
    dead = [Path(p) for p in made]
    (dead[0] / "kernel.json").write_text("{}")
    (dead[1] / ".print-abc.html").write_text("<html>")
    monkeypatch.setattr(tempfile, "tempdir", str(tmp))
    from analysis.batch.scratch import make_scratch_dir

    alive = Path(make_scratch_dir("kernel"))  # a running batch's: its owner is this process
    foreign = tmp / "wb-kernel-notours"  # no owner file: nothing proves it is ours
    foreign.mkdir()
    unrelated = tmp / "tmpabc"
    unrelated.mkdir()
    batch(project, [TEXT], pool)
    assert all(p.parent == tmp for p in dead) and not any(p.exists() for p in dead)
    assert alive.is_dir() and foreign.is_dir() and unrelated.is_dir()


def test_sigint_and_sigterm_become_batch_interrupted() -> None:
    from analysis.batch.runner import BatchInterrupted, _interruptible

    for sig in (signal.SIGINT, signal.SIGTERM):
        before = signal.getsignal(sig)
        with pytest.raises(BatchInterrupted) as info, _interruptible():
            os.kill(os.getpid(), sig)
            time.sleep(1)
        assert info.value.signum == sig and signal.getsignal(sig) == before


# -- every bad input a one-line message ----------------------------------------------


def _one_line_error(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert "Traceback" not in err and len(lines) == 1, err
    return lines[0]


def test_unwritable_reports_folder_is_one_line(
    project: Path,
    pool: WorkerPool,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import errno

    from analysis.batch import main

    out = project / "reports"
    batch(project, [OK], pool)
    real_mkstemp = tempfile.mkstemp

    def read_only(*args, dir=None, **kw):  # noqa: A002 - tempfile's own name
        if dir is not None and str(dir).startswith(str(out)):
            raise PermissionError(errno.EACCES, "Permission denied", str(dir))
        return real_mkstemp(*args, dir=dir, **kw)

    monkeypatch.setattr(tempfile, "mkstemp", read_only)
    before = _snapshot(out)
    plan = _plan_file(project, [OK, TEXT])
    assert main(_args(project, plan)) == 1
    line = _one_line_error(capsys.readouterr().err)
    assert line == f"workbench batch: {out}: Permission denied"
    assert _snapshot(out) == before


def test_full_disk_is_one_line(
    project: Path,
    pool: WorkerPool,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import errno

    import analysis.render
    from analysis.batch import main

    batch(project, [OK], pool)
    (project / "reports" / "index.html").unlink()

    def full(path, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(analysis.render, "atomic_write", full)
    assert main(_args(project, _plan_file(project, [OK]))) == 1
    line = _one_line_error(capsys.readouterr().err)
    assert line == (
        f"workbench batch: {project / 'reports' / 'index.html'}: No space left on device"
    )


class _FullDiskPool:
    """A pool whose workers all find the disk full."""

    def run(self, jobs, on_start=None):
        for job in jobs:
            if on_start:
                on_start(job)
            yield {
                "index": job.index,
                "output": job.output,
                "ok": False,
                "error": {
                    "message": f"{job.out_dir}/{job.output}.html: No space left on device",
                    "stage": "write",
                    "errno": 28,
                },
            }


def test_full_disk_in_a_worker_stops_the_batch(project: Path, pool: WorkerPool) -> None:
    from analysis.batch.runner import BatchError

    batch(project, [OK], pool)
    html = (project / "reports" / "ok.html").read_bytes()
    with pytest.raises(BatchError, match="ok.html: No space left on device"):
        batch(project, [OK, TEXT], _FullDiskPool(), force=True)
    assert (project / "reports" / "ok.html").read_bytes() == html  # kept


def test_unknown_pdf_engine_is_one_line(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from analysis.batch import main
    from analysis.cli import build_parser

    monkeypatch.setenv("WORKBENCH_PDF_ENGINE", "foo")
    assert main(_args(project, _plan_file(project, [OK]), pdf=True)) == 1
    line = _one_line_error(capsys.readouterr().err)
    assert line.startswith("workbench batch: $WORKBENCH_PDF_ENGINE: unknown PDF engine 'foo'")
    with pytest.raises(SystemExit) as info:
        build_parser().parse_args(["batch", "--pdf-engine", "foo"])
    assert info.value.code == 2
    assert "invalid choice: 'foo'" in capsys.readouterr().err


def test_malformed_codebook_and_rounds_stop_the_batch(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from analysis.batch import main

    rounds = project / "casebase" / "codings" / "rounds.yaml"
    rounds.parent.mkdir()
    rounds.write_text("rounds:\n  - {id: r1, coders: [a, b]\n", encoding="utf-8")
    assert main(_args(project, _plan_file(project, [TEXT]))) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "codings/rounds.yaml:" in err.splitlines()[0]
    assert not (project / "reports" / "text.html").exists()
    rounds.unlink()

    codebook = project / "casebase" / "codebook.yaml"
    codebook.write_text(codebook.read_text(encoding="utf-8") + "outcomes: [\n", encoding="utf-8")
    assert main(_args(project)) == 1  # the default plan reads the codebook
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert err.splitlines()[0].startswith("casebase/codebook.yaml:")
    assert "the reports folder was left unchanged" in err.splitlines()[-1]


def test_corrupt_manifest_entries_are_rebuilt_with_a_warning(
    project: Path, pool: WorkerPool
) -> None:
    out = project / "reports"
    batch(project, [OK, TEXT], pool)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    manifest["runs"]["ok"] = "built"  # wrong type
    manifest["runs"]["text"]["files"] = {"html": "big"}
    manifest["failures"] = ["x"]
    manifest["files"] = {"casebase/codebook.yaml": 5}
    (out / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    result = batch(project, [OK, TEXT], pool)
    assert sorted(result.built) == ["ok", "text"] and not result.failed
    assert any("malformed entries ok, text ignored" in n for n in result.notes)
    assert any("failures is not a mapping" in n for n in result.notes)
    assert batch(project, [OK, TEXT], pool).built == []

    (out / "manifest.json").write_text("{not json", encoding="utf-8")
    result = batch(project, [OK, TEXT], pool)
    assert sorted(result.built) == ["ok", "text"]
    assert any("not valid JSON" in n for n in result.notes)


# -- the index ----------------------------------------------------


def test_custom_plan_keeps_other_reports_in_the_index(project: Path, pool: WorkerPool) -> None:
    out = project / "reports"
    batch(project, [OK, TEXT], pool)
    extra = Run("notebooks/report_ok.ipynb", "extra", {"case_id": "beta"})
    assert batch(project, [extra], pool).built == ["extra"]
    index = (out / "index.html").read_text(encoding="utf-8")
    for name in ("ok", "text", "extra"):
        assert f'<a href="{name}.html">' in index
    assert "共 3 份报告 / 3 reports" in index
    # This plan's reports first, then the others, grouped by section: the two
    # report_ok reports share one heading.
    assert index.count("<h2>report_ok</h2>") == 1
    assert (
        index.index('href="extra.html"')
        < index.index('href="ok.html"')
        < index.index('href="text.html"')
    )


# -- progress -----------------------------------------------------------------------


def test_progress_lines_in_logs_and_a_bar_naming_the_report_on_a_terminal(
    project: Path, pool: WorkerPool, capsys: pytest.CaptureFixture[str]
) -> None:
    # Not a terminal (CI logs): a line to start with, then one per finished report.
    batch(project, [OK, FAIL], pool, progress=None)
    lines = capsys.readouterr().err.splitlines()
    assert lines[0] == "building 2 report(s) / 生成 2 份报告 ..."
    body = [re.sub(r" \(\d+\.\d s\)$", "", line) for line in lines[1:]]
    assert [line.split("] ", 1)[0] for line in body] == ["[1/2", "[2/2"]
    assert sorted(line.split("] ", 1)[1] for line in body) == [
        "fail: FAILED / 失败",
        "ok: built / 生成",
    ]
    # A terminal: the bar says which report is being built.
    batch(project, [TEXT], pool, progress=True)
    err = capsys.readouterr().err
    assert "building / 生成中: text" in err and "1/1" in err
