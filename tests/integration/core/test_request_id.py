"""Every response carries X-Request-ID, including those Litestar makes before any middleware
runs (unknown path, wrong method); error bodies quote the same id."""

from __future__ import annotations


async def test_unknown_paths_and_methods_carry_the_request_id(client):
    api = await client.get("/api/v1/no-such-thing")
    assert api.status_code == 404
    assert api.json()["request_id"] == api.headers["x-request-id"]
    page = await client.get("/no-such-page")
    assert page.status_code == 404 and page.headers["x-request-id"] in page.text
    wrong_method = await client.delete("/healthz")
    assert wrong_method.status_code == 405 and len(wrong_method.headers["x-request-id"]) == 32
    echoed = await client.get("/api/v1/no-such-thing", headers={"x-request-id": "trace-1234-5678"})
    assert echoed.headers["x-request-id"] == "trace-1234-5678"
    assert echoed.json()["request_id"] == "trace-1234-5678"
