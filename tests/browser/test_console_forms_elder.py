"""The console forms this change added, looked at in elder mode on a phone (390×844) and on a desktop, as the staff
who use them: 李娜 (community worker: the questionnaire builder, a project of the three lists) and 王强 (street
officer: a venue, an emergency plan, a supply's stock, a company's credit record). Each page is screenshotted and
checked (Chinese, axe-core), fits the screen, and shows no English word or raw code."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .helpers import PHONE, Journey, staff_login

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

# Words that would mean an untranslated label or a raw value on a Chinese page.
ENGLISH = re.compile(r"\b(Choose|Save|Cancel|Name|Title|Kind|Area|optional|None|True|False|required)\b")


@pytest.mark.parametrize("device", ["phone", "desktop"])
def test_the_new_console_forms_in_elder_mode(browser, live_server, cast_world, shots, device):
    from shequ.credit.tests.factories import property_company
    from shequ.emergency import services as emergency
    from shequ.emergency.tests.helpers import street
    from shequ.facilities.services import facility_types_ensure
    from shequ.participation import services as participation
    from shequ.participation.models import Category

    facility_types_ensure()
    if not Category.objects.exists():
        import importlib

        from django.apps import apps

        importlib.import_module("shequ.participation.migrations.0002_default_categories").load(apps, None)
    officer, worker = cast_world["wangqiang"], cast_world["lina"]
    yuehai = street("440305", "粤海街道")
    plan = emergency.plan_create(
        actor=None,
        area=yuehai,
        title="台风防御应急预案",
        hazard="typhoon",
        roles=[emergency.RoleData("总指挥", "街道办主任", "13700000001", "统一指挥")],
    )
    supply = emergency.supply_create(
        actor=None, area=yuehai, name="沙袋", unit="个", quantity=500, minimum=200
    )
    _, company, _ = property_company(officer, 2026)
    huafu = street("440304", "华富街道").children.filter(level="community").order_by("code").first()
    project = participation.project_create(
        actor=worker, area=huafu, category=Category.objects.get(code="elderly"), title="5栋楼道扶手加装"
    )
    base = live_server.url
    pages = {
        "lina": [
            "/console/surveys/new/",
            "/console/participation/projects/new/",
            f"/console/participation/projects/{project.pk}/",
        ],
        "wangqiang": [
            "/console/venues/new/",
            f"/console/emergency/plans/{plan.pk}/",
            f"/console/emergency/supplies/{supply.pk}/",
            f"/console/credit/subjects/{company.pk}/edit/",
        ],
    }
    for who, paths in pages.items():
        viewport = PHONE if device == "phone" else {"width": 1280, "height": 900}
        context = browser.new_context(viewport=viewport, locale="zh-CN")
        context.add_cookies([{"name": "shequ_elder", "value": "1", "url": base}])
        page = context.new_page()
        staff_login(page, base, who)
        me = Journey(page, shots, f"console-forms-elder-{device}-{who}")
        me.look("console")
        for i, path in enumerate(paths, start=1):
            response = page.goto(base + path)
            assert response is not None and response.status == 200, path
            expect(page.locator("html")).to_have_class(re.compile(r"\belder\b"))
            text = page.locator("main").inner_text()
            assert not ENGLISH.search(text), (path, ENGLISH.findall(text))
            if device == "phone":
                assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], path
            me.look(f"page{i}")
        me.done()
        context.close()
