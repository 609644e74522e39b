"""What the billing pages, the portal and the API share: who may use them, the labels every
template gets, flashing a refused action and sending a bank slip."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import TypeVar

from litestar import Request
from litestar.response import File, Redirect
from sqlalchemy.ext.asyncio import AsyncSession

from parkops.accounts.roles import Role
from parkops.billing import deposits, meters, payments, pdf, run, service
from parkops.billing.rules import vocabulary, workflow
from parkops.core import blobs, i18n
from parkops.core.errors import AppError
from parkops.core.i18n import N_
from parkops.core.last_day import last_day_of
from parkops.core.web import redirect
from parkops.documents.rules.filenames import content_disposition
from parkops.leases.rules.workflow import STATUS_LABELS as CONTRACT_STATUS_LABELS

T = TypeVar("T")

FINANCE = frozenset({Role.finance, Role.park_admin})
ENTERPRISE = frozenset({Role.enterprise_user})
BILL_READERS = FINANCE | ENTERPRISE

RUN_LABELS = {
    "running": N_("Running"),
    "completed": N_("Completed"),
    "failed": N_("Failed"),
    "interrupted": N_("Interrupted"),
}
LABELS = {
    "status_labels": workflow.STATUS_LABELS,
    "run_labels": RUN_LABELS,
    "source_labels": vocabulary.SOURCE_LABELS,
    "rounding_labels": vocabulary.ROUNDING_LABELS,
    "charge_labels": vocabulary.CHARGE_LABELS,
    "method_labels": vocabulary.METHOD_LABELS,
    "credit_note_labels": vocabulary.CREDIT_NOTE_LABELS,
    "slip_labels": vocabulary.SLIP_STATUS_LABELS,
    "contract_status_labels": CONTRACT_STATUS_LABELS,
    "kind_labels": meters.KIND_LABELS,
    "scope_labels": meters.SCOPE_LABELS,
    "deposit_labels": deposits.KIND_LABELS,
    "bill_number": service.bill_number,
    "receipt_number": pdf.receipt_number,
    "last_day": last_day_of,
    "plain": lambda d: "" if d is None else format(d.normalize(), "f"),
}


def today() -> date:
    return run.shanghai_today()


def error_flash(request: Request, path: str, exc: AppError) -> Redirect:
    message = exc.message
    if exc.field_errors:
        message = i18n.join([message, i18n.join(list(exc.field_errors.values()))], sep=" ")
    return redirect(request, path, flash=("error", message))


def document_redirect(document) -> Redirect:
    return Redirect(path=f"/documents/{document.id}", status_code=303)


async def slip_file_response(request: Request, db: AsyncSession, slip_id: int) -> File:
    slip = await payments.get_slip(db, request.user, slip_id)
    path = payments.slips_dir(request.app.state.settings.storage_dir) / slip.storage_path
    return await blobs.download(  # type: ignore[no-any-return]
        payments.SLIP_KEY_PREFIX + slip.storage_path,
        path,
        media_type=slip.content_type,
        disposition=content_disposition(slip.filename, inline=True),
        missing=N_("The file of this payment report is missing"),
    )


async def act(
    request: Request,
    save: Callable[[], Awaitable[T]],
    *,
    back: str,
    then: str | Callable[[T], str],
    message: str,
) -> Redirect:
    """The POST of a button with no form page of its own: ``save()`` calls the service; when it
    refuses, back to ``back`` with the reason as an error flash (the service changed nothing),
    otherwise redirect to ``then`` (or ``then(result)``) with ``message``."""
    try:
        result = await save()
    except AppError as exc:
        return error_flash(request, back, exc)
    return redirect(request, then(result) if callable(then) else then, flash=("success", message))
