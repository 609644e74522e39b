"""Settings, read from ``PARKOPS_*`` environment variables and an optional ``.env`` file."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEV_SECRET_KEY = "dev-insecure-secret-key-change-me"
POSTGRES_SCHEMES = ("postgresql://", "postgres://", "postgresql+asyncpg://")
# Words that mark a value copied from an example rather than generated (deploy/k8s's example
# Secret says CHANGE-ME): production refuses a secret key containing one.
PLACEHOLDER_WORDS = ("change-me", "changeme", "change_me", "replace", "example", "placeholder")


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
    # Where documents, attachments and slips live (parkops/core/blobs.py): the storage folder,
    # or a bucket of an S3-compatible service shared by every machine.
    storage_backend: Literal["local", "s3"] = "local"
    s3_endpoint_url: str | None = Field(
        default=None, description="e.g. https://oss-cn-hangzhou.aliyuncs.com; unset = AWS"
    )
    s3_bucket: str | None = None
    s3_access_key: str | None = None
    s3_secret_key: str | None = None
    s3_region: str = "us-east-1"
    s3_prefix: str = ""
    s3_addressing_style: Literal["auto", "path", "virtual"] = "auto"
    # Downloads: a redirect to a signed URL valid this long, or streamed through the app when
    # browsers cannot reach the bucket.
    s3_downloads: Literal["redirect", "stream"] = "redirect"
    s3_url_seconds: int = Field(default=300, ge=10, le=86400)
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
    # Implicit TLS (SMTPS) from the first byte; unset = on port 465 only.
    smtp_tls: bool | None = None
    # A CA certificate to trust for the mail server besides the system's (an internal relay).
    smtp_ca_file: Path | None = None
    # Background jobs (parkops/jobs): jobs run at once per worker; workers report every N
    # seconds, and the jobs of one silent for 3 x N are run again by another.
    worker_concurrency: int = Field(default=2, ge=1, le=32)
    worker_heartbeat_seconds: float = Field(default=10.0, gt=0)
    # Run a worker inside `parkops serve` (the one-command development setup); `parkops serve`
    # turns it on by itself when it uses the embedded database.
    worker_in_app: bool = False
    # Argon2id cost. The defaults follow RFC 9106's second recommended option; tests lower them.
    argon2_time_cost: int = 3
    argon2_memory_kib: int = 65536
    login_max_failures: int = 5
    login_window_minutes: int = 15
    db_pool_size: int = 10
    # Ticket supervision (督办): escalate to park leadership after N working days overdue (the
    # sweep itself is a periodic job of `parkops worker`, parkops.jobs.tasks.PERIODIC).
    ticket_escalation_days: int = Field(default=3, ge=0, le=60)

    @field_validator("database_url")
    @classmethod
    def _postgresql_only(cls, value: str | None) -> str | None:
        if value and not value.startswith(POSTGRES_SCHEMES):
            scheme = value.partition("://")[0] if "://" in value else value[:12]
            raise ValueError(
                f"PARKOPS_DATABASE_URL must be a PostgreSQL URL "
                f"(postgresql://user:password@host:5432/database), not {scheme!r}..."
            )
        return value

    @model_validator(mode="after")
    def _s3_needs_a_bucket(self) -> Settings:
        if self.storage_backend == "s3" and not self.s3_bucket:
            raise ValueError("PARKOPS_S3_BUCKET is required with PARKOPS_STORAGE_BACKEND=s3")
        return self

    @model_validator(mode="after")
    def _refuse_unsafe_production(self) -> Settings:
        if self.env == "production":
            if not secret_key_is_strong(self.secret_key):
                raise ValueError(
                    "PARKOPS_SECRET_KEY must be set to a random value of at least 32 characters "
                    "in production (e.g. from `openssl rand -base64 48`), not a placeholder"
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


def secret_key_is_strong(key: str) -> bool:
    """At least 32 characters, not the development key, not an example's placeholder, and not
    a run of a few repeated characters."""
    lowered = key.lower()
    return (
        len(key) >= 32
        and key != DEV_SECRET_KEY
        and not any(word in lowered for word in PLACEHOLDER_WORDS)
        and len(set(key)) >= 8
    )


def describe_settings_error(exc: ValidationError) -> str:
    """One line naming the variables that are wrong (never echoing their values: secrets)."""
    parts = []
    for error in exc.errors():
        message = error["msg"].removeprefix("Value error, ")
        field = ".".join(str(part) for part in error["loc"])
        variable = f"PARKOPS_{field.upper()}"
        parts.append(message if not field or variable in message else f"{variable}: {message}")
    return "invalid settings: " + "; ".join(parts)


@lru_cache
def get_settings() -> Settings:
    return Settings()
