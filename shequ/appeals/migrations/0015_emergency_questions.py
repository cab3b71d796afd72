"""Issue 23: the kind of an emergency on the appeal, and the default categories' questions whose answers make a
report an emergency (有人被困, 有明火, 燃气泄漏 …), as data: each such attribute carries
{"emergency": {"values": [keys], "kind": kind}}. A frozen copy of data/categories.json's entries at this time."""

from django.db import migrations, models


def q(code, description, yes, no, kind, required=False):
    return {
        "code": code,
        "datatype": "singlevaluelist",
        "required": required,
        "variable": True,
        "order": 1,
        "description": description,
        "values": [{"key": "yes", "name": yes}, {"key": "no", "name": no}],
        "emergency": {"values": ["yes"], "kind": kind},
    }


QUESTIONS = {
    "elevator": q("people_trapped", "是否有人被困", "有人被困", "无人被困", "trapped", required=True),
    "gas_safety": q("gas_leak", "是否闻到燃气味（疑似燃气泄漏）", "闻到燃气味", "没有", "gas"),
    "gas_supply": q("gas_leak", "是否闻到燃气味（疑似燃气泄漏）", "闻到燃气味", "没有", "gas"),
    "fire_hazard": q("open_fire", "现场是否有明火或浓烟", "有明火或浓烟", "没有", "fire"),
    "public_safety": q(
        "people_injured", "是否有人受伤或处于危险中", "有人受伤或处于危险中", "没有", "fall_injury"
    ),
    "public_order": q(
        "people_threatened", "是否有人正受到人身威胁或伤害", "有人正受到威胁或伤害", "没有", "violence"
    ),
    "power_supply": q("live_wire", "是否有电线断落、漏电或冒火花", "有电线断落或漏电", "没有", "electricity"),
    "road_damage": q("open_hole", "是否有井盖缺失或路面塌陷", "井盖缺失或路面塌陷", "没有", "fall_injury"),
    "drainage": q(
        "people_in_water", "是否有人被困水中或积水正涌入屋内", "有人被困或积水进屋", "没有", "water"
    ),
    "elderly_care": q(
        "person_unwell", "是否有老人失联、倒地或突发疾病", "有老人失联、倒地或急病", "没有", "missing_unwell"
    ),
}


def add_questions(apps, schema_editor):
    Category = apps.get_model("appeals", "Category")
    for category in Category.objects.filter(code__in=QUESTIONS):
        new = QUESTIONS[category.code]
        attributes = list(category.attributes or [])
        same = [a for a in attributes if a.get("code") == new["code"]]
        if same:  # the elevator's question exists: it only gains its emergency answer
            same[0]["emergency"] = new["emergency"]
        else:
            for a in attributes:
                a["order"] = int(a.get("order") or 1) + 1
            attributes.insert(0, new)
        category.attributes = attributes
        category.save(update_fields=["attributes"])


def remove_questions(apps, schema_editor):
    Category = apps.get_model("appeals", "Category")
    for category in Category.objects.filter(code__in=QUESTIONS):
        new = QUESTIONS[category.code]
        kept = []
        for a in category.attributes or []:
            if a.get("code") == new["code"] and not new["required"]:
                continue
            a.pop("emergency", None)
            kept.append(a)
        category.attributes = kept
        category.save(update_fields=["attributes"])


class Migration(migrations.Migration):
    dependencies = [("appeals", "0014_event_resident_text")]

    operations = [
        migrations.AddField(
            model_name="appeal",
            name="urgency_kind",
            field=models.CharField(blank=True, max_length=16, verbose_name="kind of emergency"),
        ),
        migrations.RunPython(add_questions, remove_questions),
    ]
