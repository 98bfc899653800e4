"""A provider's optional bank details (IBAN mod-97, BIC): registered, versioned, carried in
its events for billing's payments (with the provider's address, for the family's invoice)."""

from __future__ import annotations

import pytest
from attendance_api import provider_body

from csa_shared.testing.events import waiting_documents

pytestmark = pytest.mark.postgres


def terms_of(pid: str, **over: object) -> dict[str, object]:
    body = provider_body(pid, **over)
    return {k: v for k, v in body.items() if k not in ("provider_id", "provider_type")}


async def test_bank_details_are_kept_in_electronic_form_and_sent_with_the_terms(
    api, agent, runtime
) -> None:
    without = await api.post("/v1/providers", json=provider_body("sea-x"), headers=agent)
    changed = await api.post(
        "/v1/providers/sea-x/versions",
        json=terms_of("sea-x", effective_from="2025-09-01", iban="lu28 0019 4006 4475 0000",
                      bic="bceelull"),
        headers=agent,
    )  # fmt: skip
    shown = (await api.get("/v1/providers/sea-x", headers=agent)).json()
    events = [d["data"] for d in await waiting_documents(runtime) if ".provider." in d["type"]]

    assert (without.status_code, changed.status_code) == (201, 200), changed.text
    assert [(v["iban"], v["bic"]) for v in shown["versions"]] == [
        (None, None),
        ("LU280019400644750000", "BCEELULL"),
    ]
    assert [(e["iban"], e["bic"]) for e in events] == [
        (None, None),
        ("LU280019400644750000", "BCEELULL"),
    ]
    # the postal address travels too: the family's invoice prints it (billing projects it)
    assert [e["address"] for e in events] == [shown["current"]["address"]] * 2


async def test_a_wrong_iban_or_a_bic_without_iban_is_refused_naming_the_field(api, agent) -> None:
    wrong_check = await api.post(
        "/v1/providers", json=provider_body("sea-y", iban="LU29 0019 4006 4475 0000"), headers=agent
    )
    too_short = await api.post(
        "/v1/providers", json=provider_body("sea-y", iban="LU28"), headers=agent
    )
    bic_alone = await api.post(
        "/v1/providers", json=provider_body("sea-y", bic="BCEELULL"), headers=agent
    )
    bad_bic = await api.post(
        "/v1/providers",
        json=provider_body("sea-y", iban="LU280019400644750000", bic="BCEE-LU"),
        headers=agent,
    )

    for response, field, words in (
        (wrong_check, "iban", "mod-97"),
        (too_short, "iban", "country code"),
        (bic_alone, "bic", "with an IBAN"),
        (bad_bic, "bic", "8 or 11"),
    ):
        assert response.status_code == 422, response.text
        error = response.json()["errors"][0]
        assert (error["field"], error["code"]) == (field, "invalid_value")
        assert words in error["message"]
