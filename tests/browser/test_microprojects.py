"""民生微实事 in a real browser (issue 26): 张伟 proposes on his phone; 李娜 reviews in the console; 张伟 votes
(normal or elder mode) and keeps his receipt; 李娜 and 陈静 enter one paper batch twice; 李娜 counts, records the
street meeting's approval, the contractor and spending, and the residents' representatives' acceptance with a photo;
张伟 reads the disclosure and follows the project. Each page is screenshotted, in Chinese and checked with axe."""

from __future__ import annotations

import io
from datetime import date

import pytest
from PIL import Image
from playwright.sync_api import expect

from .helpers import Journey, phone_page, resident_login, staff_page
from .restore import restore_migrated_data

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


@pytest.fixture
def people(transactional_db, settings, tmp_path):
    from shequ.demo.cast import ensure_cast
    from shequ.geo.citypack import load_city_pack
    from shequ.geo.models import Area

    settings.MEDIA_ROOT = tmp_path
    if not Area.objects.exists():
        load_city_pack("shenzhen")
    restore_migrated_data()
    yield ensure_cast()
    from shequ.audit.tests.tampering import wipe

    wipe()


def _residents(cast):
    from shequ.core.idnumbers import make_id_number
    from shequ.geo.models import Area
    from shequ.residents.models import Resident
    from shequ.residents.services import household_create, resident_create

    community = (
        Area.objects.filter(parent__name="华富街道", parent__parent__code="440304").order_by("code").first()
    )
    made = []
    for i, name in enumerate(["张伟", "赵阿姨"]):
        household = household_create(actor=None, area=community, room=f"{i + 1}栋101室")
        made.append(
            resident_create(
                actor=None,
                household=household,
                name=name,
                id_number=make_id_number("440304", date(1958 + i, 3, 9), 40 + i, "male"),
                phone=f"1391234567{i}",
            )
        )
    Resident.objects.filter(pk=made[0].pk).update(user=cast["zhangwei"])
    return made


@pytest.mark.parametrize("elder", [False, True], ids=["normal", "elder"])
def test_a_round_from_a_residents_proposal_to_the_disclosure(
    browser, live_server, people, shots, tmp_path, elder
):
    from shequ.microprojects import services
    from shequ.microprojects.tests.factories import huafu, this_year_plan

    _zhang, auntie = _residents(people)
    rnd = services.round_create(
        actor=people["lina"],
        area=huafu(),
        year=date.today().year,
        title="华富街道民生微实事",
        budget=60_000,  # the chairs (30,000) win; the lights (50,000) no longer fit
        ballot_kind="approval",
        max_approvals=2,
        method="greedy",
        eligibility="resident",
        phases=this_year_plan(),
    )
    base, mode = live_server.url, "elder" if elder else "normal"
    phone = phone_page(browser, base, elder=elder)
    resident_login(phone, base)
    resident = Journey(phone, shots, f"micro-resident-{mode}")
    phone.goto(f"{base}/microprojects/")
    expect(phone.locator("main h1")).to_have_text("民生微实事：居民点菜")
    resident.look("rounds")
    phone.get_by_role("link", name="华富街道民生微实事").click()
    resident.look("round-collecting")
    for title in ("长者休闲座椅", "楼道感应灯"):
        phone.fill("#p-title", title)
        phone.fill("#p-desc", "华富村公园与老旧楼道")
        phone.get_by_role("button", name="提交建议").click()
        expect(phone.locator("main")).to_contain_text("已收到您的建议")
    resident.look("proposed")

    desk = staff_page(browser, base, "lina")
    staff = Journey(desk, shots, f"micro-staff-{mode}")
    desk.goto(f"{base}/console/microprojects/rounds/{rnd.pk}/")
    staff.look("round-collect")
    desk.get_by_role("button", name="进入“审核”阶段").click()
    staff.look("review")
    forms = desk.locator("form[aria-label^='审核']")
    first = forms.nth(0)
    first.locator("input[name=price]").fill("30000")
    first.locator("input[name=feasibility]").fill("场地可用")
    first.get_by_role("button", name="保存审核结果").click()
    expect(desk.locator("main")).to_contain_text("审核结果已记录")
    second = desk.locator("form[aria-label^='审核']").nth(0)
    second.locator("select[name=feasible]").select_option("1")
    second.locator("input[name=price]").fill("50000")
    second.locator("input[name=feasibility]").fill("物业同意施工")
    second.get_by_role("button", name="保存审核结果").click()
    desk.get_by_role("button", name="进入“投票”阶段").click()
    expect(desk.locator("main")).to_contain_text("本轮已进入“投票”阶段")
    staff.look("voting")

    phone.goto(f"{base}/microprojects/rounds/{rnd.pk}/")
    phone.get_by_label("长者休闲座椅").check()
    resident.look("ballot")
    phone.get_by_role("button", name="投下我的选票").click()
    receipt = phone.locator("#receipt").inner_text().strip()
    assert len(receipt) == 64
    resident.look("receipt-once")
    phone.get_by_role("link", name="核对是否已计入").click()
    expect(phone.locator("main")).to_contain_text("已计入")
    resident.look("receipt-checked")

    # One paper batch: 赵阿姨's sheet, entered by 李娜, then by 陈静; a mismatch first is refused.
    def enter(page, choice: str):
        page.goto(f"{base}/console/microprojects/rounds/{rnd.pk}/")
        page.fill("#batch", "第1批")
        page.fill("#sheet", "001")
        page.fill("#idn", auntie.id_number)
        page.get_by_label(choice, exact=True).check()
        page.get_by_role("button", name="保存录入").click()

    enter(desk, "楼道感应灯")
    expect(desk.locator("main")).to_contain_text("第一次录入已保存")
    staff.look("paper-first")
    other = staff_page(browser, base, "chenjing")
    clerk = Journey(other, shots, f"micro-clerk-{mode}")
    enter(other, "长者休闲座椅")
    expect(other.locator("main")).to_contain_text("两次录入不一致")
    clerk.look("paper-mismatch")
    enter(other, "楼道感应灯")
    expect(other.locator("main")).to_contain_text("两次录入一致")
    clerk.look("paper-counted")
    clerk.done()

    desk.goto(f"{base}/console/microprojects/rounds/{rnd.pk}/")
    desk.get_by_role("button", name="进入“街道会议审定”阶段").click()
    expect(desk.locator("main")).to_contain_text("共 2 张选票（线上 1 张，纸质 1 张）")
    staff.look("counted")
    desk.fill("#md", "2026-06-05")
    desk.fill("#mm", "街道党工委会议审议通过投票结果。")
    desk.get_by_role("button", name="录入审定结果").click()
    desk.get_by_role("button", name="进入“实施”阶段").click()
    desk.get_by_role("link", name="长者休闲座椅").click()
    staff.look("project")
    desk.fill("#ct", "深圳市安居建设工程有限公司")
    desk.get_by_role("button", name="保存承接单位").click()
    desk.fill("#sa", "40000")
    desk.fill("#sp", "首期款")
    desk.get_by_role("button", name="登记支出").click()
    expect(desk.locator("main")).to_contain_text("超过 30,000 元的预算")
    staff.look("over-budget")
    desk.fill("#sa", "28000")
    desk.fill("#sp", "首期款")
    desk.get_by_role("button", name="登记支出").click()
    expect(desk.locator("main")).to_contain_text("已支出 28000 元")
    desk.get_by_role("link", name="华富街道民生微实事").click()
    desk.get_by_role("button", name="进入“验收”阶段").click()
    desk.get_by_role("link", name="长者休闲座椅").first.click()
    photo = tmp_path / "acceptance.png"
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (90, 160, 90)).save(buf, "PNG")
    photo.write_bytes(buf.getvalue())
    desk.fill("#ar", "居民代表 王芳、李明")
    desk.fill("#ag", "5")
    desk.fill("#ap", "座椅牢固，遮阳效果好。")
    desk.set_input_files("#af", str(photo))
    desk.get_by_role("button", name="录入验收结果").click()
    expect(desk.locator("main")).to_contain_text("居民代表 王芳、李明")
    staff.look("accepted")
    desk.get_by_role("link", name="华富街道民生微实事").click()
    desk.get_by_role("button", name="进入“已公示”阶段").click()
    staff.look("disclosed")
    staff.done()

    phone.goto(f"{base}/microprojects/disclosure/{rnd.pk}/")
    expect(phone.locator("main")).to_contain_text("审定 30000 元，已支出 28000 元。")
    resident.look("disclosure")
    phone.get_by_role("link", name="长者休闲座椅").click()
    expect(phone.locator("main")).to_contain_text("评分 5/5")
    resident.look("project")
    resident.done()
