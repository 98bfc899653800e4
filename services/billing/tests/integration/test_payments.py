"""The state's payments for a closed town month: pain.001 (checked against the ISO XSD),
the accounting CSV, the status from a pain.002 report or an agent's call, on PostgreSQL."""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree

from csa_billing.domain.payments import PaymentStatus, Transition
from csa_billing.payments.service import set_status
from csa_billing.periods.close import CloseOptions, close_period, open_period

from .town import deliver, provider, town

pytestmark = pytest.mark.postgres
MARCH = "2025-03"
AFTER_GRACE = CloseOptions(today=date(2025, 4, 30))
XSD = etree.XMLSchema(etree.parse(str(Path(__file__).parents[1] / "xsd" / "pain.001.001.09.xsd")))
NS = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"}
STATE_IBAN = "LU120010001234567891"
PLURI_IBAN = "LU280019400644750000"
MR_IBAN = "DE89370400440532013000"
# the town's statements: sea-pluri and sea-mr are paid, ap-1 gave no bank details
PLURI, MR, AP = f"S{MARCH}-sea-pluri", f"S{MARCH}-sea-mr", f"S{MARCH}-ap-1"


@pytest.fixture(autouse=True)
def paying_agency(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BILLING_PAYMENT_DEBTOR_NAME", "Ministère de l'Éducation nationale")
    monkeypatch.setenv("BILLING_PAYMENT_DEBTOR_IBAN", "LU12 0010 0012 3456 7891")
    monkeypatch.setenv("BILLING_PAYMENT_DEBTOR_BIC", "BCEELULL")


@pytest.fixture
def cae(tokens) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return tokens.header(tokens.cae_agent("agent-cae"))


def banked_town() -> list:  # type: ignore[type-arg]
    """The town, whose two SEAs then give their bank details (new terms, same prices)."""
    return [
        *town(),
        provider(
            "sea-pluri",
            "sea_conventionne",
            "6.00",
            plurilingual=True,
            changed=True,
            version=2,
            effective="2025-01-06",
            iban=PLURI_IBAN,
            bic="BCEELULL",
        ),
        provider(
            "sea-mr",
            "sea_conventionne",
            "6.00",
            changed=True,
            version=2,
            effective="2025-01-06",
            iban=MR_IBAN,
        ),
    ]


async def closed_march(billing) -> None:  # type: ignore[no-untyped-def]
    await deliver(billing, banked_town())
    await close_period(billing, MARCH, AFTER_GRACE)


async def exported(api, cae) -> dict:  # type: ignore[no-untyped-def]
    response = await api.post(f"/v1/periods/{MARCH}/payments", headers=cae)
    assert response.status_code in (200, 201), response.text
    return response.json()


async def test_a_closed_town_month_exports_a_pain_001_that_the_iso_xsd_accepts(
    billing, api, cae
) -> None:
    await closed_march(billing)

    created = await api.post(f"/v1/periods/{MARCH}/payments", headers=cae)
    response = await api.get(f"/v1/periods/{MARCH}/payments/pain.001.xml", headers=cae)

    assert created.status_code == 201, created.text
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/xml")
    document = etree.fromstring(response.content)
    XSD.assertValid(document)
    batch = created.json()
    by_number = {p["statement_number"]: p for p in batch["payments"]}
    assert sorted(by_number) == [AP, MR, PLURI]
    assert (by_number[AP]["status"], by_number[AP]["reason"]) == (
        "not_payable",
        "not payable: no IBAN",
    )
    assert by_number[AP]["end_to_end_id"] is None
    paid = [by_number[MR], by_number[PLURI]]
    assert all(p["status"] == "exported" and Decimal(p["amount"]) > 0 for p in paid)
    total = sum(Decimal(p["amount"]) for p in paid)
    assert (batch["transactions"], Decimal(batch["total"])) == (2, total)

    def texts(path: str) -> list[str]:
        return [e.text for e in document.iterfind(path, NS)]

    info = "p:CstmrCdtTrfInitn/p:PmtInf"
    assert texts("p:CstmrCdtTrfInitn/p:GrpHdr/p:MsgId") == [f"CSA-PAY-{MARCH}"]
    assert texts("p:CstmrCdtTrfInitn/p:GrpHdr/p:NbOfTxs") == ["2"]
    assert texts("p:CstmrCdtTrfInitn/p:GrpHdr/p:CtrlSum") == [f"{total:.2f}"]
    assert texts(f"{info}/p:DbtrAcct/p:Id/p:IBAN") == [STATE_IBAN]
    assert texts(f"{info}/p:DbtrAgt/p:FinInstnId/p:BICFI") == ["BCEELULL"]
    assert texts(f"{info}/p:Dbtr/p:Nm") == ["Ministere de l'Education nationale"]  # SEPA set
    tx = f"{info}/p:CdtTrfTxInf"
    assert texts(f"{tx}/p:PmtId/p:EndToEndId") == [MR, PLURI]  # statement-number order
    assert texts(f"{tx}/p:Amt/p:InstdAmt") == [by_number[MR]["amount"], by_number[PLURI]["amount"]]
    assert all(len(a.split(".")[1]) == 2 for a in texts(f"{tx}/p:Amt/p:InstdAmt"))
    assert texts(f"{tx}/p:CdtrAcct/p:Id/p:IBAN") == [MR_IBAN, PLURI_IBAN]
    assert texts(f"{tx}/p:Cdtr/p:Nm") == ["Provider sea-mr", "Provider sea-pluri"]
    assert texts(f"{tx}/p:RmtInf/p:Ustrd") == [f"CSA statement {MR}", f"CSA statement {PLURI}"]
    assert texts(f"{tx}/p:CdtrAgt/p:FinInstnId/p:BICFI") == ["BCEELULL"]  # sea-mr gave none


async def test_the_accounting_csv_lists_every_statement_and_why_one_is_not_paid(
    billing, api, cae
) -> None:
    await closed_march(billing)
    batch = await exported(api, cae)
    amounts = {p["statement_number"]: p["amount"] for p in batch["payments"]}

    response = await api.get(f"/v1/periods/{MARCH}/payments.csv", headers=cae)

    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows == [
        [
            "statement_number",
            "provider_id",
            "provider_name",
            "iban",
            "bic",
            "amount",
            "period",
            "end_to_end_id",
            "note",
        ],
        [AP, "ap-1", "Provider ap-1", "", "", amounts[AP], MARCH, "", "not payable: no IBAN"],
        [MR, "sea-mr", "Provider sea-mr", MR_IBAN, "", amounts[MR], MARCH, MR, ""],
        [PLURI, "sea-pluri", "Provider sea-pluri", PLURI_IBAN, "BCEELULL", amounts[PLURI], MARCH,
         PLURI, ""],
    ]  # fmt: skip


async def test_exporting_and_downloading_again_gives_the_same_bytes(
    billing, api, cae, monkeypatch
) -> None:
    await closed_march(billing)
    first = await api.post(f"/v1/periods/{MARCH}/payments", headers=cae)
    xml = await api.get(f"/v1/periods/{MARCH}/payments/pain.001.xml", headers=cae)
    table = await api.get(f"/v1/periods/{MARCH}/payments.csv", headers=cae)
    monkeypatch.setenv("BILLING_PAYMENT_DEBTOR_IBAN", "DE89370400440532013000")  # changed since

    again = await api.post(f"/v1/periods/{MARCH}/payments", headers=cae)
    xml_again = await api.get(f"/v1/periods/{MARCH}/payments/pain.001.xml", headers=cae)
    table_again = await api.get(f"/v1/periods/{MARCH}/payments.csv", headers=cae)

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert xml_again.content == xml.content
    assert table_again.content == table.content
    assert STATE_IBAN.encode() in xml.content


PAIN_002 = """<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.10">
  <CstmrPmtStsRpt>
    <GrpHdr><MsgId>BANK-1</MsgId><CreDtTm>2025-05-08T09:00:00Z</CreDtTm></GrpHdr>
    <OrgnlGrpInfAndSts><OrgnlMsgId>CSA-PAY-2025-03</OrgnlMsgId>
      <OrgnlMsgNmId>pain.001.001.09</OrgnlMsgNmId></OrgnlGrpInfAndSts>
    <OrgnlPmtInfAndSts><OrgnlPmtInfId>CSA-PAY-2025-03</OrgnlPmtInfId>{transactions}
    </OrgnlPmtInfAndSts>
  </CstmrPmtStsRpt>
</Document>"""


def report(*transactions: tuple[str, str, str | None]) -> bytes:
    parts = []
    for end_to_end_id, code, reason in transactions:
        why = f"<StsRsnInf><Rsn><Cd>{reason}</Cd></Rsn></StsRsnInf>" if reason else ""
        parts.append(
            f"<TxInfAndSts><OrgnlEndToEndId>{end_to_end_id}</OrgnlEndToEndId>"
            f"<TxSts>{code}</TxSts>{why}</TxInfAndSts>"
        )
    return PAIN_002.format(transactions="".join(parts)).encode()


async def upload(api, cae, content: bytes):  # type: ignore[no-untyped-def]
    headers = {**cae, "Content-Type": "application/xml"}
    return await api.post("/v1/payments/status-reports", content=content, headers=headers)


async def test_a_status_report_confirms_and_rejects_once(billing, api, cae) -> None:
    await closed_march(billing)
    await exported(api, cae)
    both = report((MR, "ACSC", None), (PLURI, "RJCT", "AC04"))

    first = await upload(api, cae, both)
    again = await upload(api, cae, both)
    pending = await upload(api, cae, report((MR, "PDNG", None)))
    batch = await exported(api, cae)

    assert first.status_code == 200, first.text
    outcome = [
        (r["statement_number"], r["status"], r["transition"], r["code"]) for r in first.json()
    ]
    assert outcome == [(MR, "confirmed", "applied", "ACSC"), (PLURI, "rejected", "applied", "RJCT")]
    assert [r["transition"] for r in again.json()] == ["unchanged", "unchanged"]
    assert [(r["status"], r["transition"]) for r in pending.json()] == [("confirmed", "unchanged")]
    status = {p["statement_number"]: (p["status"], p["reason"]) for p in batch["payments"]}
    assert status == {
        MR: ("confirmed", None),
        PLURI: ("rejected", "AC04"),
        AP: ("not_payable", "not payable: no IBAN"),
    }
    # once rejected, a later confirmation in a report is refused, not applied
    late = await upload(api, cae, report((PLURI, "ACCP", None)))
    assert [(r["status"], r["transition"]) for r in late.json()] == [("rejected", "refused")]


async def test_status_recorded_through_the_api_moves_once(billing, api, cae) -> None:
    await closed_march(billing)
    ids = {p["statement_number"]: p["statement_id"] for p in (await exported(api, cae))["payments"]}

    def call(number: str, body: dict):  # type: ignore[no-untyped-def]
        return api.post(f"/v1/statements/{ids[number]}/payment-status", json=body, headers=cae)

    confirmed = await call(MR, {"status": "confirmed"})
    repeated = await call(MR, {"status": "confirmed"})
    reversed_ = await call(MR, {"status": "rejected", "reason": "AC04"})
    not_paid = await call(AP, {"status": "confirmed"})
    unknown = await api.post(
        "/v1/statements/no-such/payment-status", json={"status": "confirmed"}, headers=cae
    )
    bad_status = await call(PLURI, {"status": "exported"})

    assert (confirmed.status_code, confirmed.json()["transition"]) == (200, "applied")
    assert confirmed.json()["status"] == "confirmed" and confirmed.json()["status_at"]
    assert (repeated.status_code, repeated.json()["transition"]) == (200, "unchanged")
    for refused in (reversed_, not_paid):
        assert refused.status_code == 409, refused.text
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.json()["type"].endswith("/payment-status-final")
    assert unknown.status_code == 404
    assert bad_status.status_code == 422


async def test_two_confirmations_at_once_count_once(billing, api, cae) -> None:
    await closed_march(billing)
    ids = {p["statement_number"]: p["statement_id"] for p in (await exported(api, cae))["payments"]}

    by_api, by_report = await asyncio.gather(
        api.post(
            f"/v1/statements/{ids[MR]}/payment-status", json={"status": "confirmed"}, headers=cae
        ),
        upload(api, cae, report((MR, "ACSC", None))),
    )

    assert (by_api.status_code, by_report.status_code) == (200, 200), by_api.text + by_report.text
    transitions = sorted([by_api.json()["transition"], by_report.json()[0]["transition"]])
    assert transitions == ["applied", "unchanged"]


async def test_refusals_are_problem_details(billing, api, cae, tokens, monkeypatch) -> None:
    await deliver(billing, banked_town())
    await open_period(billing, MARCH, AFTER_GRACE)  # closing, not closed

    not_closed = await api.post(f"/v1/periods/{MARCH}/payments", headers=cae)
    never_started = await api.post("/v1/periods/2025-05/payments", headers=cae)
    bad_month = await api.post("/v1/periods/2025-13/payments", headers=cae)
    not_exported = await api.get(f"/v1/periods/{MARCH}/payments/pain.001.xml", headers=cae)
    commune = tokens.header(tokens.commune_agent("agent-lux", "Luxembourg"))
    forbidden = await api.post(f"/v1/periods/{MARCH}/payments", headers=commune)
    await close_period(billing, MARCH, AFTER_GRACE)
    monkeypatch.delenv("BILLING_PAYMENT_DEBTOR_IBAN")
    unconfigured = await api.post(f"/v1/periods/{MARCH}/payments", headers=cae)
    monkeypatch.setenv("BILLING_PAYMENT_DEBTOR_IBAN", STATE_IBAN)
    await exported(api, cae)
    malformed = await upload(api, cae, b"<Document><CstmrPmtStsRpt>")
    not_pain_002 = await upload(
        api, cae, (Path(__file__).parents[1] / "xsd" / "README.md").read_bytes()
    )
    wrong_kind = await upload(api, cae, report().replace(b"pain.002.001.10", b"pain.001.001.09"))
    empty = await upload(api, cae, report())
    unknown = await upload(api, cae, report((MR, "ACSC", None), ("S2025-03-nobody", "ACSC", None)))
    batch = await exported(api, cae)

    expected = [
        (not_closed, 409, "period-not-closed"),
        (never_started, 409, "period-not-closed"),
        (bad_month, 422, None),
        (not_exported, 404, "not-found"),
        (forbidden, 403, None),
        (unconfigured, 503, "payments-not-configured"),
        (malformed, 400, "malformed-status-report"),
        (not_pain_002, 400, "malformed-status-report"),
        (wrong_kind, 400, "malformed-status-report"),
        (empty, 422, "invalid-input"),
        (unknown, 422, "unknown-end-to-end-id"),
    ]
    for response, status, kind in expected:
        assert response.status_code == status, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert kind is None or response.json()["type"].endswith("/" + kind), response.text
    assert unknown.json()["end_to_end_ids"] == ["S2025-03-nobody"]
    # the refused report recorded nothing, not even its known transaction
    assert {p["status"] for p in batch["payments"]} == {"exported", "not_payable"}


async def test_a_confirmation_waiting_on_another_counts_once(billing, api, cae) -> None:
    """The second confirmation read the payment as exported before the first committed: its
    conditional UPDATE waits on the row, then finds it confirmed and changes nothing."""
    await closed_march(billing)
    ids = {p["statement_number"]: p["statement_id"] for p in (await exported(api, cae))["payments"]}
    async with billing.sessions() as first, billing.sessions() as second:
        confirmed = await set_status(first, ids[MR], PaymentStatus.CONFIRMED, None)
        waiting = asyncio.create_task(set_status(second, ids[MR], PaymentStatus.CONFIRMED, None))
        await asyncio.sleep(0.3)
        assert not waiting.done()  # blocked on the row the first transaction changed
        await first.commit()
        repeated = await waiting
        await second.commit()

    assert (confirmed.transition, repeated.transition) == (Transition.APPLIED, Transition.UNCHANGED)
    assert repeated.payment.status == "confirmed"
