"""Long timelines come in pages (issue 13 defect 8: a note on a ticket with 1,897 events answered
435 KB of history): a ticket with hundreds of events answers a note with the note and an action
with the ticket and its new event, and its pages and API detail show the latest events with links
to earlier ones, in a bounded size and a number of statements that does not grow with the
history."""

from __future__ import annotations

from parkops.tickets.services import notes, reading
from parkops.tickets.services.reading import TIMELINE_PAGE_SIZE
from tests.integration.tickets.factories import dispatched, event_count, people
from tests.support import csrf, sign_in, statements_sent

NOTES = TIMELINE_PAGE_SIZE + 30


async def _add_notes(db, settings, p, ticket, first: int, count: int) -> None:
    for i in range(first, first + count):
        await notes.add_note(db, settings, p.desk, ticket.id, f"remark {i:03d}")


async def _long_ticket(db, settings, p):
    ticket = await dispatched(db, settings, p)
    await _add_notes(db, settings, p, ticket, 0, NOTES)
    return ticket


async def _post_on_long(client, db, settings, as_user: str, path: str, payload: dict):
    """POST ``payload`` to ``/api/v1/tickets/{id}/{path}`` of a long ticket as ``as_user``."""
    p = await people(db)
    ticket = await _long_ticket(db, settings, p)
    await sign_in(client, db, settings, getattr(p, as_user))
    headers = {"x-csrf-token": csrf(client)}
    r = await client.post(f"/api/v1/tickets/{ticket.id}/{path}", json=payload, headers=headers)
    return ticket, r


async def test_a_note_through_the_api_returns_the_note_not_the_history(client, db, test_settings):
    payload = {"note": "the newest remark"}
    _, r = await _post_on_long(client, db, test_settings, "desk_user", "notes", payload)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["action"] == "note" and body["note"] == "the newest remark" and body["id"]
    assert "events" not in body and "remark 000" not in r.text and len(r.content) < 2000


async def test_an_action_returns_the_ticket_and_its_new_event(client, db, test_settings):
    payload = {"action": "start"}
    ticket, r = await _post_on_long(client, db, test_settings, "lead_user", "actions", payload)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["status"] == "in_progress" and body["id"] == ticket.id
    assert body["event"]["action"] == "start" and body["event"]["to_status"] == "in_progress"
    assert "events" not in body and "remark" not in r.text and len(r.content) < 4000


async def test_the_api_detail_and_the_events_endpoint_page_the_timeline(client, db, test_settings):
    p = await people(db)
    ticket = await _long_ticket(db, test_settings, p)
    total = await event_count(db, ticket.id)
    await sign_in(client, db, test_settings, p.desk_user)
    detail = (await client.get(f"/api/v1/tickets/{ticket.id}")).json()
    assert len(detail["events"]) == TIMELINE_PAGE_SIZE
    assert detail["events_total"] == total and detail["events_pages"] == 2
    # The latest page, oldest first within it: it ends with the newest note.
    assert detail["events"][-1]["note"] == f"remark {NOTES - 1:03d}"
    older = (await client.get(f"/api/v1/tickets/{ticket.id}/events?page=2")).json()
    assert older["total"] == total and older["page"] == 2 and older["pages"] == 2
    assert older["items"][0]["action"] == "file"
    assert len(older["items"]) == total - TIMELINE_PAGE_SIZE
    seen = {e["id"] for e in detail["events"]} | {e["id"] for e in older["items"]}
    assert len(seen) == total
    small = (await client.get(f"/api/v1/tickets/{ticket.id}/events?page=3&page_size=10")).json()
    assert [e["note"] for e in small["items"]][-1] == f"remark {NOTES - 21:03d}"
    bad = await client.get(f"/api/v1/tickets/{ticket.id}/events?page=x")
    assert bad.status_code == 400


async def test_the_enterprise_pages_count_only_what_it_sees(client, db, test_settings):
    p = await people(db)
    ticket = await _long_ticket(db, test_settings, p)
    await sign_in(client, db, test_settings, p.enterprise_user)
    detail = (await client.get(f"/api/v1/tickets/{ticket.id}")).json()
    # The desk's notes are internal and changed nothing: not the enterprise's business, not counted.
    assert detail["events_pages"] == 1 and detail["events_total"] == len(detail["events"])
    assert all(e["action"] != "note" for e in detail["events"])
    page = await client.get(f"/portal/tickets/{ticket.id}")
    assert page.status_code == 200 and "remark" not in page.text and "events_page=" not in page.text


async def test_the_ticket_pages_show_the_latest_events_and_link_to_earlier(
    client, db, test_settings
):
    p = await people(db)
    ticket = await _long_ticket(db, test_settings, p)
    for lang, earlier in (("en", "Earlier events"), ("zh", "更早的记录")):
        client.cookies.set("parkops_lang", lang)
        await sign_in(client, db, test_settings, p.desk_user)
        page = await client.get(f"/tickets/{ticket.id}")
        assert page.status_code == 200
        assert f"remark {NOTES - 1:03d}" in page.text and "remark 000" not in page.text
        assert f'href="/tickets/{ticket.id}?events_page=2#timeline"' in page.text
        assert earlier in page.text
    earlier_page = await client.get(f"/tickets/{ticket.id}?events_page=2")
    assert "remark 000" in earlier_page.text and f"remark {NOTES - 1:03d}" not in earlier_page.text
    assert f'href="/tickets/{ticket.id}?events_page=1#timeline"' in earlier_page.text
    for odd in ("0", "-3", "99"):
        assert (await client.get(f"/tickets/{ticket.id}?events_page={odd}")).status_code == 200


async def _measure(client, db, url: str) -> tuple[int, int]:
    async with statements_sent(db) as sent:
        r = await client.get(url)
    assert r.status_code == 200, r.text[:300]
    return len(r.content), len(sent)


async def test_size_and_statements_do_not_grow_with_the_history(client, db, test_settings):
    p = await people(db)
    ticket = await _long_ticket(db, test_settings, p)
    await sign_in(client, db, test_settings, p.desk_user)
    urls = (f"/api/v1/tickets/{ticket.id}", f"/tickets/{ticket.id}")
    for url in urls:
        await client.get(url)  # warms caches filled on first use
    before = {url: await _measure(client, db, url) for url in urls}
    await _add_notes(db, test_settings, p, ticket, NOTES, 3 * TIMELINE_PAGE_SIZE)
    after = {url: await _measure(client, db, url) for url in urls}
    for url in urls:
        (size, count), (size_after, count_after) = before[url], after[url]
        assert count_after == count, (url, count, count_after)
        assert size_after <= size * 1.05, (url, size, size_after)  # 3x the history, same page


async def test_the_handling_record_still_has_the_whole_timeline(db, test_settings):
    p = await people(db)
    ticket = await _long_ticket(db, test_settings, p)
    view = await reading.ticket_view(db, p.desk, ticket.id, events_page=None)
    assert len(view["timeline"]) == await event_count(db, ticket.id)
    assert sum(1 for e in view["timeline"] if (e["note"] or "").startswith("remark")) == NOTES


async def test_openapi_documents_the_pages_and_the_small_answers(client):
    spec = (await client.get("/schema/openapi.json")).json()
    paths = spec["paths"]
    events = paths["/api/v1/tickets/{ticket_id}/events"]["get"]
    assert {"page", "page_size"} <= {p["name"] for p in events["parameters"]}

    def answer(path: str, method: str, status: str) -> str:
        content = paths[path][method]["responses"][status]["content"]["application/json"]
        return content["schema"]["$ref"].rsplit("/", 1)[-1]

    assert answer("/api/v1/tickets/{ticket_id}/notes", "post", "201").endswith("EventOut")
    assert answer("/api/v1/tickets/{ticket_id}/actions", "post", "200").endswith("ActionResult")
    detail = answer("/api/v1/tickets/{ticket_id}", "get", "200")
    props = spec["components"]["schemas"][detail]["properties"]
    assert {"events", "events_total", "events_pages"} <= set(props)
    assert "/events?page=2" in props["events"]["description"]
