"""National ids, OTPs, linking/activation codes, passwords and tokens stay out of logs and events.

The real flows run on PostgreSQL and the real broker with every logger of the process at
DEBUG (SQLAlchemy, uvicorn, httpx, aiokafka, the services): an application with national
ids filed and signed in membership, the child's myCard issued by identity from the event,
a parent registering with the linking code and a password, logging in with the SMS code,
refreshing and logging out, reactivating with an activation code, and a provider posting
presences with its token. Then every captured log record and every event staged in the
outboxes is scanned for each secret value and for anything shaped like a national id.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from csa.services import definition
from csa_identity.accounts.repository import list_sms
from csa_identity.adapters.letters import list_letters
from csa_identity.context import identity_of
from csa_identity.domain.passwords import CHEAP_ARGON2_FOR_TESTS, PasswordHasher
from csa_identity.tables import cards
from csa_membership.domain.nin import make_nin
from csa_shared.bus.kafka import ensure_topics
from csa_shared.events import TOPICS
from csa_shared.runtime import ServiceRuntime
from csa_shared.settings import Settings
from csa_shared.testing.events import emitted
from csa_shared.testing.tokens import TestTokens
from tests.privacy.capture import Collector, all_logs_at_debug, leaks

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]

ESCH = "Esch-sur-Alzette"
HOME = {
    "line": "12, rue de la Gare",
    "postcode": "L-4001",
    "locality": ESCH,
    "country": "LU",
    "commune": ESCH,
}
CODE = re.compile(r"[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}")
IAM = re.compile(r"\b[A-Z][a-z]{2}[A-Z][a-z]\d{3,5}\b")
SERVICES = ("membership", "identity", "attendance")


@pytest.fixture
async def platform(
    kafka_broker: Any, pg_database_url: Callable[[], str], tmp_path: Path
) -> AsyncIterator[dict[str, ServiceRuntime]]:
    await ensure_topics(kafka_broker.bootstrap, list(TOPICS.values()))
    settings = Settings(
        KAFKA_BOOTSTRAP_SERVERS=kafka_broker.bootstrap,
        KAFKA_ENABLE_IDEMPOTENCE=kafka_broker.enable_idempotence,
        MEMBERSHIP_DATABASE_URL=pg_database_url(),
        IDENTITY_DATABASE_URL=pg_database_url(),
        ATTENDANCE_DATABASE_URL=pg_database_url(),
        CSA_VAR_DIR=str(tmp_path),
        CSA_OUTBOX_POLL_SECONDS=0.05,
    )
    runtimes = {name: definition(name).build_runtime(settings) for name in SERVICES}
    identity_of(runtimes["identity"]).password_hasher = PasswordHasher(CHEAP_ARGON2_FOR_TESTS)
    for runtime in runtimes.values():
        await runtime.start(migrate=True)
    yield runtimes
    for runtime in runtimes.values():
        await runtime.stop()


def client(runtime: ServiceRuntime, **headers: str) -> httpx.AsyncClient:
    app = definition(runtime.name).create_app(runtime, manage_lifecycle=False)
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url=f"http://{runtime.name}", headers=headers
    )


async def test_no_secret_in_any_log_record_or_staged_event(platform, tmp_path) -> None:
    tokens = TestTokens()
    for name in ("membership", "attendance"):
        platform[name].token_verifier = tokens.verifier(name)
    secrets: dict[str, str] = {}
    with all_logs_at_debug() as logs:
        child_id = await membership_flow(platform["membership"], tokens, secrets)
        await identity_flow(platform["identity"], child_id, secrets)
        await attendance_flow(platform["attendance"], tokens, secrets)
        events = await staged_events(platform)

    assert len(logs.lines) > 100, "the capture saw almost nothing: is logging wired?"
    assert any("lu.csa.membership.child.registered.v1" in e for e in events)
    assert_no_leak(logs, events, secrets)


def assert_no_leak(logs: Collector, events: list[str], secrets: dict[str, str]) -> None:
    in_logs = leaks(logs.text, secrets)
    in_events = leaks("\n".join(events), secrets)
    assert not in_logs, f"secrets in logs: {in_logs}"
    assert not in_events, f"secrets in events: {in_events}"


async def membership_flow(
    runtime: ServiceRuntime, tokens: TestTokens, secrets: dict[str, str]
) -> str:
    agent_token = tokens.commune_agent("agent-privacy", ESCH)
    secrets["commune agent token"] = agent_token
    child_nin = make_nin(date(2022, 5, 10), 421).value
    parent_nin = make_nin(date(1988, 11, 3), 77).value
    bad_nin = child_nin[:-1] + str((int(child_nin[-1]) + 1) % 10)  # wrong check digit
    secrets |= {"child NIN": child_nin, "parent NIN": parent_nin, "mistyped NIN": bad_nin}
    body = {
        "child": {"first_name": "Mia", "last_name": "Muller", "nin": child_nin},
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
    async with client(runtime, **tokens.header(agent_token)) as api:
        mistyped = {**body, "child": {**body["child"], "nin": bad_nin}}
        refused = await api.post("/v1/contracts", json=mistyped)
        assert refused.status_code == 422, refused.text
        filed = await api.post("/v1/contracts", json=body)
        assert filed.status_code == 201, filed.text
        contract = filed.json()["contract_id"]
        signed = await api.post(f"/v1/contracts/{contract}/signature")
        assert signed.status_code == 200, signed.text
        again = await api.post("/v1/contracts", json=body)  # the same child twice: a conflict
        assert again.status_code in (409, 422), again.text
    return str(filed.json()["child_id"])


async def identity_flow(runtime: ServiceRuntime, child_id: str, secrets: dict[str, str]) -> None:
    await wait_for_card(runtime, child_id)
    password, mobile = "lilac-harbour-tandem-42", "+352 621 123 456"
    secrets |= {"password": password, "wrong password": "wrong-password-xyz-9"}
    async with client(runtime) as api:
        letter = await letter_of(runtime, child_id)
        iam_code = IAM.search(letter).group(0)  # type: ignore[union-attr]
        secrets["linking code"] = CODE.search(letter).group(0)  # type: ignore[union-attr]
        started = await api.post(
            "/v1/registrations",
            json={
                "iam_code": iam_code,
                "linking_code": secrets["linking code"],
                "password": password,
                "mobile": mobile,
            },
        )
        assert started.status_code == 202, started.text
        secrets["registration OTP"] = await last_sms_code(runtime)
        confirmed = await api.post(
            "/v1/registrations/confirm",
            json={"flow_id": started.json()["flow_id"], "code": secrets["registration OTP"]},
        )
        assert confirmed.status_code == 201, confirmed.text
        secrets["first access token"] = confirmed.json()["access_token"]
        secrets["first refresh token"] = confirmed.json()["refresh_token"]
        wrong = await api.post(
            "/v1/login", json={"iam_code": iam_code, "password": secrets["wrong password"]}
        )
        assert wrong.status_code == 401
        login = await api.post("/v1/login", json={"iam_code": iam_code, "password": password})
        assert login.status_code == 202, login.text
        secrets["login OTP"] = await last_sms_code(runtime)
        done = await api.post(
            "/v1/login/complete",
            json={"flow_id": login.json()["flow_id"], "code": secrets["login OTP"]},
        )
        assert done.status_code == 200, done.text
        secrets["access token"] = done.json()["access_token"]
        secrets["refresh token"] = done.json()["refresh_token"]
        refreshed = await api.post(
            "/v1/sessions/refresh", json={"refresh_token": secrets["refresh token"]}
        )
        assert refreshed.status_code == 200, refreshed.text
        secrets["rotated refresh token"] = refreshed.json()["refresh_token"]
        out = await api.post("/v1/logout", json={"refresh_token": secrets["rotated refresh token"]})
        assert out.status_code in (200, 204), out.text
        await activation_flow(api, runtime, child_id, iam_code, mobile, secrets)


async def activation_flow(
    api: httpx.AsyncClient,
    runtime: ServiceRuntime,
    child_id: str,
    iam_code: str,
    mobile: str,
    secrets: dict[str, str],
) -> None:
    """The parent forgot everything: an activation code by post, a new password, an OTP."""
    before = len(await letters_of(runtime, child_id))
    requested = await api.post("/v1/activation-codes", json={"iam_code": iam_code})
    assert requested.status_code == 202, requested.text
    letters = await letters_of(runtime, child_id)
    assert len(letters) == before + 1, letters
    secrets["activation code"] = CODE.search(letters[0]).group(0)  # type: ignore[union-attr]
    secrets["new password"] = "violet-canal-ribbon-77"
    used = await api.post(
        "/v1/activation-codes/use",
        json={
            "iam_code": iam_code,
            "activation_code": secrets["activation code"],
            "new_password": secrets["new password"],
            "mobile": mobile,
        },
    )
    assert used.status_code == 202, used.text
    secrets["activation OTP"] = await last_sms_code(runtime)
    confirmed = await api.post(
        "/v1/activation-codes/confirm",
        json={"flow_id": used.json()["flow_id"], "code": secrets["activation OTP"]},
    )
    assert confirmed.status_code == 204, confirmed.text


async def attendance_flow(
    runtime: ServiceRuntime, tokens: TestTokens, secrets: dict[str, str]
) -> None:
    provider_token = tokens.provider("sea-privacy")
    agent_token = tokens.cae_agent("agent-cae-privacy")
    secrets |= {"provider token": provider_token, "CAE agent token": agent_token}
    agent = tokens.header(agent_token)
    async with client(runtime, **tokens.header(provider_token)) as api:
        provider = {
            "provider_id": "sea-privacy",
            "provider_type": "sea_commercial",
            "effective_from": "2025-01-06",
            "name": "Crèche Privacy",
            "address": {"street": "1 rue Haute", "postcode": "L-1234", "locality": "Luxembourg"},
            "commune": "Luxembourg",
            "hourly_price": "7.50",
            "meal_price": "4.50",
            "plurilingual": False,
        }
        assert (await api.post("/v1/providers", json=provider, headers=agent)).status_code == 201
        contract = {
            "contract_id": "ec-privacy",
            "child_id": "child-privacy",
            "provider_id": "sea-privacy",
            "start": "2025-01-06",
            "hours_per_week": "40",
            "hourly_price": "7.50",
        }
        created = await api.post("/v1/education-contracts", json=contract, headers=agent)
        assert created.status_code == 201, created.text
        for day in ("03", "04"):
            presence = {
                "record_id": f"privacy-{day}",
                "child_id": "child-privacy",
                "start": f"2025-03-{day}T08:00:00",
                "end": f"2025-03-{day}T12:00:00",
            }
            assert (await api.post("/v1/presences", json=presence)).status_code == 201
        refused = await api.get("/v1/presences", headers={"Authorization": "Bearer not-a-jwt"})
        assert refused.status_code == 401


async def wait_for_card(runtime: ServiceRuntime, child_id: str) -> None:
    import asyncio
    import time

    deadline = time.monotonic() + 30
    while True:
        async with runtime.sessions() as session:
            found = await session.scalar(
                select(cards.c.child_id).where(cards.c.child_id == child_id)
            )
        if found:
            return
        assert time.monotonic() < deadline, "identity issued no myCard within 30 s"
        await asyncio.sleep(0.1)


async def letters_of(runtime: ServiceRuntime, child_id: str) -> list[str]:
    """The child's letters in identity's spool, newest first (the dev endpoint is embedded-only)."""
    async with runtime.sessions() as session:
        rows = await list_letters(session)
    return [row["body"] for row in rows if row["child_id"] == child_id]


async def letter_of(runtime: ServiceRuntime, child_id: str) -> str:
    letters = await letters_of(runtime, child_id)
    assert letters, "no myCard letter"
    return letters[-1]


async def last_sms_code(runtime: ServiceRuntime) -> str:
    """The code of the newest SMS recorded by identity's SMS sink."""
    async with runtime.sessions() as session:
        latest = (await list_sms(session))[0]
    found = re.search(r"\b(\d{6})\b", latest["body"])
    assert found, latest
    return found.group(1)


async def staged_events(platform: dict[str, ServiceRuntime]) -> list[str]:
    """Every event the services staged in their outboxes, as published."""
    return [m.value.decode() for r in platform.values() for m in await emitted(r)]
