"""Where uploaded and generated files live: the local storage folder (the default) or a bucket of
any S3-compatible service (MinIO, SeaweedFS, Aliyun OSS, Tencent COS, AWS ...), so several
machines serve the same files.

Files are named by keys relative to the storage folder (``documents/ab/abcd.pdf``,
``attachments/<random>``, ``billing/slips/...``); with S3 the same key (after
``PARKOPS_S3_PREFIX``) names the object. Callers pass both the key and today's local path, and
:func:`save` / :func:`download` pick the backend configured for this process
(:func:`configure`, called at start-up by the app, the worker and the backup commands).

Downloads from S3 are a redirect to a signed URL valid for ``PARKOPS_S3_URL_SECONDS`` (the
browser fetches the file from the bucket; nothing passes through the app), or, with
``PARKOPS_S3_DOWNLOADS=stream`` (a bucket browsers cannot reach), streamed through the app.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import anyio
from litestar import Response
from litestar.response import File, Redirect, Stream

from parkops.config import Settings
from parkops.core.errors import NotFound

CHUNK = 256 * 1024

_remote: S3Store | None = None


class S3Store:
    """One bucket through boto3 (thread-safe client; calls run on worker threads)."""

    def __init__(self, settings: Settings) -> None:
        import boto3
        from botocore.config import Config

        assert settings.s3_bucket
        self.bucket = settings.s3_bucket
        self.prefix = settings.s3_prefix
        self.url_seconds = settings.s3_url_seconds
        self.stream = settings.s3_downloads == "stream"
        self.client = boto3.client(
            "s3",
            endpoint_url=settings.s3_endpoint_url,
            region_name=settings.s3_region,
            aws_access_key_id=settings.s3_access_key,
            aws_secret_access_key=settings.s3_secret_key,
            config=Config(
                signature_version="s3v4",
                s3={"addressing_style": settings.s3_addressing_style},
                # Newer botocore adds CRC checksums that several S3-compatible services refuse.
                request_checksum_calculation="when_required",
                response_checksum_validation="when_required",
                connect_timeout=5,
                read_timeout=60,
                retries={"max_attempts": 3, "mode": "standard"},
            ),
        )

    def _key(self, key: str) -> str:
        return self.prefix + key

    def put(self, key: str, data: bytes) -> None:
        self.client.put_object(Bucket=self.bucket, Key=self._key(key), Body=data)

    def get(self, key: str) -> bytes:
        body = self.client.get_object(Bucket=self.bucket, Key=self._key(key))["Body"]
        return bytes(body.read())

    def exists(self, key: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=self._key(key))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return False
            raise
        return True

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._key(key))

    def keys(self) -> Iterator[tuple[str, int, str]]:
        """(key, size, etag) of every object under the prefix."""
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=self.prefix
        )
        for page in pages:
            for item in page.get("Contents", []):
                yield item["Key"][len(self.prefix) :], item["Size"], item["ETag"].strip('"')

    def signed_url(self, key: str, media_type: str, disposition: str) -> str:
        return str(
            self.client.generate_presigned_url(
                "get_object",
                Params={
                    "Bucket": self.bucket,
                    "Key": self._key(key),
                    "ResponseContentType": media_type,
                    "ResponseContentDisposition": disposition,
                    "ResponseCacheControl": "private, no-cache",
                },
                ExpiresIn=self.url_seconds,
            )
        )

    def chunks(self, key: str) -> AsyncIterator[bytes]:
        body = self.client.get_object(Bucket=self.bucket, Key=self._key(key))["Body"]

        async def read() -> AsyncIterator[bytes]:
            try:
                while chunk := await anyio.to_thread.run_sync(body.read, CHUNK):
                    yield chunk
            finally:
                body.close()

        return read()

    def check(self) -> None:
        """Write and delete a probe object (raises when the bucket cannot be written)."""
        probe = f".write-probe-{os.getpid()}"
        self.put(probe, b"")
        self.delete(probe)


def configure(settings: Settings) -> None:
    """Use the backend ``settings`` name for this process's files."""
    global _remote
    _remote = S3Store(settings) if settings.storage_backend == "s3" else None


async def configure_storage(app: Any) -> None:
    """App start-up: this process's files go where its settings say; an unwritable bucket stops
    the start, as an unwritable folder does."""
    configure(app.state.settings)
    if _remote is not None:
        await anyio.to_thread.run_sync(_remote.check)


def remote() -> S3Store | None:
    """The S3 bucket when one is configured, else None (the local folder)."""
    return _remote


def write_atomically(target: Path, data: bytes) -> None:
    """Write ``data`` to ``target`` so that ``target`` is either absent or complete."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=target.suffix)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    # Make the rename itself durable.
    dir_fd = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


async def save(key: str, local: Path, data: bytes) -> None:
    """Store ``data`` as ``key`` (in the bucket) or at ``local`` (complete or absent)."""
    store = _remote
    if store is not None:
        await anyio.to_thread.run_sync(store.put, key, data)
    else:
        await anyio.to_thread.run_sync(write_atomically, local, data)


async def download(
    key: str, local: Path, *, media_type: str, disposition: str, missing: Any
) -> Response[Any]:
    """The file as a response: a local file, a redirect to a short-lived signed URL, or a
    stream from the bucket. ``missing`` (a message) is the 404 when the file is absent."""
    headers = {"content-disposition": disposition, "cache-control": "private, no-cache"}
    store = _remote
    if store is None:
        if not await anyio.Path(local).is_file():
            raise NotFound(missing)
        return File(path=local, media_type=media_type, headers=headers)
    if not await anyio.to_thread.run_sync(store.exists, key):
        raise NotFound(missing)
    if store.stream:
        return Stream(store.chunks(key), media_type=media_type, headers=headers)
    url = await anyio.to_thread.run_sync(store.signed_url, key, media_type, disposition)
    return Redirect(url, status_code=302, headers={"cache-control": "no-store"})
