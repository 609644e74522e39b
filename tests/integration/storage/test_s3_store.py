"""The S3 backend against a real S3 server (SeaweedFS): files go to the bucket, downloads are a
signed URL that expires, or a stream through the app."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from parkops.core import blobs
from parkops.core.errors import NotFound


@pytest.fixture
def bucket(s3_settings):
    blobs.configure(s3_settings)
    yield blobs.remote()
    blobs.configure(s3_settings.model_copy(update={"storage_backend": "local"}))


async def test_saved_files_go_to_the_bucket_not_the_folder(bucket, tmp_path):
    local = tmp_path / "documents" / "ab" / "x.pdf"
    await blobs.save("documents/ab/x.pdf", local, b"%PDF-1.7 demo")
    assert not local.exists()
    assert bucket.get("documents/ab/x.pdf") == b"%PDF-1.7 demo"
    assert [k for k, _size, _etag in bucket.keys()] == ["documents/ab/x.pdf"]


async def test_download_redirects_to_a_signed_url_that_expires(bucket, s3_settings, tmp_path):
    await blobs.save("attachments/abc", tmp_path / "x", "合同.pdf".encode())
    response = await blobs.download(
        "attachments/abc",
        tmp_path / "x",
        media_type="application/pdf",
        disposition="attachment; filename*=UTF-8''%E5%90%88%E5%90%8C.pdf",
        missing="gone",
    )
    assert response.status_code == 302
    url = response.url
    assert "X-Amz-Signature=" in url and "X-Amz-Expires=300" in url
    async with httpx.AsyncClient() as http:
        fetched = await http.get(url)
        forged = await http.get(url.replace("X-Amz-Signature=", "X-Amz-Signature=0"))
    assert fetched.status_code == 200 and fetched.content == "合同.pdf".encode()
    assert fetched.headers["content-disposition"].startswith("attachment;")
    assert forged.status_code == 403

    blobs.configure(s3_settings.model_copy(update={"s3_url_seconds": 10}))
    short = await blobs.download(
        "attachments/abc", tmp_path / "x", media_type="application/pdf",
        disposition="attachment", missing="gone",
    )  # fmt: skip
    await asyncio.sleep(11)
    async with httpx.AsyncClient() as http:
        assert (await http.get(short.url)).status_code == 403


async def test_stream_and_missing(bucket, s3_settings, tmp_path):
    blobs.configure(s3_settings.model_copy(update={"s3_downloads": "stream"}))
    data = bytes(range(256)) * 4096  # 1 MiB: several chunks
    await blobs.save("billing/slips/big.png", tmp_path / "y", data)
    response = await blobs.download(
        "billing/slips/big.png", tmp_path / "y", media_type="image/png",
        disposition="inline", missing="gone",
    )  # fmt: skip
    received = b"".join([chunk async for chunk in response.iterator])
    assert received == data
    with pytest.raises(NotFound):
        await blobs.download(
            "billing/slips/none.png", tmp_path / "z", media_type="image/png",
            disposition="inline", missing="gone",
        )  # fmt: skip


def test_a_bucket_that_refuses_writes_fails_the_check(s3_settings):
    wrong = s3_settings.model_copy(update={"s3_secret_key": "not-the-key"})
    with pytest.raises(Exception, match=r"SignatureDoesNotMatch|AccessDenied|InvalidAccessKeyId"):
        blobs.S3Store(wrong).check()
