"""Sign-in throttling counts per real client, whatever X-Forwarded-For claims (issue 12): the
app trusts the header only from the proxies named in FORWARDED_ALLOW_IPS, nobody by default."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from parkops.app import create_app
from parkops.cli import forwarded_options
from tests.support import create_user, serve_in_thread, with_committed_session

pytestmark = pytest.mark.slow


def _sign_in(base_url: str, username: str, forwarded_for: str) -> int:
    with httpx.Client(base_url=base_url, headers={"x-forwarded-for": forwarded_for}) as client:
        page = client.get("/login")
        token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text).group(1)
        form = {"username": username, "password": "wrong-password-x", "_csrf_token": token}
        return client.post("/login", data=form).status_code


def _serve(committed_database_url, test_settings, environ):
    settings = test_settings.model_copy(update={"database_url": committed_database_url})
    return serve_in_thread(create_app(settings), **forwarded_options(environ))


async def test_without_a_proxy_a_forged_forwarded_for_does_not_escape_the_throttle(
    committed_database_url, test_settings
):
    await with_committed_session(
        committed_database_url, lambda db: create_user(db, username="bystander")
    )
    with _serve(committed_database_url, test_settings, {}) as base_url:
        for i in range(test_settings.login_max_failures):
            assert _sign_in(base_url, f"guess{i}", f"203.0.113.{i}") == 422
        assert _sign_in(base_url, "bystander", "198.51.100.7") == 429


async def test_behind_the_trusted_proxy_each_client_is_counted_apart(
    committed_database_url, test_settings
):
    await with_committed_session(
        committed_database_url, lambda db: create_user(db, username="bystander")
    )
    environ = {"FORWARDED_ALLOW_IPS": "127.0.0.1"}  # the proxy connects from here
    with _serve(committed_database_url, test_settings, environ) as base_url:
        for i in range(test_settings.login_max_failures):
            assert _sign_in(base_url, f"guess{i}", "203.0.113.5") == 422
        assert _sign_in(base_url, "bystander", "203.0.113.5") == 429
        assert _sign_in(base_url, "bystander", "198.51.100.7") == 422


def test_nobody_is_trusted_unless_named():
    assert forwarded_options({}) == {"proxy_headers": False}
    assert forwarded_options({"FORWARDED_ALLOW_IPS": " "}) == {"proxy_headers": False}
    assert forwarded_options({"FORWARDED_ALLOW_IPS": "172.30.0.1"}) == {
        "proxy_headers": True,
        "forwarded_allow_ips": "172.30.0.1",
    }


def test_compose_trusts_exactly_the_gateway_nginx_connects_through():
    compose = (Path(__file__).parents[3] / "deploy" / "compose.yaml").read_text()
    trusted = re.search(r"FORWARDED_ALLOW_IPS: \$\{FORWARDED_ALLOW_IPS:-([^}]*)\}", compose)
    gateway = re.search(r"gateway: (\S+)", compose)
    assert trusted and gateway and trusted.group(1) == gateway.group(1)
    service = (Path(__file__).parents[3] / "deploy" / "parkops.service").read_text()
    assert "FORWARDED_ALLOW_IPS=127.0.0.1" in service  # nginx on the same host
