"""Reactivation with the activation code received by post, against the real services.

On ``csa run`` as in ``test_office_pages``: the letter is read where a person trying the
platform reads it (``GET /identity/v1/dev/letters``), the SMS codes from the SMS sink.
"""

from __future__ import annotations

import re

import httpx

from csa_portal.i18n import translator
from csa_portal.problems import MESSAGES

from .test_office_pages import (
    GERMAN,
    NEW_MOBILE,
    NEW_PASSWORD,
    Platform,
    SmsSink,
    _post,
    _registered,
    platform,
    portal,
)

__all__ = ["platform", "portal"]  # the fixtures: csa run, the portal mounted under /portal

ACTIVATION_CODE = re.compile(r"\b([A-Z0-9]{4}(?:-[A-Z0-9]{4}){3})\b")


def _activation_code(http: httpx.Client, iam: str) -> str:
    for letter in http.get("/identity/v1/dev/letters").json():  # newest first
        found = ACTIVATION_CODE.search(letter["body"])
        if letter["kind"] == "activation" and f"IAM: {iam}" in letter["body"] and found:
            return found.group(1)
    raise AssertionError(f"no activation letter for {iam}")


async def test_a_parent_reactivates_the_account_with_the_code_from_the_letter(
    platform: Platform, portal: httpx.AsyncClient
) -> None:
    _ = translator("de")
    sms = SmsSink(platform[0])
    iam = await _registered(portal, sms)
    login = await portal.get("/portal/login", headers=GERMAN)
    assert 'href="/portal/activate"' in login.text

    # the letter: the same answer for a known and an unknown IAM code
    for code in (iam, "NoSuc123"):
        asked = await _post(portal, "/portal/activate", "/portal/activate/letter", iam_code=code)
        assert asked.headers["location"] == "/portal/activate?letter=sent"
    page = await portal.get("/portal/activate?letter=sent", headers=GERMAN)
    assert _("If this IAM code exists, you will receive a letter with an activation code.") in (
        page.text
    )
    activation_code = _activation_code(sms.http, iam)

    # a wrong activation code: identity's refusal in German, the password not echoed
    fields = {"iam_code": iam, "mobile": NEW_MOBILE, "new_password": NEW_PASSWORD}
    wrong = await _post(
        portal,
        "/portal/activate",
        "/portal/activate",
        activation_code="AAAA-BBBB-CCCC-DDDD",
        **fields,
    )
    assert wrong.status_code == 422 and _(MESSAGES["activation_code.rejected"]) in wrong.text
    assert NEW_PASSWORD not in wrong.text

    # the right one: an SMS code to the mobile given (a wrong code refused first)
    started = await _post(
        portal, "/portal/activate", "/portal/activate", activation_code=activation_code, **fields
    )
    assert started.headers["location"] == "/portal/activate/confirm", started.text
    code = sms.code_to(NEW_MOBILE)
    refused = await _post(
        portal, "/portal/activate/confirm", "/portal/activate/confirm", code="000000"
    )
    assert refused.status_code >= 400 and _(MESSAGES["otp.wrong"]) in refused.text
    done = await _post(portal, "/portal/activate/confirm", "/portal/activate/confirm", code=code)
    assert done.headers["location"] == "/portal/login?reactivated=1"
    login = await portal.get(done.headers["location"], headers=GERMAN)
    assert _("Your account is active again. Log in with the new password.") in login.text
    # every earlier session has ended at identity: the office sends to the login page
    assert (await portal.get("/portal/office")).headers["location"] == "/portal/login"

    # the new password logs in
    started = await _post(
        portal, "/portal/login", "/portal/login", iam_code=iam, password=NEW_PASSWORD
    )
    assert started.headers["location"] == "/portal/login/confirm", started.text
    signed_in = await _post(
        portal, "/portal/login/confirm", "/portal/login/confirm", code=sms.code_to(NEW_MOBILE)
    )
    assert signed_in.headers["location"] == "/portal/invoices"
