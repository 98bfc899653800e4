"""The contract PDF renders in all five languages (text extracted with pypdf)."""

from __future__ import annotations

import io

import pytest
from membership_api import ESCH, application
from pypdf import PdfReader

from csa_membership.domain.document_texts import TEXTS
from csa_shared.testing.tokens import TestTokens

pytestmark = pytest.mark.postgres


async def test_contract_pdf_in_every_language(api, tokens: TestTokens) -> None:
    agent = tokens.header(tokens.commune_agent("agent-esch-1", ESCH))
    filed = (await api.post("/v1/contracts", json=application(), headers=agent)).json()
    cid = filed["contract_id"]
    assert (await api.post(f"/v1/contracts/{cid}/signature", headers=agent)).status_code == 200
    parent = tokens.header(tokens.parent("parent-1", [filed["child_id"]]))

    for lang, words in TEXTS.items():
        response = await api.get(f"/v1/contracts/{cid}/document?lang={lang}", headers=parent)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == "application/pdf"
        text = " ".join(
            page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages
        )
        flat = " ".join(text.split())
        assert " ".join(words["title"].split()) in flat, lang
        assert "Mia Muller" in flat
        assert "lt_2_5" in flat  # the child's tariff rows for its category

    default = await api.get(f"/v1/contracts/{cid}/document", headers=agent)
    first_page = PdfReader(io.BytesIO(default.content)).pages[0].extract_text()
    assert "Contrat d" in first_page  # the contract's own language: fr


async def test_unsigned_contract_has_no_document(api, tokens: TestTokens) -> None:
    agent = tokens.header(tokens.commune_agent("agent-esch-1", ESCH))
    cid = (await api.post("/v1/contracts", json=application(), headers=agent)).json()["contract_id"]
    response = await api.get(f"/v1/contracts/{cid}/document", headers=agent)
    assert response.status_code == 422
    assert response.json()["type"].endswith("no-version-on-date")
