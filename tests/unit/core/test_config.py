"""Settings come from PARKOPS_* variables; production refuses unsafe defaults."""

from __future__ import annotations

import re
import secrets
from pathlib import Path

import pytest
from pydantic import ValidationError

from parkops.config import DEV_SECRET_KEY, PROJECT_ROOT, Settings, describe_settings_error

STRONG = secrets.token_urlsafe(36)


def test_environment_variables_are_read(monkeypatch):
    monkeypatch.setenv("PARKOPS_PORT", "9123")
    monkeypatch.setenv("PARKOPS_DEFAULT_LANGUAGE", "en")
    settings = Settings()
    assert settings.port == 9123 and settings.default_language == "en"


def test_production_refuses_the_default_secret():
    with pytest.raises(ValidationError, match="PARKOPS_SECRET_KEY"):
        Settings(env="production", database_url="postgresql://x/y", secret_key=DEV_SECRET_KEY)
    with pytest.raises(ValidationError, match="at least 32"):
        Settings(env="production", database_url="postgresql://x/y", secret_key="short")


def test_production_needs_a_database_url():
    with pytest.raises(ValidationError, match="PARKOPS_DATABASE_URL"):
        Settings(env="production", secret_key=STRONG)


def test_production_with_proper_settings():
    settings = Settings(env="production", database_url="postgresql://x/y", secret_key=STRONG)
    assert settings.env == "production"


def _example_secret_key() -> str:
    example = Path(PROJECT_ROOT / "deploy/k8s/secret.example.yaml").read_text()
    return re.search(r"PARKOPS_SECRET_KEY:\s*(\S+)", example).group(1)


@pytest.mark.parametrize(
    "key",
    [
        pytest.param(_example_secret_key(), id="deploy/k8s example Secret"),
        pytest.param("change-me-" + secrets.token_hex(20), id="change-me prefix"),
        pytest.param("k" * 40, id="one character repeated"),
    ],
)
def test_production_refuses_placeholder_secrets(key):
    assert len(key) >= 32  # long enough: the length rule alone would let it through
    with pytest.raises(ValidationError, match="not a placeholder"):
        Settings(env="production", database_url="postgresql://x/y", secret_key=key)


def test_database_url_must_be_postgresql_and_the_message_hides_it():
    with pytest.raises(ValidationError) as caught:
        Settings(database_url="mysql://parkops:s3cret@db/parkops")
    message = describe_settings_error(caught.value)
    assert "PARKOPS_DATABASE_URL must be a PostgreSQL URL" in message
    assert "s3cret" not in message and "\n" not in message
    for accepted in ("postgresql://h/d", "postgres://h/d", "postgresql+asyncpg://h/d"):
        assert Settings(database_url=accepted).database_url == accepted
