"""Signing in and out, sessions, throttling, CSRF, API tokens."""

from __future__ import annotations

import sqlalchemy as sa

from parkops.accounts.models import ApiToken, User, UserSession
from parkops.core.audit import AuditEntry
from parkops.core.web import SESSION_COOKIE
from tests.support import PASSWORD, create_user, csrf, make_client, post_form, sign_in


async def login(client, username, password=PASSWORD, **kw):
    return await post_form(client, "/login", {"username": username, "password": password}, **kw)


async def test_anonymous_is_sent_to_login(client):
    response = await client.get("/admin/users", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/admin/users"


async def test_login_page_and_successful_login(client, db):
    user = await create_user(db, "leasing", username="li.lei")
    page = await client.get("/login")
    assert page.status_code == 200 and 'name="_csrf_token"' in page.text
    response = await login(client, "LI.LEI")  # usernames are case-insensitive
    assert response.status_code == 303 and response.headers["location"] == "/"
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie
    home = await client.get("/")
    assert home.status_code == 200 and "Test User" in home.text
    logged = await db.scalar(
        sa.select(sa.func.count())
        .select_from(AuditEntry)
        .where(AuditEntry.action == "login", AuditEntry.actor_id == user.id)
    )
    assert logged == 1


async def test_session_cookie_is_secure_over_https(app):
    async with make_client(app, "https://parkops.example") as tls:
        page = await tls.get("/login")
        assert "Secure" in page.headers["set-cookie"]


async def test_wrong_password_is_refused_without_saying_which(client, db):
    client.cookies.set("parkops_lang", "en")  # the messages below are compared in English
    await create_user(db, "finance", username="wang.fang")
    wrong = await login(client, "wang.fang", "nope-nope-nope")
    unknown = await login(client, "nobody.here", "nope-nope-nope")
    assert wrong.status_code == unknown.status_code == 422
    assert (
        "Wrong username or password" in wrong.text and "Wrong username or password" in unknown.text
    )
    assert SESSION_COOKIE not in client.cookies


async def test_login_next_only_goes_to_local_paths(client, db):
    await create_user(db, "finance", username="zhao.min")
    response = await post_form(
        client,
        "/login",
        {"username": "zhao.min", "password": PASSWORD, "next": "https://evil.example/"},
    )
    assert response.headers["location"] == "/"
    response = await post_form(
        client, "/login", {"username": "zhao.min", "password": PASSWORD, "next": "/account"}
    )
    assert response.headers["location"] == "/account"


async def test_throttle_per_account(client, db):
    await create_user(db, "finance", username="victim")
    for _ in range(5):
        assert (await login(client, "victim", "wrong-password-x")).status_code == 422
    blocked = await login(client, "victim")  # even the right password, for the rest of the window
    assert blocked.status_code == 429
    assert 800 < int(blocked.headers["retry-after"]) <= 901
    assert SESSION_COOKIE not in client.cookies


async def test_throttle_per_ip(client, db):
    await create_user(db, "finance", username="bystander")
    for i in range(5):
        await login(client, f"guess{i}", "wrong-password-x")
    assert (await login(client, "bystander")).status_code == 429


async def test_old_failures_do_not_count(client, db):
    from datetime import timedelta

    from parkops.accounts.models import LoginAttempt
    from parkops.db.base import utcnow

    await create_user(db, "finance", username="patient")
    for _ in range(5):
        db.add(
            LoginAttempt(
                username="patient",
                ip="10.9.9.9",
                success=False,
                at=utcnow() - timedelta(minutes=16),
            )
        )
    await db.flush()
    assert (await login(client, "patient")).status_code == 303


async def test_csrf_token_required_on_forms(client, db, test_settings):
    admin = await create_user(db, "park_admin")
    await sign_in(client, db, test_settings, admin)
    data = {
        "username": "new.person",
        "display_name": "New",
        "password": "long-enough-pw",
        "roles": "leasing",
    }
    refused = await post_form(client, "/admin/users/new", data, with_csrf=False)
    assert refused.status_code == 403
    wrong = await client.post("/admin/users/new", data={**data, "_csrf_token": "forged"})
    assert wrong.status_code == 403
    # A tossed cookie with a matching form value but no valid signature is refused too.
    client.cookies.set("parkops_csrf", "tossed.value")
    tossed = await client.post("/admin/users/new", data={**data, "_csrf_token": "tossed.value"})
    assert tossed.status_code == 403
    client.cookies.delete("parkops_csrf")
    assert await db.scalar(sa.select(sa.func.count()).where(User.username == "new.person")) == 0
    accepted = await post_form(client, "/admin/users/new", data)
    assert accepted.status_code == 303
    assert await db.scalar(sa.select(sa.func.count()).where(User.username == "new.person")) == 1


async def test_login_form_also_needs_csrf(client, db):
    await create_user(db, "finance", username="csrf.login")
    response = await login(client, "csrf.login", with_csrf=False)
    assert response.status_code == 403
    assert SESSION_COOKIE not in client.cookies


async def test_logout_revokes_the_session(client, db, test_settings):
    user = await create_user(db, "leasing")
    cookie = await sign_in(client, db, test_settings, user)
    assert (await client.get("/", follow_redirects=False)).status_code == 200
    assert (await post_form(client, "/logout")).status_code == 303
    client.cookies.set(SESSION_COOKIE, cookie)  # a copied cookie replayed after logout
    assert (await client.get("/", follow_redirects=False)).status_code == 303


async def test_password_change_revokes_other_sessions(client, db, test_settings, app):
    client.cookies.set("parkops_lang", "en")  # the messages below are compared in English
    user = await create_user(db, "leasing")
    await sign_in(client, db, test_settings, user)
    async with make_client(app) as other:
        await sign_in(other, db, test_settings, user)
        assert (await other.get("/", follow_redirects=False)).status_code == 200
        bad = await post_form(
            client,
            "/account/password",
            {
                "current_password": "wrong-one-xx",
                "new_password": "a-new-secret-1",
                "confirm_password": "a-new-secret-1",
            },
        )
        assert bad.status_code == 422 and "The current password is wrong" in bad.text
        assert (await other.get("/", follow_redirects=False)).status_code == 200
        ok = await post_form(
            client,
            "/account/password",
            {
                "current_password": PASSWORD,
                "new_password": "a-new-secret-1",
                "confirm_password": "a-new-secret-1",
            },
        )
        assert ok.status_code == 303
        assert (await other.get("/", follow_redirects=False)).status_code == 303
        assert (await client.get("/", follow_redirects=False)).status_code == 200


async def test_disabled_user_loses_access(client, db, test_settings, app):
    admin = await create_user(db, "park_admin")
    target = await create_user(db, "finance", username="leaver")
    await sign_in(client, db, test_settings, admin)
    async with make_client(app) as theirs:
        await sign_in(theirs, db, test_settings, target)
        assert (await post_form(client, f"/admin/users/{target.id}/disable")).status_code == 303
        assert (await theirs.get("/", follow_redirects=False)).status_code == 303
    live = await db.scalar(
        sa.select(sa.func.count())
        .select_from(UserSession)
        .where(UserSession.user_id == target.id, UserSession.revoked_at.is_(None))
    )
    assert live == 0
    assert (await login(client, "leaver")).status_code == 422


async def test_api_tokens(client, db, test_settings):
    user = await create_user(db, "finance")
    await sign_in(client, db, test_settings, user)
    created = await client.post(
        "/api/v1/tokens", json={"name": "erp"}, headers={"x-csrf-token": csrf(client)}
    )
    assert created.status_code == 201, created.text
    token = created.json()["token"]
    stored = (
        await db.execute(sa.select(ApiToken).where(ApiToken.id == created.json()["id"]))
    ).scalar_one()
    assert token not in stored.token_hash and len(stored.token_hash) == 64

    client.cookies.clear()
    bearer = {"authorization": f"Bearer {token}"}
    me = await client.get("/api/v1/me", headers=bearer)
    assert me.status_code == 200 and me.json()["id"] == user.id
    # Bearer calls need no CSRF token: browsers never attach the header by themselves.
    other = await client.post("/api/v1/tokens", json={"name": "second"}, headers=bearer)
    assert other.status_code == 201
    assert (await client.delete(f"/api/v1/tokens/{stored.id}", headers=bearer)).status_code == 204
    assert (await client.get("/api/v1/me", headers=bearer)).status_code == 401
    assert (
        await client.get("/api/v1/me", headers={"authorization": "Bearer pko_forged"})
    ).status_code == 401


async def test_someone_elses_token_is_not_found(client, db, test_settings):
    owner = await create_user(db, "finance")
    from parkops.accounts import service

    token, _ = await service.create_api_token(db, await service.get_identity(db, owner.id), "mine")
    intruder = await create_user(db, "finance")
    await sign_in(client, db, test_settings, intruder)
    response = await client.delete(
        f"/api/v1/tokens/{token.id}", headers={"x-csrf-token": csrf(client)}
    )
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    await db.refresh(token)
    assert token.revoked_at is None


async def test_api_errors_are_problem_json(client, db, test_settings):
    admin = await create_user(db, "park_admin")
    await sign_in(client, db, test_settings, admin)
    headers = {"x-csrf-token": csrf(client)}
    bad = await client.post("/api/v1/users", json={"username": "x"}, headers=headers)
    assert bad.status_code == 400
    assert bad.headers["content-type"].startswith("application/problem+json")
    invalid = await client.post(
        "/api/v1/users",
        headers=headers,
        json={"username": "ok.name", "display_name": "N", "password": "short", "roles": ["wizard"]},
    )
    assert invalid.status_code == 422
    fields = {e["field"] for e in invalid.json()["errors"]}
    assert fields == {"password", "roles"}
    assert await db.scalar(sa.select(sa.func.count()).where(User.username == "ok.name")) == 0


async def test_security_headers_everywhere(client):
    for path in ("/login", "/does-not-exist", "/api/v1/me"):
        response = await client.get(path, follow_redirects=False)
        csp = response.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "same-origin"


async def test_language_switch(client):
    zh = await client.get("/login")
    assert "登录" in zh.text
    await post_form(client, "/language", {"lang": "en", "next": "/login"})
    en = await client.get("/login")
    assert "Sign in" in en.text and "登录" not in en.text.split("<main")[1]


async def test_health_and_readiness(client, db):
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    ready = await client.get("/readyz")
    assert ready.status_code == 200
    await db.execute(sa.text("UPDATE alembic_version SET version_num = 'behind'"))
    assert (await client.get("/readyz")).status_code == 503


async def test_openapi_and_reference_page(client):
    spec = await client.get("/schema/openapi.json")
    assert spec.status_code == 200
    assert "/api/v1/users" in spec.json()["paths"]
    page = await client.get("/schema")
    assert page.status_code == 200 and "/api/v1/tokens" in page.text and "<script" not in page.text


async def test_request_id_reaches_response_and_audit_log(client, db):
    await create_user(db, "finance", username="traced")
    response = await post_form(
        client,
        "/login",
        {"username": "traced", "password": PASSWORD},
        headers={"x-request-id": "trace-0001-abcd"},
    )
    assert response.headers["x-request-id"] == "trace-0001-abcd"
    entry = (
        (
            await db.execute(
                sa.select(AuditEntry)
                .where(AuditEntry.action == "login")
                .order_by(AuditEntry.id.desc())
            )
        )
        .scalars()
        .first()
    )
    assert entry.request_id == "trace-0001-abcd"
    other = await client.get("/login")
    assert len(other.headers["x-request-id"]) == 32  # generated when none is sent
