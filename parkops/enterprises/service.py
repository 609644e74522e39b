"""Enterprise use cases: the register of tenant enterprises, their shops, and their users.

Services flush, never commit. Who may call what is decided by the routes; what a caller may
*see* is decided here, in the queries: :func:`scoped` filters every read in SQL, so an enterprise
user asking for another enterprise gets the same 404 as for one that does not exist.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from parkops.accounts import service as accounts
from parkops.accounts.identity import CurrentUser
from parkops.accounts.models import User
from parkops.accounts.roles import Role
from parkops.accounts.rules import tokens, users
from parkops.accounts.scoping import one_or_404, scope
from parkops.config import Settings
from parkops.core import audit, mail
from parkops.core.errors import AppError, Conflict, NotFound, ValidationFailed
from parkops.core.i18n import N_, Message, gettext
from parkops.core.integrity import flush_or_field_error
from parkops.core.pagination import Page, paginate
from parkops.core.templating import local_dt
from parkops.db.base import utcnow
from parkops.enterprises.models import Enterprise, EnterpriseInvitation, EnterpriseShop
from parkops.enterprises.uscc import normalize_uscc
from parkops.enterprises.validation import EnterpriseInput, Industry, clean_enterprise
from parkops.enterprises.workflow import EnterpriseStatus, transition_problem

EDITOR_ROLES = frozenset({Role.park_admin, Role.leasing})
INVITATION_LIFETIME = timedelta(days=7)

AUDITED_FIELDS = (
    "name",
    "name_en",
    "uscc",
    "legal_representative",
    "address",
    "address_en",
    "contact_person",
    "contact_mobile",
    "industry",
    "status",
    "registered_capital_fen",
    "employee_count",
)

# ?sort= values of the lists; "-name" sorts descending. Ties are broken by id so pages are stable.
SORTS: dict[str, Any] = {
    "name": Enterprise.name,
    "uscc": Enterprise.uscc,
    "industry": Enterprise.industry,
    "status": Enterprise.status,
    "capital": Enterprise.registered_capital_fen,
    "employees": Enterprise.employee_count,
    "created": Enterprise.created_at,
}
DEFAULT_SORT = "name"


# --- scoping --------------------------------------------------------------------------------


def scoped(stmt: sa.Select, user: CurrentUser) -> sa.Select:
    """``stmt`` restricted to the enterprises ``user`` may read: all for staff, their own for
    enterprise users, none for anybody else."""
    return scope(stmt, user, enterprise_column=Enterprise.id)


# --- reading --------------------------------------------------------------------------------


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def parse_sort(sort: str | None) -> tuple[str, bool]:
    """(key, descending) for a ``?sort=`` value; unknown keys fall back to the default."""
    raw = (sort or "").strip()
    descending = raw.startswith("-")
    key = raw.lstrip("-")
    if key not in SORTS:
        return DEFAULT_SORT, False
    return key, descending


def filtered_query(
    columns: list[Any],
    user: CurrentUser,
    *,
    q: str | None = None,
    industry: str | None = None,
    status: str | None = None,
    sort: str | None = None,
) -> sa.Select:
    stmt = scoped(sa.select(*columns), user)
    text = (q or "").strip()
    if text:
        like = _like(text)
        conditions = [
            Enterprise.name.ilike(like),
            Enterprise.name_en.ilike(like),
            Enterprise.contact_person.ilike(like),
            Enterprise.contact_mobile.like(_like(text.replace(" ", ""))),
        ]
        code = normalize_uscc(text)
        if code:
            conditions.append(Enterprise.uscc.like(_like(code)))
        stmt = stmt.where(sa.or_(*conditions))
    if industry in set(Industry):
        stmt = stmt.where(Enterprise.industry == industry)
    if status in set(EnterpriseStatus):
        stmt = stmt.where(Enterprise.status == status)
    key, descending = parse_sort(sort)
    column = SORTS[key]
    # the tie-breaker follows the direction, so one index serves both (read backwards)
    tie = Enterprise.id.desc() if descending else Enterprise.id.asc()
    stmt = stmt.order_by(column.desc() if descending else column.asc(), tie)
    return stmt


LIST_COLUMNS = [
    Enterprise.id,
    Enterprise.name,
    Enterprise.name_en,
    Enterprise.uscc,
    Enterprise.industry,
    Enterprise.status,
    Enterprise.legal_representative,
    Enterprise.address,
    Enterprise.address_en,
    Enterprise.contact_person,
    Enterprise.contact_mobile,
    Enterprise.registered_capital_fen,
    Enterprise.employee_count,
    Enterprise.created_at,
    Enterprise.updated_at,
]


async def list_enterprises(
    db: AsyncSession,
    user: CurrentUser,
    *,
    q: str | None = None,
    industry: str | None = None,
    status: str | None = None,
    sort: str | None = None,
    page: int = 1,
    page_size: int = 20,
) -> Page:
    stmt = filtered_query(LIST_COLUMNS, user, q=q, industry=industry, status=status, sort=sort)
    return await paginate(db, stmt, page=page, page_size=page_size)


async def export_rows(
    db: AsyncSession,
    user: CurrentUser,
    *,
    q: str | None = None,
    industry: str | None = None,
    status: str | None = None,
    sort: str | None = None,
) -> list[dict[str, Any]]:
    """Every row of the filtered list (no pagination) with its shops, for CSV/XLSX export."""
    shops = (
        sa.select(
            sa.func.coalesce(
                sa.func.jsonb_agg(
                    sa.func.jsonb_build_object(
                        "platform",
                        EnterpriseShop.platform,
                        "shop_name",
                        EnterpriseShop.shop_name,
                        "url",
                        EnterpriseShop.url,
                    )
                ).filter(EnterpriseShop.id.is_not(None)),
                sa.text("'[]'::jsonb"),
            )
        )
        .where(EnterpriseShop.enterprise_id == Enterprise.id)
        .scalar_subquery()
        .label("shops")
    )
    stmt = filtered_query(
        [*LIST_COLUMNS, shops], user, q=q, industry=industry, status=status, sort=sort
    )
    return [dict(r) for r in (await db.execute(stmt)).mappings()]


async def get_enterprise(db: AsyncSession, user: CurrentUser, enterprise_id: int) -> Enterprise:
    stmt = scoped(sa.select(Enterprise).where(Enterprise.id == enterprise_id), user)
    return await one_or_404(db, stmt, N_("No such enterprise"))


async def list_shops(db: AsyncSession, enterprise_id: int) -> list[EnterpriseShop]:
    rows = await db.execute(
        sa.select(EnterpriseShop)
        .where(EnterpriseShop.enterprise_id == enterprise_id)
        .order_by(EnterpriseShop.id)
    )
    return list(rows.scalars())


async def status_counts(db: AsyncSession) -> dict[str, int]:
    rows = await db.execute(
        sa.select(Enterprise.status, sa.func.count()).group_by(Enterprise.status)
    )
    counts = {s.value: 0 for s in EnterpriseStatus}
    counts.update({status: n for status, n in rows})
    return counts


# --- creating and editing -------------------------------------------------------------------


def _duplicate_message(uscc: str, name: str) -> str:
    return Message(
        N_("Unified Social Credit Code %(uscc)s is already registered for %(name)s."),
        uscc=uscc,
        name=name,
    )


async def _check_uscc_free(db: AsyncSession, uscc: str, *, except_id: int | None = None) -> None:
    stmt = sa.select(Enterprise.name).where(Enterprise.uscc == uscc)
    if except_id is not None:
        stmt = stmt.where(Enterprise.id != except_id)
    holder = await db.scalar(stmt)
    if holder is not None:
        raise Conflict(
            N_("The enterprise was not saved."),
            field_errors={"uscc": _duplicate_message(uscc, holder)},
        )


async def _flush_guarding_uscc(db: AsyncSession, uscc: str) -> None:
    """Flush in a savepoint; a concurrent insert of the same USCC becomes a friendly 409."""
    taken = Message(N_("Unified Social Credit Code %(uscc)s is already registered."), uscc=uscc)
    await flush_or_field_error(
        db, {"uq_enterprises_uscc": ("uscc", taken)}, message=N_("The enterprise was not saved.")
    )


def _clean_or_raise(raw: Mapping[str, Any]) -> EnterpriseInput:
    clean, errors = clean_enterprise(raw)
    if errors:
        raise ValidationFailed(N_("The enterprise was not saved."), field_errors=errors)
    assert clean is not None
    return clean


def _shops_snapshot(shops) -> list[dict]:
    return [{"platform": s.platform, "shop_name": s.shop_name, "url": s.url} for s in shops]


async def create_enterprise(
    db: AsyncSession, actor: CurrentUser | str, raw: Mapping[str, Any]
) -> Enterprise:
    clean = _clean_or_raise(raw)
    await _check_uscc_free(db, clean.uscc)
    enterprise = Enterprise(**clean.row())
    db.add(enterprise)
    await _flush_guarding_uscc(db, clean.uscc)
    assert enterprise.id is not None
    for shop in clean.shops:
        db.add(EnterpriseShop(enterprise_id=enterprise.id, **asdict(shop)))
    await db.flush()
    audit.record(
        db,
        actor=actor,
        action="enterprise_created",
        entity="enterprise",
        entity_id=enterprise.id,
        after={
            **audit.snapshot(enterprise, *AUDITED_FIELDS),
            "shops": _shops_snapshot(clean.shops),
        },
    )
    return enterprise


def editable_values(enterprise: Enterprise, shops: list[EnterpriseShop]) -> dict[str, Any]:
    """The current values in the shape :func:`clean_enterprise` accepts."""
    values = {f: getattr(enterprise, f) for f in AUDITED_FIELDS}
    values["shops"] = _shops_snapshot(shops)
    return values


async def update_enterprise(
    db: AsyncSession, actor: CurrentUser, enterprise_id: int, changes: Mapping[str, Any]
) -> Enterprise:
    """Apply ``changes`` (all fields from a form, or some from an API PATCH) and re-check all.

    The registered capital may come as ``registered_capital`` (yuan, from a form) or
    ``registered_capital_fen``; online shops are replaced only when ``shops`` is given.
    """
    enterprise = (
        await db.execute(
            sa.select(Enterprise).where(Enterprise.id == enterprise_id).with_for_update()
        )
    ).scalar_one_or_none()
    if enterprise is None:
        raise NotFound(N_("No such enterprise"))
    current_shops = await list_shops(db, enterprise_id)
    merged = editable_values(enterprise, current_shops)
    if "registered_capital" in changes:
        merged.pop("registered_capital_fen")
    merged.update({k: v for k, v in changes.items() if k in merged or k == "registered_capital"})
    clean = _clean_or_raise(merged)
    problem = transition_problem(enterprise.status, clean.status)
    if problem:
        raise ValidationFailed(
            N_("The enterprise was not saved."), field_errors={"status": problem}
        )
    await _check_uscc_free(db, clean.uscc, except_id=enterprise_id)

    before = {
        **audit.snapshot(enterprise, *AUDITED_FIELDS),
        "shops": _shops_snapshot(current_shops),
    }
    for field, value in clean.row().items():
        setattr(enterprise, field, value)
    new_shops = _shops_snapshot(clean.shops)
    shops_changed = new_shops != before["shops"]
    after = {**audit.snapshot(enterprise, *AUDITED_FIELDS), "shops": new_shops}
    changed = [k for k in after if after[k] != before[k]]
    if not changed:
        return enterprise
    enterprise.updated_at = utcnow()
    await _flush_guarding_uscc(db, clean.uscc)
    if shops_changed:
        await db.execute(
            sa.delete(EnterpriseShop).where(EnterpriseShop.enterprise_id == enterprise_id)
        )
        for shop in clean.shops:
            db.add(EnterpriseShop(enterprise_id=enterprise_id, **asdict(shop)))
        await db.flush()
    audit.record(
        db,
        actor=actor,
        action="enterprise_updated",
        entity="enterprise",
        entity_id=enterprise_id,
        before={k: before[k] for k in changed},
        after={k: after[k] for k in changed},
    )
    if "status" in changed:
        audit.record(
            db,
            actor=actor,
            action="enterprise_status_changed",
            entity="enterprise",
            entity_id=enterprise_id,
            before={"status": before["status"]},
            after={"status": after["status"]},
        )
    return enterprise


# --- enterprise users and invitations -------------------------------------------------------


class InvitationUnusable(AppError):
    status_code = 410
    code = "invitation_unusable"
    title = N_("This invitation can no longer be used")


def invitation_state(invitation: EnterpriseInvitation, now: datetime | None = None) -> str:
    now = now or utcnow()
    if invitation.accepted_at is not None:
        return "accepted"
    if invitation.revoked_at is not None:
        return "revoked"
    if invitation.expires_at <= now:
        return "expired"
    return "pending"


async def list_users(db: AsyncSession, enterprise_id: int) -> list[dict[str, Any]]:
    # A read of the accounts table: the accounts service has no per-enterprise listing.
    rows = await db.execute(
        sa.select(
            User.id, User.username, User.display_name, User.email, User.is_active, User.created_at
        )
        .where(User.enterprise_id == enterprise_id)
        .order_by(User.username)
    )
    return [dict(r) for r in rows.mappings()]


async def list_invitations(db: AsyncSession, enterprise_id: int) -> list[dict[str, Any]]:
    rows = (
        await db.execute(
            sa.select(EnterpriseInvitation)
            .where(EnterpriseInvitation.enterprise_id == enterprise_id)
            .order_by(EnterpriseInvitation.id.desc())
        )
    ).scalars()
    now = utcnow()
    return [
        {
            **inv.model_dump(exclude={"token_hash"}),
            "state": invitation_state(inv, now),
        }
        for inv in rows
    ]


def invitation_mail(
    enterprise_name: str, display_name: str, link: str, expires: datetime
) -> tuple[str, str]:
    subject = gettext("Your ParkOps account for %(enterprise)s") % {"enterprise": enterprise_name}
    body = gettext(
        "Hello %(name)s,\n\n"
        "the park office invites you to ParkOps as a user of %(enterprise)s. There you can see "
        "your enterprise's contracts and bills and file requests with the service desk.\n\n"
        "Open this link to choose your username and password:\n%(link)s\n\n"
        "The link can be used once and expires on %(expires)s (China Standard Time).\n"
        "If you did not expect this email, ignore it.\n"
    ) % {
        "name": display_name,
        "enterprise": enterprise_name,
        "link": link,
        "expires": local_dt(expires),
    }
    return subject, body


async def invite_user(
    db: AsyncSession,
    settings: Settings,
    actor: CurrentUser,
    enterprise_id: int,
    *,
    email: str,
    display_name: str,
    base_url: str,
) -> EnterpriseInvitation:
    """Create an invitation and email its link; a pending one to the same address is replaced.

    The token is only in the email: the database keeps its sha256. If the mail server refuses,
    :class:`parkops.core.mail.MailNotSent` propagates and the request rolls back.
    """
    enterprise = await get_enterprise(db, actor, enterprise_id)
    email = (email or "").strip()
    display_name = (display_name or "").strip()
    errors = {}
    if not users.EMAIL_RE.match(email) or len(email) > 254:
        errors["email"] = N_("Enter the invitee's email address")
    if not display_name or len(display_name) > 120:
        errors["display_name"] = N_("Enter the invitee's name (at most 120 characters)")
    if errors:
        raise ValidationFailed(N_("The invitation was not sent."), field_errors=errors)

    now = utcnow()
    await db.execute(
        sa.update(EnterpriseInvitation)
        .where(
            EnterpriseInvitation.enterprise_id == enterprise_id,
            sa.func.lower(EnterpriseInvitation.email) == email.lower(),
            EnterpriseInvitation.accepted_at.is_(None),
            EnterpriseInvitation.revoked_at.is_(None),
        )
        .values(revoked_at=now)
    )
    token = tokens.new_secret()
    invitation = EnterpriseInvitation(
        enterprise_id=enterprise_id,
        email=email,
        display_name=display_name,
        token_hash=tokens.digest(token),
        invited_by_id=actor.id,
        created_at=now,
        expires_at=now + INVITATION_LIFETIME,
    )
    db.add(invitation)
    await db.flush()
    audit.record(
        db,
        actor=actor,
        action="enterprise_user_invited",
        entity="enterprise",
        entity_id=enterprise_id,
        after={"invitation_id": invitation.id, "email": email, "display_name": display_name},
    )
    link = f"{base_url.rstrip('/')}/invite/{token}"
    subject, body = invitation_mail(enterprise.name, display_name, link, invitation.expires_at)
    await mail.send_mail(settings, to=email, subject=subject, body=body, db=db)
    return invitation


async def revoke_invitation(
    db: AsyncSession, actor: CurrentUser, enterprise_id: int, invitation_id: int
) -> None:
    invitation = (
        await db.execute(
            sa.select(EnterpriseInvitation).where(
                EnterpriseInvitation.id == invitation_id,
                EnterpriseInvitation.enterprise_id == enterprise_id,
            )
        )
    ).scalar_one_or_none()
    if invitation is None:
        raise NotFound(N_("No such invitation"))
    if invitation_state(invitation) != "pending":
        return
    invitation.revoked_at = utcnow()
    await db.flush()
    audit.record(
        db,
        actor=actor,
        action="enterprise_invitation_revoked",
        entity="enterprise",
        entity_id=enterprise_id,
        after={"invitation_id": invitation.id, "email": invitation.email},
    )


async def find_invitation(
    db: AsyncSession, token: str, *, lock: bool = False
) -> tuple[EnterpriseInvitation, str]:
    """The invitation for a token and its enterprise's name; raises if it cannot be used."""
    stmt = (
        sa.select(EnterpriseInvitation, Enterprise.name)
        .join(Enterprise, Enterprise.id == EnterpriseInvitation.enterprise_id)
        .where(EnterpriseInvitation.token_hash == tokens.digest(token or ""))
    )
    if lock:
        # Two tabs submitting the same link: the second waits here, then sees it accepted.
        stmt = stmt.with_for_update(of=EnterpriseInvitation)
    row = (await db.execute(stmt)).first()
    if row is None:
        raise NotFound(
            N_(
                "This invitation link is not valid. Check that you copied the whole link from the "
                "email, or ask the park office for a new invitation."
            )
        )
    invitation, enterprise_name = row
    state = invitation_state(invitation)
    if state == "accepted":
        raise InvitationUnusable(
            N_("This invitation has already been used. Sign in with the account created from it.")
        )
    if state == "revoked":
        raise InvitationUnusable(
            N_("This invitation was withdrawn. Ask the park office for a new invitation.")
        )
    if state == "expired":
        raise InvitationUnusable(
            gettext(
                "This invitation expired on %(date)s. Ask the park office for a new invitation."
            )
            % {"date": local_dt(invitation.expires_at)}
        )
    return invitation, enterprise_name


async def accept_invitation(
    db: AsyncSession,
    token: str,
    *,
    username: str,
    display_name: str,
    password: str,
    confirm: str,
) -> User:
    """Create the enterprise user an invitation asks for and use the invitation up."""
    invitation, _name = await find_invitation(db, token, lock=True)
    if (password or "") != (confirm or ""):
        raise ValidationFailed(
            N_("The account was not created."),
            field_errors={"confirm_password": N_("The two passwords differ")},
        )
    user = await accounts.create_user(
        db,
        f"invitation {invitation.id}",
        username=username,
        display_name=display_name or invitation.display_name,
        password=password,
        email=invitation.email,
        roles=[Role.enterprise_user.value],
        enterprise_id=invitation.enterprise_id,
    )
    invitation.accepted_at = utcnow()
    invitation.accepted_user_id = user.id
    await db.flush()
    audit.record(
        db,
        actor=user,
        action="enterprise_invitation_accepted",
        entity="enterprise",
        entity_id=invitation.enterprise_id,
        after={"invitation_id": invitation.id, "user_id": user.id, "username": user.username},
    )
    return user


async def set_user_active(
    db: AsyncSession, actor: CurrentUser, enterprise_id: int, user_id: int, active: bool
) -> None:
    """Disable (or re-enable) one of the enterprise's users; other users' ids are a 404."""
    belongs = await db.scalar(
        sa.select(User.id).where(User.id == user_id, User.enterprise_id == enterprise_id)
    )
    if belongs is None:
        raise NotFound(N_("No such user of this enterprise"))
    await accounts.set_active(db, actor, user_id, active)
