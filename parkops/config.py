"""Settings, read from ``PARKOPS_*`` environment variables and an optional ``.env`` file."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEV_SECRET_KEY = "dev-insecure-secret-key-change-me"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="PARKOPS_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    env: Literal["development", "test", "production"] = "development"
    database_url: str | None = Field(
        default=None,
        description="PostgreSQL URL; unset = embedded PostgreSQL under the storage folder",
    )
    secret_key: str = DEV_SECRET_KEY
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    log_format: Literal["text", "json"] = "text"
    log_level: str = "INFO"
    default_language: Literal["zh", "en"] = "zh"
    storage_dir: Path = PROJECT_ROOT / "var"
    templates_dir: Path = PROJECT_ROOT / "templates"
    migrations_dir: Path = PROJECT_ROOT / "migrations"
    session_lifetime_hours: int = 12
    # Secure cookies: "auto" follows the request scheme (https behind nginx with proxy headers).
    cookie_secure: Literal["auto", "always", "never"] = "auto"
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_from: str = "parkops@localhost"
    smtp_starttls: bool = True
    # Argon2id cost. The defaults follow RFC 9106's second recommended option; tests lower them.
    argon2_time_cost: int = 3
    argon2_memory_kib: int = 65536
    login_max_failures: int = 5
    login_window_minutes: int = 15
    db_pool_size: int = 10
    # Ticket supervision (督办): run the overdue sweep every N minutes in each app process (0 =
    # only `parkops tickets sweep`); escalate to park leadership after N working days overdue.
    ticket_sweep_minutes: int = Field(default=0, ge=0)
    ticket_escalation_days: int = Field(default=3, ge=0, le=60)

    @model_validator(mode="after")
    def _refuse_unsafe_production(self) -> Settings:
        if self.env == "production":
            if self.secret_key == DEV_SECRET_KEY or len(self.secret_key) < 32:
                raise ValueError(
                    "PARKOPS_SECRET_KEY must be set to a random value of at least 32 characters "
                    "in production (e.g. from `openssl rand -base64 48`)"
                )
            if not self.database_url:
                raise ValueError("PARKOPS_DATABASE_URL is required in production")
        return self

    @property
    def pgdata_dir(self) -> Path:
        return self.storage_dir / "pgdata"

    @property
    def documents_dir(self) -> Path:
        return self.storage_dir / "documents"


@lru_cache
def get_settings() -> Settings:
    return Settings()
