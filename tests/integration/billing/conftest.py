"""The billing tests read English messages (shared fixtures such as `login` and
`live_server` are in tests/conftest.py)."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _english(request):
    if "client" in request.fixturenames:
        request.getfixturevalue("client").cookies.set("parkops_lang", "en")
