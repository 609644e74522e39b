"""CSV import and CSV/XLSX export of enterprises.

The column spec serves both directions, so an export re-imports unchanged (after the USCCs are
freed, of course). Cells are parsed by `parkops.core.tabular`; whole rows are then checked by
the same :func:`parkops.enterprises.rules.enterprise.clean_enterprise` the forms and the API use;
the batch as a whole by :func:`validate_batch`: one query for the USCCs already registered, and
repeated USCCs within the file. The commit inserts every row with one multi-row INSERT, or
nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from parkops.core import audit
from parkops.core.actor import Actor
from parkops.core.importing import ImportSpec, RowErrors
from parkops.core.money import fen_to_yuan
from parkops.core.tabular import N_, CellError, Column, Parser, PreviewRow, RowError, text
from parkops.core.tabular import decimal as decimal_cell
from parkops.core.tabular import integer as integer_cell
from parkops.enterprises.models import Enterprise, EnterpriseShop
from parkops.enterprises.rules.enterprise import (
    MAX_ADDRESS,
    MAX_CAPITAL_FEN,
    MAX_EMPLOYEES,
    MAX_NAME,
    MAX_PERSON,
    EnterpriseInput,
    clean_enterprise,
    clean_shops,
    mobile_problem,
    normalize_mobile,
    parse_industry,
    parse_status,
)
from parkops.enterprises.rules.uscc import normalize_uscc, validate_uscc
from parkops.enterprises.services.register import AUDITED_FIELDS
from parkops.enterprises.vocabulary import INDUSTRY_LABELS, PLATFORM_LABELS, Industry, Platform
from parkops.enterprises.workflow import STATUS_LABELS, EnterpriseStatus

# Chinese labels for spreadsheets (the pages get theirs from the translation catalogue).
INDUSTRY_ZH = {
    Industry.down_apparel: "羽绒服装",
    Industry.childrens_clothing: "童装",
    Industry.ecommerce: "电子商务",
    Industry.accessories: "服装辅料",
    Industry.logistics: "物流",
    Industry.other: "其他",
}
STATUS_ZH = {
    EnterpriseStatus.prospect: "意向客户",
    EnterpriseStatus.tenant: "在租",
    EnterpriseStatus.former_tenant: "已退租",
}
PLATFORM_ZH = {
    Platform.tmall: "天猫",
    Platform.taobao: "淘宝",
    Platform.jd: "京东",
    Platform.pinduoduo: "拼多多",
    Platform.douyin: "抖音",
    Platform.kuaishou: "快手",
    Platform.xiaohongshu: "小红书",
    Platform.wechat: "微信",
    Platform.other: "其他",
}


_SPECIAL = frozenset("<>&'\"%")


def _problem(message: str) -> tuple[str, dict[str, str]]:
    """(message, params) for a RowError or CellError.

    Pages show these with ``_(message, **params)``: the message is treated as safe markup and
    %-formatted, while params are escaped. A message that quotes what was typed therefore goes
    in as a parameter; plain ones stay as they are, so they can be translated.
    """
    if _SPECIAL.isdisjoint(message):
        return message, {}
    return N_("%(problem)s"), {"problem": message}


class UsccCell(Parser):
    hint = N_("18 characters; the last is a check character")

    def __call__(self, raw: str) -> str:
        problem = validate_uscc(raw)
        if problem:
            message, params = _problem(problem)
            raise CellError(message, **params)
        return normalize_uscc(raw)


class MobileCell(Parser):
    hint = N_("11-digit mainland mobile number")

    def __call__(self, raw: str) -> str:
        mobile = normalize_mobile(raw)
        problem = mobile_problem(mobile)
        if problem:
            raise CellError(problem)
        return mobile


class LabelledChoice(Parser):
    """A code, its English or Chinese label, or a common Chinese alias; exported as a label."""

    hint = N_("One of: %(choices)s")

    def __init__(
        self, parse: Callable[[Any], str | None], english: Mapping, chinese: Mapping
    ) -> None:
        self.parse = parse
        self.english = english
        self.chinese = chinese
        self.hint_params = {"choices": "、".join(chinese.values())}

    def __call__(self, raw: str) -> str:
        value = self.parse(raw)
        if value is None:
            raise CellError(N_("Unknown value; use one of: %(choices)s"), **self.hint_params)
        return value

    def export(self, value: Any, lang: str) -> Any:
        if value is None:
            return None
        labels = self.chinese if lang == "zh" else self.english
        return labels.get(value, value)


class ShopsCell(Parser):
    """Online shops in one cell: ``天猫:暖阳旗舰店; 京东:暖阳官方旗舰店|https://...``."""

    hint = N_("platform:shop name, optionally |URL; several separated by ;")

    def __call__(self, raw: str) -> list[dict[str, str | None]]:
        items = []
        for part in raw.replace("；", ";").replace("\n", ";").split(";"):
            part = part.strip()
            if not part:
                continue
            platform, colon, rest = part.replace("：", ":").partition(":")
            if not colon:
                raise CellError(N_("Write each shop as platform:shop name"))
            name, _bar, url = rest.partition("|")
            items.append(
                {
                    "platform": platform.strip(),
                    "shop_name": name.strip(),
                    "url": url.strip() or None,
                }
            )
        _shops, problem = clean_shops(items)
        if problem:
            message, params = _problem(problem)
            raise CellError(message, **params)
        return items

    def export(self, value: Any, lang: str) -> Any:
        if not value:
            return None
        labels = PLATFORM_ZH if lang == "zh" else PLATFORM_LABELS
        parts = []
        for shop in value:
            platform = labels.get(shop["platform"], shop["platform"])
            url = f"|{shop['url']}" if shop.get("url") else ""
            parts.append(f"{platform}:{shop['shop_name']}{url}")
        return "; ".join(parts)


COLUMNS = [
    Column("name", "Company name", "企业名称", required=True, parse=text(MAX_NAME),
           aliases=("Enterprise name", "Name", "公司名称", "企业名称（中文）")),
    Column("name_en", "English name", "英文名称", parse=text(MAX_NAME)),
    Column("uscc", "Unified Social Credit Code", "统一社会信用代码", required=True,
           parse=UsccCell(), aliases=("USCC", "信用代码", "社会信用代码")),
    Column("legal_representative", "Legal representative", "法定代表人", required=True,
           parse=text(MAX_PERSON), aliases=("法人", "法人代表")),
    Column("address", "Registered address", "住所", parse=text(MAX_ADDRESS),
           aliases=("Address", "注册地址", "地址")),
    Column("address_en", "Registered address in English", "英文住所", parse=text(MAX_ADDRESS)),
    Column("contact_person", "Contact person", "联系人", required=True, parse=text(MAX_PERSON)),
    Column("contact_mobile", "Contact mobile", "联系手机", required=True, parse=MobileCell(),
           aliases=("Mobile", "手机", "手机号", "手机号码", "联系电话")),
    Column("industry", "Industry", "行业", required=True,
           parse=LabelledChoice(parse_industry, INDUSTRY_LABELS, INDUSTRY_ZH),
           aliases=("所属行业",)),
    Column("status", "Status", "状态",
           parse=LabelledChoice(parse_status, STATUS_LABELS, STATUS_ZH), aliases=("入驻状态",)),
    Column("registered_capital", "Registered capital (yuan)", "注册资本（元）", required=True,
           parse=decimal_cell(2, min_value=0, max_value=MAX_CAPITAL_FEN // 100),
           aliases=("Registered capital", "注册资本", "注册资本(元)")),
    Column("employee_count", "Employees", "员工人数", required=True,
           parse=integer_cell(0, MAX_EMPLOYEES), aliases=("Employee count", "人数", "员工数")),
    Column("shops", "Online shops", "网店", parse=ShopsCell(),
           aliases=("Shops", "网店/店铺", "店铺", "线上店铺")),
]  # fmt: skip


def export_row(row: Mapping[str, Any]) -> dict[str, Any]:
    """A row of `repository.export_rows` in the shape of :data:`COLUMNS`."""
    return {**row, "registered_capital": fen_to_yuan(row["registered_capital_fen"])}


# --- batch validation and insert ------------------------------------------------------------


async def validate_batch(
    db: AsyncSession, rows: Sequence[tuple[int, Mapping[str, Any]]]
) -> tuple[list[tuple[int, EnterpriseInput]], list[RowError]]:
    """Check whole rows, then the batch: repeats within the file and USCCs already registered.

    ``rows`` are (line, values) with the keys of :data:`COLUMNS`. One query, whatever the size.
    """
    errors: list[RowError] = []
    clean: list[tuple[int, EnterpriseInput]] = []
    first_line: dict[str, int] = {}
    for line, values in rows:
        result, problems = clean_enterprise(values)
        if problems:
            errors.extend(RowError(line, column, *_problem(m)) for column, m in problems.items())
            continue
        assert result is not None
        earlier = first_line.setdefault(result.uscc, line)
        if earlier != line:
            errors.append(
                RowError(
                    line,
                    "uscc",
                    N_("The same Unified Social Credit Code is on line %(first)s"),
                    {"first": earlier},
                )
            )
            continue
        clean.append((line, result))
    if first_line:
        taken = dict(
            (
                await db.execute(
                    sa.select(Enterprise.uscc, Enterprise.name).where(
                        Enterprise.uscc.in_(list(first_line))
                    )
                )
            ).all()
        )
        for line, result in clean:
            if result.uscc in taken:
                errors.append(
                    RowError(
                        line,
                        "uscc",
                        N_(
                            "Unified Social Credit Code %(uscc)s is already registered for %(name)s"
                        ),
                        {"uscc": result.uscc, "name": taken[result.uscc]},
                    )
                )
    bad_lines = {e.line for e in errors}
    return [(line, r) for line, r in clean if line not in bad_lines], errors


async def insert_batch(
    db: AsyncSession, actor: Actor, rows: Sequence[tuple[int, EnterpriseInput]], *, source: str
) -> list[int]:
    """Insert validated rows: one INSERT for the enterprises, one for their shops.

    A USCC registered by somebody else since validation hits the unique index; that is turned
    into row errors and nothing of the batch stays.
    """
    if not rows:
        return []
    try:
        async with db.begin_nested():
            result = await db.execute(
                sa.insert(Enterprise)
                .values([r.row() for _line, r in rows])
                .returning(Enterprise.id, Enterprise.uscc)
            )
    except IntegrityError:
        raise RowErrors(
            [
                RowError(
                    0,
                    "uscc",
                    N_(
                        "Some of these enterprises were registered by somebody else meanwhile; "
                        "upload the file again to see which"
                    ),
                )
            ]
        ) from None
    ids = dict((uscc, id_) for id_, uscc in result.all())
    shops = [
        {"enterprise_id": ids[r.uscc], **asdict(shop)} for _line, r in rows for shop in r.shops
    ]
    if shops:
        await db.execute(sa.insert(EnterpriseShop).values(shops))
    for line, r in rows:
        row = r.row()
        audit.record(
            db,
            actor=actor,
            action="enterprise_created",
            entity="enterprise",
            entity_id=ids[r.uscc],
            after={
                **{k: row[k] for k in AUDITED_FIELDS},
                "shops": [asdict(s) for s in r.shops],
                "source": source,
                "line": line,
            },
        )
    await db.flush()
    return [ids[r.uscc] for _line, r in rows]


# --- the import flow ------------------------------------------------------------------------


async def _check(
    db: AsyncSession, actor: Actor, rows: list[PreviewRow]
) -> tuple[list[tuple[int, EnterpriseInput]], list[RowError]]:
    return await validate_batch(db, [(r.line, r.values) for r in rows])


async def _write(db: AsyncSession, actor: Actor, clean: list[tuple[int, EnterpriseInput]]) -> int:
    return len(await insert_batch(db, actor, clean, source="csv import"))


ENTERPRISE_IMPORT = ImportSpec(
    key="enterprises.enterprises",
    title=N_("Import enterprises"),
    columns=COLUMNS,
    check=_check,
    write=_write,
    template_filename="enterprises-template.csv",
)
