"""Authentication middleware, the role guard every route passes through, and the CSRF check.

Routes declare who may use them in ``opt``: ``{"roles": <set of Role>}`` or ``{"public": True}``.
A route that declares neither is refused to everybody (fail closed), and the route-guard test
lists every route of the app, so a new route without a declaration fails the suite.
"""

from __future__ import annotations

import hmac
from http.cookies import SimpleCookie

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.enums import ScopeType
from litestar.handlers.base import BaseRouteHandler
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from parkops.accounts import service
from parkops.core.asgi import header
from parkops.core.context import language_var
from parkops.core.errors import NotAuthenticated, PermissionDenied
from parkops.core.i18n import LANGUAGES, N_
from parkops.core.web import (
    CSRF_COOKIE,
    CSRF_FIELD,
    CSRF_HEADER,
    SESSION_COOKIE,
    csrf_cookie_header,
    csrf_token_valid,
    mint_csrf_token,
)
from parkops.db.request_session import request_session

UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def auth_middleware(app: ASGIApp) -> ASGIApp:
    """Resolve the user from a Bearer token (API only) or the session cookie."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP or scope["path"].startswith("/static/"):
            await app(scope, receive, send)
            return
        user = None
        authorization = header(scope, b"authorization") or ""
        if authorization.lower().startswith("bearer ") and scope["path"].startswith("/api/"):
            user = await service.user_for_api_token(
                request_session(scope), authorization[7:].strip()
            )
        else:
            morsel = SimpleCookie(header(scope, b"cookie") or "").get(SESSION_COOKIE)
            if morsel and morsel.value:
                user = await service.user_for_session_cookie(request_session(scope), morsel.value)
        scope["user"] = user
        scope["auth"] = "token" if user and user.token_id else ("session" if user else None)
        # A saved preference applies unless this browser chose a language explicitly.
        if (
            user
            and user.language in LANGUAGES
            and "parkops_lang=" not in (header(scope, b"cookie") or "")
        ):
            language_var.set(user.language)
        await app(scope, receive, send)

    return middleware


def route_access(route_handler: BaseRouteHandler) -> tuple[bool, frozenset | None]:
    """(public, roles) as declared by the handler or the router it belongs to."""
    opt = route_handler.opt or {}
    return bool(opt.get("public")), opt.get("roles")


async def role_guard(connection: ASGIConnection, route_handler: BaseRouteHandler) -> None:
    public, roles = route_access(route_handler)
    if public:
        return
    user = connection.scope.get("user")
    if user is None:
        raise NotAuthenticated()
    if not roles or not (user.roles & roles):
        raise PermissionDenied()


async def csrf_check(request: Request) -> None:
    """Double-submit check on every state-changing request made with a browser session.

    API calls authenticated by a Bearer token are exempt: a browser never attaches that header by
    itself, so a forged cross-site request cannot carry it.
    """
    if request.method not in UNSAFE_METHODS or request.scope.get("auth") == "token":
        return
    cookie = request.cookies.get(CSRF_COOKIE) or ""
    sent = request.headers.get(CSRF_HEADER)
    if sent is None:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            sent = (await request.form()).get(CSRF_FIELD)
    session = request.cookies.get(SESSION_COOKIE)
    secret = request.app.state.settings.secret_key
    valid = bool(cookie) and csrf_token_valid(cookie, secret, session)
    if not valid or not sent or not hmac.compare_digest(str(cookie), str(sent)):
        raise PermissionDenied(
            N_(
                "The form has expired or did not come from this site (CSRF check failed). "
                "Reload the page and try again."
            )
        )


async def rotate_csrf_with_session(message: Message, scope: Scope) -> None:
    """A response that signs in or out (or replaces the session, as a password change does)
    carries a new CSRF token bound to the new session cookie: the old token, which a page seen
    before signing in may have exposed, stops working with it."""
    if message["type"] != "http.response.start":
        return
    headers = list(message.get("headers", []))
    prefix = f"{SESSION_COOKIE}=".encode()
    changed = [v for k, v in headers if k.lower() == b"set-cookie" and v.startswith(prefix)]
    if not changed:
        return
    value = changed[-1][len(prefix) :].split(b";", 1)[0].decode("latin-1").strip('"')
    settings = scope["app"].state.settings
    secure = settings.cookie_secure == "always" or (
        settings.cookie_secure == "auto" and scope.get("scheme") == "https"
    )
    token = mint_csrf_token(settings.secret_key, value or None)
    csrf_prefix = f"{CSRF_COOKIE}=".encode()
    headers = [
        (k, v) for k, v in headers if not (k.lower() == b"set-cookie" and v.startswith(csrf_prefix))
    ]
    headers.append((b"set-cookie", csrf_cookie_header(token, secure)))
    message["headers"] = headers
