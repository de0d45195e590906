"""The batch on a Dask cluster (workbench batch --scheduler): same bytes, lost workers survived."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import pytest

distributed = pytest.importorskip("distributed")

from analysis.batch.plan import Run  # noqa: E402
from analysis.batch.pool import WorkerPool  # noqa: E402
from analysis.batch.runner import run_batch  # noqa: E402
from tests.test_batch import LIGHT_PRELOAD, make_project  # noqa: E402

PLAN = [
    Run("notebooks/report_ok.ipynb", "ok", {"case_id": "alpha", "n_points": 8}),
    Run("notebooks/report_text.py", "text", {"incl_cut": 0.7}),
    Run("notebooks/report_fail.ipynb", "fail", {"case_id": "beta"}),
]


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        silence_logs=50,
    ) as local:
        yield local


def _outputs(out: Path) -> dict[str, bytes]:
    return {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and p.name not in {"manifest.json", ".batch.lock"} and ".logs" not in p.parts
    }


def _manifest(out: Path) -> dict:
    import json

    data = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    drop = {
        "built_at",
        "at",
        "since",
        "execute_seconds",
        "render_seconds",
        "pdf_seconds",
        "docx_seconds",
    }

    def clean(value):
        if isinstance(value, dict):
            return {k: clean(v) for k, v in value.items() if k not in drop}
        return value

    return {k: clean(data[k]) for k in ("runs", "failures")}


def test_cluster_run_is_byte_identical_to_a_local_run(tmp_path: Path, cluster) -> None:
    local, remote = make_project(tmp_path / "local"), make_project(tmp_path / "remote")
    with WorkerPool(jobs=1, preload=LIGHT_PRELOAD) as pool:
        mine = run_batch(PLAN, root=local, pool=pool, pdf=False, progress=False)
    theirs = run_batch(
        PLAN,
        root=remote,
        scheduler=cluster.scheduler_address,
        preload=LIGHT_PRELOAD,
        pdf=False,
        progress="lines",
    )
    assert sorted(theirs.built) == sorted(mine.built) == ["ok", "text"]
    assert [f.output for f in theirs.failed] == ["fail"]
    assert theirs.failed[0].message == mine.failed[0].message
    assert _outputs(remote / "reports") == _outputs(local / "reports")
    assert _manifest(remote / "reports") == _manifest(local / "reports")
    assert not list((remote / "reports").rglob("*.tmp"))

    # Incremental: nothing changed, nothing runs (the cluster is not even asked; a
    # failed run would be retried).
    again = run_batch(
        PLAN[:2], root=remote, scheduler="tcp://127.0.0.1:1", pdf=False, progress=False
    )
    assert again.built == [] and sorted(again.skipped) == ["ok", "text"]
    # An edited notebook rebuilds only its report; the workers get the new file by hash.
    nb = remote / "notebooks" / "report_text.py"
    nb.write_text(
        nb.read_text(encoding="utf-8").replace("文本格式笔记本", "文本笔记本"), encoding="utf-8"
    )
    edited = run_batch(
        PLAN[:2],
        root=remote,
        scheduler=cluster.scheduler_address,
        preload=LIGHT_PRELOAD,
        pdf=False,
        progress=False,
    )
    assert edited.built == ["text"]
    assert "文本笔记本" in (remote / "reports" / "text.html").read_text(encoding="utf-8")


def test_a_worker_killed_mid_run_has_its_runs_done_elsewhere(tmp_path: Path, cluster) -> None:
    project = make_project(tmp_path / "proj")
    plan = [
        Run("notebooks/report_sleep.py", f"slow_{i}", {"seconds": 1.5, "label": str(i)})
        for i in range(4)
    ]
    client = distributed.Client(cluster.scheduler_address)
    try:
        client.wait_for_workers(2, timeout=60)
        pids = client.run(os.getpid)
        before = len(client.get_events("workbench-batch-start"))
        result: dict = {}
        thread = threading.Thread(
            target=lambda: result.setdefault(
                "r",
                run_batch(
                    plan,
                    root=project,
                    scheduler=cluster.scheduler_address,
                    preload=LIGHT_PRELOAD,
                    pdf=False,
                    docx=False,
                    progress=False,
                ),
            )
        )
        thread.start()
        victim = None
        deadline = time.monotonic() + 60
        while victim is None and time.monotonic() < deadline:
            busy = [w for w, keys in client.processing().items() if keys and w in pids]
            # Wait until a slow notebook is really running (the kernel is warm).
            if busy and len(client.get_events("workbench-batch-start")) > before:
                # Prefer the worker holding the batch's file list: losing it must not
                # cancel the other runs (it is recomputed elsewhere).
                holders = {
                    w
                    for key, workers in client.who_has().items()
                    if str(key).startswith("workbench-spec")
                    for w in workers
                }
                victim = next((w for w in busy if w in holders), busy[0])
            else:
                time.sleep(0.1)
        assert victim is not None, "no job started within 60 s"
        os.kill(pids[victim], signal.SIGKILL)
        thread.join(timeout=120)
        assert not thread.is_alive()
    finally:
        client.close()
    res = result["r"]
    assert sorted(res.built) == [f"slow_{i}" for i in range(4)], res.summary()
    assert res.failed == []
    for i in range(4):
        html = (project / "reports" / f"slow_{i}.html").read_text(encoding="utf-8")
        assert f"报告 {i}：等待 1.5 秒。" in html


def test_unreachable_scheduler_is_one_line_and_touches_nothing(tmp_path: Path, capsys) -> None:
    import dask

    from analysis.batch import main
    from tests.test_batch import _args

    project = make_project(tmp_path / "proj")
    plan = project / "plan.yaml"
    plan.write_text("- {notebook: notebooks/report_text.py, output: t, parameters: {}}\n")
    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}):
        code = main(_args(project, plan, scheduler="tcp://127.0.0.1:9"))
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 1
    assert len(err) == 1 and err[0].startswith(
        "workbench batch: cannot use the Dask scheduler at tcp://127.0.0.1:9: "
    )
    assert not (project / "reports" / "t.html").exists()
