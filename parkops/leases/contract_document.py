"""The contract PDF: a ``LeaseContractContext`` filled from a contract's rows, rendered and stored
by the documents service.

Everything in the context comes from the contract, its units, its terms and its schedule (the
frozen lines once approved), never from the clock: the signing date is the contract's signing
date, else the day it was approved, else its start. So the same contract and terms always
render to the same text.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from parkops.accounts.identity import Actor
from parkops.core.templating import SHANGHAI
from parkops.documents import service as documents
from parkops.documents.contexts import (
    Escalation,
    LeaseContractContext,
    Party,
    PaymentCycle,
    PremisesUnit,
    ScheduleRow,
)
from parkops.documents.models import Document, DocumentKind, DocumentLanguage
from parkops.leases import repository, service
from parkops.leases import schedule as sched
from parkops.leases import terms as t
from parkops.leases.models import LeaseContract, LeaseParkSettings
from parkops.leases.workflow import BINDING

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
    sched.RentBasis.PER_M2_MONTH: "元/m²·月",
    sched.RentBasis.PER_M2_DAY: "元/m²·天",
    sched.RentBasis.FIXED_MONTHLY: "元/月",
}


def _escalation(lt: sched.LeaseTerms) -> tuple[Escalation | None, list[str], list[str]]:
    """The template's escalation clause, or the wording of the steps as special terms."""
    esc = lt.escalation
    if isinstance(esc, sched.PercentEscalation) and esc.max_increases in (None, 1):
        return (
            Escalation(
                percent=esc.percent,
                first_year=esc.from_year,
                once=esc.max_increases == 1,
                from_rent_start=esc.anchor is sched.EscalationAnchor.RENT_START,
            ),
            [],
            [],
        )
    if isinstance(esc, sched.PercentEscalation):
        zh = (
            f"自第{esc.from_year}个租赁年度起，租金每年递增{esc.percent.normalize():f}%，"
            f"共调整{esc.max_increases}次，此后不再调整。"
        )
        en = (
            f"From lease year {esc.from_year} the rent rises by {esc.percent.normalize():f}% a "
            f"year, {esc.max_increases} times in all, and is unchanged thereafter."
        )
        return None, [zh], [en]
    if isinstance(esc, sched.StepEscalation):
        zh = "租金单价按下列日期调整：" + "；".join(
            f"自{s.effective_from.year}年{s.effective_from.month}月{s.effective_from.day}日起为"
            f"{s.rate.normalize():f}{_RATE_UNITS[lt.rent_basis]}"
            for s in esc.steps
        )
        en = "The rent rate changes as follows: " + "; ".join(
            f"from {s.effective_from.isoformat()}: {s.rate.normalize():f}" for s in esc.steps
        )
        return None, [zh + "。"], [en + "."]
    return None, [], []


async def build_context(db: AsyncSession, contract: LeaseContract) -> LeaseContractContext:
    units = await repository.contract_units(db, contract.id)  # type: ignore[arg-type]
    versions = await service.terms_versions(db, contract.id)  # type: ignore[arg-type]
    first, latest = versions[0], versions[-1]
    lt = service.lease_terms_for(contract, first, units)
    enterprise = await repository.enterprise_row(db, contract.enterprise_id) or {}
    park_name = await repository.park_name(db, contract.park_id) or ""
    park_address = await repository.park_address(db, contract.park_id)
    settings = await db.get(LeaseParkSettings, contract.park_id)
    lines, _frozen = await service.schedule_of(db, contract)

    rate = _monthly_rate(lt)
    total_area = lt.rent_area_m2 or sum((u["gross_area"] for u in units), Decimal(0))
    monthly_total = service._monthly_rent_fen(lt)
    premises = []
    for u in units:
        area = u["gross_area"] if lt.area_basis is sched.AreaBasis.GROSS else u["leasable_area"]
        share = Fraction(area) / Fraction(total_area) if total_area else Fraction(0)
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
                monthly_rent_fen=_fen(monthly_total * share),
            )
        )
    rows = []
    for line in lines:
        rent_free = any(p.get("kind") == "rent_free" for p in line["breakdown"])
        rows.append(
            ScheduleRow(
                number=line["seq"],
                start=line["period_start"],
                end=line["period_end"],
                due_date=line["due_date"],
                rent_fen=line["rent_fen"],
                property_fee_fen=line["property_fee_fen"],
                note="含免租期" if rent_free else "",
                note_en="incl. rent-free" if rent_free else "",
            )
        )
    escalation, special, special_en = _escalation(lt)
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
        escalation=escalation,
        schedule=tuple(rows),
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
    service._event(
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
