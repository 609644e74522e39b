"""Outgoing email: SMTP in production, the log and an in-memory outbox in development and tests.

With ``PARKOPS_SMTP_HOST`` set, messages go through that server: over implicit TLS (SMTPS,
port 465, or ``PARKOPS_SMTP_TLS=true``) or upgraded with STARTTLS (``PARKOPS_SMTP_STARTTLS``,
the default on other ports), logging in as configured. Given the caller's database session,
``send_mail`` only queues the message (a ``mail.deliver`` job, :mod:`parkops.jobs`) in the
caller's transaction: it leaves when that commits, and a mail server that is down or refuses is
tried again with growing waits instead of failing the user's request.

Without it nothing leaves the machine: in development and tests the message is
written to the log, so a developer can copy an invitation link from the console, and kept in
:data:`OUTBOX` (the last :data:`OUTBOX_SIZE` messages of this process), which tests read. In
production a log is no place for invitation links (they are passwords until used): the send
fails with :class:`MailNotSent` and the log only says that no mail server is configured.

Sent at once (no session given, or by the job), ``send_mail`` raises :class:`MailNotSent` when
the server refuses or cannot be reached.
"""

from __future__ import annotations

import asyncio
import logging
import smtplib
import ssl
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import TYPE_CHECKING

from parkops.config import Settings
from parkops.core.errors import AppError
from parkops.core.i18n import N_
from parkops.db.base import utcnow

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

log = logging.getLogger(__name__)

DELIVER_TASK = "mail.deliver"
IMPLICIT_TLS_PORT = 465

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


def implicit_tls(settings: Settings) -> bool:
    """SMTPS (TLS from the first byte) rather than a plain connection: asked for, or port 465."""
    if settings.smtp_tls is not None:
        return settings.smtp_tls
    return settings.smtp_port == IMPLICIT_TLS_PORT


def _tls_context(settings: Settings) -> ssl.SSLContext:
    # The system's trusted CAs, or the one an internal relay's certificate was issued by.
    cafile = str(settings.smtp_ca_file) if settings.smtp_ca_file else None
    return ssl.create_default_context(cafile=cafile)


def _deliver(settings: Settings, message: EmailMessage) -> None:
    assert settings.smtp_host
    smtp: smtplib.SMTP
    if implicit_tls(settings):
        smtp = smtplib.SMTP_SSL(
            settings.smtp_host,
            settings.smtp_port,
            timeout=SMTP_TIMEOUT_SECONDS,
            context=_tls_context(settings),
        )
    else:
        smtp = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=SMTP_TIMEOUT_SECONDS)
    with smtp:
        if settings.smtp_starttls and not implicit_tls(settings):
            smtp.starttls(context=_tls_context(settings))
        if settings.smtp_user:
            smtp.login(settings.smtp_user, settings.smtp_password or "")
        smtp.send_message(message)


async def send_mail(
    settings: Settings, *, to: str, subject: str, body: str, db: AsyncSession | None = None
) -> SentMail:
    """Send one plain-text message (or log it and keep it in the outbox without SMTP); with
    ``db``, queue it in that transaction instead (see the module's docstring)."""
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
    if db is not None:
        from parkops.core import jobs

        await jobs.defer(db, DELIVER_TASK, to=to, subject=subject, body=body)
        log.info("email to %s queued: %s", to, subject)
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
