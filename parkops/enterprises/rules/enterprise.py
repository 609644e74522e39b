"""Cleaning and checking what people type (or import) about an enterprise.

Pure: no database. The form, the API and the CSV import all hand a mapping of raw values to
:func:`clean_enterprise` and get back either a clean :class:`EnterpriseInput` or a dict of
field -> English message (the message names the field, so it reads well in an API error list or
a CSV preview as much as next to a form field). Uniqueness of the USCC needs the database and is
checked by the service and the importer.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any

from parkops.core.i18n import N_, Message
from parkops.core.money import yuan_to_fen
from parkops.enterprises.rules.uscc import normalize_uscc, validate_uscc
from parkops.enterprises.vocabulary import (
    INDUSTRY_ALIASES,
    INDUSTRY_LABELS,
    PLATFORM_ALIASES,
    PLATFORM_LABELS,
    STATUS_ALIASES,
    Industry,
    Platform,
)
from parkops.enterprises.workflow import STATUS_LABELS, EnterpriseStatus

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$", re.ASCII)
URL_RE = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)
_MOBILE_SEPARATORS = frozenset(" -\u00a0\u3000()")

MAX_NAME = 200
MAX_PERSON = 50
MAX_ADDRESS = 300
MAX_SHOP_NAME = 100
MAX_URL = 500
MAX_SHOPS = 20
MAX_EMPLOYEES = 10_000_000
# 10^16 yuan is beyond any real registered capital and near BIGINT's limit in fen.
MAX_CAPITAL_FEN = 10**17


@dataclass(frozen=True, slots=True)
class ShopInput:
    platform: str
    shop_name: str
    url: str | None = None


@dataclass(frozen=True, slots=True)
class EnterpriseInput:
    name: str
    name_en: str | None
    uscc: str
    legal_representative: str
    address: str
    address_en: str | None
    contact_person: str
    contact_mobile: str
    industry: str
    status: str
    registered_capital_fen: int
    employee_count: int
    shops: tuple[ShopInput, ...] = ()

    def row(self) -> dict[str, Any]:
        """The columns of the enterprises table (shops are rows of their own)."""
        data = asdict(self)
        data.pop("shops")
        return data


def _text(value: Any) -> str:
    if value is None:
        return ""
    return unicodedata.normalize("NFKC", str(value)).strip()


def normalize_mobile(text: Any) -> str:
    """Digits of a mainland mobile number as typed ("138 0013 8000", "+86 13800138000")."""
    raw = "".join(c for c in _text(text) if c not in _MOBILE_SEPARATORS)
    for prefix in ("+86", "0086"):
        if raw.startswith(prefix):
            raw = raw[len(prefix) :]
    if len(raw) == 13 and raw.startswith("86"):
        raw = raw[2:]
    return raw


def mobile_problem(mobile: str) -> str | None:
    if not mobile:
        return N_("Contact mobile is required.")
    if not MOBILE_RE.match(mobile):
        return N_("Contact mobile must be an 11-digit mainland mobile number starting with 13-19.")
    return None


def _lookup(value: Any, enum: type[StrEnum], labels: Mapping, aliases: Mapping) -> str | None:
    """The enum value for a code, an English label or a Chinese alias; ``None`` if unknown."""
    text = _text(value)
    if not text:
        return None
    folded = text.lower()
    for member in enum:
        if folded in (member.value, str(labels[member]).lower()):
            return member.value
    alias = aliases.get(text)
    return alias.value if alias is not None else None


def parse_industry(value: Any) -> str | None:
    return _lookup(value, Industry, INDUSTRY_LABELS, INDUSTRY_ALIASES)


def parse_status(value: Any) -> str | None:
    return _lookup(value, EnterpriseStatus, STATUS_LABELS, STATUS_ALIASES)


def parse_platform(value: Any) -> str | None:
    return _lookup(value, Platform, PLATFORM_LABELS, PLATFORM_ALIASES)


def _required_text(raw: Mapping, key: str, label: str, limit: int, errors: dict) -> str:
    value = _text(raw.get(key))
    if not value:
        errors[key] = Message(N_("%(label)s is required."), label=Message(label))
    elif len(value) > limit:
        errors[key] = Message(
            N_("%(label)s must be at most %(limit)s characters, got %(count)s."),
            label=Message(label),
            limit=limit,
            count=len(value),
        )
    return value


def _capital(raw: Mapping, errors: dict) -> int:
    """Registered capital from ``registered_capital`` (yuan, as typed) or ``..._fen`` (int)."""
    if "registered_capital_fen" in raw and "registered_capital" not in raw:
        key, value = "registered_capital_fen", raw.get("registered_capital_fen")
        if value is None or value == "":
            errors[key] = N_("Registered capital is required.")
            return 0
        if isinstance(value, bool) or not isinstance(value, int):
            try:
                value = int(str(value).strip())
            except ValueError:
                errors[key] = N_("Registered capital must be a whole number of fen.")
                return 0
        fen = value
    else:
        key, text = "registered_capital", _text(raw.get("registered_capital"))
        if not text:
            errors[key] = N_("Registered capital is required.")
            return 0
        try:
            fen = yuan_to_fen(text)
        except ValueError:
            errors[key] = N_(
                "Registered capital must be an amount in yuan with at most two decimals."
            )
            return 0
    if fen < 0:
        errors[key] = N_("Registered capital must not be negative.")
    elif fen > MAX_CAPITAL_FEN:
        errors[key] = N_("Registered capital is too large.")
    return fen


def _employees(raw: Mapping, errors: dict) -> int:
    value = raw.get("employee_count")
    text = _text(value)
    if not text:
        errors["employee_count"] = N_("Employee count is required.")
        return 0
    if isinstance(value, bool):
        errors["employee_count"] = N_("Employee count must be a whole number.")
        return 0
    try:
        count = value if isinstance(value, int) else int(text.replace(",", ""))
    except ValueError:
        errors["employee_count"] = N_("Employee count must be a whole number.")
        return 0
    if count < 0:
        errors["employee_count"] = N_("Employee count must not be negative.")
    elif count > MAX_EMPLOYEES:
        errors["employee_count"] = N_("Employee count is too large.")
    return count


def clean_shops(items: Any) -> tuple[tuple[ShopInput, ...], str | None]:
    """Shops from a list of mappings (platform, shop_name, url); blank rows are skipped.

    Returns the shops and the first problem found (naming the shop by its 1-based row).
    """
    shops: list[ShopInput] = []
    seen: set[tuple[str, str]] = set()
    for number, item in enumerate(items or [], start=1):
        item = item if isinstance(item, Mapping) else {}
        platform_text = _text(item.get("platform"))
        name = _text(item.get("shop_name"))
        url = _text(item.get("url")) or None
        if not (platform_text or name or url):
            continue
        platform = parse_platform(platform_text)
        if platform is None:
            return (), Message(
                N_("Online shop %(number)s: choose one of the listed platforms."), number=number
            )
        if not name:
            return (), Message(
                N_("Online shop %(number)s: the shop name is required."), number=number
            )
        if len(name) > MAX_SHOP_NAME:
            return (), Message(
                N_("Online shop %(number)s: the shop name is longer than %(max)s."),
                number=number,
                max=MAX_SHOP_NAME,
            )
        if url is not None and (len(url) > MAX_URL or not URL_RE.match(url)):
            return (), Message(
                N_("Online shop %(number)s: the URL must start with http:// or https://."),
                number=number,
            )
        if (platform, name) in seen:
            return (), Message(
                N_("Online shop %(number)s: the same shop is listed twice."), number=number
            )
        seen.add((platform, name))
        shops.append(ShopInput(platform, name, url))
    if len(shops) > MAX_SHOPS:
        return (), Message(N_("At most %(max)s online shops."), max=MAX_SHOPS)
    return tuple(shops), None


def _no_percent(message: str) -> str:
    if isinstance(message, Message):  # keep it translatable: clean the quoted values instead
        values = {
            k: v if isinstance(v, Message) else _no_percent(str(v))
            for k, v in message.params.items()
        }
        return Message(message.template, **values)
    return message.replace("%", "％")


def clean_enterprise(raw: Mapping[str, Any]) -> tuple[EnterpriseInput | None, dict[str, str]]:
    """Check every field of ``raw``; the clean input, or ``None`` and field -> message."""
    errors: dict[str, str] = {}
    name = _required_text(raw, "name", N_("Company name"), MAX_NAME, errors)
    name_en = _text(raw.get("name_en")) or None
    if name_en is not None and len(name_en) > MAX_NAME:
        errors["name_en"] = Message(
            N_("English name must be at most %(max)s characters."), max=MAX_NAME
        )

    uscc = normalize_uscc(_text(raw.get("uscc")))
    problem = validate_uscc(uscc)
    if problem:
        errors["uscc"] = problem

    legal = _required_text(
        raw, "legal_representative", N_("Legal representative"), MAX_PERSON, errors
    )
    address = _text(raw.get("address"))
    address_en = _text(raw.get("address_en")) or None
    for field, value in (("address", address), ("address_en", address_en)):
        if value and len(value) > MAX_ADDRESS:
            errors[field] = Message(
                N_("An address must be at most %(max)s characters."), max=MAX_ADDRESS
            )
    contact = _required_text(raw, "contact_person", N_("Contact person"), MAX_PERSON, errors)
    mobile = normalize_mobile(raw.get("contact_mobile"))
    problem = mobile_problem(mobile)
    if problem:
        errors["contact_mobile"] = problem

    industry = parse_industry(raw.get("industry"))
    if industry is None:
        errors["industry"] = N_("Choose one of the listed industries.")
    status = parse_status(raw.get("status")) if _text(raw.get("status")) else "prospect"
    if status is None:
        errors["status"] = N_("Choose one of the listed statuses.")

    capital = _capital(raw, errors)
    employees = _employees(raw, errors)
    shops, problem = clean_shops(raw.get("shops"))
    if problem:
        errors["shops"] = problem

    if errors:
        # Messages may quote what was typed (a USCC character); a bare "%" in them would be
        # taken for a placeholder when a template translates them.
        return None, {k: _no_percent(v) for k, v in errors.items()}
    assert industry is not None and status is not None
    return (
        EnterpriseInput(
            name=name,
            name_en=name_en,
            uscc=uscc,
            legal_representative=legal,
            address=address,
            address_en=address_en,
            contact_person=contact,
            contact_mobile=mobile,
            industry=industry,
            status=status,
            registered_capital_fen=capital,
            employee_count=employees,
            shops=shops,
        ),
        {},
    )
