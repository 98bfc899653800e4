"""GDPR: a family's personal data exported from the four services, then erased, while the
closed invoice stays as issued.

The four services run on PostgreSQL and share the in-process bus. A family of Esch files and
signs a contract (membership), registers a parent account with the myCard letter (identity),
attends a crèche (attendance) and is invoiced when March 2025 is closed (billing). The export
of each service holds the child's data for the parent and a privacy officer, and for no one
else. After the privacy officer's erasure no export holds the names, national ids, street
address, mobile or IAM code any more; the invoice keeps its number and totals and its PDF
renders again; a second request and a redelivered ``child.erased`` change nothing.
"""

from __future__ import annotations

import io
import json
from collections.abc import AsyncIterator, Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import time_machine
from pypdf import PdfReader
from sqlalchemy import func, select

from csa.services import definition
from csa_billing.periods import jobs
from csa_billing.tables import child_projection, contract_version, invoice_pdf, presence_projection
from csa_identity.context import identity_of
from csa_identity.domain.passwords import CHEAP_ARGON2_FOR_TESTS, PasswordHasher
from csa_identity.tables import audit_log, cards
from csa_membership.domain.nin import make_nin
from csa_shared.bus.memory import InProcessBus
from csa_shared.events import TOPICS
from csa_shared.runtime import ServiceRuntime
from csa_shared.settings import Settings
from csa_shared.testing.events import emitted_documents
from csa_shared.testing.polling import eventually
from csa_shared.testing.tokens import TestTokens
from tests.privacy.test_secrets_stay_out_of_logs_and_events import (
    CODE,
    IAM,
    last_sms_code,
    letter_of,
)

pytestmark = pytest.mark.postgres

SERVICES = ("membership", "identity", "attendance", "billing")
ESCH = "Esch-sur-Alzette"
STREET = "12, rue de la Gare"
HOME = {"line": STREET, "postcode": "L-4001", "locality": ESCH, "country": "LU", "commune": ESCH}
MONTH = "2025-03"  # billing period 2025-03-03 .. 2025-04-06
NOW = datetime(2025, 3, 12, 10, 0)
CLOSABLE = datetime(2025, 4, 12, 10, 0)  # the first day March may be closed (5 grace days)
PROVIDER = "sea-gdpr"
MOBILE = "+352 621 987 654"
ERASED_EVENT = "lu.csa.membership.child.erased.v1"
CONSUMERS = {"identity": "identity.mycards", "billing": "billing.membership"}


@pytest.fixture
async def platform(
    pg_database_url: Callable[[], str], tmp_path: Path
) -> AsyncIterator[tuple[dict[str, ServiceRuntime], InProcessBus]]:
    settings = Settings(
        MEMBERSHIP_DATABASE_URL=pg_database_url(),
        IDENTITY_DATABASE_URL=pg_database_url(),
        ATTENDANCE_DATABASE_URL=pg_database_url(),
        BILLING_DATABASE_URL=pg_database_url(),
        CSA_VAR_DIR=str(tmp_path),
        CSA_OUTBOX_POLL_SECONDS=0.05,
    )
    bus = InProcessBus(retry_backoff_s=0.05)
    runtimes = {name: definition(name).build_runtime(settings, bus=bus) for name in SERVICES}
    identity_of(runtimes["identity"]).password_hasher = PasswordHasher(CHEAP_ARGON2_FOR_TESTS)
    for runtime in runtimes.values():
        await runtime.migrate()
    await bus.start()
    for runtime in runtimes.values():
        await runtime.start()
    yield runtimes, bus
    for runtime in runtimes.values():
        await runtime.stop()
    await bus.stop()


def client(runtime: ServiceRuntime, **headers: str) -> httpx.AsyncClient:
    app = definition(runtime.name).create_app(runtime, manage_lifecycle=False)
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url=f"http://{runtime.name}", headers=headers
    )


async def test_export_then_erasure_scrubs_the_family_and_keeps_the_closed_invoice(
    platform: tuple[dict[str, ServiceRuntime], InProcessBus],
) -> None:
    runtimes, bus = platform
    tokens = TestTokens()
    for name, runtime in runtimes.items():
        runtime.token_verifier = tokens.verifier(name)  # type: ignore[arg-type]
    apis = {name: client(runtime) for name, runtime in runtimes.items()}
    with time_machine.travel(NOW, tick=True):
        family = await file_and_sign(apis["membership"], tokens)
        child_id = family["child_id"]
        await eventually(lambda: card_of(runtimes["identity"], child_id), timeout=20)
        iam_code = await register_parent(apis["identity"], runtimes["identity"], child_id)
        await attend(apis["attendance"], tokens, child_id)
        await eventually(lambda: billing_knows(runtimes["billing"], child_id), timeout=20)
        number, totals, invoice_id = await close_month(
            apis["billing"], runtimes["billing"], tokens, child_id
        )

        parent = tokens.header(tokens.parent("parent-gdpr", [child_id]))
        officer = tokens.header(tokens.privacy_officer("dpo-gdpr"))
        personal = [family["child_nin"], family["parent_nin"], STREET, "Muller", "Lina", MOBILE]
        personal.append(iam_code)
        before = await exports(apis, child_id, officer)
        assert '"Lina"' in before["membership"] and family["child_nin"] in before["membership"]
        assert STREET in before["membership"] and family["parent_nin"] in before["membership"]
        assert iam_code in before["identity"] and MOBILE.replace(" ", "") in before["identity"]
        assert "Muller" in before["billing"] and number in json.dumps(before["billing"])
        assert f"gdpr-{MONTH}-03" in before["attendance"]
        for secret in ("password_hash", "linking_code_hash", "otp_secret", "current_token_hash"):
            assert secret not in before["identity"]
        assert await exports(apis, child_id, parent) == before  # the parent sees the same
        await refused_to_others(apis, tokens, child_id)
        pdf = await apis["billing"].get(f"/v1/invoices/{invoice_id}.pdf", headers=parent)
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
        addressee = PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text().splitlines()[1]
        assert addressee == "Anna Muller"  # membership's legal representative, through billing

        refused = await apis["membership"].post(
            "/v1/privacy/erasures", json={"child_id": child_id, "reason": "x"}, headers=parent
        )
        assert refused.status_code == 403, refused.text
        erased = await apis["membership"].post(
            "/v1/privacy/erasures",
            json={"child_id": child_id, "reason": "request of the parent, 2025-03-11"},
            headers=officer,
        )
        assert erased.status_code == 200, erased.text
        assert erased.json()["terminated_contracts"] == [family["contract_id"]]
        assert erased.json()["already_erased"] is False
        await eventually(lambda: consumed(runtimes, bus), timeout=20)

        after = await exports(apis, child_id, officer)
        for service, text in after.items():
            for value in personal:
                for form in {value, value.replace(" ", "")}:
                    assert form not in text, f"{service} export still holds {form!r}"
        contract = json.loads(after["membership"])["contracts"][0]
        assert contract["status"] == "terminated"
        card = json.loads(after["identity"])["card"]
        assert card["status"] == "revoked" and card["linking_code_spent_at"] is not None
        assert json.loads(after["identity"])["accounts"] == []
        assert after["attendance"] == before["attendance"]
        agent = tokens.header(tokens.commune_agent("agent-gdpr", ESCH))
        read = await apis["membership"].get(f"/v1/contracts/{family['contract_id']}", headers=agent)
        assert read.status_code == 200 and "Muller" not in read.text, read.text
        document = f"/v1/contracts/{family['contract_id']}/document"
        assert (await apis["membership"].get(document, headers=agent)).status_code == 422
        assert await account_state(runtimes["identity"]) == ("suspended", "", None)

        billed = json.loads(after["billing"])["invoices"]
        assert [(i["series"], i["seq"]) for i in billed] == [
            (i["series"], i["seq"]) for i in json.loads(before["billing"])["invoices"]
        ]
        assert await invoice_totals(apis["billing"], invoice_id, parent) == (number, totals)
        assert await cached_pdfs(runtimes["billing"]) == 0  # dropped, re-rendered on demand
        again = await apis["billing"].get(f"/v1/invoices/{invoice_id}.pdf", headers=parent)
        assert again.status_code == 200 and again.content.startswith(b"%PDF")
        printed = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(again.content)).pages)
        assert "Muller" not in printed and STREET not in printed  # nor the representative's
        assert await cached_pdfs(runtimes["billing"]) == 1

        effects = await observable(runtimes, child_id)
        repeat = await apis["membership"].post(
            "/v1/privacy/erasures", json={"child_id": child_id, "reason": "again"}, headers=officer
        )
        assert repeat.status_code == 200 and repeat.json()["already_erased"] is True
        await redeliver_erasure(runtimes["membership"], bus)
        await eventually(lambda: consumed(runtimes, bus), timeout=20)
        assert await observable(runtimes, child_id) == effects
        assert await cached_pdfs(runtimes["billing"]) == 1  # a second scrub would drop it
        assert await exports(apis, child_id, officer) == after
    for api in apis.values():
        await api.aclose()


# ---- the family's life ------------------------------------------------------------------


async def file_and_sign(api: httpx.AsyncClient, tokens: TestTokens) -> dict[str, str]:
    agent = tokens.header(tokens.commune_agent("agent-gdpr", ESCH))
    child_nin = make_nin(date(2022, 5, 10), 733).value
    parent_nin = make_nin(date(1988, 11, 3), 733).value
    body = {
        "child": {"first_name": "Lina", "last_name": "Muller", "nin": child_nin},
        "child_address": HOME,
        "representative": {"first_name": "Anna", "last_name": "Muller", "nin": parent_nin},
        "language": "fr",
        "schooling": "none",
        "resident": True,
        "household": {
            "situation": "living_together",
            "members": [
                {
                    "role": "representative",
                    "name": "Anna Muller",
                    "incomes": [{"kind": "taxable", "monthly_amount": "5200.00"}],
                }
            ],
        },
        "siblings": [],
        "proofs": [{"type": "tax_assessment", "dated": "2025-01-15"}],
    }
    filed = await api.post("/v1/contracts", json=body, headers=agent)
    assert filed.status_code == 201, filed.text
    contract_id = filed.json()["contract_id"]
    signed = await api.post(f"/v1/contracts/{contract_id}/signature", headers=agent)
    assert signed.status_code == 200, signed.text
    return {
        "child_id": str(filed.json()["child_id"]),
        "contract_id": contract_id,
        "child_nin": child_nin,
        "parent_nin": parent_nin,
    }


async def register_parent(api: httpx.AsyncClient, runtime: ServiceRuntime, child_id: str) -> str:
    letter = await letter_of(runtime, child_id)
    iam_code = IAM.search(letter).group(0)  # type: ignore[union-attr]
    started = await api.post(
        "/v1/registrations",
        json={
            "iam_code": iam_code,
            "linking_code": CODE.search(letter).group(0),  # type: ignore[union-attr]
            "password": "lilac-harbour-tandem-42",
            "mobile": MOBILE,
        },
    )
    assert started.status_code == 202, started.text
    confirmed = await api.post(
        "/v1/registrations/confirm",
        json={"flow_id": started.json()["flow_id"], "code": await last_sms_code(runtime)},
    )
    assert confirmed.status_code == 201, confirmed.text
    return iam_code


async def attend(api: httpx.AsyncClient, tokens: TestTokens, child_id: str) -> None:
    agent = tokens.header(tokens.cae_agent("agent-cae-gdpr"))
    provider = tokens.header(tokens.provider(PROVIDER))
    registered = await api.post(
        "/v1/providers",
        json={
            "provider_id": PROVIDER,
            "provider_type": "sea_commercial",
            "effective_from": "2025-01-06",
            "name": "Crèche GDPR",
            "address": {"street": "1 rue Haute", "postcode": "L-1234", "locality": "Luxembourg"},
            "commune": "Luxembourg",
            "hourly_price": "7.50",
            "meal_price": "4.50",
            "plurilingual": False,
        },
        headers=agent,
    )
    assert registered.status_code == 201, registered.text
    contract = {
        "contract_id": "ec-gdpr",
        "child_id": child_id,
        "provider_id": PROVIDER,
        "start": "2025-01-06",
        "hours_per_week": "40",
        "hourly_price": "7.50",
    }
    created = await api.post("/v1/education-contracts", json=contract, headers=agent)
    assert created.status_code == 201, created.text
    for day in ("03", "04"):
        presence = {
            "record_id": f"gdpr-{MONTH}-{day}",
            "child_id": child_id,
            "start": f"{MONTH}-{day}T08:00:00",
            "end": f"{MONTH}-{day}T12:00:00",
        }
        posted = await api.post("/v1/presences", json=presence, headers=provider)
        assert posted.status_code == 201, posted.text


async def close_month(
    api: httpx.AsyncClient, runtime: ServiceRuntime, tokens: TestTokens, child_id: str
) -> tuple[str, tuple[str, str], str]:
    with time_machine.travel(CLOSABLE, tick=True):  # March's grace days have passed
        agent = tokens.header(tokens.cae_agent("agent-cae-gdpr"))
        started = await api.post(f"/v1/periods/{MONTH}/close", json={}, headers=agent)
        assert started.status_code == 202, started.text
        task = jobs.running(runtime, MONTH)
        if task is not None:
            await task
        closed = await api.get(f"/v1/periods/{MONTH}", headers=agent)
    assert closed.status_code == 200 and closed.json()["status"] == "closed", closed.text
    parent = tokens.header(tokens.parent("parent-gdpr", [child_id]))
    invoices = await api.get("/v1/invoices", headers=parent)
    assert invoices.status_code == 200 and len(invoices.json()["items"]) == 1, invoices.text
    issued = invoices.json()["items"][0]
    assert issued["parent_total"] not in ("0", "0.00")
    return issued["number"], (issued["parent_total"], issued["state_total"]), issued["id"]


# ---- probes ---------------------------------------------------------------------------


async def exports(
    apis: dict[str, httpx.AsyncClient], child_id: str, headers: dict[str, str]
) -> dict[str, str]:
    found = {}
    for name, api in apis.items():
        answer = await api.get(f"/v1/privacy/children/{child_id}/export", headers=headers)
        assert answer.status_code == 200, f"{name}: {answer.text}"
        assert answer.json()["child_id"] == child_id
        found[name] = answer.text
    return found


async def refused_to_others(
    apis: dict[str, httpx.AsyncClient], tokens: TestTokens, child_id: str
) -> None:
    others = {
        "parent of another family": tokens.parent("parent-other", ["child-of-family-b"]),
        "provider": tokens.provider(PROVIDER),
        "commune agent": tokens.commune_agent("agent-gdpr", ESCH),
        "CAE agent": tokens.cae_agent("agent-cae-gdpr"),
    }
    for name, api in apis.items():
        path = f"/v1/privacy/children/{child_id}/export"
        anonymous = await api.get(path)
        assert anonymous.status_code == 401, f"{name} anonymous: {anonymous.text}"
        for who, token in others.items():
            answer = await api.get(path, headers=tokens.header(token))
            assert answer.status_code in (403, 404), f"{name} {who}: {answer.text}"
            assert answer.headers["content-type"].startswith("application/problem+json")
            assert "Muller" not in answer.text and child_id not in answer.json().get("detail", "")


async def card_of(runtime: ServiceRuntime, child_id: str) -> Any:
    async with runtime.sessions() as session:
        return await session.scalar(select(cards.c.iam_code).where(cards.c.child_id == child_id))


async def billing_knows(runtime: ServiceRuntime, child_id: str) -> bool:
    async with runtime.sessions() as session:
        presences = await session.scalar(
            select(func.count()).where(presence_projection.c.child_id == child_id)
        )
        versions = await session.scalar(
            select(func.count()).where(contract_version.c.child_id == child_id)
        )
        named = await session.scalar(
            select(func.count()).where(child_projection.c.child_id == child_id)
        )
    return presences == 2 and versions == 1 and named == 1


async def consumed(runtimes: dict[str, ServiceRuntime], bus: InProcessBus) -> bool:
    """Membership's outbox is empty and every event on its topic has been handled."""
    if await runtimes["membership"].relay.pending():
        return False
    end = len(bus._logs.get(TOPICS["membership"], []))
    return all(bus.committed(group, TOPICS["membership"]) == end for group in CONSUMERS.values())


async def redeliver_erasure(runtime: ServiceRuntime, bus: InProcessBus) -> None:
    """The same ``child.erased`` message once more on the topic (an at-least-once repeat)."""
    published = [m for m in bus.messages(TOPICS["membership"]) if ERASED_EVENT.encode() in m.value]
    assert len(published) == 1, "one erasure, one event"
    await bus.publish(TOPICS["membership"], published[0].key, published[0].value)


async def observable(runtimes: dict[str, ServiceRuntime], child_id: str) -> dict[str, Any]:
    """What a repeated erasure could change: events staged, audit entries, rows scrubbed."""
    out: dict[str, Any] = {}
    for name in ("membership", "identity", "billing"):  # (a redelivered copy is one event)
        documents = await emitted_documents(runtimes[name])
        out[f"{name} events"] = len({document["id"] for document in documents})
    async with runtimes["identity"].sessions() as session:
        out["audit"] = await session.scalar(select(func.count()).select_from(audit_log))
        card = (await session.execute(select(cards).where(cards.c.child_id == child_id))).one()
        out["card"] = (card.iam_code, card.valid_until, card.linking_code_spent_at)
    return out


async def account_state(runtime: ServiceRuntime) -> tuple[str, str, str | None]:
    from csa_identity.tables import accounts

    async with runtime.sessions() as session:
        row = (
            await session.execute(select(accounts.c.status, accounts.c.mobile, accounts.c.email))
        ).one()
    return row.status, row.mobile, row.email


async def invoice_totals(
    api: httpx.AsyncClient, invoice_id: str, headers: dict[str, str]
) -> tuple[str, tuple[str, str]]:
    answer = await api.get(f"/v1/invoices/{invoice_id}", headers=headers)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    return body["number"], (body["parent_total"], body["state_total"])


async def cached_pdfs(runtime: ServiceRuntime) -> int:
    async with runtime.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(invoice_pdf)) or 0)
