"""LuxTrust certificates and the statement of account, against the real services (``csa run``).

The ingress's part (verifying the TLS client certificate, setting ``ssl-client-cert`` and
``ssl-client-verify``) is played by the test: it sends those headers to the portal, as
ingress-nginx does after the TLS handshake. The certificate is a real X.509 one made here.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import quote

import httpx
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from csa_portal.i18n import translator
from csa_portal.settings import PortalSettings
from csa_portal.statement_pages import statement_of, years_of

from .browser.conftest import march_closed
from .test_office_pages import (
    GERMAN,
    PASSWORD,
    Platform,
    SmsSink,
    _csrf,
    _registered,
    mounted_portal,
    platform,
)

__all__ = ["march_closed", "platform"]  # the fixtures
TRUSTED = PortalSettings.model_validate({"PORTAL_TRUST_CLIENT_CERTIFICATE": "true"})


def _certificate(common_name: str) -> tuple[str, str]:
    """A self-made X.509 certificate (PEM) and its SHA-256 fingerprint (hex)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=365))
        .sign(key, hashes.SHA256())
    )
    pem = certificate.public_bytes(serialization.Encoding.PEM).decode()
    return pem, certificate.fingerprint(hashes.SHA256()).hex()


def _ingress(pem: str, verify: str = "SUCCESS") -> dict[str, str]:
    """What ingress-nginx sets after verifying the browser's certificate."""
    return GERMAN | {"ssl-client-cert": quote(pem), "ssl-client-verify": verify}


async def _send(
    portal: httpx.AsyncClient, page: str, action: str, headers: dict[str, str], **fields: str
) -> httpx.Response:
    """``page``'s form sent to ``action`` (the page read as a browser with a certificate the
    ingress verified, so that the form is there; the POST with ``headers``)."""
    token = _csrf(await portal.get(page, headers=_ingress(_certificate("Reader")[0])))
    return await portal.post(action, data=fields | {"csrf_token": token}, headers=headers)


async def test_a_luxtrust_certificate_registered_in_the_office_replaces_the_sms_code(
    platform: Platform,
) -> None:
    _ = translator("de")
    pem, fingerprint = _certificate("Anne Muller")
    other_pem, _other = _certificate("Someone Else")
    page = "/portal/office/certificates"
    async with mounted_portal(platform, TRUSTED) as portal:
        iam = await _registered(portal, SmsSink(platform[0]))
        empty = await portal.get(page, headers=GERMAN)
        assert _("No certificate is registered.") in empty.text
        # no certificate presented: only the paste form; a pasted non-certificate is refused
        assert _("Register the certificate you are using now") not in empty.text
        garbage = await _send(portal, page, page, GERMAN, pem="not a certificate")
        assert garbage.status_code == 422, garbage.text

        # the certificate the browser presents now, registered in one click
        shown = await portal.get(page, headers=_ingress(pem))
        assert _("Register the certificate you are using now") in shown.text
        done = await _send(portal, page, page, _ingress(pem), source="presented")
        assert done.headers["location"] == f"{page}?done=registered", done.text
        listed = await portal.get(done.headers["location"], headers=GERMAN)
        assert "CN=Anne Muller" in listed.text and fingerprint[:16] in listed.text
        out = await _send(portal, "/portal/office", "/portal/logout", GERMAN)
        assert out.status_code == 303

        # the login page offers the certificate only when the ingress verified one
        assert "/login/certificate" not in (await portal.get("/portal/login")).text
        offered = await portal.get("/portal/login", headers=_ingress(pem))
        assert "/login/certificate" in offered.text
        login = "/portal/login/certificate"
        wrong = await _send(portal, login, login, _ingress(pem), iam_code=iam, password="no!")
        assert wrong.status_code == 401 and "location" not in wrong.headers
        unregistered = await _send(
            portal, login, login, _ingress(other_pem), iam_code=iam, password=PASSWORD
        )
        assert unregistered.status_code == 401
        failed = await _send(
            portal, login, login, _ingress(pem, "FAILED:expired"), iam_code=iam, password=PASSWORD
        )
        assert failed.status_code == 401
        signed_in = await _send(
            portal, login, login, _ingress(pem), iam_code=iam, password=PASSWORD
        )
        assert signed_in.headers["location"] == "/portal/invoices", signed_in.text
        assert (await portal.get("/portal/invoices", headers=GERMAN)).status_code == 200

        # removed: the certificate logs in no more
        removed = await _send(portal, page, f"{page}/{fingerprint}/remove", GERMAN)
        assert removed.headers["location"] == f"{page}?done=removed"
        assert "CN=Anne Muller" not in (await portal.get(page, headers=GERMAN)).text
        await _send(portal, "/portal/office", "/portal/logout", GERMAN)
        refused = await _send(portal, login, login, _ingress(pem), iam_code=iam, password=PASSWORD)
        assert refused.status_code == 401


async def test_certificate_headers_count_only_behind_a_trusted_ingress(
    platform: Platform,
) -> None:
    """Without ``PORTAL_TRUST_CLIENT_CERTIFICATE`` a client could forge the headers: the
    portal neither offers nor forwards them."""
    pem, _fingerprint = _certificate("Forged Header")
    async with mounted_portal(platform) as portal:
        page = await portal.get("/portal/login", headers=_ingress(pem))
        assert "/login/certificate" not in page.text
        login = "/portal/login/certificate"
        # the session's CSRF token from the SMS login form, the only one shown here
        tried = await _send(
            portal, "/portal/login", login, _ingress(pem), iam_code="x", password="y"
        )
        assert tried.status_code == 401


def _invoice(month: str, kind: str, parent: str, state: str, child: str = "c1") -> dict[str, Any]:
    return {
        "id": f"{child}-{month}-{kind}",
        "number": f"N-{month}-{kind}",
        "month": month,
        "kind": kind,
        "child_id": child,
        "parent_total": parent,
        "state_total": state,
    }


def test_the_statement_adds_each_months_invoices_and_corrections_per_child_and_year() -> None:
    """March 2025: invoice 141.25 + correction -12.50 = 128.75 for the family; the year:
    128.75 + April's 80.00 = 208.75; state 1,289.75 + 12.50 + 600.00 = 1,902.25. 2024's
    invoice and the other child's stay out of c1's 2025."""
    invoices = [
        _invoice("2025-03", "invoice", "141.25", "1289.75"),
        _invoice("2025-03", "adjustment", "-12.50", "12.50"),
        _invoice("2025-04", "invoice", "80.00", "600.00"),
        _invoice("2024-12", "invoice", "99.00", "1.00"),
        _invoice("2025-03", "invoice", "5.00", "5.00", child="c2"),
    ]
    assert years_of(invoices) == ["2025", "2024"]
    first, second = statement_of(invoices, "2025")
    assert (first.child_id, second.child_id) == ("c1", "c2")
    assert [m.month for m in first.months] == ["2025-04", "2025-03"]
    assert first.months[1].parent == Decimal("128.75") and len(first.months[1].invoices) == 2
    assert (first.parent, first.state) == (Decimal("208.75"), Decimal("1902.25"))


async def test_the_statement_page_shows_the_closed_march(
    platform: Platform, march_closed: dict[str, Any]
) -> None:
    _ = translator("de")
    async with mounted_portal(platform) as portal:
        await _registered(portal, SmsSink(platform[0]))
        page = await portal.get("/portal/statement", headers=GERMAN)
        assert page.status_code == 200 and _("Statement of account") in page.text
        assert "141,25" in page.text and "1.289,75" in page.text, page.text
        assert re.search(r"Summe 2025", page.text)
        filtered = await portal.get("/portal/invoices?kind=correction", headers=GERMAN)
        assert _("No invoice matches these filters.") in filtered.text
        kinds = await portal.get("/portal/invoices?kind=invoice&year=2025", headers=GERMAN)
        assert "141,25" in kinds.text
