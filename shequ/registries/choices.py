"""The registers the plan counts and the kinds of entry in each (issue 29 item 3): defined once (STYLE.md §9).

Kinds are the plan's own words (data, in Chinese, as the facility types are); the registers' names are UI text."""

from django.db import models
from django.utils.translation import gettext_lazy as _

REGISTRIES_TITLE = _("Community registries")  # the module's name, in the console's menu too


class Register(models.TextChoices):
    COMMITTEE = "committee", _("Residents' committee sub-committees")
    LEGAL = "legal", _("Legal literates and legal advisers")
    SOCIAL_ORG = "social_org", _("Community social organisations")
    CHARITY = "charity", _("Community foundations and donation points")
    SCHOOL = "school", _("Community schools")
    GREEN = "green", _("Green communities")


KINDS: dict[str, list[tuple[str, str]]] = {
    # 专栏: the residents' committee's five sub-committees, in every community.
    Register.COMMITTEE: [
        ("mediation", "人民调解委员会"),
        ("security", "治安保卫委员会"),
        ("health", "公共卫生委员会"),
        ("environment", "环境和物业管理委员会"),
        ("social", "社会服务委员会"),
    ],
    Register.LEGAL: [("literate", "法律明白人"), ("adviser", "法律顾问")],
    Register.SOCIAL_ORG: [
        ("charity", "公益慈善类"),
        ("life", "生活服务类"),
        ("culture", "文体活动类"),
        ("mediation", "专业调处类"),
        ("other", "其他"),
    ],
    Register.CHARITY: [("foundation", "社区基金会"), ("donation_point", "捐赠站点")],
    Register.SCHOOL: [("school", "社区学校")],
    Register.GREEN: [("creating", "创建中"), ("certified", "已达标")],
}

# Registers where a community has at most one entry of each kind (one 人民调解委员会) or one entry at all (its
# green-community status); the others are keyed by name within the community.
ONE_PER_KIND = {Register.COMMITTEE}
ONE_PER_COMMUNITY = {Register.GREEN}


def kind_label(register: str, kind: str) -> str:
    return dict(KINDS.get(register, [])).get(kind, kind)
