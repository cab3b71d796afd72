"""Surveys and credit lists in a real browser (issue 27 items 4-5): 张伟 opens the invitation in his messages and
answers the survey on his phone (normal and elder mode; the skip logic shows a question only after its choice, a
second answer is not offered); 王强, street officer of 粤海街道, reads the response rates per community and the
year's credit lists with their evidence on a desktop. Each page is screenshotted, in Chinese and checked with
axe-core."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from .helpers import Journey, main_text, phone_page, resident_login, said, staff_page

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


@pytest.mark.parametrize("elder", [False, True], ids=["normal", "elder"])
def test_a_resident_answers_a_survey_on_his_phone(browser, live_server, cast_world, shots, elder):
    from shequ.surveys.models import Response
    from shequ.surveys.tests.factories import communities, household_with_resident, make_survey

    household_with_resident(communities()[0], cast_world["zhangwei"])
    household_with_resident(communities()[1])
    survey = make_survey(cast_world["lina"])
    base, mode = live_server.url, "elder" if elder else "normal"
    page = phone_page(browser, base, elder=elder)
    resident_login(page, base)
    journey = Journey(page, shots, f"surveys-answer-{mode}")
    page.goto(f"{base}/me/messages/")
    expect(page.locator("main")).to_contain_text("请填写问卷：2026年社区服务满意度调查")
    journey.look("invitation")
    page.locator("main li", has_text="请填写问卷").get_by_role("button").first.click()
    expect(page.locator("main h1")).to_have_text(survey.title)
    expect(page.locator("main")).to_contain_text("本问卷匿名")
    # Skip logic: question 3 is asked only after "参加过" in question 2.
    expect(page.locator("[data-show-if]")).to_be_hidden()
    size = page.locator("label[for=q1-5]").evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    assert size >= 25 if elder else size == 20, size
    journey.look("survey")

    page.locator("label[for=q2-1]").click()
    expect(page.locator("[data-show-if]")).to_be_visible()
    page.locator("label[for=q3-2]").click()
    page.fill("#q4-text", "希望多办长者活动")
    page.get_by_role("button", name="提交我的回答").click()
    # Question 1 was left out: refused, and what he chose stays chosen.
    expect(page.locator(".alert-danger")).to_have_text("请回答第 1 题。")
    expect(page.locator("#q2-1")).to_be_checked()
    expect(page.locator("#q3-2")).to_be_checked()
    expect(page.locator("#q4-text")).to_have_value("希望多办长者活动")
    journey.look("refused")
    assert not Response.objects.exists()

    page.locator("label[for=q1-4]").click()
    page.get_by_role("button", name="提交我的回答").click()
    expect(page.locator("#survey-answered")).to_contain_text("您家已经回答了这份问卷")
    assert "谢谢，您的回答已记录。" in said(page)
    expect(page.locator("#survey-form")).to_have_count(0)
    journey.look("answered")
    response = Response.objects.get()
    assert response.answers == {"1": 4, "2": "参加过", "3": ["志愿服务"], "4": "希望多办长者活动"}
    assert response.respondent is None

    page.get_by_role("link", name="全部问卷").click()
    expect(page.locator("main")).to_contain_text("您家已回答")
    journey.look("my-surveys")
    journey.done()


def test_a_street_officer_reads_response_rates_and_credit_lists(browser, live_server, cast_world, shots):
    from shequ.credit.services import credit_lists_compute, inspection_record
    from shequ.credit.tests.factories import property_company, yuehai
    from shequ.surveys.services import response_submit
    from shequ.surveys.tests.factories import GOOD, household_with_resident, make_survey

    officer = cast_world["wangqiang"]
    communities = list(yuehai().children.filter(level="community").order_by("code")[:2])
    from shequ.accounts.models import User

    users = [User.objects.create(username=f"yh{i}") for i in range(3)]
    household_with_resident(communities[0], users[0])
    household_with_resident(communities[0], users[1])
    household_with_resident(communities[1], users[2])
    survey = make_survey(officer, area=yuehai(), title="粤海街道社区服务满意度调查")
    response_submit(user=users[0], survey=survey, answers=GOOD)
    response_submit(user=users[2], survey=survey, answers={**GOOD, "1": 3})
    year = timezone.localdate().year
    _, company, _ = property_company(officer, year)
    inspection_record(
        actor=officer, subject=company, inspected_on=timezone.localdate(), score=52, finding="电梯年检逾期"
    )
    credit_lists_compute(actor=officer, year=year)

    base = live_server.url
    page = staff_page(browser, base, "wangqiang")
    journey = Journey(page, shots, "surveys-officer")
    page.goto(f"{base}/console/")
    journey.look("console")
    page.get_by_role("link", name="问卷调查").click()
    expect(page.locator("main")).to_contain_text(survey.title)
    journey.look("surveys")
    page.get_by_role("link", name=survey.title).click()
    expect(page.locator("#rates-summary")).to_contain_text("3 户受邀中已有 2 户回答（67%）")
    table = page.locator("#rates-table")
    expect(table).to_contain_text(communities[0].name)
    expect(table.locator("tr", has_text=communities[0].name)).to_contain_text("50%")
    expect(table.locator("tr", has_text=communities[1].name)).to_contain_text("100%")
    expect(page.locator("#chart-rates canvas")).to_have_count(1)
    assert "平均：4.0 / 5" in main_text(page).replace(" ", "") or "4.0" in main_text(page)
    journey.look("rates-and-results")

    # 满意度 per community: the survey's satisfaction question beside appeals' 好差评 (none rated here).
    page.goto(f"{base}/console/surveys/")
    page.get_by_role("link", name="各社区满意度").click()
    expect(page.locator("main h1")).to_contain_text("各社区满意度 · 粤海街道")
    row = page.locator("#satisfaction tr", has_text=communities[0].name)
    expect(row.locator("td").nth(0)).to_have_text("100.0")  # 5 of 5 on the satisfaction scale
    expect(row.locator("td").nth(2)).to_have_text("—")  # no rated appeal
    expect(page.locator("#chart-satisfaction canvas")).to_have_count(1)
    journey.look("satisfaction")

    page.goto(f"{base}/console/")
    journey.look("console-again")
    page.get_by_role("link", name="信用名单").click()
    expect(page.locator("main h1")).to_have_text(f"{year} 年度信用名单")
    risk = page.locator("#list-risk")
    expect(risk).to_contain_text("深圳市安居物业服务有限公司")
    expect(risk).to_contain_text("C：重点监管")
    risk.locator("summary", has_text="依据").first.click()
    expect(risk).to_contain_text("电梯年检逾期")
    expect(risk).to_contain_text("得分低于 60")
    journey.look("credit-lists")

    # He registers a domestic-service company and records an inspection of the property company.
    page.get_by_role("link", name="企业和项目经理").click()
    expect(page.locator("#subjects")).to_contain_text("深圳市安居物业服务有限公司")
    journey.look("subjects")
    page.select_option("#id_kind", label="家政服务企业")
    page.fill("#id_name", "粤海家政服务有限公司")
    page.get_by_role("button", name="添加").click()
    expect(page.locator("main h1")).to_have_text("粤海家政服务有限公司")
    journey.look("subject-added")
    page.get_by_role("link", name="企业和项目经理").click()
    page.get_by_role("link", name="深圳市安居物业服务有限公司").click()
    page.fill("#id_score", "45")
    page.check("#id_serious")
    page.get_by_role("button", name="登记检查结果").click()
    expect(page.locator("#id_finding_error")).to_be_visible()  # a serious finding must be described
    expect(page.locator("#id_score")).to_have_value("45")
    journey.look("inspection-refused")
    page.fill("#id_finding", "消防通道堵塞")
    page.get_by_role("button", name="登记检查结果").click()
    expect(page.locator(".alert")).to_contain_text("检查结果已登记。")
    expect(page.locator("#inspections")).to_contain_text("消防通道堵塞")
    journey.look("inspection-recorded")
    # The company got its credit code: he edits it; a short code is refused and what he typed stays.
    page.get_by_role("link", name="编辑", exact=True).click()
    journey.look("subject-edit")
    page.fill("#id_credit_code", "91440300MA5F")
    page.get_by_role("button", name="保存").click()
    expect(page.locator("#id_credit_code_error")).to_be_visible()
    expect(page.locator("#id_credit_code")).to_have_value("91440300MA5F")
    journey.look("subject-edit-refused")
    page.fill("#id_credit_code", "91440300MA5F12345X")
    page.get_by_role("button", name="保存").click()
    expect(page.locator("main h1")).to_have_text("深圳市安居物业服务有限公司")
    expect(page.locator("main")).to_contain_text("91440300MA5F12345X")
    journey.look("subject-edited")
    journey.done()
