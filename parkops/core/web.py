"""Helpers the page controllers share: rendering with the common context, redirects with flash
messages, submitting a form (`submit`), form parsing, CSRF tokens, language and client
address."""

from __future__ import annotations

import base64
import hashlib
import hmac
import inspect
import json
import secrets
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar
from urllib.parse import quote, urlsplit

from litestar import Request
from litestar.datastructures import Cookie
from litestar.response import Redirect, Template

from parkops.core.context import language_var
from parkops.core.errors import AppError, ValidationFailed
from parkops.core.i18n import LANGUAGES, gettext

T = TypeVar("T")

FLASH_COOKIE = "parkops_flash"
CSRF_COOKIE = "parkops_csrf"
CSRF_FIELD = "_csrf_token"
CSRF_HEADER = "x-csrf-token"
LANG_COOKIE = "parkops_lang"
SESSION_COOKIE = "parkops_session"


def is_api(path: str) -> bool:
    return path.startswith("/api/")


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def cookie_secure(request: Request) -> bool:
    mode = request.app.state.settings.cookie_secure
    return mode == "always" or (mode == "auto" and request.url.scheme == "https")


def _binding(session: str | None) -> str:
    """What a CSRF token is bound to: this browser's session cookie (or its absence)."""
    return hashlib.sha256(session.encode()).hexdigest() if session else "anonymous"


def _sign(nonce: str, secret: str, session: str | None = None) -> str:
    message = f"{nonce}|{_binding(session)}"
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()[:32]


def mint_csrf_token(secret: str, session: str | None) -> str:
    nonce = secrets.token_urlsafe(24)
    return f"{nonce}.{_sign(nonce, secret, session)}"


def csrf_token_valid(token: str, secret: str, session: str | None = None) -> bool:
    """A token is ours, for this session, when its signature matches: a cookie planted by a
    sibling subdomain (cookie tossing) cannot carry a valid one without the secret key, and a
    token taken from another session (an anonymous ``GET /login`` included) does not fit this
    one's session cookie."""
    nonce, _, signature = token.partition(".")
    return bool(nonce) and hmac.compare_digest(signature, _sign(nonce, secret, session))


def csrf_token(request: Request) -> str:
    """The token forms must echo back: the CSRF cookie's value, minted on first use and again
    whenever it does not fit the session cookie."""
    secret = request.app.state.settings.secret_key
    session = request.cookies.get(SESSION_COOKIE)
    token = request.state.get("new_csrf") or request.cookies.get(CSRF_COOKIE)
    if not token or not csrf_token_valid(token, secret, session):
        token = mint_csrf_token(secret, session)
        request.state["new_csrf"] = token
    return token


def csrf_cookie_header(token: str, secure: bool) -> bytes:
    attributes = "; HttpOnly; Path=/; SameSite=Lax" + ("; Secure" if secure else "")
    return f"{CSRF_COOKIE}={token}{attributes}".encode()


def _cookies_for(request: Request) -> list[Cookie]:
    cookies = []
    if request.state.get("new_csrf"):
        cookies.append(
            Cookie(
                key=CSRF_COOKIE,
                value=request.state["new_csrf"],
                httponly=True,
                samesite="lax",
                secure=cookie_secure(request),
                path="/",
            )
        )
    if request.cookies.get(FLASH_COOKIE):
        cookies.append(Cookie(key=FLASH_COOKIE, value="", max_age=0, path="/"))
    return cookies


def flashes(request: Request) -> list[tuple[str, str]]:
    raw = request.cookies.get(FLASH_COOKIE)
    if not raw:
        return []
    try:
        items = json.loads(base64.urlsafe_b64decode(raw.encode()).decode())
        return [(str(level), str(msg)) for level, msg in items][:10]
    except (ValueError, TypeError):
        return []


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> Template:
    ctx = {
        "request": request,
        "user": request.scope.get("user"),
        "csrf_token": csrf_token(request),
        "flashes": flashes(request),
        "lang": language_var.get(),
        "languages": LANGUAGES,
        "errors": {},
        "form": {},
    }
    ctx.update(context)
    return Template(
        template_name=template, context=ctx, status_code=status_code, cookies=_cookies_for(request)
    )


def safe_next(target: str | None, default: str = "/") -> str:
    """Only local paths: an open redirect after login would be a phishing tool."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target


def redirect(
    request: Request,
    path: str,
    flash: tuple[str, str] | None = None,
    cookies: list[Cookie] | None = None,
) -> Redirect:
    all_cookies = list(cookies or [])
    if flash:
        level, message = flash
        payload = base64.urlsafe_b64encode(json.dumps([[level, gettext(message)]]).encode())
        all_cookies.append(
            Cookie(
                key=FLASH_COOKIE,
                value=payload.decode(),
                httponly=True,
                samesite="lax",
                path="/",
                secure=cookie_secure(request),
            )
        )
    return Redirect(path=path, status_code=303, cookies=all_cookies)


async def submit(
    request: Request,
    save: Callable[[], Awaitable[T]],
    *,
    redisplay: Callable[[AppError], Template | Awaitable[Template]],
    then: str | Callable[[T], str],
    message: str,
    catch: tuple[type[AppError], ...] = (ValidationFailed,),
) -> Template | Redirect:
    """The POST of a form page: ``save()`` calls the service; when it refuses the input with one
    of ``catch``, ``redisplay(error)`` shows the form again with what was typed and
    ``error.field_errors`` (the service changed nothing); otherwise redirect to ``then`` (or
    ``then(result)``) with ``message`` as a success flash.

        data = await form_data(request)
        return await submit(
            request,
            lambda: service.create_unit(db, request.user, data),
            redisplay=lambda exc: _form(request, form=data, errors=exc.field_errors,
                                        status_code=exc.status_code),
            then=lambda unit: f"/units/{unit.id}",
            message=N_("The unit was created."),
        )
    """
    try:
        result = await save()
    except catch as exc:
        page = redisplay(exc)
        return await page if inspect.isawaitable(page) else page
    target = then(result) if callable(then) else then
    return redirect(request, target, flash=("success", message))


def login_redirect(request: Request) -> Redirect:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return Redirect(path=f"/login?next={quote(target)}", status_code=303)


async def form_data(request: Request) -> dict[str, Any]:
    """The submitted form as a dict; repeated fields (checkboxes) become lists."""
    form = await request.form()
    data: dict[str, Any] = {}
    for key in form:
        values = form.getall(key)
        data[key] = values if len(values) > 1 or key.endswith("[]") else values[0]
    return data


def as_list(value: Any) -> list[str]:
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]
