"""Fixtures of the billing tests: clients acting as a given user, English messages."""

from __future__ import annotations

import pytest

from parkops.accounts import service as accounts
from tests.support import create_user, sign_in


@pytest.fixture(autouse=True)
def _english(request):
    if "client" in request.fixturenames:
        request.getfixturevalue("client").cookies.set("parkops_lang", "en")


@pytest.fixture
def login(client, db, test_settings):
    """``await login("leasing")`` or ``await login(user=...)``: the client now acts as that user
    (browser session and CSRF for pages, a Bearer token for the API). Returns the user."""

    async def switch(role: str | None = None, *, user=None, enterprise_id=None):
        if user is None:
            user = await create_user(db, role, enterprise_id=enterprise_id)
        client.cookies.clear()
        client.cookies.set("parkops_lang", "en")
        await sign_in(client, db, test_settings, user)
        identity = await accounts.get_identity(db, user.id)
        _token, plaintext = await accounts.create_api_token(db, identity, "tests")
        client.headers["authorization"] = f"Bearer {plaintext}"
        return user

    return switch


@pytest.fixture
def live_app_server(committed_database_url, test_settings):
    """The app served by uvicorn on a free port (its own thread and event loop) against a
    database whose commits are real: requests really run concurrently, on separate connections."""
    import socket
    import threading
    import time

    import uvicorn

    from parkops.app import create_app

    settings = test_settings.model_copy(
        update={"database_url": committed_database_url, "db_pool_size": 12}
    )
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
