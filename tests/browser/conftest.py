"""Fixtures for driving the review app in headless Chromium (Debian's package, not Playwright's download).

``live`` starts the real app under uvicorn on 127.0.0.1 and a free port, in a thread, against the
store of ``store_url`` (so every browser test runs on SQLite and on PostgreSQL), seeded with
fictional posts, an enqueued queue, reviewers rev01..rev03 and lead lead01.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("NETRA_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip


@dataclass
class Live:
    url: str
    engine: object
    settings: object

    def login(self, page, username: str, password: str | None = None) -> None:
        page.goto(f"{self.url}/login")
        page.fill("#username", username)
        page.fill("#password", password or f"{username}-password")
        page.click("#login-submit")
        page.wait_for_url(f"{self.url}/queue")


@pytest.fixture(scope="module")
def browser():
    """One Chromium per module. Not per session: Playwright's sync API keeps an event loop running in
    the main thread until it stops, and later tests that use asyncio must not find it there."""
    if not Path(CHROMIUM).exists():
        reason = f"{CHROMIUM} missing: run scripts/ensure-chromium.sh (make test does)"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(app) -> tuple[str, object, threading.Thread]:
    import uvicorn

    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the review app did not start")
        time.sleep(0.05)
    return f"http://127.0.0.1:{port}", server, thread


@pytest.fixture
def live_factory(engine):
    """Start the app on the test store with given queue settings; stopped at teardown."""
    from pipeline.config import Settings
    from pipeline.review import queue, sample
    from pipeline.review.app import create_app

    servers = []

    def make(n_posts: int = 30, **queue_values) -> Live:
        sample.seed(engine, n_posts=n_posts)
        settings = Settings()
        settings.review.secret_key = "browser-test-secret-browser-test-secret"
        for key, value in {"audit_rate": 0.0, "double_review_rate": 0.0, **queue_values}.items():
            setattr(settings.queue, key, value)
        queue.enqueue(settings, engine)
        sample.make_users(engine, 3)
        sample.make_users(engine, 1, role="lead", prefix="lead")
        url, server, thread = start_server(create_app(settings, engine))
        servers.append((server, thread))
        return Live(url, engine, settings)

    yield make
    for server, thread in servers:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
def context_factory(browser) -> Iterator:
    contexts = []

    def make(width: int = 1366, height: int = 768, **kwargs):
        ctx = browser.new_context(viewport={"width": width, "height": height}, **kwargs)
        ctx.set_default_timeout(15_000)
        contexts.append(ctx)
        return ctx

    yield make
    for ctx in contexts:
        ctx.close()
