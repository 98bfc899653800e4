"""The invoice a family can act on, end to end: membership's child.registered (with its
legal representative) and attendance's provider.registered (with its address and account)
projected by billing's consumers, the period closed on PostgreSQL, the PDF read over HTTP."""

from __future__ import annotations

import re
from datetime import date

import pytest

from csa_billing.periods.close import CloseOptions, close_period
from csa_shared.documents.creditor_reference import is_valid
from csa_shared.events import new_event
from csa_shared.testing.pdf_checks import archival_pdf_text

from .conftest import invoices
from .town import ADDRESS, deliver, provider, town

pytestmark = pytest.mark.postgres
NNBSP = "\u202f"


def _child_registered() -> object:
    return new_event(
        "lu.csa.membership.child.registered.v1",
        source="/csa/membership",
        subject="child-a",
        data={
            "child_id": "child-a",
            "surname": "Muster",
            "first_name": "Léa",
            "birth_date": "2023-02-01",
            "language": "fr",
            "home_address": {**ADDRESS, "line": "12, rue de l'Église"},
            "billing_address": ADDRESS,
            "household_id": "h-child-a",
            "contract_id": "c-child-a",
            "representative": {
                "first_name": "Anna",
                "surname": "Muster",
                "address": ADDRESS,
            },
        },
    )


async def test_the_closed_invoice_is_addressed_and_payable(billing, api, tokens) -> None:
    events = town()
    events[0] = provider(
        "sea-pluri",
        "sea_conventionne",
        "6.00",
        plurilingual=True,
        address={
            "street": "5, avenue de la Liberté",
            "postcode": "L-1930",
            "locality": "Luxembourg",
        },
        iban="LU280019400644750000",
        bic="BCEELULL",
    )
    await deliver(billing, [*events, _child_registered()])
    await close_period(billing, "2025-03", CloseOptions(today=date(2025, 4, 30)))
    [doc] = await invoices(api, tokens, "child-a")
    parent = tokens.header(tokens.parent("p", ["child-a"]))

    pdf = await api.get(f"/v1/invoices/{doc['id']}.pdf", headers=parent)

    assert pdf.status_code == 200
    number = doc["number"]
    text = archival_pdf_text(
        pdf.content, lang="fr-LU", title=f"Facture chèque-service accueil {number}"
    )
    lines = text.splitlines()
    assert lines[1:5] == ["Anna Muster", "1, rue de la Gare", "L-1611 Luxembourg", "LU"]
    assert f"Enfant{NNBSP}: Léa Muster, 12, rue de l'Église" in text
    assert "Provider sea-pluri, 5, avenue de la Liberté, L-1930 Luxembourg" in text
    assert "revenu inférieur à 3 × SSM" in text and "le rang 2" in text
    assert "IBAN LU28 0019 4006 4475 0000" in text
    assert "1er février 2026" in text  # the contract's renewal date
    assert "votre commune (Luxembourg)" in text  # where to ask or request a rectification
    [reference] = re.findall(r"RF\d\d[0-9A-Z ]+$", text, flags=re.MULTILINE)
    assert is_valid(reference)
