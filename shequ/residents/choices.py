from django.db import models
from django.utils.translation import gettext_lazy as _


class Gender(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")


# Fields of a resident that are personal identifiers, and how each is masked (shequ.core.masking.mask kinds).
PERSONAL_FIELDS = {"id_number": "id_number", "phone": "phone", "room": "address"}
REVEALABLE_FIELDS = ("id_number", "phone", "room")

# Special groups (plan: 低保, 特困, 残疾, 独居老人, 留守儿童, 优抚对象 …), loaded as data by migration 0002.
DEFAULT_TAGS = [
    ("dibao", "低保", True),
    ("tekun", "特困", True),
    ("disabled", "残疾", True),
    ("elderly_alone", "独居老人", True),
    ("left_behind_child", "留守儿童", True),
    ("youfu", "优抚对象", True),
    ("elderly_80", "高龄老人", False),
    ("low_income_edge", "低保边缘", True),
    ("serious_illness", "大病患者", True),
    ("veteran", "退役军人", False),
    ("party_member", "党员", False),
    ("volunteer", "志愿者", False),
]
