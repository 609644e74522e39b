"""The ticket pages and API over HTTP: filing with attachments, actions, ratings, and every kind of
bad input answered with a clear error and nothing written."""

from __future__ import annotations

import io
import zipfile

import sqlalchemy as sa

from parkops.tickets.attachments import MAX_BYTES
from parkops.tickets.models import Notification, Ticket, TicketAttachment
from tests.integration.tickets.factories import (
    category,
    dispatched,
    event_count,
    file,
    people,
    ticket_count,
)
from tests.support import csrf, sign_in

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<</Type/Catalog>>endobj\ntrailer<<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200


def docx() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buf.getvalue()


def stored_files(settings) -> set[str]:
    folder = settings.storage_dir / "attachments"
    return {p.name for p in folder.iterdir()} if folder.exists() else set()


async def post_multipart(client, url, data, files):
    payload = {**data, "_csrf_token": csrf(client)}
    return await client.post(url, data=payload, files=files, follow_redirects=False)


async def _counts(db):
    attachments = await db.scalar(sa.select(sa.func.count()).select_from(TicketAttachment))
    return await ticket_count(db), await event_count(db), attachments


async def test_file_with_attachments_through_the_portal(client, db, test_settings):
    s = test_settings
    p = await people(db)
    client.cookies.set("parkops_lang", "en")
    await sign_in(client, db, s, p.enterprise_user)
    form = await client.get("/portal/tickets/new")
    assert form.status_code == 200 and 'enctype="multipart/form-data"' in form.text
    cat = await category(db)
    before = stored_files(s)
    r = await post_multipart(
        client,
        "/portal/tickets/new",
        {"category_id": str(cat.id), "subject": "Fake labels", "description": "See files"},
        [
            ("attachments", ("evidence.pdf", PDF, "application/pdf")),
            ("attachments", ("contract.docx", docx(), "application/octet-stream")),
        ],
    )
    assert r.status_code == 303, r.text
    ticket_id = int(r.headers["location"].rsplit("/", 1)[1])
    rows = (
        (
            await db.execute(
                sa.select(TicketAttachment)
                .where(TicketAttachment.ticket_id == ticket_id)
                .order_by(TicketAttachment.id)
            )
        )
        .scalars()
        .all()
    )
    assert [(a.original_name, a.content_type) for a in rows] == [
        ("evidence.pdf", "application/pdf"),
        (
            "contract.docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
    ]
    new_files = stored_files(s) - before
    assert new_files == {a.stored_name for a in rows}
    assert all("evidence" not in name and len(name) == 32 for name in new_files)

    page = await client.get(f"/portal/tickets/{ticket_id}")
    assert "evidence.pdf" in page.text
    download = await client.get(f"/portal/tickets/{ticket_id}/attachments/{rows[0].id}")
    assert download.status_code == 200 and download.content == PDF
    assert download.headers["content-type"].startswith("application/pdf")
    assert download.headers["content-disposition"].startswith("attachment")
    assert download.headers["x-content-type-options"] == "nosniff"


async def test_disguised_and_oversized_files_are_refused_and_nothing_is_written(
    client, db, test_settings
):
    s = test_settings
    p = await people(db)
    client.cookies.set("parkops_lang", "en")
    await sign_in(client, db, s, p.enterprise_user)
    cat = await category(db)
    fields = {"category_id": str(cat.id), "subject": "Fake labels"}
    before, files_before = await _counts(db), stored_files(s)

    r = await post_multipart(
        client,
        "/portal/tickets/new",
        fields,
        [("attachments", ("invoice.pdf", EXE, "application/pdf"))],
    )
    assert r.status_code == 422
    assert "invoice.pdf" in r.text and "a program (executable file)" in r.text

    png_as_pdf = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    r = await post_multipart(
        client,
        "/portal/tickets/new",
        fields,
        [("attachments", ("scan.pdf", png_as_pdf, "application/pdf"))],
    )
    assert r.status_code == 422 and "does not match its name" in r.text

    plain_zip = io.BytesIO()
    with zipfile.ZipFile(plain_zip, "w") as archive:
        archive.writestr("payload.js", "alert(1)")
    r = await post_multipart(
        client,
        "/portal/tickets/new",
        fields,
        [("attachments", ("report.docx", plain_zip.getvalue(), "application/octet-stream"))],
    )
    assert r.status_code == 422 and "a ZIP archive" in r.text

    big = PDF + b"0" * (MAX_BYTES + 1 - len(PDF))
    r = await post_multipart(
        client,
        "/portal/tickets/new",
        fields,
        [("attachments", ("big.pdf", big, "application/pdf"))],
    )
    assert r.status_code == 422 and "at most 10 MB" in r.text

    assert await _counts(db) == before
    assert stored_files(s) == files_before


async def test_a_file_of_exactly_10_mb_is_accepted(client, db, test_settings):
    s = test_settings
    p = await people(db)
    await sign_in(client, db, s, p.enterprise_user)
    cat = await category(db)
    exact = PDF + b"0" * (MAX_BYTES - len(PDF))
    r = await post_multipart(
        client,
        "/portal/tickets/new",
        {"category_id": str(cat.id), "subject": "Big scan"},
        [("attachments", ("scan.pdf", exact, "application/pdf"))],
    )
    assert r.status_code == 303


async def test_empty_subject_re_renders_the_form(client, db, test_settings):
    s = test_settings
    p = await people(db)
    client.cookies.set("parkops_lang", "en")
    await sign_in(client, db, s, p.enterprise_user)
    before = await _counts(db)
    r = await post_multipart(
        client,
        "/portal/tickets/new",
        {"category_id": "", "subject": "", "description": "kept"},
        [],
    )
    assert r.status_code == 422
    assert "Enter a subject" in r.text and "Choose a category" in r.text
    assert ">kept</textarea>" in r.text
    assert await _counts(db) == before


async def test_the_loop_through_the_pages(client, db, test_settings):
    s = test_settings
    p = await people(db)
    client.cookies.set("parkops_lang", "en")
    ticket = await file(db, s, p.enterprise)

    await sign_in(client, db, s, p.desk_user)
    page = await client.get(f"/tickets/{ticket.id}")
    assert 'data-action="accept"' in page.text and 'data-action="start"' not in page.text
    # A transition the table does not allow: refused with the workflow's message, no change.
    r = await post_multipart(client, f"/tickets/{ticket.id}/act", {"action": "start"}, [])
    assert r.status_code == 303
    follow = await client.get(r.headers["location"])
    assert "cannot be started" in follow.text
    assert (
        await post_multipart(client, f"/tickets/{ticket.id}/act", {"action": "accept"}, [])
    ).status_code == 303
    r = await post_multipart(
        client,
        f"/tickets/{ticket.id}/act",
        {"action": "dispatch", "lead_department_id": str(p.lead_department_id)},
        [],
    )
    assert r.status_code == 303
    await db.refresh(ticket)
    assert ticket.status == "dispatched" and ticket.lead_department_id == p.lead_department_id

    await sign_in(client, db, s, p.lead_user)
    queue = await client.get("/tickets")
    assert ticket.number in queue.text
    await post_multipart(client, f"/tickets/{ticket.id}/act", {"action": "start"}, [])
    r = await post_multipart(
        client, f"/tickets/{ticket.id}/act", {"action": "reply", "note": ""}, []
    )
    assert r.status_code == 422 and "The reply text is required" in r.text
    r = await post_multipart(
        client,
        f"/tickets/{ticket.id}/act",
        {"action": "reply", "note": "Seized 300 fakes."},
        [("attachments", ("record.pdf", PDF, "application/pdf"))],
    )
    assert r.status_code == 303
    await db.refresh(ticket)
    assert ticket.status == "replied"

    await sign_in(client, db, s, p.enterprise_user)
    page = await client.get(f"/portal/tickets/{ticket.id}")
    assert "Seized 300 fakes." in page.text and "record.pdf" in page.text
    assert f'action="/portal/tickets/{ticket.id}/rate"' in page.text
    before = await event_count(db, ticket.id)
    r = await post_multipart(client, f"/portal/tickets/{ticket.id}/rate", {"rating": "7"}, [])
    assert r.status_code == 422 and "Choose a rating from 1 to 5" in r.text
    assert await event_count(db, ticket.id) == before
    r = await post_multipart(
        client, f"/portal/tickets/{ticket.id}/rate", {"rating": "4", "comment": "Good"}, []
    )
    assert r.status_code == 303
    await db.refresh(ticket)
    assert ticket.status == "closed" and ticket.rating == 4

    notes = await client.get("/notifications")
    assert notes.status_code == 200 and ticket.number in notes.text
    unread = await db.scalar(
        sa.select(sa.func.count()).where(
            Notification.user_id == p.enterprise_user.id, Notification.read_at.is_(None)
        )
    )
    assert f"{unread} unread" in notes.text
    r = await post_multipart(client, "/notifications/read-all", {}, [])
    assert r.status_code == 303
    assert "0 unread" in (await client.get("/notifications")).text
    home = await client.get("/")
    assert "My tickets" in home.text and "0 unread" in home.text


async def test_api_round_trip_and_problem_details(client, db, test_settings):
    client.cookies.set("parkops_lang", "en")  # the messages below are compared in English
    s = test_settings
    p = await people(db)
    cat = await category(db)
    await sign_in(client, db, s, p.enterprise_user)
    h = {"x-csrf-token": csrf(client)}
    bad = await client.post(
        "/api/v1/tickets", json={"category_id": cat.id, "subject": " "}, headers=h
    )
    assert bad.status_code == 422
    assert bad.headers["content-type"].startswith("application/problem+json")
    assert {"field": "subject", "message": "Enter a subject"} in bad.json()["errors"]
    created = await client.post(
        "/api/v1/tickets", json={"category_id": cat.id, "subject": "Payment overdue"}, headers=h
    )
    assert created.status_code == 201
    body = created.json()
    assert body["status"] == "submitted" and body["your_role"] == "enterprise"
    assert body["available_actions"] == ["withdraw"]
    ticket_id = body["id"]

    await sign_in(client, db, s, p.desk_user)
    h = {"x-csrf-token": csrf(client)}
    r = await client.post(
        f"/api/v1/tickets/{ticket_id}/actions", json={"action": "start"}, headers=h
    )
    assert r.status_code == 409 and "cannot be started" in r.json()["detail"]
    r = await client.post(f"/api/v1/tickets/{ticket_id}/actions", json={"action": "fly"}, headers=h)
    assert r.status_code == 422
    r = await client.post(
        f"/api/v1/tickets/{ticket_id}/actions", json={"action": "accept"}, headers=h
    )
    assert r.status_code == 200 and r.json()["status"] == "accepted"
    r = await client.post(
        f"/api/v1/tickets/{ticket_id}/actions",
        json={"action": "dispatch", "lead_department_id": 999999},
        headers=h,
    )
    assert r.status_code == 422
    r = await client.post(
        f"/api/v1/tickets/{ticket_id}/actions", json={"action": "dispatch"}, headers=h
    )
    detail = r.json()
    assert detail["status"] == "dispatched"
    assert detail["lead_department_id"] == p.lead_department_id
    assert detail["co_department_ids"] == [p.co_department_id]
    assert [d["key"] for d in detail["deadlines"]] == ["accept", "first_reply", "resolve"]
    queue = (await client.get("/api/v1/tickets")).json()
    assert queue["total"] >= 1 and {"items", "page", "pages", "page_size"} <= set(queue)

    await sign_in(client, db, s, p.lead_user)
    h = {"x-csrf-token": csrf(client)}
    for payload in ({"action": "start"}, {"action": "reply", "note": "Settled"}):
        r = await client.post(f"/api/v1/tickets/{ticket_id}/actions", json=payload, headers=h)
        assert r.status_code == 200, r.text
    r = await client.post(f"/api/v1/tickets/{ticket_id}/notes", json={"note": "FYI"}, headers=h)
    assert r.status_code == 201

    await sign_in(client, db, s, p.enterprise_user)
    h = {"x-csrf-token": csrf(client)}
    own = (await client.get(f"/api/v1/tickets/{ticket_id}")).json()
    assert own["can_rate"] and all(e["action"] != "note" for e in own["events"])
    r = await client.post(f"/api/v1/tickets/{ticket_id}/rating", json={"rating": 9}, headers=h)
    assert r.status_code == 422
    r = await client.post(f"/api/v1/tickets/{ticket_id}/rating", json={"rating": 5}, headers=h)
    assert r.status_code == 200 and r.json()["status"] == "closed"
    notes = (await client.get("/api/v1/notifications")).json()
    assert notes["unread"] == notes["total"] >= 2
    first = notes["items"][0]["id"]
    r = await client.post(f"/api/v1/notifications/{first}/read", headers=h)
    assert r.status_code == 200 and r.json()["read_at"] is not None


async def test_api_attachment_upload(client, db, test_settings):
    client.cookies.set("parkops_lang", "en")  # the messages below are compared in English
    s = test_settings
    p = await people(db)
    ticket = await dispatched(db, s, p)
    await sign_in(client, db, s, p.enterprise_user)
    url = f"/api/v1/tickets/{ticket.id}/attachments"
    r = await client.post(
        url,
        data={"_csrf_token": csrf(client)},
        files=[("attachments", ("proof.pdf", PDF, "application/pdf"))],
    )
    assert r.status_code == 201 and r.json()[0]["name"] == "proof.pdf"
    r = await client.post(
        url,
        data={"_csrf_token": csrf(client)},
        files=[("attachments", ("proof.pdf", EXE, "application/pdf"))],
    )
    assert r.status_code == 422 and "program" in r.json()["errors"][0]["message"]
    r = await client.post(
        url,
        data={"_csrf_token": csrf(client)},
        files=[("attachments", ("证据 材料.pdf", PDF, "application/pdf"))],
    )
    assert r.status_code == 201
    download = await client.get(r.json()[0]["url"])
    assert download.status_code == 200 and download.content == PDF
    assert "%E8%AF%81%E6%8D%AE" in download.headers["content-disposition"]  # 证据, RFC 5987
    got = await client.get(f"/api/v1/tickets/{ticket.id}")
    names = [a["name"] for e in got.json()["events"] for a in e["attachments"]]
    assert names == ["proof.pdf", "证据 材料.pdf"]


async def test_desk_files_for_an_enterprise_through_the_page(client, db, test_settings):
    s = test_settings
    p = await people(db)
    await sign_in(client, db, s, p.desk_user)
    form = await client.get("/tickets/new")
    assert form.status_code == 200
    cat = await category(db)
    r = await post_multipart(
        client,
        "/tickets/new",
        {
            "enterprise_id": str(p.enterprise_id),
            "channel": "phone",
            "category_id": str(cat.id),
            "subject": "Called about unpaid invoices",
        },
        [],
    )
    assert r.status_code == 303
    ticket = (
        await db.execute(sa.select(Ticket).where(Ticket.subject == "Called about unpaid invoices"))
    ).scalar_one()
    assert ticket.channel == "phone" and ticket.enterprise_id == p.enterprise_id
