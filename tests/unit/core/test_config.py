"""Settings come from PARKOPS_* variables; production refuses unsafe defaults."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from parkops.config import DEV_SECRET_KEY, Settings


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
        Settings(env="production", secret_key="x" * 40)


def test_production_with_proper_settings():
    settings = Settings(env="production", database_url="postgresql://x/y", secret_key="k" * 40)
    assert settings.env == "production"
