"""myCards issued from membership's child.registered events (inbox-guarded, letter spooled)."""

from __future__ import annotations

import io

import httpx
import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from csa_identity.tables import cards, letters
from csa_shared.runtime import ServiceRuntime
from csa_shared.testing.events import emitted_documents

from .conftest import child_registered, deliver

pytestmark = pytest.mark.postgres


async def _count(runtime: ServiceRuntime, table) -> int:
    async with runtime.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(table)))


async def test_the_same_event_consumed_twice_issues_one_card_and_one_letter(
    api: httpx.AsyncClient, identity: ServiceRuntime
) -> None:
    event = child_registered("child-7")
    await deliver(identity, event, offset=0)
    await deliver(identity, event, offset=1)
    assert await _count(identity, cards) == 1
    assert await _count(identity, letters) == 1
    types = [e["type"] for e in await emitted_documents(identity)]
    assert types.count("lu.csa.identity.card.issued.v1") == 1


async def test_a_second_event_for_the_same_child_keeps_its_first_card(
    api: httpx.AsyncClient, identity: ServiceRuntime
) -> None:
    await deliver(identity, child_registered("child-7"))
    await deliver(identity, child_registered("child-7", contract_id="ct-2"))
    assert await _count(identity, cards) == 1


async def test_card_letter_is_a_pdf_in_the_contract_language_pt_included(
    api: httpx.AsyncClient, identity: ServiceRuntime
) -> None:
    await deliver(identity, child_registered("child-lb", language="lb"))
    await deliver(identity, child_registered("child-pt", language="pt", surname="Silva"))
    spool = {item["child_id"]: item for item in (await api.get("/v1/dev/letters")).json()}
    assert spool["child-lb"]["language"] == "lb"
    assert "Ärem Kand" in spool["child-lb"]["body"]
    assert spool["child-pt"]["language"] == "pt"
    assert spool["child-pt"]["body"].startswith("Código IAM da criança: SilMa")
    assert "Código de ligação (utilização única)" in spool["child-pt"]["body"]
    assert "O myCard é válido até" in spool["child-pt"]["body"]
    pdf = await api.get(f"/v1/dev/letters/{spool['child-pt']['id']}.pdf")
    assert pdf.content.startswith(b"%PDF")
    text = PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    assert "Código IAM da criança" in text  # latin-1 letter font: the accents print


async def test_the_card_letter_goes_to_the_legal_representative_with_a_localised_validity(
    api: httpx.AsyncClient, identity: ServiceRuntime
) -> None:
    home = {"line": "3, rue Haute", "postcode": "L-9999", "locality": "Wiltz", "country": "LU"}
    representative = {"first_name": "Anna", "surname": "Muster", "address": home}
    await deliver(identity, child_registered("child-r", representative=representative))
    await deliver(identity, child_registered("child-old", language="de"))
    spool = {item["child_id"]: item for item in (await api.get("/v1/dev/letters")).json()}
    letter = spool["child-r"]
    assert letter["recipient"]["name"] == "Anna Muster"
    assert letter["recipient"]["child"] == "Maëlle Muster"
    assert letter["recipient"]["address"]["locality"] == "Wiltz"
    assert "D'myCard ass gëlteg bis den" in letter["body"]
    # an event without a representative (older producers): the child's home, as before
    assert spool["child-old"]["recipient"]["address"]["locality"] == "Luxembourg"
    assert "gültig bis zum" in spool["child-old"]["body"]
