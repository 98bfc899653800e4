"""A parent in a real Chromium: creates the account from the myCard letter, logs in, reads
the March 2025 invoice line by line, downloads its PDF, switches language, logs out.

Every page visited is checked with axe-core in the same page: no serious or critical
violation. The SMS codes are read where a person trying the embedded platform reads them,
``GET /identity/v1/dev/sms``.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any
from urllib.parse import urljoin

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright
from pypdf import PdfReader

from csa_shared.settings import SERVICES

from .conftest import AXE, CHROMIUM, walkthrough

# the walkthrough's weekly figures (tests/e2e/test_walkthrough.py works them out by hand)
WEEKS = {
    "2025-03-03": ("€26.20", "€266.30"),
    "2025-03-10": ("€23.45", "€254.05"),
    "2025-03-17": ("€26.20", "€266.30"),
    "2025-03-24": ("€60.90", "€332.10"),
    "2025-03-31": ("€4.50", "€171.00"),
}
LONG_WEEK_RULES = [
    "plurilingual_free",
    "tranche_1",
    "tranche_2",
    "tranche_3",
    "unsupported",
    "meal_category_rate",
    "meal_extra",
]
PASSWORD = "a walk through the portal in march"
MOBILE = "+352 621 000 777"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="en-GB", accept_downloads=True)
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


class Axe:
    """axe-core run in the page itself; every serious or critical violation is kept."""

    def __init__(self) -> None:
        self.source = AXE.read_text()
        self.pages: list[str] = []
        self.violations: list[tuple[str, Any]] = []

    def check(self, page: Page) -> None:
        page.evaluate(self.source)
        found = page.evaluate(
            """async () => (await axe.run(document, {resultTypes: ['violations']}))
                .violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                       nodes: v.nodes.map(n => n.html)}))"""
        )
        self.pages.append(page.url)
        self.violations += [(page.url, v) for v in found if v["impact"] in {"serious", "critical"}]


Platform = tuple[str, dict[str, str]]  # csa run's base URL and environment


def _sms_code(platform: Platform, before: int) -> str:
    with httpx.Client(base_url=platform[0]) as http:
        return str(walkthrough._sms_code(http, before))


def _newest_sms(platform: Platform) -> int:
    with httpx.Client(base_url=platform[0]) as http:
        return int(walkthrough._newest_sms_id(http))


def _letter_codes(platform: Platform) -> tuple[str, str]:
    with httpx.Client(base_url=platform[0]) as http:
        found: tuple[str, str] = walkthrough.mycard_codes(http)
        return found


def _tab_to(page: Page, field_id: str) -> None:
    """Press Tab until the field has the focus (a keyboard-only visitor's way there)."""
    for _ in range(20):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == field_id:
            return
    raise AssertionError(f"Tab never reaches #{field_id}")


def _fill_registration(page: Page, iam: str, linking: str) -> None:
    page.get_by_label("IAM code").fill(iam)
    page.get_by_label("Linking code").fill(linking)
    page.get_by_label("E-mail").fill("parent.portal@example.lu")
    page.get_by_label("Mobile number").fill(MOBILE)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()


def test_a_parent_creates_the_account_logs_in_and_reads_the_march_invoice(
    platform: Platform, march_closed: dict[str, Any], page: Page
) -> None:
    assert (Decimal(march_closed["parent_total"]), Decimal(march_closed["state_total"])) == (
        Decimal("141.25"),
        Decimal("1289.75"),
    )
    axe = Axe()
    portal = f"{platform[0]}/portal"
    iam, linking = _letter_codes(platform)

    # the start page, in the browser's language (en-GB)
    response = page.goto(f"{portal}/")
    assert (
        response is not None and "default-src 'none'" in response.headers["content-security-policy"]
    )
    expect(page.locator("html")).to_have_attribute("lang", "en")
    axe.check(page)

    # create the account: the letter's codes, then a wrong SMS code, then the right one
    page.get_by_role("link", name="Create an account").click()
    axe.check(page)
    before = _newest_sms(platform)
    _fill_registration(page, iam, linking)
    expect(page.get_by_role("heading", name="SMS code")).to_be_visible()
    axe.check(page)
    code = _sms_code(platform, before)
    page.get_by_label("The 6 digits of the SMS").fill(f"{(int(code) + 1) % 1_000_000:06d}")
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("alert")).to_contain_text("The SMS code is wrong")
    axe.check(page)
    page.get_by_label("The 6 digits of the SMS").fill(code)
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("status")).to_have_text("Your account is ready.")

    # the invoices, per child, newest month first
    expect(page.get_by_role("heading", name="Invoices", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="Mia Muller")).to_be_visible()  # her contract
    axe.check(page)
    page.get_by_role("link", name="March 2025").click()

    # the invoice line by line, with the walkthrough's totals
    expect(page.locator("#parent-total")).to_have_text("€141.25")
    expect(page.locator("#state-total")).to_have_text("€1,289.75")
    for week, (parent, state) in WEEKS.items():
        section = page.locator(f'section[data-week="{week}"]')
        expect(section.locator(".week-parent")).to_have_text(parent)
        expect(section.locator(".week-state")).to_have_text(state)
    long_week = page.locator('section[data-week="2025-03-24"] tbody tr')
    assert [r.get_attribute("data-rule") for r in long_week.all()] == LONG_WEEK_RULES
    tranche_3 = long_week.nth(3).locator("td")
    assert [c.inner_text() for c in tranche_3.all()] == [
        "11",
        "€6.00",
        "€1.80",
        "€4.20",
        "€19.80",
        "€46.20",
    ]
    axe.check(page)

    # its PDF, proxied with the parent's token
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the PDF").click()
    pdf = PdfReader(io.BytesIO(download.value.path().read_bytes()))
    text = "\n".join(p.extract_text() for p in pdf.pages)
    number = page.get_by_role("heading", level=1).inner_text().split()[-1]
    assert number in text and "141.25" in text.replace(",", ".")

    # another language, remembered on the next pages
    page.get_by_role("link", name="Deutsch").click()
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.locator("#parent-total")).to_have_text("141,25 €")
    expect(page.locator("#state-total")).to_have_text("1.289,75 €")
    expect(page.get_by_role("heading", name=re.compile(r"^Woche vom 24\.03\.2025"))).to_be_visible()
    axe.check(page)
    page.get_by_role("link", name="Alle Rechnungen").click()
    expect(page.get_by_role("link", name="März 2025")).to_be_visible()
    axe.check(page)
    # every invoice of the list links its own PDF (fetched in the browser's session)
    rows = page.locator("main table tbody tr").all()
    assert rows
    for row in rows:
        number = row.locator("td").first.inner_text()
        href = row.get_by_role("link", name=re.compile("PDF")).get_attribute("href") or ""
        answer = page.request.get(urljoin(page.url, href))
        assert answer.headers["content-type"] == "application/pdf", href
        pages = PdfReader(io.BytesIO(answer.body())).pages
        assert number in "\n".join(p.extract_text() for p in pages)
    page.get_by_role("link", name="English").click()

    # log out; the spent linking code is refused with a clear message
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("status")).to_have_text("You are logged out.")
    axe.check(page)
    page.goto(f"{portal}/invoices")
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    page.goto(f"{portal}/register")
    _fill_registration(page, iam, linking)
    expect(page.get_by_role("alert")).to_contain_text("This linking code is not valid")
    axe.check(page)

    # log in: IAM code + password, then the SMS code
    page.goto(f"{portal}/login")
    axe.check(page)
    page.get_by_label("IAM code").fill(iam)
    page.get_by_label("Password").fill("not the password at all")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("alert")).to_have_text("IAM code or password not valid.")
    # again with the keyboard only: Tab to each field, type, Enter
    before = _newest_sms(platform)
    page.goto(f"{portal}/login")
    _tab_to(page, "iam_code")
    page.keyboard.type(iam)
    _tab_to(page, "password")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="SMS code")).to_be_visible()
    _tab_to(page, "code")
    page.keyboard.type(_sms_code(platform, before))
    page.keyboard.press("Enter")
    expect(page.get_by_role("link", name="March 2025")).to_be_visible()
    axe.check(page)

    # on a 360 px wide phone the page itself does not scroll sideways (wide tables do)
    page.set_viewport_size({"width": 360, "height": 740})
    page.get_by_role("link", name="March 2025").click()
    expect(page.locator("#parent-total")).to_have_text("€141.25")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    # the virtual office, the contract and "My data", still on the phone
    page.get_by_role("link", name="Virtual office", exact=True).click()
    expect(page.get_by_role("heading", name="Your children")).to_be_visible()
    expect(page.get_by_role("rowheader", name=iam)).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    axe.check(page)
    page.get_by_role("link", name="Contracts", exact=True).click()
    expect(page.get_by_role("heading", name="Mia Muller")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    axe.check(page)
    page.get_by_role("link", name="My data", exact=True).click()
    axe.check(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download my data").click()
    exported = json.loads(download.value.path().read_text())
    assert set(exported["children"][walkthrough.CHILD]) == set(SERVICES)
    page.get_by_role("link", name="Educational material", exact=True).click()
    expect(page.get_by_role("heading", name=re.compile(r"^Mia Muller · age \d+$"))).to_be_visible()
    expect(page.locator("article.material").first).to_be_visible()  # the shipped catalogue
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    axe.check(page)
    # the statement of account (each month's totals) and the LuxTrust certificates
    page.get_by_role("link", name="Statement of account", exact=True).click()
    expect(page.get_by_role("heading", name="Mia Muller · 2025")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile(r"^March 2025"))).to_contain_text("€141.25")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    axe.check(page)
    page.get_by_role("link", name="Virtual office", exact=True).click()
    page.get_by_role("link", name="Manage your LuxTrust certificates").click()
    expect(page.get_by_role("heading", name="LuxTrust certificates", exact=True)).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    axe.check(page)

    # five wrong SMS codes lock the account (a wrong password alone never says so)
    page.get_by_role("button", name="Log out").click()
    page.goto(f"{portal}/login")
    before = _newest_sms(platform)
    page.get_by_label("IAM code").fill(iam)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()
    wrong = f"{(int(_sms_code(platform, before)) + 1) % 1_000_000:06d}"
    for _ in range(5):
        page.get_by_label("The 6 digits of the SMS").fill(wrong)
        page.get_by_role("button", name="Confirm").click()
        if page.get_by_role("link", name="Start again").count():
            break
    expect(page.get_by_role("alert")).to_have_text(
        "Too many failed attempts: the account is locked for a while. Try again later."
    )
    axe.check(page)
    # the way out: an activation code by post, asked for from the login page
    page.goto(f"{portal}/login")
    page.get_by_role("link", name=re.compile("Reactivate it with a code sent by post")).click()
    page.get_by_label("IAM code").first.fill(iam)
    page.get_by_role("button", name="Send me a letter").click()
    expect(page.get_by_role("status")).to_contain_text("you will receive a letter")
    axe.check(page)

    assert len(axe.pages) == 20
    assert axe.violations == [], axe.violations


def test_axe_reports_a_critical_violation_where_there_is_one(page: Page) -> None:
    """The check above would pass on any page if axe found nothing at all."""
    axe = Axe()
    page.set_content(
        '<html lang="en"><head><title>t</title></head>'
        '<body><main><img src="x.png"></main></body></html>'
    )
    axe.check(page)
    assert [v["id"] for _, v in axe.violations] == ["image-alt"]
