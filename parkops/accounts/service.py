"""Accounts use cases: signing in and out, sessions, API tokens, throttling, user administration.

Services flush but never commit: the request (or CLI command) owns the transaction. The one
exception is the login-attempt record, which is written in its own short transaction because it
must survive the failed request it describes.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import cast

import sqlalchemy as sa
from sqlalchemy.engine import CursorResult
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from parkops.accounts.identity import CurrentUser
from parkops.accounts.models import ApiToken, LoginAttempt, User, UserRole, UserSession
from parkops.accounts.roles import Role
from parkops.accounts.rules import passwords, tokens, users
from parkops.config import Settings
from parkops.core import audit
from parkops.core.actor import Actor
from parkops.core.errors import Conflict, NotFound, TooManyRequests, ValidationFailed
from parkops.core.i18n import N_, Message
from parkops.core.integrity import FOREIGN_KEY_VIOLATION, sqlstate
from parkops.core.pagination import Page, paginate
from parkops.core.rows import get_or_404, stored_id
from parkops.db.base import utcnow

SEEN_UPDATE_INTERVAL = timedelta(minutes=5)
# The tables, for queries: their columns are SQL expressions to the type checker too (SQLModel
# types ``User.username`` as the str it holds).
USERS: sa.Table = User.__table__  # type: ignore[attr-defined]
ROLES: sa.Table = UserRole.__table__  # type: ignore[attr-defined]
SESSIONS: sa.Table = UserSession.__table__  # type: ignore[attr-defined]
TOKENS: sa.Table = ApiToken.__table__  # type: ignore[attr-defined]
ATTEMPTS: sa.Table = LoginAttempt.__table__  # type: ignore[attr-defined]

_roles_agg = (
    sa.select(sa.func.array_agg(ROLES.c.role))
    .where(ROLES.c.user_id == USERS.c.id)
    .scalar_subquery()
)


def _identity(row, *, session_id=None, token_id=None) -> CurrentUser:
    return CurrentUser(
        id=row.id,
        username=row.username,
        display_name=row.display_name,
        roles=frozenset(Role(r) for r in (row.roles or [])),
        enterprise_id=row.enterprise_id,
        department_id=row.department_id,
        session_id=session_id,
        token_id=token_id,
        language=row.language,
    )


_user_cols = (
    USERS.c.id,
    USERS.c.username,
    USERS.c.display_name,
    USERS.c.enterprise_id,
    USERS.c.department_id,
    USERS.c.language,
    _roles_agg.label("roles"),
)


# --- authentication -------------------------------------------------------------------------


async def user_for_session_cookie(db: AsyncSession, cookie: str) -> CurrentUser | None:
    now = utcnow()
    row = (
        await db.execute(
            sa.select(*_user_cols, SESSIONS.c.id.label("sid"), SESSIONS.c.last_seen_at)
            .join(UserSession, SESSIONS.c.user_id == USERS.c.id)
            .where(
                SESSIONS.c.token_hash == tokens.digest(cookie),
                SESSIONS.c.revoked_at.is_(None),
                SESSIONS.c.expires_at > now,
                USERS.c.is_active.is_(True),
            )
        )
    ).first()
    if row is None:
        return None
    if now - row.last_seen_at > SEEN_UPDATE_INTERVAL:
        await db.execute(
            sa.update(UserSession).where(SESSIONS.c.id == row.sid).values(last_seen_at=now)
        )
    return _identity(row, session_id=row.sid)


_token_user = (
    sa.select(*_user_cols, TOKENS.c.id.label("tid"), TOKENS.c.last_used_at)
    .join(ApiToken, TOKENS.c.user_id == USERS.c.id)
    .where(
        TOKENS.c.token_hash == sa.bindparam("token_hash"),
        TOKENS.c.revoked_at.is_(None),
        USERS.c.is_active.is_(True),
    )
)


async def user_for_api_token(db: AsyncSession, token: str) -> CurrentUser | None:
    # Built once: every API request runs it (no statement building or cache-key work per call).
    conn = await db.connection()
    row = (await conn.execute(_token_user, {"token_hash": tokens.digest(token)})).first()
    if row is None:
        return None
    now = utcnow()
    if row.last_used_at is None or now - row.last_used_at > SEEN_UPDATE_INTERVAL:
        await db.execute(sa.update(ApiToken).where(TOKENS.c.id == row.tid).values(last_used_at=now))
    return _identity(row, token_id=row.tid)


# --- signing in and out ---------------------------------------------------------------------


async def _blocked_until(
    db: AsyncSession, column, value: str, settings: Settings, now: datetime
) -> datetime | None:
    """When the account/IP may try again, if it has used up its failures in the window.

    The block lasts until the oldest of the last N failures leaves the window, i.e. "for the rest
    of the window" that those N failures span.
    """
    window = timedelta(minutes=settings.login_window_minutes)
    nth = (
        await db.execute(
            sa.select(ATTEMPTS.c.at)
            .where(column == value, ATTEMPTS.c.success.is_(False), ATTEMPTS.c.at > now - window)
            .order_by(ATTEMPTS.c.at.desc())
            .offset(settings.login_max_failures - 1)
            .limit(1)
        )
    ).scalar()
    return nth + window if nth is not None else None


async def login(
    db: AsyncSession,
    new_session: Callable[[], AsyncSession],
    settings: Settings,
    *,
    username: str,
    password: str,
    ip: str,
    user_agent: str | None,
) -> tuple[str, CurrentUser]:
    """Check the credentials and open a web session; returns the cookie value and the user.

    The throttle check, the password check and the attempt record run in a transaction of their
    own: a failed sign-in rolls the request back, but the attempt must still count.
    """
    now = utcnow()
    username = (username or "").strip()[:64]
    async with new_session() as check:
        blocks = [
            await _blocked_until(
                check, sa.func.lower(ATTEMPTS.c.username), username.lower(), settings, now
            ),
            await _blocked_until(check, ATTEMPTS.c.ip, ip, settings, now),
        ]
        until = max((b for b in blocks if b is not None), default=None)
        if until is not None:
            seconds = max(1, int((until - now).total_seconds()) + 1)
            raise TooManyRequests(
                Message(
                    N_("Too many failed sign-in attempts. Try again in %(minutes)s minutes."),
                    minutes=seconds // 60 + 1,
                ),
                headers={"Retry-After": str(seconds)},
            )
        row = (
            await check.execute(
                sa.select(USERS.c.id, USERS.c.password_hash, USERS.c.is_active).where(
                    sa.func.lower(USERS.c.username) == username.lower()
                )
            )
        ).first()
        ok = passwords.verify_password(
            row.password_hash if row else passwords.dummy_hash(), password or ""
        )
        ok = ok and row is not None and row.is_active
        check.add(LoginAttempt(username=username, ip=ip[:64], success=ok))
        await check.commit()

    if not ok:
        raise ValidationFailed(N_("Wrong username or password, or the account is disabled."))
    assert row is not None
    cookie = await open_session(db, settings, row.id, ip=ip, user_agent=user_agent)
    identity = await get_identity(db, row.id)
    audit.record(db, actor=identity, action="login", entity="user", entity_id=row.id, ip=ip)
    return cookie, identity


async def open_session(
    db: AsyncSession, settings: Settings, user_id: int, *, ip: str | None, user_agent: str | None
) -> str:
    cookie = tokens.new_secret()
    db.add(
        UserSession(
            token_hash=tokens.digest(cookie),
            user_id=user_id,
            expires_at=utcnow() + timedelta(hours=settings.session_lifetime_hours),
            ip=ip,
            user_agent=(user_agent or "")[:300],
        )
    )
    await db.flush()
    return cookie


async def logout(db: AsyncSession, user: CurrentUser) -> None:
    if user.session_id is not None:
        await db.execute(
            sa.update(UserSession)
            .where(SESSIONS.c.id == user.session_id, SESSIONS.c.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        )
    audit.record(db, actor=user, action="logout", entity="user", entity_id=user.id)


async def revoke_all_sessions(db: AsyncSession, user_id: int) -> int:
    result = await db.execute(
        sa.update(UserSession)
        .where(SESSIONS.c.user_id == user_id, SESSIONS.c.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    return cast(CursorResult, result).rowcount or 0


async def change_password(
    db: AsyncSession,
    settings: Settings,
    user: CurrentUser,
    *,
    current: str,
    new: str,
    confirm: str,
    ip: str | None,
    user_agent: str | None,
) -> str:
    """Change one's own password; every session is revoked and a fresh one opened for this
    browser, so a stolen cookie stops working the moment the owner changes the password."""
    row = await get_or_404(db, User, user.id)
    errors = {}
    if not passwords.verify_password(row.password_hash, current):
        errors["current_password"] = N_("The current password is wrong")
    problem = passwords.password_problem(new, row.username)
    if problem:
        errors["new_password"] = problem
    elif new != confirm:
        errors["confirm_password"] = N_("The two new passwords differ")
    if errors:
        raise ValidationFailed(N_("The password was not changed."), field_errors=errors)
    row.password_hash = passwords.hash_password(new)
    row.password_changed_at = utcnow()
    await revoke_all_sessions(db, user.id)
    audit.record(db, actor=user, action="password_changed", entity="user", entity_id=user.id)
    return await open_session(db, settings, user.id, ip=ip, user_agent=user_agent)


# --- API tokens -----------------------------------------------------------------------------


async def create_api_token(db: AsyncSession, user: CurrentUser, name: str) -> tuple[ApiToken, str]:
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise ValidationFailed(
            field_errors={"name": N_("Give the token a name of 1 to 100 characters")}
        )
    plaintext = tokens.new_api_token()
    token = ApiToken(
        user_id=user.id, name=name, prefix=plaintext[:10], token_hash=tokens.digest(plaintext)
    )
    db.add(token)
    await db.flush()
    audit.record(
        db,
        actor=user,
        action="api_token_created",
        entity="api_token",
        entity_id=token.id,
        after={"name": name, "prefix": token.prefix},
    )
    return token, plaintext


async def list_api_tokens(db: AsyncSession, user: CurrentUser) -> list[ApiToken]:
    rows = await db.execute(
        sa.select(ApiToken).where(TOKENS.c.user_id == user.id).order_by(TOKENS.c.id.desc())
    )
    return list(rows.scalars())


async def revoke_api_token(db: AsyncSession, user: CurrentUser, token_id: int) -> ApiToken:
    # Scoped to the owner: somebody else's token id is indistinguishable from a missing one.
    token = (
        await db.execute(
            sa.select(ApiToken).where(TOKENS.c.id == token_id, TOKENS.c.user_id == user.id)
        )
    ).scalar_one_or_none()
    if token is None:
        raise NotFound(N_("No such API token"))
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        audit.record(
            db,
            actor=user,
            action="api_token_revoked",
            entity="api_token",
            entity_id=token.id,
            before={"name": token.name, "prefix": token.prefix},
        )
    return token


# --- user administration --------------------------------------------------------------------


async def get_identity(db: AsyncSession, user_id: int) -> CurrentUser:
    row = (await db.execute(sa.select(*_user_cols).where(USERS.c.id == user_id))).first()
    if row is None:
        raise NotFound(N_("No such user"))
    return _identity(row)


async def roles_of(db: AsyncSession, user_id: int) -> set[Role]:
    rows = await db.execute(sa.select(ROLES.c.role).where(ROLES.c.user_id == user_id))
    return {Role(r) for r in rows.scalars()}


async def create_user(
    db: AsyncSession,
    actor: Actor,
    *,
    username: str,
    display_name: str,
    password: str,
    roles: list[str],
    email: str | None = None,
    enterprise_id: int | None = None,
    department_id: int | None = None,
) -> User:
    username = (username or "").strip()
    display_name = (display_name or "").strip()
    email = (email or "").strip() or None
    errors = users.field_errors(username, display_name, email, password)
    parsed, role_error = users.parse_roles(roles)
    if role_error:
        errors["roles"] = role_error
    errors.update(users.link_errors(parsed, enterprise_id, department_id))
    if not errors.get("username"):
        taken = await db.scalar(
            sa.select(sa.func.count()).where(sa.func.lower(USERS.c.username) == username.lower())
        )
        if taken:
            errors["username"] = users.username_taken(username)
    if errors:
        raise ValidationFailed(N_("The user was not created."), field_errors=errors)

    user = User(
        username=username,
        display_name=display_name,
        email=email,
        password_hash=passwords.hash_password(password),
        enterprise_id=enterprise_id if Role.enterprise_user in parsed else None,
        department_id=department_id if Role.gov_officer in parsed else None,
    )
    await _insert_user(db, user)
    for role in sorted(parsed):
        db.add(UserRole(user_id=stored_id(user), role=role.value))
    await db.flush()
    audit.record(
        db,
        actor=actor,
        action="user_created",
        entity="user",
        entity_id=user.id,
        after={
            **audit.snapshot(
                user, "username", "display_name", "email", "enterprise_id", "department_id"
            ),
            "roles": sorted(parsed),
        },
    )
    return user


async def _insert_user(db: AsyncSession, user: User) -> None:
    try:
        async with db.begin_nested():
            db.add(user)
            await db.flush()
    except IntegrityError as exc:
        # A foreign key names an enterprise or department that does not exist; otherwise two
        # admins created the same username at once and the unique index decided.
        if sqlstate(exc) == FOREIGN_KEY_VIOLATION:
            field = "enterprise_id" if "enterprise" in str(exc.orig) else "department_id"
            raise ValidationFailed(
                N_("The user was not created."), field_errors={field: N_("No such record")}
            ) from None
        raise Conflict(field_errors={"username": users.username_taken(user.username)}) from None


async def set_roles(
    db: AsyncSession,
    actor: CurrentUser,
    user_id: int,
    roles: list[str],
    enterprise_id: int | None = None,
    department_id: int | None = None,
) -> None:
    user = await get_or_404(db, User, user_id, N_("No such user"))
    parsed, role_error = users.parse_roles(roles)
    errors: dict[str, str] = {"roles": role_error} if role_error else {}
    errors.update(users.link_errors(parsed, enterprise_id, department_id))
    if user_id == actor.id and Role.park_admin not in parsed:
        errors["roles"] = N_("You cannot remove your own administrator role")
    if errors:
        raise ValidationFailed(N_("The roles were not changed."), field_errors=errors)
    before = sorted(await roles_of(db, user_id))
    await db.execute(sa.delete(UserRole).where(ROLES.c.user_id == user_id))
    for role in sorted(parsed):
        db.add(UserRole(user_id=user_id, role=role.value))
    user.enterprise_id = enterprise_id if Role.enterprise_user in parsed else None
    user.department_id = department_id if Role.gov_officer in parsed else None
    await db.flush()
    audit.record(
        db,
        actor=actor,
        action="user_roles_changed",
        entity="user",
        entity_id=user_id,
        before={"roles": before},
        after={"roles": sorted(parsed)},
    )


async def set_active(db: AsyncSession, actor: CurrentUser, user_id: int, active: bool) -> User:
    user = await get_or_404(db, User, user_id, N_("No such user"))
    if user_id == actor.id and not active:
        raise ValidationFailed(N_("You cannot disable your own account."))
    if user.is_active != active:
        user.is_active = active
        if not active:
            await revoke_all_sessions(db, user_id)
        audit.record(
            db,
            actor=actor,
            action="user_enabled" if active else "user_disabled",
            entity="user",
            entity_id=user_id,
            before={"is_active": not active},
            after={"is_active": active},
        )
    await db.flush()
    return user


async def set_password(db: AsyncSession, actor: Actor, username: str, password: str) -> User:
    user = (
        await db.execute(sa.select(User).where(sa.func.lower(USERS.c.username) == username.lower()))
    ).scalar_one_or_none()
    if user is None:
        raise NotFound(Message(N_("No user named '%(username)s'"), username=username))
    problem = passwords.password_problem(password, user.username)
    if problem:
        raise ValidationFailed(field_errors={"password": problem})
    user.password_hash = passwords.hash_password(password)
    user.password_changed_at = utcnow()
    await revoke_all_sessions(db, stored_id(user))
    audit.record(db, actor=actor, action="password_set", entity="user", entity_id=user.id)
    return user


async def list_users(
    db: AsyncSession,
    *,
    q: str | None = None,
    role: str | None = None,
    active: bool | None = None,
    page: int = 1,
    page_size: int = 20,
) -> Page:
    stmt = sa.select(
        USERS.c.id,
        USERS.c.username,
        USERS.c.display_name,
        USERS.c.email,
        USERS.c.is_active,
        USERS.c.enterprise_id,
        USERS.c.department_id,
        USERS.c.created_at,
        _roles_agg.label("roles"),
    )
    if q:
        like = f"%{q.strip()}%"
        stmt = stmt.where(
            sa.or_(
                USERS.c.username.ilike(like),
                USERS.c.display_name.ilike(like),
                USERS.c.email.ilike(like),
            )
        )
    if role:
        stmt = stmt.where(sa.exists().where(ROLES.c.user_id == USERS.c.id, ROLES.c.role == role))
    if active is not None:
        stmt = stmt.where(USERS.c.is_active.is_(active))
    return await paginate(db, stmt.order_by(USERS.c.username), page=page, page_size=page_size)


async def count_active_users(db: AsyncSession) -> int:
    return int(await db.scalar(sa.select(sa.func.count()).where(USERS.c.is_active)) or 0)


async def get_user(db: AsyncSession, user_id: int) -> User:
    return await get_or_404(db, User, user_id, N_("No such user"))


async def list_sessions(db: AsyncSession, user_id: int) -> list[UserSession]:
    rows = await db.execute(
        sa.select(UserSession)
        .where(
            SESSIONS.c.user_id == user_id,
            SESSIONS.c.revoked_at.is_(None),
            SESSIONS.c.expires_at > utcnow(),
        )
        .order_by(SESSIONS.c.created_at.desc())
    )
    return list(rows.scalars())
