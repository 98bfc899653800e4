"""The virtual office, the contract and "My data" against the real services.

``csa run`` (the embedded platform of ``make run``) serves the four public APIs on a free
port; the portal app runs in this process, mounted under ``/portal`` as the platform mounts
it, and calls them over loopback HTTP with the parent's tokens. The SMS codes are read where
a person trying the platform reads them, ``GET /identity/v1/dev/sms``.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime
from decimal import Decimal

import httpx
import pytest
import time_machine
from fastapi import FastAPI

from csa_portal.app import create_portal_app
from csa_portal.contract_pages import renewal_of, terms_of
from csa_portal.i18n import translator
from csa_portal.problems import MESSAGES
from csa_portal.settings import PortalSettings
from csa_shared.settings import SERVICES, Settings

from .browser.conftest import platform, walkthrough

__all__ = ["platform"]  # the fixture: csa run on a free port

PASSWORD = "the virtual office of the portal"
NEW_PASSWORD = "a brand new portal password"
MOBILE = "+352 621 000 888"
NEW_MOBILE = "+352 691 000 999"
GERMAN = {"Accept-Language": "de"}


Platform = tuple[str, dict[str, str]]


def _digits(phone: str) -> str:
    return re.sub(r"\D", "", phone)


class SmsSink:
    """The platform's SMS sink: the newest code sent to a number since the last look."""

    def __init__(self, base: str) -> None:
        self.http = httpx.Client(base_url=base, timeout=10)
        self.seen = walkthrough._newest_sms_id(self.http)

    def code_to(self, phone: str) -> str:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            for sms in self.http.get("/identity/v1/dev/sms").json():
                found = re.search(r"\b(\d{6})\b", sms["body"])
                if sms["id"] > self.seen and found and _digits(sms["phone"]) == _digits(phone):
                    self.seen = sms["id"]
                    return found.group(1)
            time.sleep(0.1)  # a real server sending: nothing to fast-forward
        raise AssertionError(f"no SMS code to {phone}")


def _csrf(page: httpx.Response) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found, page.text
    return found.group(1)


@asynccontextmanager
async def mounted_portal(
    platform: Platform, settings: PortalSettings | None = None
) -> AsyncIterator[httpx.AsyncClient]:
    """The portal app under ``/portal`` in this process, calling ``platform``'s services."""
    port = int(platform[1]["CSA_HTTP_PORT"])
    app = create_portal_app(Settings(CSA_HTTP_HOST="127.0.0.1", CSA_HTTP_PORT=port), settings)
    root = FastAPI()
    root.mount("/portal", app)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=root), base_url="https://portal.test"
    ) as client:
        yield client
    await app.state.portal.apis.close()


@pytest.fixture
async def portal(platform: Platform) -> AsyncIterator[httpx.AsyncClient]:
    async with mounted_portal(platform) as client:
        yield client


async def _post(
    portal: httpx.AsyncClient, form_page: str, action: str, **fields: str
) -> httpx.Response:
    """The form of ``form_page`` sent with its CSRF token (German pages)."""
    token = _csrf(await portal.get(form_page, headers=GERMAN))
    return await portal.post(action, data=fields | {"csrf_token": token}, headers=GERMAN)


async def _registered(portal: httpx.AsyncClient, sms: SmsSink) -> str:
    """The account created from the demo letter through the portal: the child's IAM code."""
    iam, linking = walkthrough.mycard_codes(sms.http)
    started = await _post(
        portal,
        "/portal/register",
        "/portal/register",
        iam_code=iam,
        linking_code=linking,
        email="office@example.lu",
        mobile=MOBILE,
        password=PASSWORD,
    )
    assert started.headers["location"] == "/portal/register/confirm", started.text
    confirmed = await _post(
        portal, "/portal/register/confirm", "/portal/register/confirm", code=sms.code_to(MOBILE)
    )
    assert confirmed.headers["location"] == "/portal/invoices?welcome=1"
    return str(iam)


async def test_the_virtual_office_the_contract_and_my_data(
    platform: Platform, portal: httpx.AsyncClient
) -> None:
    _ = translator("de")
    sms = SmsSink(platform[0])
    iam = await _registered(portal, sms)

    office = await portal.get("/portal/office", headers=GERMAN)
    assert office.status_code == 200 and iam in office.text and "office@example.lu" in office.text
    assert _("The last child stays attached.") in office.text  # no detach button for it
    child_id = walkthrough.CHILD

    # the only child cannot be detached (a forged POST: identity refuses, the page says why)
    refused = await _post(portal, "/portal/office", f"/portal/office/children/{child_id}/detach")
    assert refused.status_code == 409 and _(MESSAGES["child.last_one"]) in refused.text
    # attaching a child with a spent linking code: identity's refusal, in German
    _iam, spent = walkthrough.mycard_codes(sms.http)
    again = await _post(
        portal, "/portal/office", "/portal/office/children", iam_code=iam, linking_code=spent
    )
    assert again.status_code in {409, 422}
    reasons = {_(MESSAGES[c]) for c in ("child.already_attached", "linking_code.rejected")}
    assert any(reason in again.text for reason in reasons), again.text

    # the e-mail
    saved = await _post(portal, "/portal/office", "/portal/office/email", email="new@example.lu")
    assert saved.headers["location"] == "/portal/office?done=email"
    office = await portal.get(saved.headers["location"], headers=GERMAN)
    assert "new@example.lu" in office.text and _("Your e-mail address is saved.") in office.text

    # the mobile: a code to the OLD number first (a wrong one refused), then to the new one
    started = await _post(portal, "/portal/office", "/portal/office/mobile", mobile=NEW_MOBILE)
    assert started.headers["location"] == "/portal/office/change"
    old_code = sms.code_to(MOBILE)
    wrong = await _post(portal, "/portal/office/change", "/portal/office/change", code="000000")
    assert wrong.status_code >= 400 and _(MESSAGES["otp.wrong"]) in wrong.text
    first = await _post(portal, "/portal/office/change", "/portal/office/change", code=old_code)
    assert first.headers["location"] == "/portal/office/change"
    second = await _post(
        portal, "/portal/office/change", "/portal/office/change", code=sms.code_to(NEW_MOBILE)
    )
    assert second.headers["location"] == "/portal/office?done=mobile"
    office = await portal.get("/portal/office", headers=GERMAN)
    shown = re.search(r"<dd>([^<]*)</dd>", office.text)  # the first fact: the mobile, masked
    assert shown and shown.group(1).endswith("999"), office.text

    # the contract: terms, tariffs, renewal, its PDF
    contracts = await portal.get("/portal/contracts", headers=GERMAN)
    assert contracts.status_code == 200 and "Mia Muller" in contracts.text
    for label in ("Income category", "Rank among the children", "Valid until", "Renewal date"):
        assert _(label) in contracts.text
    ends_on = _("This contract ends on {day}. Renew it before then to keep the CSA.")
    assert ends_on.split("{day}")[0] not in contracts.text  # the demo's ended in January 2026
    with time_machine.travel(datetime(2026, 1, 10, 12, tzinfo=UTC), tick=True):  # the portal's
        reminded = await portal.get("/portal/contracts", headers=GERMAN)
    assert ends_on.split("{day}")[0] in reminded.text, reminded.text
    pdf_link = re.search(r'href="(/portal/contracts/[^"]+\.pdf)"', contracts.text)
    assert pdf_link, contracts.text
    pdf = await portal.get(pdf_link.group(1))
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF")

    # my data: every service's export of the child in one JSON file
    download = await portal.get("/portal/my-data.json")
    assert download.status_code == 200 and "attachment" in download.headers["content-disposition"]
    data = json.loads(download.content)
    assert set(data["children"][child_id]) == set(SERVICES)
    assert data["account"]["email"] == "new@example.lu"

    # the password: the wrong current one refused; the new one ends the session here too
    bad = await _post(
        portal,
        "/portal/office",
        "/portal/office/password",
        current_password="not the password at all",
        new_password=NEW_PASSWORD,
    )
    assert bad.status_code == 403 and _(MESSAGES["password.wrong_current"]) in bad.text
    assert NEW_PASSWORD not in bad.text
    started = await _post(
        portal,
        "/portal/office",
        "/portal/office/password",
        current_password=PASSWORD,
        new_password=NEW_PASSWORD,
    )
    assert started.headers["location"] == "/portal/office/change"
    done = await _post(
        portal, "/portal/office/change", "/portal/office/change", code=sms.code_to(NEW_MOBILE)
    )
    assert done.headers["location"] == "/portal/login?password=changed"
    assert (await portal.get("/portal/office")).headers["location"] == "/portal/login"


def test_the_reminder_shows_from_thirty_days_before_the_contract_ends() -> None:
    contract = {"valid_until": "2026-08-31", "ended_on": None, "versions": []}
    far = renewal_of(contract, date(2026, 7, 31))
    near = renewal_of(contract, date(2026, 8, 1))
    assert far is not None and near is not None
    assert (far["remind"], near["remind"]) == (False, True)
    assert near["renew_from"] == date(2026, 9, 1) and near["days_left"] == 30
    assert renewal_of(contract, date(2026, 9, 1))["remind"] is False  # type: ignore[index]
    assert renewal_of(contract | {"ended_on": "2026-05-31"}, date(2026, 8, 1)) is None


def test_the_terms_are_the_newest_version_with_its_tariff_from_the_bareme() -> None:
    versions = [
        {"number": 1, "category": "lt_2", "rank": 1},
        {"number": 2, "category": "lt_3", "rank": 2},
    ]
    terms = terms_of({"valid_until": None, "versions": versions}, date(2026, 1, 1))
    tariff = terms["tariff"]
    assert terms["version"]["number"] == 2 and terms["renewal"] is None
    assert tariff is not None and tariff.tranche_hours == (8, 21, 31)
    assert tariff.rates == (Decimal("0"), Decimal("1.50"), Decimal("2.80"))
