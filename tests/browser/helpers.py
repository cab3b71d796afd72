"""What every browser journey shares (issue 21): signing in as the cast, a phone, and looking at each page.

`Journey` follows one person's browser tab: every document the tab loads is recorded, `look(name)` screenshots the
page under var/screenshots/, checks it is in Chinese and runs axe-core on it (zero serious or critical
violations), and `done()` fails if the person saw a page that was never looked at. axe-core comes from npm
(package.json) and is copied into the static files by tools/copy_assets.mjs: no CDN.
"""

from __future__ import annotations

import json
import re
import time
from datetime import datetime
from pathlib import Path

import pyotp

from shequ.demo.cast import DEMO_PASSWORD, demo_totp_secret

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
AXE = "/static/vendor/axe/axe.min.js"
SERIOUS = ("serious", "critical")


# --- signing in -----------------------------------------------------------------------------------------------
_LAST_STEP: dict[tuple[str, str], int] = {}


def _fresh_code(base: str, username: str, secret: str) -> str:
    """A code the server has not seen: one code completes one sign-in, so a second sign-in of the same person in
    the same 30-second step (a desktop, then a phone) takes the next step's code, which the server accepts as
    clock drift, or waits for the step after."""
    totp = pyotp.TOTP(secret)
    step = max(totp.timecode(datetime.now()), _LAST_STEP.get((base, username), -1) + 1)
    while step > totp.timecode(datetime.now()) + 1:
        time.sleep(1)
    _LAST_STEP[(base, username)] = step
    return totp.generate_otp(step)


def staff_login(page, base: str, username: str, *, password: str = DEMO_PASSWORD, secret: str | None = None):
    """Password, then the authenticator's code (the demo cast's stable TOTP secret); lands on the console."""
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_identifier", username)
    page.fill("#id_password", password)
    page.click("main button[type=submit]")
    page.fill("#id_code", _fresh_code(base, username, secret or demo_totp_secret(username)))
    page.click("main button[type=submit]")
    page.wait_for_load_state("load")
    assert page.url.endswith("/console/"), page.url


def staff_page(browser, base: str, username: str, *, viewport: dict | None = None):
    """A new desktop browser signed in as a member of the cast's staff."""
    page = browser.new_context(viewport=viewport or DESKTOP, locale="zh-CN").new_page()
    staff_login(page, base, username)
    return page


def resident_login(page, base: str, phone: str = "13800000001", password: str = DEMO_PASSWORD) -> None:
    """A resident signs in with phone and password (张伟 by default)."""
    page.goto(f"{base}/accounts/resident/")
    page.fill("#pw_phone", phone)
    page.fill("#pw_password", password)
    with page.expect_navigation():
        page.click("form:has(input[value=password]) button[type=submit]")
    page.wait_for_load_state("load")


def phone_page(browser, base: str, *, elder: bool = False, **context):
    """A phone (390×844, touch) in Chinese, in elder mode (长辈模式) when asked."""
    ctx = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN", **context)
    if elder:
        ctx.add_cookies([{"name": "shequ_elder", "value": "1", "url": base}])
    return ctx.new_page()


# --- looking at pages -----------------------------------------------------------------------------------------
def axe_violations(page) -> list[dict]:
    """The page's serious and critical accessibility violations by axe-core (injected from our static files)."""
    page.add_script_tag(url=AXE)
    found = page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ['violations']});
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                       nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
    }""")
    return [v for v in found if v["impact"] in SERIOUS]


def _path(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url).split("#", 1)[0]


class Journey:
    """One person's tab through a journey: each page loaded must be looked at (screenshot, Chinese, axe)."""

    def __init__(self, page, shots: Path, prefix: str) -> None:
        self.page, self.shots, self.prefix = page, shots, prefix
        self.step = 0
        self.loaded: list[str] = []
        self.looked: set[str] = set()
        page.on("load", lambda p: self.loaded.append(_path(p.url)))
        for old in shots.glob(f"{prefix}-[0-9][0-9]-*"):  # an earlier run's steps, perhaps numbered otherwise
            old.unlink()

    def look(self, name: str) -> str:
        """Screenshot the page as it is now, check its language and audit it with axe-core."""
        self.page.wait_for_load_state("load")
        self.step += 1
        shot = self.shots / f"{self.prefix}-{self.step:02d}-{name}.png"
        self.page.screenshot(path=str(shot), full_page=True)
        assert self.page.locator("html").get_attribute("lang") == "zh-Hans", self.page.url
        problems = axe_violations(self.page)
        if problems:
            (self.shots / f"{self.prefix}-{self.step:02d}-{name}-axe.json").write_text(
                json.dumps(problems, ensure_ascii=False, indent=1), encoding="utf-8"
            )
        assert not problems, (name, self.page.url, problems)
        self.looked.add(_path(self.page.url))
        return shot.name

    def done(self) -> None:
        """Every page this person saw was looked at."""
        unseen = [p for p in dict.fromkeys(self.loaded) if p not in self.looked]
        assert not unseen, f"{self.prefix}: pages loaded but never looked at: {unseen}"


def main_text(page) -> str:
    return page.locator("main").inner_text()


def said(page) -> str:
    """The messages the page shows after an action."""
    return " ".join(page.locator(".alert").all_inner_texts())
