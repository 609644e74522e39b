"""A database outage answers 503 with Retry-After and a request id, never a bare 500.

Two outages: a server that does not answer at all (the app points at a closed port), and a
server whose connections were cut under a running app (what a restart or failover does).
"""

from __future__ import annotations

import asyncio
import re
import socket

import asyncpg
import httpx
import pytest
import sqlalchemy as sa
from litestar import get
from sqlalchemy.engine import make_url

from parkops.app import create_app
from parkops.core import error_handlers
from parkops.core.web import CSRF_COOKIE, SESSION_COOKIE
from parkops.db.engine import to_libpq_url
from parkops.db.request_session import DbSession
from tests.support import PASSWORD, create_user, run_in_thread, serve_in_thread
from tests.support import with_committed_session as committed

pytestmark = pytest.mark.slow


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # nothing listens once the socket is closed


def _assert_unavailable(response: httpx.Response, *, html: bool) -> str:
    assert response.status_code == 503, (response.status_code, response.text[:300])
    assert int(response.headers["retry-after"]) > 0
    request_id = response.headers["x-request-id"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)
    if html:
        assert response.headers["content-type"].startswith("text/html")
        assert "temporarily unavailable" in response.text
        assert request_id in response.text
    else:
        assert response.headers["content-type"] == "application/problem+json"
        body = response.json()
        assert body["status"] == 503 and body["request_id"] == request_id
    return request_id


@pytest.fixture
def app_without_database(test_settings):
    url = f"postgresql://postgres@127.0.0.1:{_closed_port()}/parkops"
    app = create_app(test_settings.model_copy(update={"database_url": url}))
    with serve_in_thread(app) as base_url:
        yield base_url


def test_unreachable_database_answers_503_with_a_request_id(app_without_database):
    with httpx.Client(base_url=app_without_database, cookies={"parkops_lang": "en"}) as client:
        # The session cookie is looked up before any handler runs (middleware).
        client.cookies.set(SESSION_COOKIE, "some-session")
        _assert_unavailable(client.get("/units"), html=True)
        del client.cookies[SESSION_COOKIE]
        api = client.get("/api/v1/me", headers={"authorization": "Bearer some-token"})
        _assert_unavailable(api, html=False)
        # A form whose handler needs the database.
        client.get("/login")
        signin = client.post(
            "/login",
            data={
                "username": "admin",
                "password": PASSWORD,
                "_csrf_token": client.cookies[CSRF_COOKIE],
            },
        )
        _assert_unavailable(signin, html=True)
        ready = client.get("/readyz")
        assert ready.status_code == 503 and ready.headers["x-request-id"]


def test_when_the_error_page_fails_too_a_plain_answer_keeps_the_request_id(
    app_without_database, monkeypatch
):
    def broken(request, exc):
        raise RuntimeError("the error page cannot be rendered either")

    monkeypatch.setattr(error_handlers, "error_response", broken)
    with httpx.Client(base_url=app_without_database) as client:
        client.cookies.set(SESSION_COOKIE, "some-session")
        response = client.get("/units")
    assert response.status_code == 503 and int(response.headers["retry-after"]) > 0
    assert response.headers["content-type"].startswith("text/plain")
    assert response.headers["x-request-id"] in response.text


async def _cut_connections(database_url: str) -> int:
    url = make_url(database_url)
    conn = await asyncpg.connect(to_libpq_url(str(url.set(database="postgres"))))
    try:
        return len(
            await conn.fetch(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = $1 AND pid <> pg_backend_pid()",
                url.database,
            )
        )
    finally:
        await conn.close()


def test_connections_cut_under_a_running_app_answer_503_then_recover(live_server):
    base_url, database_url = live_server

    async def make_user(db):
        return (await create_user(db, "park_admin")).username

    username = run_in_thread(committed, database_url, make_user)
    with httpx.Client(base_url=base_url, cookies={"parkops_lang": "en"}) as client:
        client.get("/login")
        signed_in = client.post(
            "/login",
            data={
                "username": username,
                "password": PASSWORD,
                "_csrf_token": client.cookies[CSRF_COOKIE],
            },
        )
        assert signed_in.status_code == 303
        assert client.get("/units").status_code == 200
        assert asyncio.run(_cut_connections(database_url)) >= 1
        _assert_unavailable(client.get("/units"), html=True)
        # The dead connection was thrown away: the next request gets a fresh one.
        again = client.get("/units")
        assert again.status_code == 200 and again.headers["x-request-id"]


def test_commit_failing_as_the_response_starts_is_not_a_bare_500(
    committed_database_url, test_settings
):
    """The request's commit runs as its response starts; the connection dies just before it."""

    @get("/test/commit-on-a-dead-connection", opt={"public": True})
    async def doomed(db: DbSession) -> dict:
        pid = (await db.execute(sa.text("SELECT pg_backend_pid()"))).scalar()
        conn = await asyncpg.connect(to_libpq_url(committed_database_url))
        try:
            await conn.execute("SELECT pg_terminate_backend($1)", pid)
        finally:
            await conn.close()
        return {"saved": True}

    app = create_app(test_settings.model_copy(update={"database_url": committed_database_url}))
    app.register(doomed)
    with serve_in_thread(app) as base_url:
        response = httpx.get(f"{base_url}/test/commit-on-a-dead-connection")
    assert response.status_code == 503, (response.status_code, response.text)
    assert response.headers["x-request-id"] in response.text
    assert '"saved"' not in response.text
