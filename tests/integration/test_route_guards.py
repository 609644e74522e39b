"""Every route of the app against every role, generated from the app's own route list.

A new route is covered the moment it is registered: if it declares no access (``public`` or
``roles`` in its opt) the first test fails; otherwise the table below checks that anonymous users
are sent to sign in, roles outside the declaration get 403, and roles inside get through.
"""

from __future__ import annotations

import re

import pytest
from litestar.routes import HTTPRoute

from parkops.accounts.auth import route_access
from parkops.accounts.roles import Role
from tests.support import create_user, csrf, sign_in

PARAM = re.compile(r"\{(\w+):(\w+)\}")
SAMPLE = {
    "int": "987654",
    "str": "zz",
    "path": "/nothing-here",
    "uuid": "00000000-0000-0000-0000-000000000000",
}


def _routes(app):
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for handler in route.route_handlers:
            for method in sorted(handler.http_methods):
                if method in {"HEAD", "OPTIONS"}:
                    continue
                path = PARAM.sub(lambda m: SAMPLE[m.group(2)], route.path)
                yield method, path, handler


def test_every_route_declares_its_access(app):
    undeclared = [
        f"{m} {p}" for m, p, h in _routes(app) if not route_access(h)[0] and not route_access(h)[1]
    ]
    assert undeclared == []


def test_route_table_is_not_empty(app):
    assert len(list(_routes(app))) >= 25


async def _call(client, method, path):
    headers = {"x-csrf-token": csrf(client)}
    if method == "GET":
        return await client.get(path, follow_redirects=False)
    if path.startswith("/api/"):
        return await client.request(method, path, json={}, headers=headers, follow_redirects=False)
    return await client.request(
        method, path, data={"_csrf_token": csrf(client)}, follow_redirects=False
    )


async def test_anonymous_users_are_sent_to_sign_in(app, client):
    checked = 0
    for method, path, handler in _routes(app):
        public, _roles = route_access(handler)
        if public:
            continue
        response = await _call(client, method, path)
        if path.startswith("/api/"):
            assert response.status_code == 401, (method, path, response.status_code)
        else:
            assert response.status_code == 303, (method, path, response.status_code)
            assert response.headers["location"].startswith("/login?next="), (method, path)
        checked += 1
    assert checked > 10


@pytest.mark.parametrize("role", list(Role))
async def test_roles_get_exactly_what_routes_declare(app, client, db, test_settings, role):
    user = await create_user(db, role.value)
    denied, allowed = [], []
    for method, path, handler in _routes(app):
        public, roles = route_access(handler)
        if public or path in ("/logout",):
            continue
        await sign_in(client, db, test_settings, user)
        response = await _call(client, method, path)
        refused = response.status_code in (401, 403) or (
            response.status_code in (302, 303) and "/login" in response.headers.get("location", "")
        )
        if role in roles:
            assert not refused, f"{role} should reach {method} {path}, got {response.status_code}"
            allowed.append(path)
        else:
            assert response.status_code == 403, (
                f"{role} must be refused {method} {path}, got {response.status_code}"
            )
            denied.append(path)
    assert allowed, f"{role} can reach nothing"
