"""The contract PDF: a ``LeaseContractContext`` filled from a contract's rows, rendered and stored
by the documents service.

Everything in the context comes from the contract, its units, its terms and its schedule (the
frozen lines once approved), never from the clock: the signing date is the contract's signing
date, else the day it was approved, else its start. So the same contract and terms always
render to the same text, and every date and amount the text states is one the schedule, the
bills and the late-fee clock use: the first payment and its due date are the schedule's first
line that asks for money, the deposit is due with it, each rent rise is the rate the schedule
applies from that day, and the days for utility bills and dunning are the park's billing
settings.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from parkops.core.actor import Actor
from parkops.core.money import apportion
from parkops.core.templating import SHANGHAI
from parkops.documents import service as documents
from parkops.documents.contexts import (
    Escalation,
    LeaseContractContext,
    Party,
    PaymentCycle,
    PremisesUnit,
    RentChange,
    ScheduleRow,
)
from parkops.documents.models import Document, DocumentKind, DocumentLanguage
from parkops.leases import repository
from parkops.leases.billing_practice import BILLING_PRACTICE
from parkops.leases.models import LeaseContract, LeaseParkSettings
from parkops.leases.rules import schedule as sched
from parkops.leases.rules import terms as t
from parkops.leases.rules.workflow import BINDING
from parkops.leases.services import common, reading

TEMPLATE = "lease_contract"
ENTITY = "lease_contract"

UNIT_USES = {
    "workshop": ("生产", "production"),
    "office": ("办公", "offices"),
    "warehouse": ("仓储", "storage"),
    "shop": ("展厅", "showroom"),
    "apartment": ("公寓", "apartment"),
    "live_streaming": ("电商直播", "live streaming"),
}


def signing_date(contract: LeaseContract) -> date:
    if contract.signed_on:
        return contract.signed_on
    if contract.approved_at:
        return contract.approved_at.astimezone(SHANGHAI).date()
    return contract.start_date


def contract_number(contract: LeaseContract) -> str:
    return contract.number or f"草稿-{contract.id}"


def _lessor(settings: LeaseParkSettings | None, park_name: str, park_address: str) -> Party:
    if settings is None:
        return Party(name=park_name, uscc="", address=park_address, legal_representative="")
    return Party(
        name=settings.lessor_name or park_name,
        uscc=settings.lessor_uscc,
        address=settings.lessor_address or park_address,
        legal_representative=settings.lessor_legal_representative,
        contact=settings.lessor_contact,
        phone=settings.lessor_phone,
        bank_name=settings.lessor_bank_name,
        bank_account=settings.lessor_bank_account,
        name_en=settings.lessor_name_en,
        address_en=settings.lessor_address_en,
    )


def _fen(value: Fraction) -> int:
    return sched._round_fraction(value)


def _monthly_rate(lt: sched.LeaseTerms) -> Decimal:
    """The first lease year's rent per m² and month (what the premises table prints)."""
    rate = sched.rent_rate_on(lt, lt.effective_rent_start)
    area = lt.rent_area_m2 or Decimal(0)
    if lt.rent_basis is sched.RentBasis.PER_M2_DAY:
        monthly = Fraction(rate) * sched.DAY_RATE_MONTH_DAYS
        return (Decimal(monthly.numerator) / Decimal(monthly.denominator)).quantize(
            Decimal("0.0001")
        )
    if lt.rent_basis is sched.RentBasis.FIXED_MONTHLY:
        return (rate / area).quantize(Decimal("0.0001")) if area else Decimal(0)
    return rate


_RATE_UNITS = {
    sched.RentBasis.PER_M2_MONTH: ("元/m²·月", "CNY/m²/month"),
    sched.RentBasis.PER_M2_DAY: ("元/m²·天", "CNY/m²/day"),
    sched.RentBasis.FIXED_MONTHLY: ("元/月", "CNY/month"),
}


def _escalation(lt: sched.LeaseTerms) -> Escalation | None:
    """The rule of a yearly percentage rise, for its wording (steps are worded by their dates)."""
    esc = lt.escalation
    if not isinstance(esc, sched.PercentEscalation):
        return None
    return Escalation(
        percent=esc.percent,
        first_year=esc.from_year,
        max_increases=esc.max_increases,
        from_rent_start=esc.anchor is sched.EscalationAnchor.RENT_START,
    )


def _rent_changes(lt: sched.LeaseTerms) -> tuple[RentChange, ...]:
    return tuple(
        RentChange(day, rate.normalize(), reading.monthly_rent_fen(lt, on=day))
        for day, rate in sched.rent_rate_changes(lt)
    )


def _schedule_row(line: dict) -> ScheduleRow:
    rent_free = any(p.get("kind") == "rent_free" for p in line["breakdown"])
    return ScheduleRow(
        number=line["seq"],
        start=line["period_start"],
        end=line["period_end"],
        due_date=line["due_date"],
        rent_fen=line["rent_fen"],
        property_fee_fen=line["property_fee_fen"],
        note="含免租期" if rent_free else "",
        note_en="incl. rent-free" if rent_free else "",
    )


def _due_floor(lt: sched.LeaseTerms, lines: list[dict]) -> date | None:
    """The signing date (or the start), when it moved a due date the rule gives: the text then
    says that nothing falls due before it."""
    floor = lt.signed_on or lt.start
    moved = any(
        line["due_date"] == floor and lt.due_rule.due_for(line["period_start"]) < floor
        for line in lines
    )
    return floor if moved else None


async def build_context(db: AsyncSession, contract: LeaseContract) -> LeaseContractContext:
    units = await repository.contract_units(db, contract.id)  # type: ignore[arg-type]
    versions = await reading.terms_versions(db, contract.id)  # type: ignore[arg-type]
    first, latest = versions[0], versions[-1]
    lt = reading.lease_terms_for(contract, first, units)
    enterprise = await repository.enterprise_row(db, contract.enterprise_id) or {}
    park_name = await repository.park_name(db, contract.park_id) or ""
    park_address = await repository.park_address(db, contract.park_id)
    settings = await db.get(LeaseParkSettings, contract.park_id)
    lines, _frozen = await reading.schedule_of(db, contract)

    rate = _monthly_rate(lt)
    areas = [
        u["gross_area"] if lt.area_basis is sched.AreaBasis.GROSS else u["leasable_area"]
        for u in units
    ]
    # The monthly rent divided over the units by area, by largest remainder so that the
    # premises table adds up to the rent the contract states (issue 10).
    unit_rents = (
        apportion(reading.monthly_rent_fen(lt), areas) if sum(areas) > 0 else [0] * len(units)
    )
    premises = []
    for u, area, unit_rent in zip(units, areas, unit_rents, strict=True):
        use, use_en = UNIT_USES.get(u["unit_type"], ("", ""))
        premises.append(
            PremisesUnit(
                code=u["code"],
                building=f"{u['building_code']}栋",
                floor=f"{u['floor_number']}F",
                use=use,
                use_en=use_en,
                area_m2=area,
                rent_rate=rate,
                monthly_rent_fen=unit_rent,
            )
        )
    first_payment = reading.first_payment(lines)
    special: list[str] = []
    special_en: list[str] = []
    values = t.from_row(latest)
    vat = f"{(values.vat_rate * 100).normalize():f}%"
    if values.vat_included:
        special.append(f"本合同约定的租金及物业管理费均为含税价，增值税税率为{vat}。")
        special_en.append(f"Rent and the property management fee include VAT at {vat}.")
    else:
        special.append(f"本合同约定的租金及物业管理费不含增值税，增值税按{vat}另行计收。")
        special_en.append(f"Rent and the property management fee exclude VAT, charged at {vat}.")
    if len(versions) > 1:
        for v in versions[1:]:
            special.append(
                f"自{v.effective_from.year}年{v.effective_from.month}月{v.effective_from.day}日起，"
                f"双方变更合同条款（第{v.version}版），租金支付计划已相应调整。"
            )
            special_en.append(
                f"From {v.effective_from.isoformat()} the terms were amended (version "
                f"{v.version}); the payment schedule reflects the change."
            )
    for paragraph in (contract.special_terms or "").splitlines():
        if paragraph.strip():
            special.append(paragraph.strip())
            special_en.append(paragraph.strip())
    due = lt.due_rule
    deposit_rule = lt.deposit
    fee_area = lt.property_fee_area_m2 or Decimal(0)
    length = t.term_length(contract.start_date, contract.effective_end)
    billing_settings = await BILLING_PRACTICE().park_settings(db, contract.park_id)
    rent_unit_zh, rent_unit_en = _RATE_UNITS[lt.rent_basis]
    return LeaseContractContext(
        contract_number=contract_number(contract),
        signing_date=signing_date(contract),
        signing_place=(settings.signing_place if settings else "") or park_address,
        signing_place_en=settings.signing_place_en if settings else "",
        lessor=_lessor(settings, park_name, park_address),
        lessee=Party(
            name=enterprise.get("name", ""),
            uscc=enterprise.get("uscc", ""),
            address=enterprise.get("address") or "",
            address_en=enterprise.get("address_en") or "",
            legal_representative=enterprise.get("legal_representative", ""),
            contact=enterprise.get("contact_person", ""),
            phone=enterprise.get("contact_mobile", ""),
            name_en=enterprise.get("name_en") or "",
        ),
        park_name=park_name,
        park_name_en=settings.park_name_en if settings else "",
        premises_address=park_address,
        units=tuple(premises),
        purpose=contract.purpose or "生产经营",
        purpose_en=contract.purpose_en,
        term_start=contract.start_date,
        term_end=contract.effective_end,
        rent_start=lt.effective_rent_start,
        handover_date=contract.start_date,
        payment_cycle=PaymentCycle(lt.cycle.value),
        due_day=due.value if due.kind is sched.DueKind.DAY_OF_MONTH else None,
        due_days_before=due.value if due.kind is sched.DueKind.DAYS_BEFORE else None,
        property_fee_rate=lt.property_fee_rate,
        monthly_property_fee_fen=_fen(Fraction(lt.property_fee_rate) * 100 * Fraction(fee_area)),
        deposit_fen=sched.deposit_fen(lt),
        deposit_months=(
            deposit_rule.months if isinstance(deposit_rule, sched.DepositMonths) else None
        ),
        late_fee_rate_per_day=values.late_fee_daily_rate,
        late_fee_cap_percent=values.late_fee_cap_percent,
        escalation=_escalation(lt),
        rent_changes=_rent_changes(lt),
        rent_unit_zh=rent_unit_zh,
        rent_unit_en=rent_unit_en,
        area_basis_gross=lt.area_basis is sched.AreaBasis.GROSS,
        property_fee_during_rent_free=lt.property_fee_during_rent_free,
        schedule=tuple(_schedule_row(line) for line in lines),
        term_months=length.months,
        term_days=length.days,
        first_payment=_schedule_row(first_payment) if first_payment else None,
        deposit_due_date=first_payment["due_date"] if first_payment else None,
        due_floor=_due_floor(lt, lines),
        arrears_termination_days=billing_settings.dunning_after_days,
        utilities_due_days=billing_settings.utility_due_days,
        special_terms=tuple(special),
        special_terms_en=tuple(special_en),
    )


async def generate_pdf(
    db: AsyncSession,
    actor: Actor,
    contract: LeaseContract,
    language: DocumentLanguage | str | None = None,
    documents_dir: Path | None = None,
) -> Document:
    """Render and store the contract's PDF. Only binding contracts' PDFs are visible to the
    enterprise (a draft's PDF is the staff's working copy)."""
    language = DocumentLanguage(language or contract.language)
    context = await build_context(db, contract)
    binding = contract.status in BINDING
    document = await documents.generate_document(
        db,
        actor,
        template=TEMPLATE,
        context=context,
        language=language,
        entity=ENTITY,
        entity_id=contract.id,  # type: ignore[arg-type]
        enterprise_id=contract.enterprise_id if binding else None,
        filename=f"厂房租赁合同-{contract_number(contract)}.pdf",
        documents_dir=documents_dir,
    )
    common.record_event(
        db,
        contract,
        actor,
        "pdf_generated",
        contract.status,
        contract.status,
        data={"document_id": document.id, "sha256": document.sha256, "language": language.value},
    )
    await db.flush()
    return document


async def contract_documents(
    db: AsyncSession, contract_id: int, *, binding_only: bool
) -> list[dict]:
    stmt = (
        sa.select(
            Document.id,
            Document.filename,
            Document.language,
            Document.template_version,
            Document.sha256,
            Document.size_bytes,
            Document.created_at,
            Document.created_by,
            Document.enterprise_id,
        )
        .where(
            Document.entity == ENTITY,
            Document.entity_id == contract_id,
            Document.kind == DocumentKind.lease_contract,
        )
        .order_by(Document.created_at.desc(), Document.id.desc())
    )
    if binding_only:
        stmt = stmt.where(Document.enterprise_id.is_not(None))
    return [dict(r) for r in (await db.execute(stmt)).mappings()]
