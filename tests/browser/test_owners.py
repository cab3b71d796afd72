"""Owners' decisions in a real browser (issue 27): 张伟 votes on his phone (normal and elder mode) and checks his
receipt; 李娜, acting for the residents' committee, opens a vote and publishes a closed vote's result; 李娜 and a
colleague enter a paper ballot twice, a mismatch refused and a match counted. Each page is screenshotted, in Chinese
and checked with axe-core."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from .helpers import Journey, main_text, phone_page, resident_login, said, staff_page
from .restore import restore_migrated_data

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


@pytest.fixture
def people(transactional_db, settings, tmp_path):
    from shequ.demo.cast import ensure_cast
    from shequ.geo.citypack import load_city_pack
    from shequ.geo.models import Area

    settings.MEDIA_ROOT = tmp_path
    if not Area.objects.exists():  # an earlier transactional test's flush emptied every table
        load_city_pack("shenzhen")
    restore_migrated_data()
    yield ensure_cast()
    from shequ.audit.tests.tampering import wipe

    wipe()  # the audit trail refuses DELETE; the flush after a transactional test needs it empty


def _estate_with_register(cast):
    from shequ.owners.models import Owner
    from shequ.owners.register import part_create
    from shequ.owners.tests.factories import make_estate, register

    estate = make_estate()
    owners = register(estate, owners=6, unsold=2)
    Owner.objects.filter(pk=owners[0].pk).update(user=cast["zhangwei"], name="张伟")
    part_create(
        actor=None, estate=estate, number="2-001", area_registered=Decimal("66.60"), owners=[owners[0]]
    )
    return estate


@pytest.mark.parametrize("elder", [False, True], ids=["normal", "elder"])
def test_an_owner_votes_on_his_phone_and_checks_his_receipt(browser, live_server, people, shots, elder):
    from shequ.owners.models import Ballot
    from shequ.owners.tests.factories import open_vote

    estate = _estate_with_register(people)
    vote = open_vote(estate)
    base, mode = live_server.url, "elder" if elder else "normal"
    page = phone_page(browser, base, elder=elder)
    resident_login(page, base)
    journey = Journey(page, shots, f"owners-vote-{mode}")
    page.goto(f"{base}/owners/")
    expect(page.locator("main h1")).to_have_text("业主投票")
    expect(page.locator("main")).to_contain_text(vote.title)
    journey.look("my-votes")

    page.get_by_role("link", name=vote.title).click()
    expect(page.locator("#vote-phase")).to_have_text("投票中")
    # His two flats count as one person; the page lists both.
    expect(page.locator("main")).to_contain_text("1-001")
    expect(page.locator("main")).to_contain_text("2-001")
    # Elder mode makes the choices larger than the 20px body text; normal mode keeps them at 20px.
    size = page.locator("label[for=m1-yes]").evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    assert size >= 25 if elder else size == 20, size
    journey.look("ballot")
    page.locator("label[for=m1-yes]").click()
    page.locator("label[for=m2-no]").click()
    page.get_by_role("button", name="投下我的选票").click()
    expect(page.locator("#ballot-recorded")).to_contain_text("您的选票已记录")
    receipts = page.locator("code.receipt").all_inner_texts()
    stored = sorted(Ballot.objects.filter(vote=vote).values_list("receipt", flat=True))
    assert sorted(receipts) == stored and len(stored) == 2
    assert all(b.choices == {"1": "yes", "2": "no"} for b in Ballot.objects.filter(vote=vote))
    journey.look("recorded")

    page.get_by_role("link", name="核验我的回执").click()
    expect(page.locator("#receipt-result")).to_contain_text("哈希链校验通过")
    expect(page.locator("#receipt-result")).to_contain_text("同意")
    expect(page.locator("#receipt-result")).to_contain_text("反对")
    journey.look("receipt")
    journey.done()


def test_a_convener_opens_a_vote_and_publishes_a_result(browser, live_server, people, shots):
    from shequ.owners import services
    from shequ.owners.models import Ballot, Vote
    from shequ.owners.tests.factories import open_vote

    estate = _estate_with_register(people)
    closed = open_vote(estate, items=(4,))
    services.ballot_cast_online(user=people["zhangwei"], vote=closed, choices={"1": "yes"})
    Vote.objects.filter(pk=closed.pk).update(closes_at=timezone.now() - timedelta(minutes=5))
    base = live_server.url
    page = staff_page(browser, base, "lina")
    journey = Journey(page, shots, "owners-convener")
    journey.look("console")
    page.get_by_role("link", name="业主共同决定").click()
    expect(page.locator("main h1")).to_have_text("业主共同决定")
    journey.look("owners-home")

    page.get_by_role("link", name="发起表决").click()
    expect(page.locator("main h1")).to_have_text("发起表决")
    journey.look("new-vote")
    opens = timezone.localtime() + timedelta(days=16)
    page.select_option("#v-estate", str(estate.pk))
    page.fill("#v-title", "选聘新的物业服务企业")
    page.select_option("#v-convener", "residents_committee")
    page.fill("#v-convener-name", "华富社区居民委员会")
    page.fill("#v-opens", opens.strftime("%Y-%m-%dT%H:%M"))
    page.fill("#v-closes", (opens + timedelta(days=14)).strftime("%Y-%m-%dT%H:%M"))
    page.fill("#v-matter1", "解聘现物业并选聘新物业")
    page.select_option("#v-item1", "4")
    page.fill("#v-matter2", "筹集维修资金")
    page.select_option("#v-item2", "6")
    page.get_by_role("button", name="创建表决").click()
    expect(page.locator("#vote-phase")).to_have_text("公告期")
    assert "表决已创建" in said(page)
    new = Vote.objects.get(title="选聘新的物业服务企业")
    assert new.status == "published" and new.roll.count() == 9 and new.convener == "residents_committee"
    journey.look("vote-published")

    # The vote that closed: its preliminary result, with the denominators and why it failed.
    page.goto(f"{base}/console/owners/votes/{closed.pk}/")
    expect(page.locator("#vote-phase")).to_have_text("投票已截止，待计票")
    journey.look("closed-vote")
    page.locator("#do-preliminary").click()
    expect(page.locator("#vote-phase")).to_contain_text("询异")
    journey.look("preliminary")
    page.get_by_role("link", name="表决结果").click()
    text = main_text(page)
    assert "总面积 / 总人数" in text and "866.60 m²" in text and "未通过" in text
    expect(page.locator(".total-heads").first).to_have_text("7 人")
    assert "参与表决的业主所持专有部分面积不足总面积的三分之二" in text
    assert Ballot.objects.filter(vote=closed).count() == 2
    journey.look("result")
    journey.done()


def test_a_community_worker_enters_a_paper_ballot_twice(browser, live_server, people, shots, tmp_path):
    from shequ.accounts.models import User
    from shequ.demo.cast import DEMO_PASSWORD, demo_totp_secret
    from shequ.owners.models import Ballot, PaperEntry
    from shequ.owners.tests.factories import open_vote, png, second_clerk

    estate = _estate_with_register(people)
    vote = open_vote(estate)
    colleague = second_clerk("lina2")
    colleague.set_password(DEMO_PASSWORD)
    colleague.totp_secret = demo_totp_secret("lina2")
    colleague.save()
    scan = tmp_path / "sheet.png"
    scan.write_bytes(png().getvalue())
    base = live_server.url

    page = staff_page(browser, base, "lina")
    journey = Journey(page, shots, "owners-paper-first")
    journey.look("console")
    page.goto(f"{base}/console/owners/votes/{vote.pk}/")
    expect(page.locator("#vote-phase")).to_have_text("投票中")
    journey.look("vote")
    page.fill("#paper-part", "1-003")
    page.locator("label[for=paper-m1-yes]").click()
    page.locator("label[for=paper-m2-abstain]").click()
    page.set_input_files("#paper-scan", str(scan))
    page.locator("#h-paper + p + form button").click()
    expect(page.locator(".alert").first).to_contain_text("第一次录入已保存")
    expect(page.locator("#ballot-count")).to_contain_text("1 张纸质选票待第二次录入")
    assert PaperEntry.objects.count() == 1 and not Ballot.objects.exists()
    journey.look("first-entry")
    journey.done()

    page2 = staff_page(browser, base, "lina2")
    second = Journey(page2, shots, "owners-paper-second")
    second.look("console")
    page2.goto(f"{base}/console/owners/votes/{vote.pk}/")
    second.look("vote")
    page2.fill("#paper-part", "1-003")
    page2.locator("label[for=paper-m1-yes]").click()
    page2.locator("label[for=paper-m2-no]").click()  # misread
    page2.locator("#h-paper + p + form button").click()
    expect(page2.locator(".alert").first).to_contain_text("两次录入不一致")
    assert not Ballot.objects.exists()
    # The refused entry stays as typed, for the clerk to check against the sheet.
    expect(page2.locator("#paper-part")).to_have_value("1-003")
    expect(page2.locator("#paper-m2-no")).to_be_checked()
    second.look("mismatch")
    page2.fill("#paper-part", "1-003")
    page2.locator("label[for=paper-m1-yes]").click()
    page2.locator("label[for=paper-m2-abstain]").click()
    page2.locator("#h-paper + p + form button").click()
    expect(page2.locator(".alert").first).to_contain_text("纸质选票已计入")
    expect(page2.locator("#ballot-count")).to_contain_text("已投 1 个")
    ballot = Ballot.objects.get()
    assert ballot.channel == "paper" and ballot.choices == {"1": "yes", "2": "abstain"}
    assert User.objects.get(username="lina2") and not PaperEntry.objects.exists()
    second.look("counted")
    second.done()
