"""Identity on PostgreSQL through HTTP, with the SMS sink and a controllable clock."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from csa_identity.app import definition
from csa_identity.consumers import GROUP as MEMBERSHIP_GROUP
from csa_identity.context import IdentityContext, identity_of
from csa_identity.domain.passwords import CHEAP_ARGON2_FOR_TESTS, PasswordHasher
from csa_shared.bus import Message
from csa_shared.events import new_event
from csa_shared.runtime import ServiceRuntime
from csa_shared.settings import Settings

PASSWORD = "lilac-harbour-tandem-42"


@dataclass
class Clock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 9, 1, 8, 0, tzinfo=UTC))


@pytest.fixture
def identity_database_url(pg_database_url: Callable[[], str]) -> str | None:
    """The service's database; a module may override it (None: the embedded SQLite file)."""
    return pg_database_url()


@pytest.fixture
async def identity(
    identity_database_url: str | None, tmp_path: Path, clock: Clock
) -> AsyncIterator[ServiceRuntime]:
    settings = Settings(
        IDENTITY_DATABASE_URL=identity_database_url, CSA_VAR_DIR=str(tmp_path), CSA_DEV_MODE=True
    )
    runtime = definition.build_runtime(settings)
    context = identity_of(runtime)
    context.clock = clock
    context.password_hasher = PasswordHasher(CHEAP_ARGON2_FOR_TESTS)
    await runtime.start(migrate=True)
    yield runtime
    await runtime.stop()


@pytest.fixture
def context(identity: ServiceRuntime) -> IdentityContext:
    return identity_of(identity)


@pytest.fixture
async def api(identity: ServiceRuntime) -> AsyncIterator[httpx.AsyncClient]:
    app = definition.create_app(identity, manage_lifecycle=False)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://identity") as client:
        yield client


def child_registered(child_id: str, **overrides: Any) -> bytes:
    address = {
        "line": "12, rue de la Gare",
        "postcode": "L-1611",
        "locality": "Luxembourg",
        "country": "LU",
    }
    data = {
        "child_id": child_id,
        "surname": "Muster",
        "first_name": "Maëlle",
        "birth_date": date(2019, 5, 4).isoformat(),
        "language": "lb",
        "home_address": address,
        "billing_address": address,
        "household_id": "hh-1",
        "contract_id": "ct-1",
        **overrides,
    }
    event = new_event(
        "lu.csa.membership.child.registered.v1",
        source="/csa/membership",
        subject=child_id,
        data=data,
    )
    return event.to_json()


async def deliver(runtime: ServiceRuntime, value: bytes, offset: int = 0) -> None:
    """Hand one membership event to identity's inbox consumer, as the bus would."""
    (consumer,) = [c for c in runtime.consumers if c.name == MEMBERSHIP_GROUP]
    await consumer(Message("csa.membership.events", "k", value, 0, offset))


def linking_code_of(letter_body: str) -> str:
    """The linking code printed on a myCard letter (4 groups of 4 symbols)."""
    found = re.search(r"[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}", letter_body)
    assert found, letter_body
    return found.group(0)


async def card_for(
    api: httpx.AsyncClient, runtime: ServiceRuntime, child_id: str, **data: Any
) -> tuple[str, str]:
    """Issue a card through the consumer; return (IAM code, linking code) read from the spool."""
    await deliver(runtime, child_registered(child_id, **data))
    letters = (await api.get("/v1/dev/letters")).json()
    letter = next(item for item in letters if item["child_id"] == child_id)
    iam_code = re.search(r"\b[A-Z][a-z]{2}[A-Z][a-z]\d{3,5}\b", letter["body"]).group(0)
    return iam_code, linking_code_of(letter["body"])


async def last_sms_code(api: httpx.AsyncClient) -> str:
    latest = (await api.get("/v1/dev/sms")).json()[0]
    found = re.search(r"\b(\d{6})\b", latest["body"])
    assert found
    return found.group(1)


async def register(
    api: httpx.AsyncClient,
    runtime: ServiceRuntime,
    child_id: str = "child-1",
    mobile: str = "+352 621 123 456",
    **card: Any,
) -> tuple[str, dict[str, Any]]:
    """Register a parent with a new card for `child_id` (`card`: the child.registered data)."""
    iam_code, linking = await card_for(api, runtime, child_id, **card)
    started = await api.post(
        "/v1/registrations",
        json={
            "iam_code": iam_code,
            "linking_code": linking,
            "password": PASSWORD,
            "mobile": mobile,
        },
    )
    assert started.status_code == 202, started.text
    code = await last_sms_code(api)
    confirmed = await api.post(
        "/v1/registrations/confirm", json={"flow_id": started.json()["flow_id"], "code": code}
    )
    assert confirmed.status_code == 201, confirmed.text
    return iam_code, confirmed.json()
