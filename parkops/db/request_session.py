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
            await session.commit()
        else:
            await session.rollback()
    except Exception:
        # The handler succeeded but the commit did not (e.g. a deferred constraint). Turn the
        # response into a plain 500 rather than claim success for something not stored.
        log.exception("commit failed")
        message["status"] = 500
        raise
    finally:
        await session.close()


DbSession = NamedDependency[AsyncSession]
"""Type of the ``db`` parameter of handlers: the request's session."""
