"""Two app processes with storage folders of their own and one S3 bucket (SeaweedFS): a file
uploaded through either is served by the other, by signed-URL redirect or streamed."""

from __future__ import annotations

import asyncio

import httpx
import pytest
import sqlalchemy as sa

from tests.integration.storage.conftest import s3_env
from tests.integration.test_two_processes import (
    _free_port,
    _sign_in_both,
    _start,
    _stop,
    _wait,
)
from tests.support import with_committed_session

pytestmark = pytest.mark.slow

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"


async def _first_ticket(db) -> int:
    return int(await db.scalar(sa.text("SELECT min(id) FROM tickets")))


async def _latest_attachment(db) -> int:
    return int(await db.scalar(sa.text("SELECT max(id) FROM ticket_attachments")))


def _upload(client: httpx.Client, ticket: int, token: str, content: bytes) -> None:
    response = client.post(
        f"/tickets/{ticket}/notes",
        data={"note": "bank slip attached", "_csrf_token": token},
        files={"attachments": ("slip.png", content, "image/png")},
    )
    assert response.status_code == 303, response.text[-2000:]


def test_two_app_processes_serve_each_others_uploads(committed_database_url, tmp_path, s3_server):
    url = committed_database_url
    folders = [tmp_path / "a", tmp_path / "b"]
    ports = [_free_port(), _free_port()]
    settings = s3_env(s3_server, f"two-machines-{tmp_path.name}/")
    started = []
    try:
        for folder, port, downloads in zip(folders, ports, ["redirect", "stream"], strict=True):
            folder.mkdir()
            started.append(_start(url, port, folder, PARKOPS_S3_DOWNLOADS=downloads, **settings))
            _wait(port, started[-1], folder)  # the first loads the demo data
        a, b = (httpx.Client(base_url=f"http://127.0.0.1:{p}") for p in ports)
        token = _sign_in_both(a, b, "desk")
        ticket = asyncio.run(with_committed_session(url, _first_ticket))

        _upload(a, ticket, token, PNG + b"from a")
        from_a = asyncio.run(with_committed_session(url, _latest_attachment))
        streamed = b.get(f"/tickets/{ticket}/attachments/{from_a}")
        assert streamed.status_code == 200 and streamed.content == PNG + b"from a"

        _upload(b, ticket, token, PNG + b"from b")
        from_b = asyncio.run(with_committed_session(url, _latest_attachment))
        redirected = a.get(f"/tickets/{ticket}/attachments/{from_b}")
        assert redirected.status_code == 302
        signed = redirected.headers["location"]
        assert signed.startswith(s3_server.endpoint) and "X-Amz-Signature=" in signed
        assert httpx.get(signed).content == PNG + b"from b"

        # Nothing was written to either machine's own folder.
        for folder in folders:
            assert not any((folder / "attachments").glob("*")), list(folder.rglob("*"))[:5]
    finally:
        for proc in started:
            _stop(proc)
