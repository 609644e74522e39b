"""Invitations of enterprise users: where one stands, and the email that carries its link.

Pure: no database.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from parkops.core.i18n import gettext
from parkops.core.templating import local_dt
from parkops.db.base import utcnow
from parkops.enterprises.models import EnterpriseInvitation

INVITATION_LIFETIME = timedelta(days=7)


def invitation_state(invitation: EnterpriseInvitation, now: datetime | None = None) -> str:
    now = now or utcnow()
    if invitation.accepted_at is not None:
        return "accepted"
    if invitation.revoked_at is not None:
        return "revoked"
    if invitation.expires_at <= now:
        return "expired"
    return "pending"


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
