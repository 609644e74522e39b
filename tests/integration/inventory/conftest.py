"""Fixtures of the inventory tests: clients signed in with a given role, English messages."""

from __future__ import annotations

import pytest

from parkops.accounts import service as accounts
from tests.support import create_user, sign_in


@pytest.fixture(autouse=True)
def _english(request):
    if "client" in request.fixturenames:
        request.getfixturevalue("client").cookies.set("parkops_lang", "en")


@pytest.fixture
def as_role(client, db, test_settings):
    """``await as_role("leasing")``: the client now acts as a new user with that role (browser
    session plus CSRF for pages; a Bearer token header for the API)."""

    async def switch(role: str):
        user = await create_user(db, role)
        await sign_in(client, db, test_settings, user)
        identity = await accounts.get_identity(db, user.id)
        _token, plaintext = await accounts.create_api_token(db, identity, "tests")
        client.headers["authorization"] = f"Bearer {plaintext}"
        return user

    return switch
