"""The upload -> preview -> commit flow of spreadsheet imports, which a domain configures with an
`ImportSpec`: its columns (each with a cell parser, see `parkops.core.tabular`), a ``check`` of
the parsed rows against the database and a ``write``; `import_pages` makes the four pages.

    UNIT_IMPORT = ImportSpec(key="inventory.units", title=N_("Import units"),
                             columns=UNIT_COLUMNS, check=check_rows, write=write_units)
    UnitImportPages = import_pages(UNIT_IMPORT, base="/units/import", opt={"roles": EDITORS},
                                   back_url="/units", done_url="/units")

``check(db, actor, rows)`` gets the rows without cell errors and returns ``(plans, errors)``: one
plan per row for the writer (whatever it needs: the row itself, a parsed input, ids looked up in
batch) and row errors (`RowError`) naming a line and column. ``write(db, actor, plans)`` runs
only when no row has an error, flushes (never commits) and returns how many rows it wrote; it
may raise `RowErrors` to reject the whole import. Check in batches: one query for all rows, not
one per row.

Between preview and commit the decoded upload is kept as a UTF-8 file under
``settings.storage_dir / "imports"``, named by a random token and bound to the user and the
import's ``key``; it expires after an hour. Commit claims the token atomically (a rename), so a
double-clicked commit button imports once. At commit the file is parsed and validated again (the
database may have changed since the preview) and the domain's ``write`` runs inside a savepoint
of the request transaction: if it raises, nothing it wrote survives.
"""

from __future__ import annotations

import functools
import json
import os
import re
import secrets
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio
import anyio.to_thread
from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from parkops.core.actor import Actor
from parkops.core.errors import ValidationFailed
from parkops.core.i18n import gettext
from parkops.core.tabular import (
    CSV_MEDIA_TYPE,
    MAX_BYTES,
    MAX_ROWS,
    N_,
    Column,
    ImportPreview,
    PreviewRow,
    RowError,
    decode,
    download_response,
    export_csv,
    read_csv,
)
from parkops.core.web import form_data, redirect, render
from parkops.db.request_session import DbSession

# Litestar refuses bodies over this with a bare 413; it is above MAX_BYTES so that files between
# the two get our clearer message. Pass it as ``request_max_body_size`` on the upload route.
UPLOAD_MAX_BODY = 20 * 1024 * 1024
TOKEN_TTL_SECONDS = 3600
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")

Checked = tuple[Sequence[Any], Sequence[RowError]]
"""What an import's check returns: one plan per row for the writer, and the rows' errors."""
Checker = Callable[[AsyncSession, Actor, list[PreviewRow]], Awaitable[Checked]]
Writer = Callable[[AsyncSession, Actor, list[Any]], Awaitable[int]]


async def rows_as_plans(
    db: AsyncSession, actor: Actor, rows: list[PreviewRow]
) -> tuple[list[PreviewRow], list[RowError]]:
    """The check of an import whose writer takes the parsed rows as they are."""
    return rows, []


class RowErrors(ValidationFailed):
    """Raised by a domain ``commit`` to reject the whole import with row errors."""

    def __init__(self, errors: Sequence[RowError]) -> None:
        super().__init__(N_("The import was rejected; nothing was saved."))
        self.errors = list(errors)


@dataclass(frozen=True)
class ImportSpec:
    key: str  # e.g. "inventory.units": a stored upload is only accepted by the same import
    title: str  # English, shown translated
    columns: Sequence[Column]
    write: Writer
    check: Checker = rows_as_plans
    max_bytes: int = MAX_BYTES
    max_rows: int = MAX_ROWS
    ignore_unknown_columns: bool = False
    template_filename: str = "import-template.csv"


# --- the stored upload between preview and commit -----------------------------------------------


class UploadStore:
    def __init__(self, root: Path, ttl_seconds: int = TOKEN_TTL_SECONDS) -> None:
        self.root = root
        self.ttl = ttl_seconds

    def save(self, user_id: int, key: str, filename: str, text: str) -> str:
        self.root.mkdir(parents=True, exist_ok=True)
        self.purge_expired()
        token = secrets.token_urlsafe(24)
        (self.root / f"{token}.csv").write_text(text, encoding="utf-8")
        meta = {"user_id": user_id, "key": key, "filename": filename, "created": time.time()}
        # The metadata is written last: a token without it does not exist yet.
        tmp = self.root / f"{token}.json.tmp"
        tmp.write_text(json.dumps(meta), encoding="utf-8")
        tmp.rename(self.root / f"{token}.json")
        return token

    def claim(self, token: str, user_id: int, key: str) -> tuple[str, bytes] | None:
        """Take the upload out of the store: (filename, data), or None when it is not there,
        expired, another user's or another import's. Only one caller can claim a token."""
        if not token or not _TOKEN.match(token):
            return None
        meta_path = self.root / f"{token}.json"
        claimed = self.root / f"{token}.claimed-{secrets.token_hex(4)}"
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if meta.get("user_id") != user_id or meta.get("key") != key:
            return None  # left in place: the owner can still use it
        try:
            meta_path.rename(claimed)
        except OSError:
            return None  # claimed by a concurrent request
        data_path = self.root / f"{token}.csv"
        try:
            if time.time() - float(meta.get("created", 0)) > self.ttl:
                return None
            return str(meta.get("filename", "")), data_path.read_bytes()
        except OSError:
            return None
        finally:
            claimed.unlink(missing_ok=True)
            data_path.unlink(missing_ok=True)

    def purge_expired(self) -> None:
        cutoff = time.time() - self.ttl
        try:
            entries = list(os.scandir(self.root))
        except OSError:
            return
        for entry in entries:
            try:
                if entry.stat().st_mtime < cutoff:
                    os.unlink(entry.path)
            except OSError:
                continue


def upload_store(request: Request) -> UploadStore:
    return UploadStore(request.app.state.settings.storage_dir / "imports")


# --- the flow -----------------------------------------------------------------------------------


async def build_preview(
    db: AsyncSession, actor: Actor, spec: ImportSpec, data: bytes, filename: str = ""
) -> ImportPreview:
    """Read the file and run the domain's check on the rows that parsed cleanly."""
    # Parsing megabytes of CSV is CPU work: off the event loop, so other requests go on.
    preview = await anyio.to_thread.run_sync(
        functools.partial(
            read_csv,
            data,
            spec.columns,
            filename=filename,
            max_bytes=spec.max_bytes,
            max_rows=spec.max_rows,
            ignore_unknown_columns=spec.ignore_unknown_columns,
        )
    )
    if not preview.file_errors:
        clean = preview.clean_rows()
        if clean:
            plans, errors = await spec.check(db, actor, clean)
            preview.plans = list(plans)
            preview.add_errors(errors)
    return preview


async def commit_rows(
    db: AsyncSession, actor: Actor, spec: ImportSpec, preview: ImportPreview
) -> int:
    """Run the domain's writer in a savepoint; `RowErrors` it raises land in ``preview``."""
    if not preview.can_commit:
        raise RowErrors(preview.all_errors)
    try:
        async with db.begin_nested():
            return await spec.write(db, actor, preview.plans)
    except RowErrors as exc:
        preview.add_errors(exc.errors or [RowError(0, None, exc.message)])
        raise RowErrors(preview.all_errors) from None


class ImportPages:
    """The three pages of an import, for a domain controller to delegate to.

    ``base`` is the URL of the upload form (GET) and upload (POST); commit posts to
    ``base + "/commit"``; the blank template, when offered, is ``base + "/template.csv"``.
    """

    def __init__(
        self,
        spec: ImportSpec,
        *,
        base: str,
        back_url: str | None = None,
        offer_template: bool = True,
    ) -> None:
        self.spec = spec
        self.base = base.rstrip("/")
        self.back_url = back_url
        self.offer_template = offer_template

    def _context(self, **extra: Any) -> dict[str, Any]:
        return {
            "spec": self.spec,
            "action": self.base,
            "commit_action": f"{self.base}/commit",
            "template_url": f"{self.base}/template.csv" if self.offer_template else None,
            "back_url": self.back_url,
            **extra,
        }

    def form(
        self, request: Request, *, status_code: int = 200, upload_error: str | None = None
    ) -> Template:
        return render(
            request,
            "imports/upload.html",
            status_code=status_code,
            **self._context(upload_error=upload_error),
        )

    def blank_template(self) -> Response:
        return download_response(
            export_csv(self.spec.columns, []), self.spec.template_filename, CSV_MEDIA_TYPE
        )

    def _preview_page(self, request: Request, preview: ImportPreview) -> Template:
        return render(
            request,
            "imports/preview.html",
            status_code=200 if preview.can_commit else 422,
            **self._context(preview=preview),
        )

    async def preview(self, request: Request, db: AsyncSession) -> Template:
        """POST of the upload form: the preview page (422 when anything is wrong)."""
        form = await request.form()
        upload = form.get("file")
        if not isinstance(upload, UploadFile) or not upload.filename:
            return self.form(request, status_code=422, upload_error=N_("Choose a CSV file."))
        data = await upload.read(self.spec.max_bytes + 1)
        filename = os.path.basename(upload.filename.replace("\\", "/"))[:200]
        preview = await build_preview(db, request.user, self.spec, data, filename)
        if preview.can_commit:
            preview.token = upload_store(request).save(
                request.user.id, self.spec.key, filename, decode(data)
            )
        return self._preview_page(request, preview)

    async def commit(
        self,
        request: Request,
        db: AsyncSession,
        *,
        done_url: str,
        done_message: str = N_("Imported %(count)s rows."),
    ) -> Template | Redirect:
        """POST of the commit button: all rows or none, then a redirect to ``done_url``."""
        data = await form_data(request)
        stored = upload_store(request).claim(
            str(data.get("token", "")), request.user.id, self.spec.key
        )
        if stored is None:
            return self.form(
                request,
                status_code=409,
                upload_error=N_(
                    "This upload has expired or was already imported. Upload the file again."
                ),
            )
        filename, content = stored
        preview = await build_preview(db, request.user, self.spec, content, filename)
        try:
            count = await commit_rows(db, request.user, self.spec, preview)
        except RowErrors:
            return self._preview_page(request, preview)
        return redirect(
            request, done_url, flash=("success", gettext(done_message) % {"count": count})
        )


def import_pages(
    spec: ImportSpec,
    *,
    base: str,
    opt: Mapping[str, Any],
    back_url: str,
    done_url: str,
    done_message: str = N_("Imported %(count)s rows."),
) -> type[Controller]:
    """The controller of an import's pages at ``base``: the upload form (GET), the blank
    template (``/template.csv``), the preview (POST) and the commit (``/commit``); ``opt``
    declares who may use them (``{"roles": ...}``)."""
    flow = ImportPages(spec, base=base, back_url=back_url)

    class Pages(Controller):
        path = base
        include_in_schema = False

        @get("/")
        async def form(self, request: Request) -> Template:
            return flow.form(request)

        @get("/template.csv")
        async def blank(self) -> Response:
            return flow.blank_template()

        @post("/", request_max_body_size=UPLOAD_MAX_BODY)
        async def upload(self, request: Request, db: DbSession) -> Template:
            return await flow.preview(request, db)

        @post("/commit")
        async def commit(self, request: Request, db: DbSession) -> Template | Redirect:
            return await flow.commit(request, db, done_url=done_url, done_message=done_message)

    Pages.opt = dict(opt)
    Pages.__name__ = Pages.__qualname__ = f"ImportPages_{spec.key.replace('.', '_')}"
    return Pages
