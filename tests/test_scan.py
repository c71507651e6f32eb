"""The scan's orchestration: skipping unchanged stages, the lock, interrupted runs, failures.

These drive run_scan with small stages that write real rows, so they test the mechanism without
depending on every domain; tests/test_scan_demo.py runs the real stages end to end.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from datetime import datetime

import pytest
from sqlalchemy import func, select, update

from pipeline.config import load_settings
from pipeline.runlock import ScanLock, ScanLocked
from pipeline.scan import Stage, StageResult, list_runs, run_scan
from pipeline.schema import Post
from pipeline.store.posts import upsert_posts
from pipeline.store.tables import Post as PostRow
from pipeline.store.tables import ScanRun, StageRun


def _settings():
    return load_settings(environ={})


def _stages(calls: list[str], fail_at: str | None = None):
    """collect adds one post per call; 'count' reads posts and records how many it saw."""

    def collect(ctx):
        calls.append("collect")
        return StageResult(n_in=0, n_out=0)

    def count(ctx):
        calls.append("count")
        if fail_at == "count":
            raise RuntimeError("boom")
        with ctx.engine.connect() as conn:
            n = conn.scalar(select(func.count()).select_from(PostRow))
        return StageResult(n_in=n, n_out=n)

    return (
        Stage("collect", ("settings.collect",), collect, always_runs=True),
        Stage("count", ("posts",), count),
    )


def _add_post(engine, post_id: str) -> None:
    with engine.begin() as conn:
        upsert_posts(conn, [Post(platform="x", post_id=post_id, created_at=datetime(2026, 11, 1), text="hi")])


def test_second_scan_skips_stages_whose_inputs_did_not_change(engine, tmp_path):
    calls: list[str] = []
    _add_post(engine, "1")
    first = run_scan(_settings(), engine, stages=_stages(calls), lock_dir=tmp_path)
    second = run_scan(_settings(), engine, stages=_stages(calls), lock_dir=tmp_path)
    assert [r["status"] for r in first.stages] == ["ok", "ok"]
    assert [r["status"] for r in second.stages] == ["ok", "skipped"]
    assert calls == ["collect", "count", "collect"]
    _add_post(engine, "2")  # new input: the stage runs again
    third = run_scan(_settings(), engine, stages=_stages(calls), lock_dir=tmp_path)
    assert third.stages[1]["status"] == "ok" and third.stages[1]["n_in"] == 2


def test_failed_stage_stops_the_scan_and_runs_again_next_time(engine, tmp_path):
    calls: list[str] = []
    failed = run_scan(_settings(), engine, stages=_stages(calls, fail_at="count"), lock_dir=tmp_path)
    assert failed.status == "failed"
    assert "boom" in failed.stages[1]["error"]
    again = run_scan(_settings(), engine, stages=_stages(calls), lock_dir=tmp_path)
    assert again.status == "ok" and again.stages[1]["status"] == "ok"


def test_a_scan_left_running_is_marked_interrupted_and_resume_links_it(engine, tmp_path):
    with engine.begin() as conn:
        stale = conn.execute(
            ScanRun.__table__.insert().values(started_at=datetime(2026, 11, 20), status="running", demo=False)
        ).inserted_primary_key[0]
    outcome = run_scan(_settings(), engine, stages=_stages([]), resume=True, lock_dir=tmp_path)
    assert outcome.resumed_from == stale
    with engine.connect() as conn:
        assert conn.scalar(select(ScanRun.status).where(ScanRun.id == stale)) == "interrupted"
    runs = list_runs(engine)
    assert [r["id"] for r in runs] == [outcome.scan_id, stale]
    assert [s["stage"] for s in runs[0]["stages"]] == ["collect", "count"]


def test_only_one_scan_at_a_time(engine, tmp_path):
    with ScanLock(engine, lock_dir=tmp_path), pytest.raises(ScanLocked):
        run_scan(_settings(), engine, stages=_stages([]), lock_dir=tmp_path)
    # released: the next one runs
    assert run_scan(_settings(), engine, stages=_stages([]), lock_dir=tmp_path).status == "ok"


def test_a_killed_scan_does_not_leave_the_lock_stuck(store_url, engine, tmp_path):
    """A process holding the lock is SIGKILLed; the lock is free at once, with no clean-up."""
    holder = textwrap.dedent(
        f"""
        import sys, time
        from pipeline.store import make_engine
        from pipeline.runlock import ScanLock
        lock = ScanLock(make_engine({store_url!r}), lock_dir=__import__("pathlib").Path({str(tmp_path)!r}))
        lock.acquire()
        print("locked", flush=True)
        time.sleep(60)
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", holder], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "locked"
        with pytest.raises(ScanLocked):
            ScanLock(engine, lock_dir=tmp_path).acquire()
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        deadline = time.monotonic() + 10
        while True:  # PostgreSQL notices the dead connection within moments
            try:
                ScanLock(engine, lock_dir=tmp_path).acquire().release()
                break
            except ScanLocked:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
    finally:
        proc.kill()


def test_stage_runs_record_counts(engine, tmp_path):
    _add_post(engine, "1")
    run_scan(_settings(), engine, stages=_stages([]), lock_dir=tmp_path)
    with engine.connect() as conn:
        row = conn.execute(select(StageRun).where(StageRun.stage == "count")).mappings().one()
        conn.execute(update(StageRun).values(details=None))
    assert (row["n_in"], row["n_out"], row["status"]) == (1, 1, "ok")
    assert row["finished_at"] >= row["started_at"]
