"""三员分立 end to end in a real browser (issue 21): the system admin 周宇 creates a staff account and requests its
role, the security admin 吴军 approves it, the audit admin 赵敏 reads both in the audit trail, in Chinese. Every
page is audited with axe-core (no serious or critical violations)."""

import pyotp
import pytest

from shequ.demo.cast import DEMO_PASSWORD, demo_totp_secret

from .restore import restore_migrated_data

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


@pytest.fixture
def people(transactional_db):
    from shequ.demo.cast import ensure_cast
    from shequ.geo.citypack import load_city_pack
    from shequ.geo.models import Area

    if not Area.objects.exists():  # an earlier transactional test's flush emptied every table
        load_city_pack("shenzhen")
    restore_migrated_data()
    yield ensure_cast()
    from shequ.audit.tests.tampering import wipe

    wipe()  # the audit trail refuses DELETE; the flush after a transactional test needs it empty


def sign_in(browser, base, username):
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_identifier", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("main button[type=submit]")
    page.fill("#id_code", pyotp.TOTP(demo_totp_secret(username)).now())
    page.click("main button[type=submit]")
    assert page.url.endswith("/console/"), page.url
    return page


def serious_violations(page) -> list[dict]:
    page.add_script_tag(url="/static/vendor/axe/axe.min.js")
    found = page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ['violations']});
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                       nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
    }""")
    return [v for v in found if v["impact"] in ("serious", "critical")]


def look(page, shots, name):
    page.screenshot(path=str(shots / f"admin-{name}.png"), full_page=True)
    assert page.locator("html").get_attribute("lang") == "zh-Hans"
    problems = serious_violations(page)
    assert not problems, (name, problems)


def test_system_admin_requests_security_admin_approves_audit_admin_reads(browser, live_server, people, shots):
    base = live_server.url

    # 周宇, the system admin: a new grid worker for 华富街道, with the role requested.
    zhouyu = sign_in(browser, base, "zhouyu")
    zhouyu.get_by_role("link", name="工作人员账号").click()
    look(zhouyu, shots, "1-staff-list")
    zhouyu.get_by_role("link", name="新建工作人员账号").click()
    zhouyu.get_by_label("账号名").fill("zhaolei")
    zhouyu.get_by_label("姓名").fill("赵磊")
    zhouyu.get_by_label("角色").select_option(label="网格员")
    zhouyu.get_by_label("区域").select_option(label="　　华富街道")
    look(zhouyu, shots, "2-new-account")
    zhouyu.get_by_role("button", name="创建账号并申请角色").click()
    assert zhouyu.get_by_role("heading", name="账号已创建").is_visible()
    assert len(zhouyu.locator("#temporary-password").inner_text()) >= 10
    look(zhouyu, shots, "3-temporary-password")
    zhouyu.get_by_role("link", name="返回账号").click()
    assert "待审批" in zhouyu.locator("main table").first.inner_text()
    look(zhouyu, shots, "4-account-pending")
    # He cannot decide it himself: the grant requests page is not his.
    assert zhouyu.goto(f"{base}/console/grants/").status == 403
    assert zhouyu.get_by_role("heading", name="无权访问").is_visible()
    look(zhouyu, shots, "5-refused")

    # 吴军, the security admin, approves it.
    wujun = sign_in(browser, base, "wujun")
    wujun.get_by_role("link", name="授权申请").click()
    row = wujun.locator("tr", has_text="zhaolei")
    assert "网格员" in row.inner_text() and "周宇" in row.inner_text()
    look(wujun, shots, "6-grant-requests")
    row.get_by_role("button", name="批准").click()
    assert wujun.get_by_text("已批准。").is_visible()
    assert "有效" in wujun.locator("tr", has_text="zhaolei").first.inner_text()
    look(wujun, shots, "7-approved")

    # 赵敏, the audit admin, reads both in the trail.
    zhaomin = sign_in(browser, base, "zhaomin")
    zhaomin.get_by_role("link", name="审计日志").click()
    trail = zhaomin.locator("main table").inner_text()
    for words in (
        "创建工作人员账号",
        "申请角色",
        "批准角色",
        "周宇" if "周宇" in trail else "zhouyu",
        "wujun",
    ):
        assert words in trail, words
    assert "系统管理员" in trail and "安全管理员" in trail
    assert (
        "赵磊" in trail and "网格员" in trail and "grid_worker" not in trail and "accounts.grant" not in trail
    )
    look(zhaomin, shots, "8-audit-trail")


def test_the_other_administration_pages_are_chinese_and_accessible(browser, live_server, people, shots):
    from shequ.appeals.models import Category
    from shequ.facilities.services import facility_types_ensure
    from shequ.facilities.tests.helpers import ORIGIN, make_facility

    facility_types_ensure()  # an earlier transactional test's flush emptied the types the migration loads
    make_facility("华富社康", ORIGIN)
    # The flush after an earlier transactional test also emptied the categories the migration loads.
    sanitation = Category.objects.get_or_create(code="sanitation", defaults={"name": "环境卫生"})[0].pk
    base = live_server.url
    pages = {
        "zhouyu": ["/console/units/", "/console/units/new/"],
        "sunli": ["/console/rules/", "/console/categories/", f"/console/categories/{sanitation}/"],
        "chenjing": ["/console/facilities/", "/console/facilities/new/"],
    }
    for who, paths in pages.items():
        page = sign_in(browser, base, who)
        for path in paths:
            page.goto(base + path)
            page.wait_for_load_state("networkidle")
            name = path.strip("/").replace("/", "-")
            look(page, shots, name)
            assert "Zoom" not in (page.locator("main").inner_html())
