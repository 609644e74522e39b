"""The enterprise tests read English messages: pin the language so a translation pass (Chinese is
the default) does not change what they compare."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _english(request):
    if "client" in request.fixturenames:
        request.getfixturevalue("client").cookies.set("parkops_lang", "en")
