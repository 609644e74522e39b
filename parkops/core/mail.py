"""Outgoing email: SMTP in production, the log and an in-memory outbox in development and tests.

With ``PARKOPS_SMTP_HOST`` set, messages go through that server (STARTTLS and login as
configured). Without it nothing leaves the machine: in development and tests the message is
written to the log, so a developer can copy an invitation link from the console, and kept in
:data:`OUTBOX` (the last :data:`OUTBOX_SIZE` messages of this process), which tests read. In
production a log is no place for invitation links (they are passwords until used): the send
fails with :class:`MailNotSent` and the log only says that no mail server is configured.

``send_mail`` raises :class:`MailNotSent` when the server refuses or cannot be reached, so the
caller's transaction rolls back rather than recording something (an invitation, say) whose
email never went out.
"""

from __future__ import annotations

import asyncio
import logging
import smtplib
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from parkops.config import Settings
from parkops.core.errors import AppError
from parkops.core.i18n import N_
from parkops.db.base import utcnow

log = logging.getLogger(__name__)

OUTBOX_SIZE = 50
SMTP_TIMEOUT_SECONDS = 20


@dataclass(frozen=True)
class SentMail:
    to: str
    subject: str
    body: str
    sender: str
    at: datetime = field(default_factory=utcnow)


OUTBOX: deque[SentMail] = deque(maxlen=OUTBOX_SIZE)
"""The last messages "sent" while no SMTP host is configured, oldest first."""


class MailNotSent(AppError):
    status_code = 502
    code = "mail_not_sent"
    title = N_("The email could not be sent")


def build_message(settings: Settings, to: str, subject: str, body: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.smtp_from
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=settings.smtp_from.rpartition("@")[2] or None)
    message.set_content(body)  # UTF-8, so Chinese names and subjects survive
    return message


def _deliver(settings: Settings, message: EmailMessage) -> None:
    assert settings.smtp_host
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=SMTP_TIMEOUT_SECONDS) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_user:
            smtp.login(settings.smtp_user, settings.smtp_password or "")
        smtp.send_message(message)


async def send_mail(settings: Settings, *, to: str, subject: str, body: str) -> SentMail:
    """Send one plain-text message (or log it and keep it in the outbox without SMTP)."""
    sent = SentMail(to=to, subject=subject, body=body, sender=settings.smtp_from)
    if not settings.smtp_host and settings.env == "production":
        log.warning(
            "email to %s not sent: the mail server is not configured (PARKOPS_SMTP_HOST)", to
        )
        raise MailNotSent(
            N_("No mail server is configured, so the email was not sent. Tell the administrator.")
        )
    if not settings.smtp_host:
        OUTBOX.append(sent)
        log.info(
            "email not sent (no SMTP host configured)\nTo: %s\nSubject: %s\n\n%s", to, subject, body
        )
        return sent
    message = build_message(settings, to, subject, body)
    try:
        # smtplib blocks; a slow mail server must not stall the event loop.
        await asyncio.to_thread(_deliver, settings, message)
    except (OSError, smtplib.SMTPException) as exc:
        log.warning("sending email to %s failed: %s", to, exc)
        raise MailNotSent(
            N_("The email could not be sent. Check the address or try again later.")
        ) from exc
    log.info("email sent to %s: %s", to, subject)
    return sent
