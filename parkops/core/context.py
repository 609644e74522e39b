"""Per-request context (request id, language) carried in contextvars.

Logs, the audit log and the gettext callables read these, so nothing has to thread the request
through every function call.
"""

from __future__ import annotations

from contextvars import ContextVar

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)
language_var: ContextVar[str] = ContextVar("language", default="zh")
