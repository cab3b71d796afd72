"""The questionnaire builder in a real browser (issue 27 item 4): 李娜, community worker, builds a survey with a
scale, a single-choice question and a multiple-choice question asked only after a given answer, on a desktop and
on her phone; the first try is refused with the reason at its question and everything she typed kept; she
publishes, and 张伟 answers it on his phone in elder mode, the skip logic working as she set it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .helpers import PHONE, Journey, phone_page, resident_login, said, staff_page

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_a_community_worker_builds_and_publishes_a_survey_and_a_resident_answers_it(
    browser, live_server, cast_world, shots, device
):
    from shequ.surveys.models import Question, Response, Survey
    from shequ.surveys.tests.factories import communities, household_with_resident, street

    household_with_resident(communities()[0], cast_world["zhangwei"])
    household_with_resident(communities()[1])
    base = live_server.url
    page = staff_page(browser, base, "lina", viewport=PHONE if device == "phone" else None)
    me = Journey(page, shots, f"survey-builder-{device}")
    page.goto(f"{base}/console/surveys/")
    me.look("surveys")
    page.get_by_role("link", name="新建问卷").click()
    expect(page.locator("main h1")).to_have_text("新建问卷")
    # Three question rows at first; the fourth waits behind "再加一题".
    expect(page.locator(".survey-question:visible")).to_have_count(3)
    me.look("builder")

    page.fill("#id_title", "长者食堂用餐体验调查")
    page.select_option("#id_area", street().code)
    page.select_option("#id_kind", label="满意度调查")
    page.select_option("#id_q-0-kind", label="量表")
    page.fill("#id_q-0-text", "您对长者食堂的总体满意度")
    page.select_option("#id_q-0-measure", label="满意度")
    page.select_option("#id_q-1-kind", label="单选")
    page.fill("#id_q-1-text", "您在长者食堂用过餐吗")
    page.fill("#id_q-1-choices", "用过")  # one choice only: refused
    page.select_option("#id_q-2-kind", label="多选")
    page.fill("#id_q-2-text", "您最看重哪些方面")
    page.fill("#id_q-2-choices", "价格\n口味\n卫生")
    page.fill("#id_q-2-show_if_position", "2")
    page.fill("#id_q-2-show_if_choice", "用过")
    page.get_by_role("button", name="再加一题").click()
    expect(page.locator("#question-4")).to_be_visible()
    expect(page.locator("#id_q-3-kind")).to_be_focused()
    page.select_option("#id_q-3-kind", label="填空")
    page.fill("#id_q-3-text", "您的建议")
    page.uncheck("#id_q-3-required")
    page.get_by_role("button", name="保存并发布").click()

    expect(page.locator("#survey-refused")).to_be_visible()
    expect(page.locator("#id_q-1-choices_error")).to_contain_text(
        "第 2 题：请给出 2 至 20 个互不相同的选项。"
    )
    expect(page.locator("#id_title")).to_have_value("长者食堂用餐体验调查")
    expect(page.locator("#id_q-2-choices")).to_have_value("价格\n口味\n卫生")
    expect(page.locator("#id_q-3-text")).to_have_value("您的建议")  # the fourth row stays shown
    me.look("refused")
    assert not Survey.objects.exists()

    page.fill("#id_q-1-choices", "用过\n没用过")
    page.get_by_role("button", name="保存并发布").click()
    expect(page.locator("main h1")).to_have_text("长者食堂用餐体验调查")
    assert "问卷已发布" in said(page)
    me.look("published")
    # The satisfaction per community: on a phone its headers stay on one line (the table scrolls sideways).
    page.goto(f"{base}/console/surveys/satisfaction/")
    expect(page.locator("#satisfaction")).to_be_visible()
    heights = page.locator("#satisfaction thead th").evaluate_all(
        "cells => cells.map(c => c.getBoundingClientRect().height)"
    )
    rows = page.locator("#satisfaction tbody th").evaluate_all(
        "cells => cells.map(c => c.getBoundingClientRect().height)"
    )
    assert heights and max(heights) < 2 * min(heights) + 1 and max(heights) < 60, heights
    assert rows and max(rows) < 60, rows
    me.look("satisfaction")
    me.done()
    survey = Survey.objects.get()
    assert survey.status == "open"
    assert [q.kind for q in Question.objects.filter(survey=survey).order_by("position")] == [
        "scale",
        "single",
        "multiple",
        "text",
    ]

    # 张伟 answers on his phone in elder mode: question 3 appears only after "用过".
    phone = phone_page(browser, base, elder=True)
    resident_login(phone, base)
    his = Journey(phone, shots, f"survey-builder-{device}-answer")
    phone.goto(f"{base}/surveys/{survey.pk}/")
    expect(phone.locator("main h1")).to_have_text("长者食堂用餐体验调查")
    expect(phone.locator("[data-show-if]")).to_be_hidden()
    his.look("survey")
    phone.locator("label[for=q1-5]").click()
    phone.locator("label[for=q2-1]").click()
    expect(phone.locator("[data-show-if]")).to_be_visible()
    phone.locator("label[for=q3-3]").click()
    phone.get_by_role("button", name="提交我的回答").click()
    expect(phone.locator("#survey-answered")).to_be_visible()
    his.look("answered")
    his.done()
    assert Response.objects.get().answers == {
        "1": 5,
        "2": "用过",
        "3": ["卫生"],
    }  # the optional one left empty
