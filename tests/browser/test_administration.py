"""三员分立 end to end in a real browser (issue 21), each administrator on his own screens only.

The system admin 周宇 creates a staff account and requests its role; the security admin 吴军 approves it and
revokes another's grant with a reason; the new member 赵磊 signs in with the temporary password, enrols his
authenticator and must choose his own password before anything else; the audit admin 赵敏 reads all of it in the
trail, in words (areas by name, roles by label). Each admin's console offers only his screens, and the others'
answer 无权访问. Every page is screenshotted (var/screenshots/admin-*.png) and audited with axe-core."""

import re

import pyotp
import pytest

from .helpers import Journey, main_text, said, staff_page

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

NEW_PASSWORD = "Lanse-Haitun-88"
SECTIONS = {
    "zhouyu": {"工作人员账号", "单位", "消息发件箱"},
    "wujun": {"授权申请"},
    "zhaomin": {"审计日志"},
}
ALL_ADMIN_SECTIONS = set().union(*SECTIONS.values())


def home_sections(page) -> set[str]:
    return {t.strip() for t in page.locator("main .list-group a").all_inner_texts()}


def refused(journey: Journey, base: str, path: str, name: str) -> None:
    """Another admin's screen: 403 in Chinese, in the site's frame."""
    assert journey.page.goto(base + path).status == 403
    assert journey.page.get_by_role("heading", name="无权访问").is_visible()
    journey.look(name)


def test_the_three_administrators_each_do_their_own_part(browser, live_server, cast_world, shots):
    base = live_server.url

    # 周宇, the system admin: only the system's screens.
    zhouyu = Journey(staff_page(browser, base, "zhouyu"), shots, "admin-system")
    sections = home_sections(zhouyu.page)
    assert SECTIONS["zhouyu"] <= sections and not (ALL_ADMIN_SECTIONS - SECTIONS["zhouyu"]) & sections
    zhouyu.look("home")
    zhouyu.page.get_by_role("link", name="工作人员账号").click()
    zhouyu.look("staff-list")
    zhouyu.page.get_by_role("link", name="新建工作人员账号").click()
    zhouyu.page.get_by_label("账号名").fill("zhaolei")
    zhouyu.page.get_by_label("姓名").fill("赵磊")
    zhouyu.page.get_by_label("角色").select_option(label="网格员")
    zhouyu.page.get_by_label("区域").select_option(label="　　华富街道")
    zhouyu.look("new-account")
    zhouyu.page.get_by_role("button", name="创建账号并申请角色").click()
    assert zhouyu.page.get_by_role("heading", name="账号已创建").is_visible()
    temporary = zhouyu.page.locator("#temporary-password").inner_text()
    assert len(temporary) >= 10
    assert "下次登录时，须先设置自己的密码" in main_text(zhouyu.page)
    zhouyu.look("temporary-password")
    zhouyu.page.get_by_role("link", name="返回账号").click()
    assert "待审批" in zhouyu.page.locator("main table").first.inner_text()
    zhouyu.look("account-pending")
    refused(zhouyu, base, "/console/grants/", "refused-grants")
    refused(zhouyu, base, "/console/audit/", "refused-audit")
    zhouyu.done()

    # 吴军, the security admin: approves the request, revokes 王强's grant with a reason.
    wujun = Journey(staff_page(browser, base, "wujun"), shots, "admin-security")
    sections = home_sections(wujun.page)
    assert SECTIONS["wujun"] <= sections and not (ALL_ADMIN_SECTIONS - SECTIONS["wujun"]) & sections
    wujun.look("home")
    wujun.page.get_by_role("link", name="授权申请").click()
    pending = wujun.page.locator("table").first.locator("tr", has_text="zhaolei")
    assert "网格员" in pending.inner_text() and "周宇" in pending.inner_text()
    wujun.look("grant-requests")
    pending.get_by_role("button", name="批准").click()
    assert "已批准。" in said(wujun.page)
    wujun.look("approved")
    wujun.page.get_by_label("账号名或姓名").fill("wangqiang")
    wujun.page.get_by_role("button", name="查询").click()
    row = wujun.page.locator("#active-grants + p + form + div tr", has_text="王强")
    assert "街道工作人员" in row.inner_text() and "粤海街道" in row.inner_text()
    wujun.look("active-grants")
    row.get_by_label("原因").fill("调往南山区城管局")
    row.get_by_role("button", name="撤销").click()
    assert "已撤销：王强 不再是粤海街道的街道工作人员。" in said(wujun.page)
    wujun.look("revoked")
    refused(wujun, base, "/console/staff/", "refused-staff")
    refused(wujun, base, "/console/audit/", "refused-audit")
    wujun.done()

    # 赵磊 signs in for the first time: the authenticator, then his own password before anything else.
    page = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN").new_page()
    zhaolei = Journey(page, shots, "admin-newcomer")
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_identifier", "zhaolei")
    page.fill("#id_password", temporary)
    zhaolei.look("sign-in")
    page.click("main button[type=submit]")
    secret = re.sub(r"\s", "", page.locator("main code").first.inner_text())
    zhaolei.look("enrol-authenticator")
    page.fill("#id_code", pyotp.TOTP(secret).now())
    page.click("main button[type=submit]")
    assert "/accounts/password/" in page.url
    assert "您的密码由管理员设置" in main_text(page)
    zhaolei.look("must-change-password")
    page.goto(f"{base}/console/appeals/")  # nothing else opens first
    assert "/accounts/password/" in page.url
    zhaolei.look("still-must-change")
    page.get_by_label("当前密码").fill(temporary)
    page.get_by_label("新密码", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("再次输入新密码").fill(NEW_PASSWORD)
    page.get_by_role("button", name="修改密码").click()
    assert page.url.endswith("/console/appeals/"), page.url
    zhaolei.look("own-password")
    zhaolei.done()

    # 赵敏, the audit admin, reads all of it in words.
    zhaomin = Journey(staff_page(browser, base, "zhaomin"), shots, "admin-audit")
    sections = home_sections(zhaomin.page)
    assert SECTIONS["zhaomin"] <= sections and not (ALL_ADMIN_SECTIONS - SECTIONS["zhaomin"]) & sections
    zhaomin.look("home")
    zhaomin.page.get_by_role("link", name="审计日志").click()
    trail = zhaomin.page.locator("main table").inner_text()
    for words in ("创建工作人员账号", "申请角色", "批准角色", "撤销角色", "修改本人密码", "调往南山区城管局"):
        assert words in trail, words
    assert "zhaolei 网格员 @ 华富街道" in trail and "wangqiang 街道工作人员 @ 粤海街道" in trail
    assert not re.search(r"@ \d{6}", trail), "an area shown by its code"
    assert "grid_worker" not in trail and "accounts.grant" not in trail
    assert "系统管理员" in trail and "安全管理员" in trail
    zhaomin.look("audit-trail")
    refused(zhaomin, base, "/console/staff/", "refused-staff")
    refused(zhaomin, base, "/console/grants/", "refused-grants")
    zhaomin.done()

    # The revoked officer has no console work any more.
    wang = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    staff_login_refused = wang.goto(f"{base}/console/appeals/")
    assert staff_login_refused.url.endswith("/accounts/login/?next=/console/appeals/")


def test_the_other_administration_pages_are_chinese_and_accessible(browser, live_server, cast_world, shots):
    """The system, dispatch and facility administration screens: units, the responsibility list, categories (and a
    new one), facilities with their opening hours."""
    from shequ.appeals.models import Category
    from shequ.facilities.services import facility_types_ensure
    from shequ.facilities.tests.helpers import ORIGIN, make_facility

    facility_types_ensure()  # an earlier transactional test's flush emptied the types the migration loads
    facility = make_facility("华富社康", ORIGIN)
    sanitation = Category.objects.get(code="sanitation").pk
    base = live_server.url
    pages = {
        "zhouyu": ["/console/units/", "/console/units/new/"],
        "sunli": [
            "/console/rules/",
            "/console/categories/",
            f"/console/categories/{sanitation}/",
            "/console/categories/new/",
        ],
        "chenjing": [
            "/console/facilities/",
            "/console/facilities/new/",
            f"/console/facilities/{facility.pk}/",
        ],
    }
    for who, paths in pages.items():
        journey = Journey(staff_page(browser, base, who), shots, f"admin-{who}")
        journey.look("home")
        for path in paths:
            journey.page.goto(base + path)
            journey.page.wait_for_load_state("networkidle")
            journey.look(path.strip("/").replace("/", "-"))
            assert "Zoom" not in journey.page.locator("main").inner_html()
        journey.done()


def test_a_dispatcher_adds_a_category_that_residents_can_choose(browser, live_server, cast_world, shots):
    from shequ.appeals.models import Category

    base = live_server.url
    sunli = Journey(staff_page(browser, base, "sunli"), shots, "admin-category")
    sunli.page.get_by_role("link", name="诉求类别").click()
    sunli.look("list")
    sunli.page.get_by_role("link", name="新建类别").click()
    sunli.page.get_by_label("所属大类").select_option(label="城市管理")
    sunli.page.get_by_label("类别代码").fill("dog_waste")
    sunli.page.get_by_label("名称").fill("犬只粪便")
    sunli.page.get_by_label("关键词（逗号分隔）").fill("狗屎,狗粪,宠物粪便")
    sunli.look("new")
    sunli.page.get_by_role("button", name="创建类别").click()
    assert "类别已创建。" in said(sunli.page)
    assert sunli.page.get_by_role("heading", name=re.compile("犬只粪便")).is_visible()
    sunli.look("created")
    sunli.done()
    assert Category.objects.get(code="dog_waste").parent.code == "city_management"

    # 张伟 can choose it when he reports.
    from .helpers import phone_page, resident_login

    zhangwei = phone_page(browser, base)
    resident_login(zhangwei, base)
    zhangwei.goto(f"{base}/appeals/new/")
    assert zhangwei.locator("#category_list option", has_text="犬只粪便").count() == 1
