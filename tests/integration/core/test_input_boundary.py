"""Bad input is refused at the boundary, once for every route (issue 12): integers no column can
hold, NUL bytes, dates outside the business range, JSON nested too deep or too big, and
text-direction controls. Each answers a 4xx naming the field, never a 500, and changes nothing."""

from __future__ import annotations

import secrets

import pytest
import sqlalchemy as sa

from parkops.billing.models import Payment
from parkops.enterprises.models import Enterprise
from tests.integration.enterprises.factories import create_enterprise
from tests.support import PASSWORD, create_user, post_form

HUGE = 9223372036854775808  # 2**63: beyond bigint


def _field_errors(response) -> dict[str, str]:
    return {e["field"]: e["message"] for e in response.json().get("errors", [])}


async def _count(db, model) -> int:
    return await db.scalar(sa.select(sa.func.count()).select_from(model)) or 0


async def _get_as_admin(client, login, path: str):
    await login("park_admin")
    return await client.get(path)


def _payment(enterprise_id: int, **fields) -> dict:
    return {
        "enterprise_id": enterprise_id,
        "amount_fen": 100,
        "method": "bank_transfer",
        "received_on": "2026-03-01",
        "idempotency_key": secrets.token_urlsafe(12),
        **fields,
    }


@pytest.fixture(autouse=True)
def _english(client):
    client.cookies.set("parkops_lang", "en")


# --- integers out of range ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/tickets/99999999999",
        "/api/v1/units/4611686018427387903",
        "/api/v1/billing/bills/-19230418796020862976",
        "/api/v1/billing/enterprises/7773279246161/balance",
        "/api/v1/tickets/1/attachments/999999999999",
    ],
)
async def test_ids_that_cannot_exist_are_not_found(client, login, path):
    response = await _get_as_admin(client, login, path)
    assert response.status_code == 404, response.text
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_pages_with_ids_that_cannot_exist_are_not_found(client, login):
    await login("park_admin")
    response = await client.get("/units/99999999999")
    assert response.status_code == 404
    assert "text/html" in response.headers["content-type"]


@pytest.mark.parametrize(
    "query",
    [
        "page=4611686018427387904",
        "page=11194848189730291712",
        "enterprise_id=60516986670",
    ],
)
async def test_query_integers_out_of_range_are_refused(client, login, query):
    await login("park_admin")
    response = await client.get(f"/api/v1/leases/contracts?{query}")
    assert response.status_code in (400, 422), response.text
    field = query.partition("=")[0]
    assert field in _field_errors(response)


async def test_body_integers_out_of_range_and_booleans_are_not_money(client, db, login):
    await login("finance")
    enterprise = await create_enterprise(db)
    before = await _count(db, Payment)
    for field, value in [
        ("amount_fen", HUGE),
        ("amount_fen", True),
        ("enterprise_id", 5574603467592),
        ("enterprise_id", HUGE),
    ]:
        payment = {**_payment(enterprise.id), field: value}
        response = await client.post("/api/v1/billing/payments", json=payment)
        assert response.status_code in (400, 422), (field, value, response.text)
        assert field in _field_errors(response), (field, value, response.text)
    assert await _count(db, Payment) == before


async def test_page_forms_with_numbers_beyond_bigint_are_field_errors(client, db, login):
    await login("park_admin")
    before = await _count(db, Enterprise)
    response = await post_form(client, "/enterprises/new", {"name": "x", "park_id": "9" * 40})
    assert response.status_code == 422
    assert "park_id" in response.text
    assert await _count(db, Enterprise) == before


# --- NUL bytes ---------------------------------------------------------------------------------


async def test_nul_in_a_json_field_is_a_field_error(client, db, login):
    await login("park_admin")
    before = await _count(db, Enterprise)
    response = await client.post("/api/v1/enterprises", json={"name": "Acme\u0000Ltd"})
    assert response.status_code == 422, response.text
    assert "name" in _field_errors(response)
    assert await _count(db, Enterprise) == before


async def test_nul_in_a_query_is_a_field_error(client, login):
    await login("park_admin")
    response = await client.get("/api/v1/enterprises?q=a%00b")
    assert response.status_code == 422, response.text
    assert "q" in _field_errors(response)
    page = await client.get("/enterprises?q=a%00b")
    assert page.status_code == 422 and "q" in page.text


async def test_nul_in_the_sign_in_form_is_refused_before_anything_else(client, db):
    user = await create_user(db, "park_admin")
    response = await post_form(
        client, "/login", {"username": user.username + "\x00", "password": PASSWORD}
    )
    assert response.status_code == 422
    assert "username" in response.text
    assert "parkops_session" not in response.headers.get("set-cookie", "")


# --- dates outside the business range ----------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/audit?since=0001-01-01",
        "/api/v1/leases/contracts?expiring_within=1000000000",
        "/api/v1/tickets/statistics?to_month=9999-12",
    ],
)
async def test_dates_outside_the_business_range_are_refused(client, login, path):
    response = await _get_as_admin(client, login, path)
    assert 400 <= response.status_code < 500 and response.status_code != 404, response.text


@pytest.mark.parametrize("received_on", ["0001-01-01", "1900-06-30", "9999-12-31"])
async def test_payments_received_outside_the_business_range_are_refused(
    client, db, login, received_on
):
    await login("finance")
    enterprise = await create_enterprise(db)
    payment = _payment(enterprise.id, received_on=received_on)
    response = await client.post("/api/v1/billing/payments", json=payment)
    assert response.status_code == 422, response.text
    assert "received_on" in _field_errors(response)


# --- JSON shape --------------------------------------------------------------------------------


async def test_deeply_nested_json_is_a_400(client, login):
    await login("park_admin")
    response = await client.post(
        "/api/v1/units", content=b"[" * 100_000, headers={"content-type": "application/json"}
    )
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_oversized_json_is_a_413(client, login):
    await login("park_admin")
    body = b'{"name": "' + b"x" * (2 * 1024 * 1024) + b'"}'
    response = await client.post(
        "/api/v1/enterprises", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 413, response.text


# --- text direction controls -------------------------------------------------------------------


async def test_text_direction_controls_are_refused_in_names(client, db, login):
    await login("park_admin")
    before = await _count(db, Enterprise)
    response = await client.post("/api/v1/enterprises", json={"name": "Acme \u202egnp.exe"})
    assert response.status_code == 422, response.text
    assert "name" in _field_errors(response)
    assert await _count(db, Enterprise) == before
