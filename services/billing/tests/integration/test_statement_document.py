"""The provider statement as an archival PDF in the five languages, read back with pypdf:
addressed to the provider, the children by name, amounts in each locale's notation, the
state's transfer to the provider's IBAN with the statement number as reference."""

from __future__ import annotations

import re
from datetime import date

import pytest

from csa_billing.invoices.statement_texts import LABELS
from csa_billing.periods.close import CloseOptions, close_period
from csa_shared.events import new_event
from csa_shared.testing.pdf_checks import archival_pdf_text

from .town import ADDRESS, deliver, provider, town, two_providers

pytestmark = pytest.mark.postgres
TAGS = {"lb": "lb-LU", "de": "de-LU", "fr": "fr-LU", "en": "en-GB", "pt": "pt-PT"}
# sea-mr's March state total (205.50 + 0.00 + 27.50) and its charged total, in each notation
AMOUNTS = {
    "lb": ("233,00 €", "262,50 €"),
    "de": ("233,00 €", "262,50 €"),
    "fr": ("233,00 €", "262,50 €"),
    "en": ("€233.00", "€262.50"),
    "pt": ("233,00 €", "262,50 €"),
}


def _child_b() -> object:
    data = {
        "child_id": "child-b",
        "surname": "Weber",
        "first_name": "Noah",
        "birth_date": "2018-05-02",
        "language": "de",
        "home_address": ADDRESS,
        "billing_address": ADDRESS,
        "household_id": "h-child-b",
        "contract_id": "c-child-b",
    }
    return new_event(
        "lu.csa.membership.child.registered.v1",
        source="/csa/membership",
        subject="child-b",
        data=data,
    )


async def test_the_statement_pdf_in_each_language(billing, api, tokens) -> None:
    events = town() + two_providers()
    events[1] = provider(
        "sea-mr",
        "sea_conventionne",
        "6.00",
        address={"street": "2, rue Neuve", "postcode": "L-1212", "locality": "Luxembourg"},
        iban="LU280019400644750000",
    )
    await deliver(billing, [*events, _child_b()])
    await close_period(billing, "2025-03", CloseOptions(today=date(2025, 4, 30)))
    own = tokens.header(tokens.provider("sea-mr"))
    [listed] = (await api.get("/v1/statements", headers=own)).json()["items"]
    number, path = listed["number"], f"/v1/statements/{listed['id']}.pdf"

    for language, tag in TAGS.items():
        response = await api.get(f"{path}?lang={language}", headers=own)
        assert response.status_code == 200, response.text
        title = f"{LABELS[language]['title']} {number}"
        text = archival_pdf_text(response.content, lang=tag, title=title)
        flat = " ".join(text.replace("\xa0", " ").replace("\u202f", " ").split())
        assert text.splitlines()[1:4] == ["Provider sea-mr", "2, rue Neuve", "L-1212 Luxembourg"]
        assert "Noah Weber" in flat and "child-d" in flat  # a child billing has no name for
        state, charged = (a.replace("\xa0", " ") for a in AMOUNTS[language])
        assert state in flat and charged in flat, language
        assert "IBAN LU28 0019 4006 4475 0000" in flat and number in flat
        assert re.search(r"2025-\d{7}", flat)  # the invoices' numbers

    other = await api.get(path, headers=tokens.header(tokens.provider("ap-1")))
    assert other.status_code == 404
    cae = await api.get(path, headers=tokens.header(tokens.cae_agent("agent-1")))
    assert cae.status_code == 200 and cae.content.startswith(b"%PDF")
    parent = await api.get(path, headers=tokens.header(tokens.parent("p", ["child-b"])))
    assert parent.status_code == 403
