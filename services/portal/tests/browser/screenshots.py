"""The screenshots of the portal's main pages in ``docs/portal/`` (``make screenshots``).

Not a test of the suite (the file name is not ``test_*``): ``make screenshots`` runs it by
name on the browser test's platform (``csa run`` with March 2025 billed by the walkthrough's
own functions) and Debian's Chromium. A parent creates the account from the demo letter, then
each page is shot at 1280 × 860 px (the visible part only, which keeps the files small).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from .conftest import REPO
from .test_parent_journey import (
    Platform,
    _fill_registration,
    _letter_codes,
    _newest_sms,
    _sms_code,
    browser,
)

__all__ = ["browser"]  # the fixture: Debian's Chromium through Playwright

SHOTS = REPO / "docs/portal"
VIEWPORT = {"width": 1280, "height": 860}


def _shoot(page: Page, name: str) -> Path:
    page.wait_for_load_state("load")
    path: Path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    return path


def test_screenshots_of_the_main_pages(
    platform: Platform, march_closed: dict[str, Any], browser: Any
) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(locale="en-GB", viewport=VIEWPORT)
    context.set_default_timeout(15_000)
    page = context.new_page()
    portal = f"{platform[0]}/portal"
    iam, linking = _letter_codes(platform)
    shots = []

    page.goto(f"{portal}/")
    shots.append(_shoot(page, "start"))
    page.goto(f"{portal}/register")
    shots.append(_shoot(page, "create-account"))
    before = _newest_sms(platform)
    _fill_registration(page, iam, linking)
    page.get_by_label("The 6 digits of the SMS").fill(_sms_code(platform, before))
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("status")).to_have_text("Your account is ready.")
    shots.append(_shoot(page, "invoices"))
    page.get_by_role("link", name="March 2025").click()
    expect(page.locator("#parent-total")).to_have_text("€141.25")
    shots.append(_shoot(page, "invoice"))
    pages = {
        "statement": "statement",
        "usage": "usage",
        "contracts": "contracts",
        "office": "office",
        "certificates": "office/certificates",
        "materials": "materials",
        "weeks": "weeks",
        "my-data": "my-data",
    }
    for name, path in pages.items():
        page.goto(f"{portal}/{path}")
        shots.append(_shoot(page, name))
    page.goto(f"{portal}/language/de?next=/invoices")
    shots.append(_shoot(page, "invoices-de"))
    page.get_by_role("button", name="Abmelden").click()
    page.goto(f"{portal}/activate")
    shots.append(_shoot(page, "reactivate"))
    context.close()
    assert all(p.stat().st_size > 10_000 for p in shots)
