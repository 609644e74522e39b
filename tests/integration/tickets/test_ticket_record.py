"""The ticket handling record (办理情况表): generated through the document service with the
ticket's details, deadlines and whole timeline; the desk and the lead department may make and
download it, nobody else."""

from __future__ import annotations

import subprocess

import sqlalchemy as sa

from parkops.documents.models import Document
from parkops.tickets.services import actions, notes, supervision
from tests.integration.tickets.factories import at, dispatched, people
from tests.support import create_user, post_form, sign_in


def pdf_text(data: bytes) -> str:
    assert data.startswith(b"%PDF-")
    result = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True
    )
    return result.stdout.decode("utf-8")


def squash(text: str) -> str:
    return "".join(text.split())


async def _ticket(db, s):
    p = await people(db)
    ticket = await dispatched(
        db,
        s,
        p,
        now=at(2026, 3, 2, 10),
        subject="网店销售假冒羽绒服",
        description="某网店仿冒我司商标",
    )
    await notes.add_note(db, s, p.co, ticket.id, "经侦大队已立案调查", now=at(2026, 3, 4, 9))
    # Not started by Friday: the first-reply deadline (Thu 5 March) passed and was chased.
    await supervision.run_sweep(db, s, now=at(2026, 3, 6, 10))
    await actions.perform(db, s, p.lead, ticket.id, "start", now=at(2026, 3, 6, 11))
    await actions.perform(
        db, s, p.lead, ticket.id, "reply", {"note": "已责令下架并立案处罚"}, now=at(2026, 3, 9, 15)
    )
    return p, ticket


async def _documents(db, ticket_id):
    rows = await db.execute(
        sa.select(Document).where(Document.entity == "ticket", Document.entity_id == ticket_id)
    )
    return list(rows.scalars())


async def test_desk_generates_the_record_with_the_timeline(client, db, test_settings):
    p, ticket = await _ticket(db, test_settings)
    await sign_in(client, db, test_settings, p.desk_user)

    r = await post_form(client, f"/tickets/{ticket.id}/record")
    assert r.status_code == 303 and r.headers["location"].startswith("/documents/")
    [document] = await _documents(db, ticket.id)
    assert document.kind == "ticket_record" and document.enterprise_id is None
    assert r.headers["location"] == f"/documents/{document.id}"

    pdf = await client.get(r.headers["location"])
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    text = squash(pdf_text(pdf.content))
    for expected in (
        "企业维权诉求办理情况表",
        ticket.number,
        "网店销售假冒羽绒服",
        "某网店仿冒我司商标",
        "市场监督管理局",  # lead
        "公安局经济犯罪侦查大队",  # co-handling
        "提交诉求",
        "受理",
        "派单",
        "督办",
        "首次响应时限（2026-03-0517:30）已超期",
        "签收办理",
        "经侦大队已立案调查",  # the internal note: the record is for the files
        "答复企业",
        "已责令下架并立案处罚",
        "超时",  # first response met late
        "按时",  # acceptance on time
    ):
        assert squash(expected) in text, expected
    assert "TICKETHANDLINGRECORD" not in text  # Chinese only unless asked


async def test_bilingual_record_through_the_api(client, db, test_settings):
    p, ticket = await _ticket(db, test_settings)
    await sign_in(client, db, test_settings, p.desk_user)
    from tests.support import csrf

    r = await client.post(
        f"/api/v1/tickets/{ticket.id}/record?language=zh_en",
        headers={"x-csrf-token": csrf(client)},
    )
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["language"] == "zh_en"
    pdf = await client.get(body["file_url"])
    text = squash(pdf_text(pdf.content))
    assert "TICKETHANDLINGRECORD" in text and "Handlingstarted" in text


async def test_lead_department_may_generate_and_download(client, db, test_settings):
    p, ticket = await _ticket(db, test_settings)
    await sign_in(client, db, test_settings, p.lead_user)
    r = await post_form(client, f"/tickets/{ticket.id}/record")
    assert r.status_code == 303
    assert (await client.get(r.headers["location"])).status_code == 200


async def test_others_may_neither_generate_nor_download(client, db, test_settings):
    p, ticket = await _ticket(db, test_settings)
    await sign_in(client, db, test_settings, p.desk_user)
    made = await post_form(client, f"/tickets/{ticket.id}/record")
    download = made.headers["location"]
    before = len(await _documents(db, ticket.id))

    # The co-handling department sees the ticket but keeps no record of it.
    await sign_in(client, db, test_settings, p.co_user)
    assert (await post_form(client, f"/tickets/{ticket.id}/record")).status_code == 403
    assert (await client.get(download)).status_code == 404
    # Another department's officer: the ticket does not exist for them.
    tax = await create_user(db, "gov_officer", department_id=3)
    await sign_in(client, db, test_settings, tax)
    assert (await post_form(client, f"/tickets/{ticket.id}/record")).status_code == 404
    assert (await client.get(download)).status_code == 404
    # The enterprise: not its document (internal notes), not its route.
    await sign_in(client, db, test_settings, p.enterprise_user)
    assert (await post_form(client, f"/tickets/{ticket.id}/record")).status_code == 403
    assert (await client.get(download)).status_code == 404
    assert len(await _documents(db, ticket.id)) == before
