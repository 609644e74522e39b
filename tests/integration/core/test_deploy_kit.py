"""Deployment details the app itself owns: no invitation link in a production log, the OpenAPI
document gzipped, the client's address in the access log."""

from __future__ import annotations

import logging

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from parkops.app import create_app
from parkops.core import mail
from parkops.enterprises.models import EnterpriseInvitation
from tests.integration.enterprises.factories import create_enterprise
from tests.support import create_user, make_client, post_form, sign_in


async def test_production_without_smtp_refuses_to_invite_and_logs_no_link(
    db, test_settings, caplog
):
    settings = test_settings.model_copy(update={"env": "production", "smtp_host": None})
    app = create_app(
        settings,
        session_maker=lambda: AsyncSession(
            bind=db.bind, join_transaction_mode="create_savepoint", expire_on_commit=False
        ),
    )
    logging.getLogger().addHandler(caplog.handler)  # create_app set up logging afresh
    enterprise = await create_enterprise(db)
    mail.OUTBOX.clear()
    caplog.set_level(logging.INFO)
    async with make_client(app) as client:
        client.cookies.set("parkops_lang", "en")
        await sign_in(client, db, settings, await create_user(db, "leasing"))
        response = await post_form(
            client,
            f"/enterprises/{enterprise.id}/invitations",
            {"email": "zhang.min@example.cn", "display_name": "张敏"},
        )
    assert response.status_code == 502
    assert "No mail server is configured" in response.text
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "/invite/" not in logged and "mail server is not configured" in logged
    assert not mail.OUTBOX
    invitations = await db.scalar(
        sa.select(sa.func.count())
        .select_from(EnterpriseInvitation)
        .where(EnterpriseInvitation.enterprise_id == enterprise.id)
    )
    assert invitations == 0  # rolled back with the email that could not go


async def test_openapi_document_is_gzipped(client):
    raw = await client.get("/schema/openapi.json", headers={"accept-encoding": "gzip"})
    assert raw.headers["content-encoding"] == "gzip"
    assert "/api/v1/users" in raw.json()["paths"]  # httpx undid the gzip
    assert int(raw.headers["content-length"]) < len(raw.content) / 4
    plain = await client.get("/schema/openapi.json", headers={"accept-encoding": "identity"})
    assert "content-encoding" not in plain.headers and plain.content == raw.content


async def test_access_log_names_the_client(client, caplog):
    caplog.set_level(logging.INFO, logger="parkops.access")
    await client.get("/healthz")
    record = next(r for r in caplog.records if r.name == "parkops.access")
    assert record.client == "127.0.0.1"
    assert record.getMessage().startswith("127.0.0.1 GET /healthz 200")
