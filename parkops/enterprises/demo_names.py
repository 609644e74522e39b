"""Deterministic demo tenant enterprises for the Hengtang down-apparel and e-commerce cluster.

Seed data, screenshots, benchmarks and tests all want a few hundred believable tenants: small
family down-jacket makers in Hengtang Town, children's-wear firms, the e-commerce companies that
sell their output on Tmall, JD, Pinduoduo, Douyin and Kuaishou, and the logistics and accessory
suppliers around them. Everything here is fictional and made from a private
``random.Random(seed)``, so the same ``(n, seed)`` gives the same list on every run and machine
(nothing depends on set or dict iteration order, which ``PYTHONHASHSEED`` varies), and the first
``k`` enterprises do not change when more are asked for.

Names follow the usual shape of a Chinese company name, 行政区划 + 字号 + 行业 + 组织形式
(region + trade name + industry + legal form), e.g. 庐山市横塘镇暖阳羽绒服饰有限公司. Trade names
avoid well-known real brands. Mobile numbers use real carrier prefixes so that they pass format
checks; they are random and may belong to somebody, so demo data must never be used to send SMS.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple, TypeVar

from parkops.enterprises.rules.uscc import ALPHABET, make_uscc, org_code_check_char

INDUSTRIES = (
    "down_apparel",
    "childrens_clothing",
    "ecommerce",
    "accessories",
    "logistics",
    "other",
)
# The park is mostly down-jacket makers and the e-commerce firms that sell for them.
_INDUSTRY_WEIGHTS = (40, 15, 30, 6, 5, 4)

PLATFORMS = ("天猫", "京东", "拼多多", "抖音", "快手")


class OnlineShop(NamedTuple):
    """A shop an enterprise runs on an e-commerce or live-streaming platform."""

    platform: str
    shop_name: str


@dataclass(frozen=True, slots=True)
class DemoEnterprise:
    """One fictional tenant enterprise; amounts in fen, as everywhere in ParkOps."""

    name: str
    name_en: str | None
    trade_name: str
    uscc: str
    legal_representative: str
    address: str
    address_en: str | None  # only firms with an English name have one
    contact_person: str
    contact_mobile: str
    industry: str
    registered_capital_fen: int
    employee_count: int
    online_shops: tuple[OnlineShop, ...]


# Two-character trade names (字号) with their pinyin for English names. Brand-ish words of the
# kind local firms register, chosen to avoid names of well-known real brands.
_TRADE_WORDS: tuple[tuple[str, str], ...] = (
    ("暖阳", "Nuanyang"),
    ("云羽", "Yunyu"),
    ("羽悦", "Yuyue"),
    ("童趣", "Tongqu"),
    ("星辰", "Xingchen"),
    ("恒美", "Hengmei"),
    ("嘉禾", "Jiahe"),
    ("博雅", "Boya"),
    ("锦程", "Jincheng"),
    ("瑞祥", "Ruixiang"),
    ("鑫源", "Xinyuan"),
    ("宏达", "Hongda"),
    ("华彩", "Huacai"),
    ("晨曦", "Chenxi"),
    ("暖宝", "Nuanbao"),
    ("绒美", "Rongmei"),
    ("轻羽", "Qingyu"),
    ("雪绒", "Xuerong"),
    ("冬暖", "Dongnuan"),
    ("匡庐", "Kuanglu"),
    ("鄱湖", "Pohu"),
    ("浔阳", "Xunyang"),
    ("童心", "Tongxin"),
    ("乐童", "Letong"),
    ("优贝", "Youbei"),
    ("贝嘉", "Beijia"),
    ("可可", "Keke"),
    ("布丁", "Buding"),
    ("麦田", "Maitian"),
    ("极地", "Jidi"),
    ("雪域", "Xueyu"),
    ("冰川", "Bingchuan"),
    ("绒绒", "Rongrong"),
    ("飞羽", "Feiyu"),
    ("鸿羽", "Hongyu"),
    ("金羽", "Jinyu"),
    ("白鹭", "Bailu"),
    ("雁南", "Yannan"),
    ("锦绣", "Jinxiu"),
    ("衣佳", "Yijia"),
    ("尚品", "Shangpin"),
    ("潮童", "Chaotong"),
    ("萌宝", "Mengbao"),
    ("鹿鸣", "Luming"),
    ("青禾", "Qinghe"),
    ("佳乐", "Jiale"),
    ("欣悦", "Xinyue"),
    ("永盛", "Yongsheng"),
    ("兴旺", "Xingwang"),
    ("盛世", "Shengshi"),
    ("百川", "Baichuan"),
    ("千禧", "Qianxi"),
    ("万象", "Wanxiang"),
    ("东升", "Dongsheng"),
    ("南风", "Nanfeng"),
    ("北辰", "Beichen"),
    ("西岭", "Xiling"),
    ("红枫", "Hongfeng"),
    ("青松", "Qingsong"),
    ("翠竹", "Cuizhu"),
    ("启航", "Qihang"),
    ("远航", "Yuanhang"),
    ("领航", "Linghang"),
    ("凯瑞", "Kairui"),
    ("康宁", "Kangning"),
    ("安琪", "Anqi"),
    ("宁馨", "Ningxin"),
    ("朵朵", "Duoduo"),
    ("小鹿", "Xiaolu"),
    ("小熊", "Xiaoxiong"),
    ("豆豆", "Doudou"),
    ("暖心", "Nuanxin"),
    ("温馨", "Wenxin"),
    ("绒意", "Rongyi"),
    ("羽诺", "Yunuo"),
    ("诺贝", "Nuobei"),
    ("睿童", "Ruitong"),
    ("童梦", "Tongmeng"),
    ("初雪", "Chuxue"),
    ("瑞雪", "Ruixue"),
    ("冬语", "Dongyu"),
    ("暖冬", "Nuandong"),
    ("恒通", "Hengtong"),
    ("顺达", "Shunda"),
    ("捷运", "Jieyun"),
    ("速通", "Sutong"),
    ("聚源", "Juyuan"),
    ("汇通", "Huitong"),
    ("众诚", "Zhongcheng"),
    ("信诺", "Xinnuo"),
    ("德润", "Derun"),
    ("润泽", "Runze"),
    ("明洋", "Mingyang"),
    ("海纳", "Haina"),
    ("天成", "Tiancheng"),
    ("一品", "Yipin"),
    ("美佳", "Meijia"),
    ("优选", "Youxuan"),
    ("好物", "Haowu"),
    ("淘乐", "Taole"),
)


class _Region(NamedTuple):
    zh: str
    en: str
    # Division codes of the registering authority, repeated to weight them. A firm whose name
    # starts with 江西 or 九江 is still usually registered with the local bureau.
    divisions: tuple[str, ...]


# 360427 is the former Xingzi County, renamed Lushan City (360483) in 2016: firms registered
# before then keep 360427 in their code for life.
_REGIONS = {
    "hengtang": _Region("庐山市横塘镇", "Lushan Hengtang", ("360483", "360483", "360427")),
    "lushan": _Region("庐山市", "Lushan", ("360483", "360483", "360483", "360427")),
    "jiujiang": _Region("九江", "Jiujiang", ("360400", "360402", "360403", "360404", "360483")),
    "jiangxi": _Region("江西", "Jiangxi", ("360483", "360483", "360400", "360403")),
}

# Per industry: region weights, then (Chinese suffix, English suffix, weight).
_REGION_WEIGHTS: dict[str, dict[str, int]] = {
    "down_apparel": {"hengtang": 40, "lushan": 30, "jiujiang": 15, "jiangxi": 15},
    "childrens_clothing": {"hengtang": 30, "lushan": 30, "jiujiang": 25, "jiangxi": 15},
    "ecommerce": {"hengtang": 10, "lushan": 25, "jiujiang": 25, "jiangxi": 40},
    "accessories": {"hengtang": 35, "lushan": 35, "jiujiang": 20, "jiangxi": 10},
    "logistics": {"hengtang": 10, "lushan": 30, "jiujiang": 40, "jiangxi": 20},
    "other": {"hengtang": 15, "lushan": 40, "jiujiang": 25, "jiangxi": 20},
}

_SUFFIXES: dict[str, tuple[tuple[str, str, int], ...]] = {
    "down_apparel": (
        ("羽绒服饰有限公司", "Down Apparel Co., Ltd.", 4),
        ("服饰有限公司", "Apparel Co., Ltd.", 3),
        ("羽绒制品有限公司", "Down Products Co., Ltd.", 2),
        ("服装有限公司", "Garment Co., Ltd.", 2),
    ),
    "childrens_clothing": (
        ("童装有限公司", "Children's Wear Co., Ltd.", 4),
        ("儿童服饰有限公司", "Children's Apparel Co., Ltd.", 2),
        ("母婴用品有限公司", "Mother and Baby Products Co., Ltd.", 1),
    ),
    "ecommerce": (
        ("电子商务有限公司", "E-commerce Co., Ltd.", 5),
        ("网络科技有限公司", "Network Technology Co., Ltd.", 3),
        ("贸易有限公司", "Trading Co., Ltd.", 2),
        ("商贸有限公司", "Commerce and Trade Co., Ltd.", 1),
    ),
    "accessories": (
        ("服装辅料有限公司", "Garment Accessories Co., Ltd.", 3),
        ("纺织品有限公司", "Textiles Co., Ltd.", 2),
        ("包装制品有限公司", "Packaging Products Co., Ltd.", 2),
        ("印花有限公司", "Printing Co., Ltd.", 1),
    ),
    "logistics": (
        ("物流有限公司", "Logistics Co., Ltd.", 4),
        ("供应链管理有限公司", "Supply Chain Management Co., Ltd.", 2),
        ("仓储服务有限公司", "Warehousing Services Co., Ltd.", 1),
    ),
    "other": (
        # Live-streaming agencies (MCNs) register as culture-media companies.
        ("文化传媒有限公司", "Culture Media Co., Ltd.", 3),
        ("企业管理咨询有限公司", "Business Consulting Co., Ltd.", 1),
        ("人力资源服务有限公司", "Human Resources Services Co., Ltd.", 1),
        ("餐饮管理有限公司", "Catering Management Co., Ltd.", 1),
    ),
}

_ENGLISH_NAME_SHARE = {
    "down_apparel": 0.35,
    "childrens_clothing": 0.3,
    "ecommerce": 0.4,
    "accessories": 0.2,
    "logistics": 0.25,
    "other": 0.15,
}

# Common surnames, most frequent first; weighted by rank below.
_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
    "于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方邹熊万龚江"
)
_SURNAME_WEIGHTS = tuple(1 / (rank + 8) for rank in range(len(_SURNAMES)))
_GIVEN_SINGLE = (
    "伟芳敏静丽强磊军洋勇艳杰娟涛明超华平刚燕辉玲斌鹏俊婷"
    "雪慧琴云霞飞波亮峰健红梅兰萍宇浩鑫欣怡晨凯琳颖"
)
_GIVEN_FIRST = "建国志晓小海春文明玉秀桂金子思佳嘉雨梓俊宏家永德新红丽亚"

_MOBILE_PREFIXES = (
    "130 131 132 133 134 135 136 137 138 139 150 151 152 153 155 156 157 158 159 "
    "170 173 175 176 177 178 180 181 182 183 184 185 186 187 188 189 "
    "191 193 195 196 197 198 199"
).split()

_CAPITAL_YUAN = (
    500_000,
    800_000,
    1_000_000,
    1_500_000,
    2_000_000,
    3_000_000,
    5_000_000,
    8_000_000,
    10_000_000,
    15_000_000,
    20_000_000,
    30_000_000,
    50_000_000,
)
_MIN_EMPLOYEES = 6
_MAX_EMPLOYEES = 800
# Exponent applied to a uniform draw before scaling: larger means more tiny firms. E-commerce
# firms are the "six or seven people selling tens of millions a year".
_SIZE_SKEW = {
    "down_apparel": 2.0,
    "childrens_clothing": 2.2,
    "ecommerce": 3.0,
    "accessories": 2.5,
    "logistics": 2.2,
    "other": 3.0,
}

_SHOP_TEMPLATES = {
    "天猫": ("{brand}{category}旗舰店", "{brand}旗舰店", "{brand}{category}专营店"),
    "京东": ("{brand}官方旗舰店", "{brand}{category}旗舰店"),
    "拼多多": ("{brand}{category}店", "{brand}{category}工厂店"),
    "抖音": ("{brand}{category}旗舰店", "{brand}官方旗舰店"),
    "快手": ("{brand}{category}工厂店", "{brand}{category}源头工厂"),
}
_SHOP_CATEGORIES = {
    "down_apparel": ("羽绒服",),
    "childrens_clothing": ("童装",),
    "ecommerce": ("童装", "羽绒服", "服饰"),
}

# Attempts with a plain two-character trade name before falling back to a four-character one;
# with ~100 words the plain names of one industry and region run out after a few hundred firms.
_PLAIN_NAME_ATTEMPTS = 20
_MAX_NAME_ATTEMPTS = 200

_T = TypeVar("_T")


def demo_enterprises(n: int, seed: int = 2015) -> list[DemoEnterprise]:
    """Return ``n`` fictional enterprises with unique names and unique, valid USCCs.

    The default seed is the year phases 1 and 2 of the park opened.
    """
    if n < 0:
        raise ValueError(f"n must not be negative, got {n}")
    rng = random.Random(seed)
    names: set[str] = set()
    usccs: set[str] = set()
    return [_one_enterprise(rng, names, usccs) for _ in range(n)]


def _one_enterprise(rng: random.Random, names: set[str], usccs: set[str]) -> DemoEnterprise:
    industry = _weighted(rng, INDUSTRIES, _INDUSTRY_WEIGHTS)
    name, name_en, trade_name, region = _company_name(rng, industry, names)
    uscc = _uscc(rng, region, usccs)
    address, address_en = _address(region, uscc)

    legal_representative = _person_name(rng)
    # Small family firms are often run by the legal representative or a relative.
    roll = rng.random()
    if roll < 0.4:
        contact_person = legal_representative
    elif roll < 0.7:
        contact_person = legal_representative[0] + _given_name(rng)
    else:
        contact_person = _person_name(rng)

    size = rng.random() ** _SIZE_SKEW[industry]
    employee_count = round(_MIN_EMPLOYEES * (_MAX_EMPLOYEES / _MIN_EMPLOYEES) ** size)
    # Capital loosely follows size; the noise lets a tiny firm have registered a large capital,
    # which is common since subscribed capital need not be paid in.
    capital_position = min(1.0, max(0.0, size + rng.gauss(0.0, 0.15)))
    capital_yuan = _CAPITAL_YUAN[round(capital_position * (len(_CAPITAL_YUAN) - 1))]

    return DemoEnterprise(
        name=name,
        name_en=name_en,
        trade_name=trade_name,
        uscc=uscc,
        legal_representative=legal_representative,
        address=address,
        address_en=address_en if name_en else None,
        contact_person=contact_person,
        contact_mobile=_mobile(rng),
        industry=industry,
        registered_capital_fen=capital_yuan * 100,
        employee_count=employee_count,
        online_shops=_online_shops(rng, industry, trade_name),
    )


# Registered addresses by region: (Chinese prefix, English suffix, streets as (zh, en)).
_ADDRESSES: dict[str, tuple[str, str, tuple[tuple[str, str], ...]]] = {
    "庐山市横塘镇": ("江西省九江市庐山市横塘镇", "Hengtang Town, Lushan, Jiujiang, Jiangxi",
                (("红星大道", "Hongxing Avenue"), ("羽绒路", "Yurong Road"),
                 ("横塘街", "Hengtang Street"))),
    "庐山市": ("江西省九江市庐山市", "Lushan, Jiujiang, Jiangxi",
             (("庐山大道", "Lushan Avenue"), ("紫阳路", "Ziyang Road"),
              ("南康路", "Nankang Road"))),
    "九江": ("江西省九江市濂溪区", "Lianxi District, Jiujiang, Jiangxi",
           (("长虹大道", "Changhong Avenue"), ("十里大道", "Shili Avenue"))),
    "江西": ("江西省九江市浔阳区", "Xunyang District, Jiujiang, Jiangxi",
           (("浔阳路", "Xunyang Road"), ("庾亮南路", "Yuliang South Road"))),
}  # fmt: skip


def _address(region: _Region, uscc: str) -> tuple[str, str]:
    """A plausible 住所 for the firm, derived from its USCC (not from the random stream, so
    adding addresses changed none of the other demo values)."""
    prefix, suffix_en, streets = _ADDRESSES[region.zh]
    digest = int(hashlib.sha256(uscc.encode()).hexdigest()[:8], 16)
    street_zh, street_en = streets[digest % len(streets)]
    number = 1 + (digest // len(streets)) % 288
    return f"{prefix}{street_zh}{number}号", f"No. {number} {street_en}, {suffix_en}"


def _company_name(
    rng: random.Random, industry: str, taken: set[str]
) -> tuple[str, str | None, str, _Region]:
    region_weights = _REGION_WEIGHTS[industry]
    suffixes = _SUFFIXES[industry]
    for attempt in range(_MAX_NAME_ATTEMPTS):
        region = _REGIONS[_weighted(rng, list(region_weights), list(region_weights.values()))]
        suffix_zh, suffix_en, _ = _weighted(rng, suffixes, [s[2] for s in suffixes])
        if attempt < _PLAIN_NAME_ATTEMPTS:
            trade_zh, trade_en = rng.choice(_TRADE_WORDS)
        else:
            (first_zh, first_en), (second_zh, second_en) = rng.sample(_TRADE_WORDS, 2)
            trade_zh, trade_en = first_zh + second_zh, first_en + second_en.lower()
        name = region.zh + trade_zh + suffix_zh
        if name in taken:
            continue
        taken.add(name)
        has_english = rng.random() < _ENGLISH_NAME_SHARE[industry]
        name_en = f"{region.en} {trade_en} {suffix_en}" if has_english else None
        return name, name_en, trade_zh, region
    raise RuntimeError("ran out of unique demo company names; ask for fewer enterprises")


def _uscc(rng: random.Random, region: _Region, taken: set[str]) -> str:
    while True:
        division = rng.choice(region.divisions)
        if rng.random() < 0.7:
            # Codes issued since the 2015 reform start with "MA"; older firms kept their
            # all-digit organisation code. Drawing from the USCC alphabet keeps out the letters
            # (I, O, S, V, Z) that GB 11714 allows but a USCC does not.
            body = "MA" + "".join(rng.choice(ALPHABET) for _ in range(6))
        else:
            body = rng.choice("1234567") + "".join(rng.choice("0123456789") for _ in range(7))
        # Demo codes satisfy the GB 11714 organisation-code check too, so they also pass
        # stricter validators than ours.
        org_code = body + org_code_check_char(body)
        # Registration authority 9 (market regulation), entity type 1 (enterprise).
        code = make_uscc("91" + division + org_code)
        if code not in taken:
            taken.add(code)
            return code


def _person_name(rng: random.Random) -> str:
    return _weighted(rng, _SURNAMES, _SURNAME_WEIGHTS) + _given_name(rng)


def _given_name(rng: random.Random) -> str:
    if rng.random() < 0.45:
        return rng.choice(_GIVEN_SINGLE)
    return rng.choice(_GIVEN_FIRST) + rng.choice(_GIVEN_SINGLE)


def _mobile(rng: random.Random) -> str:
    return rng.choice(_MOBILE_PREFIXES) + f"{rng.randrange(100_000_000):08d}"


def _online_shops(rng: random.Random, industry: str, trade_name: str) -> tuple[OnlineShop, ...]:
    if industry == "ecommerce":
        count = _weighted(rng, (1, 2, 3, 4), (3, 4, 2, 1))
    elif industry in ("down_apparel", "childrens_clothing") and rng.random() < 0.45:
        count = _weighted(rng, (1, 2), (3, 1))
    else:
        return ()
    categories = _SHOP_CATEGORIES[industry]
    chosen = set(rng.sample(PLATFORMS, count))
    shops = []
    # Iterate the tuple, not the set, so the order (and the rng calls) never depend on hashing.
    for platform in PLATFORMS:
        if platform not in chosen:
            continue
        # E-commerce firms often sell under a brand other than their own trade name.
        brand = trade_name
        if industry == "ecommerce" and rng.random() < 0.3:
            brand = rng.choice(_TRADE_WORDS)[0]
        template = rng.choice(_SHOP_TEMPLATES[platform])
        shops.append(
            OnlineShop(platform, template.format(brand=brand, category=rng.choice(categories)))
        )
    return tuple(shops)


def _weighted(rng: random.Random, items: Sequence[_T], weights: Sequence[float]) -> _T:
    return rng.choices(items, weights=weights, k=1)[0]
