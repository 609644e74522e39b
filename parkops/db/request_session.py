"""One database transaction per request.

The session is created lazily the first time anything in the request needs it (the auth
middleware usually does), kept in the ASGI scope, and finished just before the response starts:
committed for 2xx/3xx responses (a 303 after a form POST included), rolled back otherwise.
Services only ``flush()``.
"""

from __future__ import annotations

import logging

from litestar.di import NamedDependency
from litestar.types import Message, Scope
from sqlalchemy.ext.asyncio import AsyncSession

log = logging.getLogger(__name__)
_KEY = "parkops_db_session"


def request_session(scope: Scope) -> AsyncSession:
    state = scope.setdefault("state", {})
    session = state.get(_KEY)
    if session is None:
        session = scope["app"].state.session_maker()
        state[_KEY] = session
    return session


async def provide_db(scope: Scope) -> AsyncSession:
    return request_session(scope)


async def finish_request_session(message: Message, scope: Scope) -> None:
    if message["type"] != "http.response.start":
        return
    state = scope.get("state") or {}
    session: AsyncSession | None = state.pop(_KEY, None)
    if session is None:
        return
    try:
        if message["status"] < 400:
            # If the commit fails (a deferred constraint, the database gone), the exception
            # stops this response before it starts, and the error handling answers instead
            # (a 500, or a 503 when the database cannot be reached): never a success for
            # something not stored.
            await session.commit()
        else:
            try:
                await session.rollback()
            except Exception as exc:
                # Nothing to undo can be lost; a dead connection must not turn the error page
                # being sent into a bare 500.
                log.warning("rollback failed: %s", exc)
    finally:
        try:
            await session.close()
        except Exception as exc:
            log.warning("closing the session failed: %s", exc)


DbSession = NamedDependency[AsyncSession]
"""Type of the ``db`` parameter of handlers: the request's session."""
