"""The CSRF token is bound to the session it was issued for, and rotates when the session
changes (issue 12): a token taken from an anonymous page does not work with anybody's session."""

from __future__ import annotations

import re

import sqlalchemy as sa

from parkops.accounts.models import User
from parkops.core.web import CSRF_COOKIE, SESSION_COOKIE
from tests.support import PASSWORD, create_user, make_client, post_form, sign_in

NEW_USER = {
    "username": "csrf.victim.made",
    "display_name": "New",
    "password": "long-enough-pw",
    "roles": "leasing",
}


def _form_token(html: str) -> str:
    match = re.search(r'name="_csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF field on the page"
    return match.group(1)


async def _users_named(db, username: str) -> int:
    return await db.scalar(sa.select(sa.func.count()).where(User.username == username)) or 0


async def test_a_token_from_an_anonymous_page_does_not_work_with_a_victims_session(
    app, db, test_settings
):
    async with make_client(app) as attacker:
        anonymous_token = _form_token((await attacker.get("/login")).text)
    admin = await create_user(db, "park_admin")
    async with make_client(app) as victim:
        await sign_in(victim, db, test_settings, admin)
        victim.cookies.set(CSRF_COOKIE, anonymous_token)  # tossed, or left from before
        forged = await victim.post(
            "/admin/users/new", data={**NEW_USER, "_csrf_token": anonymous_token}
        )
        assert forged.status_code == 403
        assert await _users_named(db, NEW_USER["username"]) == 0
        # the token the victim's own page carries works
        token = _form_token((await victim.get("/admin/users/new")).text)
        made = await victim.post("/admin/users/new", data={**NEW_USER, "_csrf_token": token})
        assert made.status_code == 303
        assert await _users_named(db, NEW_USER["username"]) == 1


async def test_the_token_rotates_at_sign_in_and_sign_out(client, db):
    user = await create_user(db, "park_admin")
    before = _form_token((await client.get("/login")).text)
    signed_in = await client.post(
        "/login",
        data={"username": user.username, "password": PASSWORD, "_csrf_token": before},
    )
    assert signed_in.status_code == 303 and client.cookies.get(SESSION_COOKIE)
    after = client.cookies.get(CSRF_COOKIE)
    assert after and after != before
    stale = await client.post("/admin/users/new", data={**NEW_USER, "_csrf_token": before})
    assert stale.status_code == 403
    assert _form_token((await client.get("/admin/users/new")).text) == after

    signed_out = await post_form(client, "/logout")
    assert signed_out.status_code == 303
    assert client.cookies.get(CSRF_COOKIE) not in (None, after)
    assert _form_token((await client.get("/login")).text) != after
