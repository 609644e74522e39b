"""One SeaweedFS (a real S3 server) per test session and worker, with one bucket."""

from __future__ import annotations

import pytest

from parkops.config import Settings
from tests.seaweedfs import SeaweedS3, seaweedfs

BUCKET = "parkops-tests"


@pytest.fixture(scope="session")
def s3_server() -> SeaweedS3:
    import boto3

    with seaweedfs() as server:
        boto3.client(
            "s3",
            endpoint_url=server.endpoint,
            aws_access_key_id=server.access_key,
            aws_secret_access_key=server.secret_key,
            region_name="us-east-1",
        ).create_bucket(Bucket=BUCKET)
        yield server


def s3_env(server: SeaweedS3, prefix: str) -> dict[str, str]:
    """The settings of a process storing in the test bucket under ``prefix``."""
    return {
        "PARKOPS_STORAGE_BACKEND": "s3",
        "PARKOPS_S3_ENDPOINT_URL": server.endpoint,
        "PARKOPS_S3_BUCKET": BUCKET,
        "PARKOPS_S3_ACCESS_KEY": server.access_key,
        "PARKOPS_S3_SECRET_KEY": server.secret_key,
        "PARKOPS_S3_ADDRESSING_STYLE": "path",
        "PARKOPS_S3_PREFIX": prefix,
    }


@pytest.fixture
def s3_settings(s3_server, test_settings, request) -> Settings:
    """The test settings with the bucket, under a prefix of this test's own."""
    env = s3_env(s3_server, f"{request.node.name}/")
    return test_settings.model_copy(
        update={key.removeprefix("PARKOPS_").lower(): value for key, value in env.items()}
    )
