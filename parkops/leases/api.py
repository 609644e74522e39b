"""The leases part of the JSON API (``/api/v1/leases``): contracts and their lifecycle, terms
amendments, renewals, terminations, contract PDFs, reservations, expiring lists."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, patch, post, put
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.response import File
from sqlalchemy.ext.asyncio import AsyncSession

from parkops.accounts.identity import CurrentUser
from parkops.accounts.roles import STAFF, Role
from parkops.core.last_day import last_day_of
from parkops.db.request_session import DbSession
from parkops.leases import contract_document, schemas
from parkops.leases.access import READERS
from parkops.leases.portal import contract_pdf_response
from parkops.leases.rules.workflow import available_actions
from parkops.leases.services import (
    amendments,
    reading,
    renewal,
    reservations,
    rollover,
    terminations,
    writing,
)
from parkops.leases.services import park_settings as leases_park_settings

LEASING = frozenset({Role.leasing, Role.park_admin})
ADMIN = frozenset({Role.park_admin})


def contract_out(view: dict[str, Any], user: CurrentUser) -> schemas.ContractOut:
    c = view["contract"]
    termination = view["termination"]
    return schemas.ContractOut(
        id=c.id,
        number=c.number,
        status=c.status,
        park_id=c.park_id,
        park_name=view["park_name"],
        enterprise_id=c.enterprise_id,
        enterprise_name=(view["enterprise"] or {}).get("name"),
        start_date=c.start_date,
        last_day=view["last_day"],
        terminated_last_day=view["terminated_last_day"],
        term_months=view["term_length"].months,
        term_extra_days=view["term_length"].days,
        signed_on=c.signed_on,
        purpose=c.purpose,
        purpose_en=c.purpose_en,
        special_terms=c.special_terms,
        language=c.language,
        predecessor_id=c.predecessor_id,
        successor_id=(view["successor"] or {}).get("id"),
        approved_at=c.approved_at,
        created_at=c.created_at,
        units=[schemas.UnitOut(**u) for u in view["units"]],
        gross_area=view["gross_area"],
        leasable_area=view["leasable_area"],
        terms=schemas.TermsOut.model_validate(view["terms"], from_attributes=True),
        terms_versions=len(view["versions"]),
        deposit_fen=view["deposit_fen"],
        deposit_due_date=(view["first_payment"] or {}).get("due_date"),
        monthly_rent_fen=view["monthly_rent_fen"],
        schedule_frozen=view["schedule_frozen"],
        schedule_total_fen=view["schedule_total_fen"],
        allowed_actions=available_actions(c.status, user.roles),
        termination=termination_out(termination) if termination else None,
    )


def termination_out(termination: Any) -> schemas.TerminationOut:
    return schemas.TerminationOut(
        last_day=last_day_of(termination.end_date),
        reason=termination.reason,
        deposit_held_fen=termination.deposit_held_fen,
        charges_due_fen=termination.charges_due_fen,
        balance_fen=termination.balance_fen,
        statement=termination.statement,
        created_at=termination.created_at,
    )


def line_out(line: dict) -> schemas.ScheduleLineOut:
    fields = set(schemas.ScheduleLineOut.model_fields) - {"period_last_day", "breakdown"}
    return schemas.ScheduleLineOut(
        **{k: line[k] for k in fields},
        period_last_day=line["last_day"],
        breakdown=[p["text"] for p in line["breakdown"]],
    )


async def _contract(db: AsyncSession, user: CurrentUser, contract_id: int) -> schemas.ContractOut:
    return contract_out(await reading.contract_view(db, user, contract_id), user)


def _document_out(doc: Any) -> schemas.ContractDocumentOut:
    data = doc if isinstance(doc, dict) else doc.model_dump()
    return schemas.ContractDocumentOut(
        **{k: data[k] for k in schemas.ContractDocumentOut.model_fields if k != "file_url"},
        file_url=f"/api/v1/documents/{data['id']}/file",
    )


class LeasesApi(Controller):
    path = "/api/v1/leases"
    tags = ["leases"]

    # --- contracts ------------------------------------------------------------------------------

    @get(
        "/contracts",
        opt={"roles": READERS},
        summary="List contracts",
        description="Enterprise users see only their own enterprise's signed contracts. "
        "`expiring_within` (days) lists active contracts ending within that many days.",
    )
    async def list_contracts(
        self,
        request: Request,
        db: DbSession,
        status: FromQuery[str | None] = None,
        q: FromQuery[str | None] = None,
        park_id: FromQuery[int | None] = None,
        enterprise_id: FromQuery[int | None] = None,
        expiring_within: FromQuery[int | None] = None,
        sort: FromQuery[str | None] = None,
        page: FromQuery[int] = 1,
        page_size: FromQuery[int] = 20,
    ) -> schemas.ContractPage:
        result = await reading.list_contracts(
            db,
            request.user,
            status=status,
            q=q,
            park_id=park_id,
            enterprise_id=enterprise_id,
            expiring_within=expiring_within,
            sort=sort,
            page=page,
            page_size=page_size,
        )
        items = [schemas.ContractSummary(**r) for r in result.items]
        return schemas.ContractPage(**result.as_dict(items))

    @post(
        "/contracts",
        opt={"roles": LEASING},
        summary="Draft a contract (and submit it with `submit: true`)",
        status_code=201,
    )
    async def create_contract(
        self, request: Request, db: DbSession, data: JSONBody[schemas.ContractIn]
    ) -> schemas.ContractOut:
        raw = data.raw()
        submit = bool(raw.pop("submit", False))
        contract = await writing.create_contract(db, request.user, raw, submit=submit)
        return await _contract(db, request.user, contract.id)

    @get("/contracts/{contract_id:int}", opt={"roles": READERS}, summary="One contract")
    async def get_contract(
        self, request: Request, db: DbSession, contract_id: FromPath[int]
    ) -> schemas.ContractOut:
        return await _contract(db, request.user, contract_id)

    @patch(
        "/contracts/{contract_id:int}",
        opt={"roles": LEASING},
        summary="Change a draft (the fields sent)",
    )
    async def update_contract(
        self,
        request: Request,
        db: DbSession,
        contract_id: FromPath[int],
        data: JSONBody[schemas.ContractUpdate],
    ) -> schemas.ContractOut:
        current = await writing.draft_form_values(db, request.user, contract_id)
        await writing.update_draft(
            db, request.user, contract_id, amendments.merge_terms(current, data.raw())
        )
        return await _contract(db, request.user, contract_id)

    @get(
        "/contracts/{contract_id:int}/schedule",
        opt={"roles": READERS},
        summary="The rent schedule (computed before approval, frozen after)",
    )
    async def schedule(
        self, request: Request, db: DbSession, contract_id: FromPath[int]
    ) -> list[schemas.ScheduleLineOut]:
        contract = await reading.get_contract(db, request.user, contract_id)
        lines, _frozen = await reading.schedule_of(db, contract)
        return [line_out(line) for line in lines]

    @get(
        "/contracts/{contract_id:int}/events",
        opt={"roles": STAFF},
        summary="What happened to a contract",
    )
    async def events(
        self, request: Request, db: DbSession, contract_id: FromPath[int]
    ) -> list[schemas.EventOut]:
        await reading.get_contract(db, request.user, contract_id)
        return [schemas.EventOut(**e) for e in await reading.events_of(db, contract_id)]

    @post(
        "/contracts/{contract_id:int}/transitions",
        opt={"roles": LEASING},
        summary="Submit, approve (park admin), reject (park admin, with a note) or cancel",
        status_code=200,
    )
    async def transition(
        self,
        request: Request,
        db: DbSession,
        contract_id: FromPath[int],
        data: JSONBody[schemas.TransitionIn],
    ) -> schemas.ContractOut:
        await writing.transition(db, request.user, contract_id, data.action, data.note)
        return await _contract(db, request.user, contract_id)

    @post(
        "/contracts/{contract_id:int}/amendments",
        opt={"roles": LEASING},
        summary="Change the terms from a date (a new terms version; earlier periods kept)",
        status_code=201,
    )
    async def amend(
        self,
        request: Request,
        db: DbSession,
        contract_id: FromPath[int],
        data: JSONBody[schemas.AmendmentIn],
    ) -> schemas.ContractOut:
        await amendments.amend_terms(db, request.user, contract_id, data.raw())
        return await _contract(db, request.user, contract_id)

    @post(
        "/contracts/{contract_id:int}/renewal",
        opt={"roles": LEASING},
        summary="Draft the renewal (successor) of a contract",
        status_code=201,
    )
    async def renew(
        self,
        request: Request,
        db: DbSession,
        contract_id: FromPath[int],
        data: JSONBody[schemas.RenewalIn],
    ) -> schemas.ContractOut:
        successor = await renewal.renew(
            db, request.user, contract_id, data.model_dump(exclude_none=True)
        )
        return await _contract(db, request.user, successor.id)

    @post(
        "/contracts/{contract_id:int}/termination",
        opt={"roles": LEASING},
        summary="Terminate early, with a settlement statement",
        status_code=201,
    )
    async def terminate(
        self,
        request: Request,
        db: DbSession,
        contract_id: FromPath[int],
        data: JSONBody[schemas.TerminationIn],
    ) -> schemas.TerminationOut:
        termination = await terminations.terminate(db, request.user, contract_id, data.model_dump())
        return termination_out(termination)

    @get(
        "/contracts/{contract_id:int}/documents",
        opt={"roles": READERS},
        summary="The contract's generated PDFs",
    )
    async def documents(
        self, request: Request, db: DbSession, contract_id: FromPath[int]
    ) -> list[schemas.ContractDocumentOut]:
        await reading.get_contract(db, request.user, contract_id)
        rows = await contract_document.contract_documents(
            db, contract_id, binding_only=not request.user.is_staff
        )
        return [_document_out(r) for r in rows]

    @post(
        "/contracts/{contract_id:int}/documents",
        opt={"roles": LEASING},
        summary="Generate the contract PDF (Chinese, or Chinese with English)",
        status_code=201,
    )
    async def generate(
        self,
        request: Request,
        db: DbSession,
        contract_id: FromPath[int],
        data: JSONBody[schemas.DocumentIn],
    ) -> schemas.ContractDocumentOut:
        contract = await reading.get_contract(db, request.user, contract_id)
        document = await contract_document.generate_pdf(
            db,
            request.user,
            contract,
            data.language,
            documents_dir=request.app.state.settings.documents_dir,
        )
        return _document_out(document)

    @get(
        "/contracts/{contract_id:int}/pdf",
        opt={"roles": READERS},
        summary="The contract PDF (the latest one; generated on first request once signed)",
        media_type="application/pdf",
    )
    async def pdf(self, request: Request, db: DbSession, contract_id: FromPath[int]) -> File:
        return await contract_pdf_response(request, db, contract_id)

    # --- lists ----------------------------------------------------------------------------------

    @get(
        "/expiring",
        opt={"roles": STAFF},
        summary="Active contracts ending within 30, 60 or 90 days",
    )
    async def expiring(
        self,
        request: Request,
        db: DbSession,
        days: FromQuery[int] = 30,
        page: FromQuery[int] = 1,
        page_size: FromQuery[int] = 20,
    ) -> schemas.ContractPage:
        result = await reading.list_contracts(
            db,
            request.user,
            expiring_within=max(1, min(days, 366)),
            page=page,
            page_size=page_size,
        )
        return schemas.ContractPage(
            **result.as_dict([schemas.ContractSummary(**r) for r in result.items])
        )

    @get("/expiring/counts", opt={"roles": STAFF}, summary="How many contracts end soon")
    async def expiring_counts(self, db: DbSession) -> schemas.ExpiringCounts:
        counts = await reading.expiring_counts(db)
        return schemas.ExpiringCounts(
            within_30=counts[30], within_60=counts[60], within_90=counts[90]
        )

    # --- reservations ---------------------------------------------------------------------------

    @get(
        "/reservations",
        opt={"roles": STAFF},
        summary="Holds on units",
        description="`status`: live (holding now), expired, released, converted.",
    )
    async def list_reservations(
        self,
        db: DbSession,
        status: FromQuery[str | None] = None,
        q: FromQuery[str | None] = None,
        page: FromQuery[int] = 1,
        page_size: FromQuery[int] = 20,
    ) -> schemas.ReservationPage:
        result = await reservations.list_reservations(
            db, status=status, q=q, page=page, page_size=page_size
        )
        return schemas.ReservationPage(
            **result.as_dict([schemas.ReservationOut(**r) for r in result.items])
        )

    @post(
        "/reservations",
        opt={"roles": LEASING},
        summary="Hold units for an enterprise until a date",
        status_code=201,
    )
    async def create_reservation(
        self, request: Request, db: DbSession, data: JSONBody[schemas.ReservationIn]
    ) -> schemas.ReservationOut:
        reservation = await reservations.create_reservation(db, request.user, data.model_dump())
        return schemas.ReservationOut(**await reservations.get_reservation(db, reservation.id))

    @get("/reservations/{reservation_id:int}", opt={"roles": STAFF}, summary="One hold")
    async def get_reservation(
        self, db: DbSession, reservation_id: FromPath[int]
    ) -> schemas.ReservationOut:
        return schemas.ReservationOut(**await reservations.get_reservation(db, reservation_id))

    @post(
        "/reservations/{reservation_id:int}/release",
        opt={"roles": LEASING},
        summary="Let go of a hold",
        status_code=200,
    )
    async def release(
        self, request: Request, db: DbSession, reservation_id: FromPath[int]
    ) -> schemas.ReservationOut:
        await reservations.release_reservation(db, request.user, reservation_id)
        return schemas.ReservationOut(**await reservations.get_reservation(db, reservation_id))

    # --- settings -------------------------------------------------------------------------------

    @put(
        "/parks/{park_id:int}/settings",
        opt={"roles": ADMIN},
        summary="A park's contract number prefix and lessor details",
    )
    async def park_settings(
        self,
        request: Request,
        db: DbSession,
        park_id: FromPath[int],
        data: JSONBody[schemas.ParkSettingsIn],
    ) -> dict:
        settings = await leases_park_settings.set_park_settings(
            db, request.user, park_id, data.model_dump(exclude_none=True)
        )
        return settings.model_dump()

    @post(
        "/refresh-status",
        opt={"roles": ADMIN},
        summary="Run the daily roll-over now (expire contracts and holds, update unit statuses)",
        status_code=200,
    )
    async def refresh(self, request: Request, db: DbSession) -> schemas.RefreshOut:
        return schemas.RefreshOut(**await rollover.refresh_status(db, request.user))
