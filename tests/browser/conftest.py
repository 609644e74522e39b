"""A live server in a thread and a real Chromium driven by Playwright."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time

import pytest
import uvicorn

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture
def live_server(committed_database_url, test_settings):
    """The app on a free port, talking to a database whose commits are real."""
    from parkops.app import create_app

    settings = test_settings.model_copy(update={"database_url": committed_database_url})
    app = create_app(settings)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "live server did not start"
    yield f"http://127.0.0.1:{port}", committed_database_url
    server.should_exit = True
    thread.join(10)


@pytest.fixture
def browser_page():
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        pytest.fail("Chromium is missing: run `make test` as root, or apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-quic",
            ],
        )
        page = browser.new_page(locale="zh-CN")
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.csp_errors = errors  # type: ignore[attr-defined]
        yield page
        browser.close()
