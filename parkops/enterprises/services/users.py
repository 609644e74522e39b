"""The users of an enterprise: inviting them by email, the invitation link's page, accepting
it (which creates the account), disabling and re-enabling them.

Services flush, never commit.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from parkops.accounts import service as accounts
from parkops.accounts.identity import CurrentUser
from parkops.accounts.models import User
from parkops.accounts.roles import Role
from parkops.accounts.rules import tokens
from parkops.accounts.rules import users as account_rules
from parkops.config import Settings
from parkops.core import audit, mail
from parkops.core.errors import AppError, NotFound, ValidationFailed
from parkops.core.i18n import N_, gettext
from parkops.core.templating import local_dt
from parkops.db.base import utcnow
from parkops.enterprises.models import Enterprise, EnterpriseInvitation
from parkops.enterprises.repository import get_enterprise
from parkops.enterprises.rules.invitations import (
    INVITATION_LIFETIME,
    invitation_mail,
    invitation_state,
)


class InvitationUnusable(AppError):
    status_code = 410
    code = "invitation_unusable"
    title = N_("This invitation can no longer be used")


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
    if not account_rules.EMAIL_RE.match(email) or len(email) > 254:
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
