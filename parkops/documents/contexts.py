"""The data each PDF template is rendered from, as plain dataclasses.

A domain that wants a document builds one of these from its own rows (the leases domain fills a
``LeaseContractContext`` from a contract, its units and its computed schedule) and hands it to
``parkops.documents.render``. The templates read nothing else: no database, no request, no clock,
so the same context always renders the same text.

Conventions, as everywhere in ParkOps:

* amounts are ``int`` fen (the templates print them with the ``money`` filter and, where a
  contract states them twice, with ``capitals``: 人民币壹万元整);
* areas and rates are ``Decimal``;
* date ranges are half-open ``[start, end)``; the templates print the last day
  (``parkops.core.last_day``), which is what a Chinese contract writes
  (2026年1月1日至2028年12月31日).

Every date and amount a contract states comes from the contract's terms and schedule: the domain
that builds the context fills in the figures (first payment, rent rises, deposit due date, ...),
the template only words them.

Texts that a person types (names, addresses, purposes of use) appear as given. Where a document
is bilingual, an optional ``*_en`` field gives the English; when it is empty the Chinese is shown
in the English line too (names of companies are often not translated).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from parkops.core.last_day import last_day_of


class PaymentCycle(StrEnum):
    monthly = "monthly"
    quarterly = "quarterly"
    half_yearly = "half_yearly"
    yearly = "yearly"

    @property
    def label_zh(self) -> str:
        return {
            "monthly": "按月",
            "quarterly": "按季度",
            "half_yearly": "按半年",
            "yearly": "按年",
        }[self.value]

    @property
    def label_en(self) -> str:
        return {
            "monthly": "monthly",
            "quarterly": "quarterly",
            "half_yearly": "half-yearly",
            "yearly": "yearly",
        }[self.value]

    @property
    def months(self) -> int:
        return {"monthly": 1, "quarterly": 3, "half_yearly": 6, "yearly": 12}[self.value]


class DisputeForum(StrEnum):
    court = "court"  # 向出租方所在地人民法院提起诉讼
    arbitration = "arbitration"  # 提交仲裁委员会仲裁


@dataclass(frozen=True)
class Party:
    """One side of a contract, as registered (营业执照)."""

    name: str  # 名称
    uscc: str  # 统一社会信用代码, 18 characters
    address: str  # 住所
    legal_representative: str  # 法定代表人
    contact: str = ""  # 联系人
    phone: str = ""  # 联系电话
    bank_name: str = ""  # 开户银行
    bank_account: str = ""  # 银行账号
    name_en: str = ""
    address_en: str = ""


@dataclass(frozen=True)
class PremisesUnit:
    """One leased unit, one row of the premises table."""

    code: str  # 单元编号, e.g. "A3-101"
    building: str  # 楼栋, e.g. "A3栋"
    floor: str  # 楼层, e.g. "1F" or "1-2F"
    use: str  # 用途, e.g. "生产/仓储"
    area_m2: Decimal  # 计租面积 (gross floor area unless the contract says otherwise)
    rent_rate: Decimal  # 元/m²·月 in the first lease year
    monthly_rent_fen: int  # area x rate, rounded once
    use_en: str = ""


@dataclass(frozen=True)
class ScheduleRow:
    """One billing period of the rent schedule (租金支付计划)."""

    number: int  # 期数, from 1
    start: date
    end: date  # exclusive
    due_date: date  # 最迟付款日
    rent_fen: int
    property_fee_fen: int
    note: str = ""  # e.g. "免租期" for a period that is (partly) rent-free
    note_en: str = ""

    @property
    def last_day(self) -> date:
        return last_day_of(self.end)  # type: ignore[return-value]

    @property
    def total_fen(self) -> int:
        return self.rent_fen + self.property_fee_fen


@dataclass(frozen=True)
class Escalation:
    """The rule of a yearly percentage rise, compounding from ``first_year``, ``max_increases``
    times (``None``: every year). The rises it makes are ``LeaseContractContext.rent_changes``."""

    percent: Decimal  # e.g. Decimal("5") for 5%
    first_year: int = 2  # 自第 N 个租赁年度起
    max_increases: int | None = None  # 1: a single increase from first_year, flat afterwards
    from_rent_start: bool = True  # lease years count from the rent start date, else term start

    @property
    def once(self) -> bool:
        return self.max_increases == 1


@dataclass(frozen=True)
class RentChange:
    """A rent rise within the term: from ``effective_from`` on, the rate and the monthly rent."""

    effective_from: date
    rate: Decimal  # in the contract's rent unit (LeaseContractContext.rent_unit_zh)
    monthly_rent_fen: int


@dataclass(frozen=True)
class LeaseContractContext:
    """Everything ``templates/pdf/lease_contract.html`` prints (厂房租赁合同).

    ``schedule`` is the whole rent schedule; the template prints it as a table and sums it.
    ``first_payment`` is the line of it that asks for money first (``None`` only without a
    schedule), ``due_floor`` the day before which nothing falls due, when the due rule would
    have asked for a payment earlier. ``deposit_fen`` is the amount, ``deposit_months`` only how
    it was derived (for the wording "相当于 N 个月租金"); ``None`` when the deposit is a fixed sum.
    ``term_months`` and ``term_days``: the term in whole months and the days left over.
    """

    contract_number: str  # 合同编号
    signing_date: date  # 签订日期: also the document date in the PDF metadata
    signing_place: str  # 签订地点
    lessor: Party  # 出租方 (甲方)
    lessee: Party  # 承租方 (乙方)
    park_name: str  # e.g. 红星羽绒电商产业园
    premises_address: str  # 房屋坐落
    units: tuple[PremisesUnit, ...]
    purpose: str  # 租赁用途, e.g. 羽绒服装生产、仓储及电商直播
    term_start: date
    term_end: date  # exclusive
    rent_start: date  # 起租日; rent-free [term_start, rent_start) when later than term_start
    handover_date: date  # 交付日期
    payment_cycle: PaymentCycle
    due_day: int | None  # paid by this day of the period's first month, ...
    due_days_before: int | None  # ... or this many days before the period starts
    property_fee_rate: Decimal  # 物业管理费 元/m²·月
    monthly_property_fee_fen: int
    deposit_fen: int
    deposit_months: int | None
    late_fee_rate_per_day: Decimal  # e.g. Decimal("0.0005") = 万分之五 per day
    schedule: tuple[ScheduleRow, ...]
    term_months: int
    term_days: int
    first_payment: ScheduleRow | None
    deposit_due_date: date | None  # when the deposit is due (with the first payment)
    due_floor: date | None = None  # nothing falls due before this day (signing date or start)
    escalation: Escalation | None = None
    rent_changes: tuple[RentChange, ...] = ()
    rent_unit_zh: str = "元/m²·月"
    rent_unit_en: str = "CNY/m²/month"
    area_basis_gross: bool = True  # rent on the gross floor area, else on the leasable area
    property_fee_during_rent_free: bool = True
    late_fee_cap_percent: Decimal | None = None  # cap as a % of the overdue amount
    arrears_termination_days: int = 30  # 逾期超过 N 日出租方可解除合同
    utilities_due_days: int = 10  # utility bills are paid within N days of issue
    renewal_notice_months: int = 3  # 续租须提前 N 个月书面申请
    dispute_forum: DisputeForum = DisputeForum.court
    arbitration_commission: str = ""  # for DisputeForum.arbitration, e.g. 九江仲裁委员会
    copies: int = 4  # 本合同一式 N 份
    special_terms: tuple[str, ...] = ()  # 其他约定, printed as given
    special_terms_en: tuple[str, ...] = ()
    park_name_en: str = ""
    premises_address_en: str = ""
    purpose_en: str = ""
    signing_place_en: str = ""

    # --- derived values the template prints -------------------------------------------------
    @property
    def term_last_day(self) -> date:
        return last_day_of(self.term_end)  # type: ignore[return-value]

    @property
    def rent_free_last_day(self) -> date | None:
        """Last day of the rent-free fit-out period (免租期), if there is one."""
        if self.rent_start > self.term_start:
            return last_day_of(self.rent_start)
        return None

    @property
    def rent_free_days(self) -> int:
        return max(0, (self.rent_start - self.term_start).days)

    @property
    def total_area_m2(self) -> Decimal:
        return sum((u.area_m2 for u in self.units), Decimal(0))

    @property
    def monthly_rent_fen(self) -> int:
        return sum(u.monthly_rent_fen for u in self.units)

    @property
    def schedule_rent_fen(self) -> int:
        return sum(r.rent_fen for r in self.schedule)

    @property
    def schedule_property_fee_fen(self) -> int:
        return sum(r.property_fee_fen for r in self.schedule)

    @property
    def schedule_total_fen(self) -> int:
        return sum(r.total_fen for r in self.schedule)

    @property
    def term_length_zh(self) -> str:
        """``3年``, ``3年6个月``, ``11个月``, ``1年15天``: the term as a contract states it."""
        years, months = divmod(self.term_months, 12)
        text = f"{years}年" if years else ""
        if months or not (years or self.term_days):
            text += f"{months}个月"
        return text + (f"{self.term_days}天" if self.term_days else "")

    @property
    def term_length_en(self) -> str:
        years, months = divmod(self.term_months, 12)
        parts = [_count_en(years, "year")] if years else []
        if months or not (years or self.term_days):
            parts.append(_count_en(months, "month"))
        if self.term_days:
            parts.append(_count_en(self.term_days, "day"))
        return " ".join(parts)

    @property
    def late_fee_rate_zh(self) -> str:
        return per_day_rate_zh(self.late_fee_rate_per_day)

    @property
    def late_fee_rate_percent(self) -> str:
        return percent_text(self.late_fee_rate_per_day * 100)

    @property
    def copies_zh(self) -> str:
        return _small_cn_number(self.copies)

    @property
    def copies_each_zh(self) -> str:
        return _small_cn_number(self.copies // 2)

    # --- what the PDF metadata says ---------------------------------------------------------
    @property
    def document_date(self) -> date:
        return self.signing_date

    def document_title(self, bilingual: bool) -> str:
        title = f"厂房租赁合同 {self.contract_number}"
        return f"{title} / Workshop Lease Contract" if bilingual else title


_CN_DIGITS = "零一二三四五六七八九"


def _count_en(n: int, unit: str) -> str:
    return f"{n} {unit}" if n == 1 else f"{n} {unit}s"


def percent_text(value: Decimal) -> str:
    """``Decimal("0.050")`` -> ``"0.05%"``, ``Decimal("5")`` -> ``"5%"`` (no trailing zeros)."""
    text = format(value.normalize(), "f")
    return f"{text}%"


def _small_cn_number(n: int) -> str:
    """1..99 in ordinary Chinese numerals (五, 十二, 二十): enough for rates per ten thousand."""
    tens, ones = divmod(n, 10)
    if not tens:
        return _CN_DIGITS[ones]
    return ("" if tens == 1 else _CN_DIGITS[tens]) + "十" + (_CN_DIGITS[ones] if ones else "")


def per_day_rate_zh(rate: Decimal) -> str:
    """A daily rate as contracts word it: ``0.0005`` -> ``"万分之五"``, ``0.002`` -> ``"千分之二"``.

    Falls back to a percentage (``"0.035%"``) for rates that are not a whole number of
    ten-thousandths below 1%.
    """
    per_thousand = rate * 1000
    if per_thousand == per_thousand.to_integral_value() and 0 < per_thousand < 100:
        return "千分之" + _small_cn_number(int(per_thousand))
    per_ten_thousand = rate * 10000
    if per_ten_thousand == per_ten_thousand.to_integral_value() and 0 < per_ten_thousand < 100:
        return "万分之" + _small_cn_number(int(per_ten_thousand))
    return percent_text(rate * 100)
