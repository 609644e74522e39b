"""Who sees which ticket: enterprises see their own, officers their department's (confidential ones
only as lead), the desk everything; anything else answers 404 (pages, API, attachments)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from parkops.core.errors import NotFound
from parkops.tickets import repository
from parkops.tickets.models import Notification
from parkops.tickets.services import actions, common, notes, reading
from tests.integration.enterprises.factories import create_enterprise
from tests.integration.tickets.factories import (
    department_id,
    dispatched,
    file,
    identity,
    people,
)
from tests.support import create_user, csrf, sign_in

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


async def _other_enterprise_user(db):
    other = await create_enterprise(db)
    return await create_user(db, "enterprise_user", enterprise_id=other.id)


async def test_enterprise_sees_only_its_own_tickets(client, db, test_settings):
    s = test_settings
    p = await people(db)
    ticket = await file(db, s, p.enterprise, uploads=[common.Upload("evidence.pdf", PDF)])
    attachment = (await reading.ticket_view(db, p.enterprise, ticket.id))["attachments"][0]
    other_user = await _other_enterprise_user(db)
    other = await identity(db, other_user)
    theirs = await file(db, s, other)

    await sign_in(client, db, s, p.enterprise_user)
    listing = await client.get("/portal/tickets")
    assert ticket.number in listing.text and theirs.number not in listing.text
    api = (await client.get("/api/v1/tickets?status=all")).json()
    assert [t["number"] for t in api["items"]] == [ticket.number]
    assert (await client.get(f"/portal/tickets/{ticket.id}")).status_code == 200

    await sign_in(client, db, s, other_user)
    for url in (
        f"/portal/tickets/{ticket.id}",
        f"/portal/tickets/{ticket.id}/attachments/{attachment.id}",
        f"/api/v1/tickets/{ticket.id}",
        f"/api/v1/tickets/{ticket.id}/attachments/{attachment.id}",
    ):
        assert (await client.get(url)).status_code == 404, url
    # Acting on it is a 404 too, not a 403 that would confirm it exists.
    r = await client.post(
        f"/api/v1/tickets/{ticket.id}/actions",
        json={"action": "withdraw"},
        headers={"x-csrf-token": csrf(client)},
    )
    assert r.status_code == 404
    # Somebody else's attachment id under one's own ticket is no way in either.
    r = await client.get(f"/portal/tickets/{theirs.id}/attachments/{attachment.id}")
    assert r.status_code == 404


async def test_officers_see_their_departments_tickets_only(client, db, test_settings):
    s = test_settings
    p = await people(db)
    ticket = await dispatched(db, s, p, uploads=[common.Upload("evidence.pdf", PDF)])
    attachment = (await reading.ticket_view(db, p.desk, ticket.id))["attachments"][0]
    tax_officer = await create_user(db, "gov_officer", department_id=await department_id(db, "tax"))

    for user, code in ((p.lead_user, 200), (p.co_user, 200), (tax_officer, 404)):
        await sign_in(client, db, s, user)
        r = await client.get(f"/tickets/{ticket.id}")
        assert r.status_code == code, user.username
        r = await client.get(f"/tickets/{ticket.id}/attachments/{attachment.id}")
        assert r.status_code == code
        queue = await client.get("/tickets")
        assert (ticket.number in queue.text) == (code == 200)

    roles = {
        "lead": repository.actor_role(p.lead, ticket, {p.co_department_id}),
        "co": repository.actor_role(p.co, ticket, {p.co_department_id}),
        "desk": repository.actor_role(p.desk, ticket, set()),
        "enterprise": repository.actor_role(p.enterprise, ticket, set()),
    }
    assert {k: v.value for k, v in roles.items()} == {
        "lead": "lead_department",
        "co": "co_department",
        "desk": "desk",
        "enterprise": "enterprise",
    }
    # A co-handling department comments but does not drive the workflow.
    view = await reading.ticket_view(db, p.co, ticket.id)
    assert view["actions"] == [] and view["can_note"]


async def test_confidential_ticket_is_hidden_from_co_handling_departments(
    client, db, test_settings
):
    s = test_settings
    p = await people(db)
    ticket = await dispatched(
        db, s, p, confidential="1", uploads=[common.Upload("evidence.pdf", PDF)]
    )
    assert ticket.confidential
    # Not even told about it.
    assert not await db.scalar(
        sa.select(sa.func.count()).where(
            Notification.user_id == p.co_user.id, Notification.ticket_id == ticket.id
        )
    )
    attachment = (await reading.ticket_view(db, p.desk, ticket.id))["attachments"][0]
    with pytest.raises(NotFound):
        await reading.ticket_view(db, p.co, ticket.id)
    await sign_in(client, db, s, p.co_user)
    assert (await client.get(f"/tickets/{ticket.id}")).status_code == 404
    assert (
        await client.get(f"/tickets/{ticket.id}/attachments/{attachment.id}")
    ).status_code == 404
    assert (await client.get(f"/api/v1/tickets/{ticket.id}")).status_code == 404
    assert ticket.number not in (await client.get("/tickets")).text
    # The lead department and the desk still see it.
    await sign_in(client, db, s, p.lead_user)
    assert (await client.get(f"/tickets/{ticket.id}")).status_code == 200
    await sign_in(client, db, s, p.desk_user)
    assert (await client.get(f"/tickets/{ticket.id}")).status_code == 200


async def test_staff_outside_the_desk_cannot_open_tickets(client, db, test_settings):
    s = test_settings
    p = await people(db)
    ticket = await file(db, s, p.enterprise)
    leasing = await create_user(db, "leasing")
    await sign_in(client, db, s, leasing)
    assert (await client.get(f"/tickets/{ticket.id}")).status_code == 403
    assert (await client.get("/api/v1/tickets")).status_code == 403
    # An enterprise user cannot use the staff pages at all.
    await sign_in(client, db, s, p.enterprise_user)
    assert (await client.get(f"/tickets/{ticket.id}")).status_code == 403


async def test_ticket_text_is_stored_as_entered_and_shown_escaped(client, db, test_settings):
    s = test_settings
    p = await people(db)
    evil = '<script>alert("x")</script> & <b>bold</b>'
    ticket = await file(db, s, p.enterprise, subject=evil, description=evil)
    assert ticket.subject == evil
    await actions.perform(db, s, p.desk, ticket.id, "accept")
    await notes.add_note(db, s, p.desk, ticket.id, evil)
    for user, url in (
        (p.enterprise_user, f"/portal/tickets/{ticket.id}"),
        (p.enterprise_user, "/portal/tickets"),
        (p.desk_user, f"/tickets/{ticket.id}"),
        (p.desk_user, "/tickets"),
        (p.enterprise_user, "/notifications"),
    ):
        await sign_in(client, db, s, user)
        page = await client.get(url)
        assert page.status_code == 200
        assert "<script>alert" not in page.text, url
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page.text, url
    await sign_in(client, db, s, p.desk_user)
    api = (await client.get(f"/api/v1/tickets/{ticket.id}")).json()
    assert api["subject"] == evil  # the API returns the text as entered (JSON is not HTML)
