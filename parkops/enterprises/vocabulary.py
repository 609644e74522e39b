"""The words of the enterprises domain: industries, selling platforms, and what people write for
them (and for the statuses) in spreadsheets."""

from __future__ import annotations

from enum import StrEnum
from types import MappingProxyType

from parkops.core.i18n import N_
from parkops.enterprises.workflow import STATUS_LABELS, EnterpriseStatus


class Industry(StrEnum):
    down_apparel = "down_apparel"
    childrens_clothing = "childrens_clothing"
    ecommerce = "ecommerce"
    accessories = "accessories"
    logistics = "logistics"
    other = "other"


INDUSTRY_LABELS = MappingProxyType(
    {
        Industry.down_apparel: N_("Down apparel"),
        Industry.childrens_clothing: N_("Children's clothing"),
        Industry.ecommerce: N_("E-commerce"),
        Industry.accessories: N_("Accessories"),
        Industry.logistics: N_("Logistics"),
        Industry.other: N_("Other"),
    }
)


class Platform(StrEnum):
    """E-commerce and live-streaming platforms the park's firms sell on."""

    tmall = "tmall"
    taobao = "taobao"
    jd = "jd"
    pinduoduo = "pinduoduo"
    douyin = "douyin"
    kuaishou = "kuaishou"
    xiaohongshu = "xiaohongshu"
    wechat = "wechat"
    other = "other"


PLATFORM_LABELS = MappingProxyType(
    {
        Platform.tmall: N_("Tmall"),
        Platform.taobao: N_("Taobao"),
        Platform.jd: N_("JD.com"),
        Platform.pinduoduo: N_("Pinduoduo"),
        Platform.douyin: N_("Douyin"),
        Platform.kuaishou: N_("Kuaishou"),
        Platform.xiaohongshu: N_("Xiaohongshu"),
        Platform.wechat: N_("WeChat"),
        Platform.other: N_("Other"),
    }
)

# What people write in a spreadsheet instead of our codes: the English labels above and the
# Chinese names everybody in the park uses. Compared after NFKC, trimming and lower-casing.
INDUSTRY_ALIASES = {
    "羽绒服装": Industry.down_apparel,
    "羽绒服": Industry.down_apparel,
    "羽绒": Industry.down_apparel,
    "童装": Industry.childrens_clothing,
    "儿童服装": Industry.childrens_clothing,
    "电商": Industry.ecommerce,
    "电子商务": Industry.ecommerce,
    "辅料": Industry.accessories,
    "服装辅料": Industry.accessories,
    "物流": Industry.logistics,
    "其他": Industry.other,
}
STATUS_ALIASES = {
    "意向": EnterpriseStatus.prospect,
    "意向客户": EnterpriseStatus.prospect,
    "在租": EnterpriseStatus.tenant,
    "在园": EnterpriseStatus.tenant,
    "租户": EnterpriseStatus.tenant,
    "已退租": EnterpriseStatus.former_tenant,
    "退租": EnterpriseStatus.former_tenant,
    "原租户": EnterpriseStatus.former_tenant,
}
PLATFORM_ALIASES = {
    "天猫": Platform.tmall,
    "淘宝": Platform.taobao,
    "京东": Platform.jd,
    "拼多多": Platform.pinduoduo,
    "抖音": Platform.douyin,
    "快手": Platform.kuaishou,
    "小红书": Platform.xiaohongshu,
    "微信": Platform.wechat,
    "微信小店": Platform.wechat,
    "视频号": Platform.wechat,
    "其他": Platform.other,
}

# What every enterprises template uses: the vocabularies and their labels.
TEMPLATE_LABELS = MappingProxyType(
    {
        "industry_labels": INDUSTRY_LABELS,
        "status_labels": STATUS_LABELS,
        "platform_labels": PLATFORM_LABELS,
        "industries": list(Industry),
        "statuses": list(EnterpriseStatus),
        "platforms": list(Platform),
    }
)
