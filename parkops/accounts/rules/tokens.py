"""Random secrets for session cookies and API tokens; only their sha256 is ever stored."""

from __future__ import annotations

import hashlib
import secrets

API_TOKEN_PREFIX = "pko_"


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def new_api_token() -> str:
    return API_TOKEN_PREFIX + secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()
