"""Limits and once-only rules hold when the same request arrives many times at once.

Each test fires its requests together (``asyncio.gather`` over the ASGI app, on PostgreSQL,
whose pool of 20 connections lets them really overlap, and on the embedded SQLite file) and
counts exactly what a caller sending them one by one would get: the row carrying each rule is
locked while a request decides, so the losers get the sequential answer (never a 500).
"""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pyotp
import pytest
from sqlalchemy import func, select

from csa_identity.domain.principals import AgentKind
from csa_identity.principals import service as principals
from csa_identity.tables import (
    account_children,
    accounts,
    letters,
    refresh_families,
    sms_limit_keys,
    sms_messages,
)
from csa_shared.events import new_event
from csa_shared.runtime import ServiceRuntime

from .conftest import PASSWORD, Clock, card_for, deliver, last_sms_code, register
from .test_certificates_limits import certificate_pem

pytestmark = pytest.mark.postgres

MOBILE = "+352621555777"


@pytest.fixture(params=["postgresql", "sqlite"])
def identity_database_url(
    request: pytest.FixtureRequest, pg_database_url: Callable[[], str]
) -> str | None:
    """PostgreSQL (production) and the embedded SQLite file (None: its default place)."""
    return pg_database_url() if request.param == "postgresql" else None


async def _together(calls: list[Awaitable[httpx.Response]]) -> list[httpx.Response]:
    return list(await asyncio.gather(*calls))


def _outcomes(answers: list[httpx.Response]) -> Counter[tuple[int, str | None]]:
    """(status, problem code) of each answer, counted."""
    return Counter(
        (a.status_code, a.json().get("error") if a.status_code >= 400 else None) for a in answers
    )


async def _row(runtime: ServiceRuntime, query: Any) -> Any:
    async with runtime.unit_of_work() as session:
        return (await session.execute(query)).one()


async def _account_row(runtime: ServiceRuntime) -> Any:
    return await _row(runtime, select(accounts))


async def _count(runtime: ServiceRuntime, table: Any, *where: Any) -> int:
    found = await _row(runtime, select(func.count()).select_from(table).where(*where))
    return int(found[0])


async def _registration(
    api: httpx.AsyncClient, runtime: ServiceRuntime, child_id: str = "child-1"
) -> dict[str, str]:
    """The body of a registration (to ``MOBILE``) with the linking code of a new card."""
    iam_code, linking = await card_for(api, runtime, child_id)
    return {"iam_code": iam_code, "linking_code": linking, "password": PASSWORD, "mobile": MOBILE}


async def _two_parents(api: httpx.AsyncClient, runtime: ServiceRuntime) -> list[dict[str, str]]:
    """Two registered parents (children 1 and 2): their authorization headers."""
    return [
        {"Authorization": f"Bearer {tokens['access_token']}"}
        for _, tokens in [
            await register(api, runtime, "child-1"),
            await register(api, runtime, "child-2", mobile=MOBILE),
        ]
    ]


async def test_forty_wrong_passwords_at_once_count_five_and_lock_the_right_one_out(
    api: httpx.AsyncClient, identity: ServiceRuntime, clock: Clock
) -> None:
    iam_code, _ = await register(api, identity)
    wrong = {"iam_code": iam_code, "password": "wrong-password-xyz"}
    answers = await _together([api.post("/v1/login", json=wrong) for _ in range(40)])
    assert _outcomes(answers) == {(401, "login.failed"): 40}
    account = await _account_row(identity)
    # exactly five counted: one lockout, nothing counted towards the next
    assert (account.password_failures, account.password_lockouts) == (0, 1)
    right = {"iam_code": iam_code, "password": PASSWORD}
    assert (await api.post("/v1/login", json=right)).status_code == 401
    clock.advance(seconds=61)
    assert (await api.post("/v1/login", json=right)).status_code == 202


async def test_thirty_wrong_sms_codes_at_once_check_five_then_end_the_login(
    api: httpx.AsyncClient, identity: ServiceRuntime
) -> None:
    iam_code, _ = await register(api, identity)
    started = await api.post("/v1/login", json={"iam_code": iam_code, "password": PASSWORD})
    flow_id = started.json()["flow_id"]
    code = await last_sms_code(api)
    wrong = "000000" if code != "000000" else "111111"
    body = {"flow_id": flow_id, "code": wrong}
    answers = await _together([api.post("/v1/login/complete", json=body) for _ in range(30)])
    # four wrong, the fifth locks the account's OTPs and ends the login; the rest find no login
    assert _outcomes(answers) == {
        (422, "otp.wrong"): 4,
        (429, "lockout.active"): 1,
        (422, "otp.expired"): 25,
    }
    account = await _account_row(identity)
    assert (account.otp_failures, account.otp_lockouts) == (0, 1)
    late = await api.post("/v1/login/complete", json={"flow_id": flow_id, "code": code})
    assert (late.status_code, late.json()["error"]) == (422, "otp.expired")


async def test_thirty_registrations_at_once_with_one_linking_code_send_three_sms(
    api: httpx.AsyncClient, identity: ServiceRuntime
) -> None:
    body = await _registration(api, identity)
    answers = await _together([api.post("/v1/registrations", json=body) for _ in range(30)])
    assert _outcomes(answers) == {(202, None): 3, (429, "sms.rate_limited"): 27}
    assert await _count(identity, sms_messages, sms_messages.c.phone == MOBILE) == 3


async def test_registrations_of_two_cards_to_one_number_at_once_send_it_three_sms(
    api: httpx.AsyncClient, identity: ServiceRuntime
) -> None:
    bodies = [
        await _registration(api, identity, "child-1"),
        await _registration(api, identity, "child-2"),
    ]
    answers = await _together(
        [api.post("/v1/registrations", json=bodies[i % 2]) for i in range(30)]
    )
    assert _outcomes(answers) == {(202, None): 3, (429, "sms.rate_limited"): 27}
    assert await _count(identity, sms_messages, sms_messages.c.phone == MOBILE) == 3


async def test_thirty_right_passwords_at_once_send_three_sms(
    api: httpx.AsyncClient, identity: ServiceRuntime
) -> None:
    iam_code, _ = await register(api, identity, mobile=MOBILE)  # the registration's SMS: 1
    body = {"iam_code": iam_code, "password": PASSWORD}
    answers = await _together([api.post("/v1/login", json=body) for _ in range(30)])
    assert _outcomes(answers) == {(202, None): 2, (429, "sms.rate_limited"): 28}
    assert await _count(identity, sms_messages, sms_messages.c.phone == MOBILE) == 3


async def test_thirty_activation_requests_at_once_post_one_letter(
    api: httpx.AsyncClient, identity: ServiceRuntime
) -> None:
    iam_code, _ = await register(api, identity)
    body = {"iam_code": iam_code}
    answers = await _together([api.post("/v1/activation-codes", json=body) for _ in range(30)])
    assert _outcomes(answers) == {(202, None): 30}
    assert await _count(identity, letters, letters.c.kind == "activation") == 1


async def test_thirty_refreshes_of_one_token_at_once_open_one_session_and_revoke_the_family(
    api: httpx.AsyncClient, identity: ServiceRuntime
) -> None:
    _, tokens = await register(api, identity)
    body = {"refresh_token": tokens["refresh_token"]}
    answers = await _together([api.post("/v1/sessions/refresh", json=body) for _ in range(30)])
    # the second use of the token revokes the family; after that no token of it is valid
    assert _outcomes(answers) == {
        (200, None): 1,
        (401, "session.reused"): 1,
        (401, "session.invalid"): 28,
    }
    family = await _row(identity, select(refresh_families))
    assert family.revoked_at is not None
    (winner,) = [a for a in answers if a.status_code == 200]
    after = await api.post(
        "/v1/sessions/refresh", json={"refresh_token": winner.json()["refresh_token"]}
    )
    assert after.status_code == 401


AGENT_PASSWORD = "granite-meadow-falcon-19"


async def _cae_agent_login(runtime: ServiceRuntime, clock: Clock) -> dict[str, str]:
    """A CAE agent (an administrator) and the body of its login with the current TOTP code."""
    _agent, uri = await principals.create_agent(
        runtime, agent_id="cae-agent", kind=AgentKind.CAE, password=AGENT_PASSWORD, office="cae"
    )
    totp = pyotp.parse_uri(uri).at(clock.now)
    return {"agent_id": "cae-agent", "password": AGENT_PASSWORD, "totp": totp}


async def test_thirty_agent_logins_at_once_with_one_totp_code_give_one_token(
    api: httpx.AsyncClient, identity: ServiceRuntime, clock: Clock
) -> None:
    body = await _cae_agent_login(identity, clock)
    answers = await _together([api.post("/v1/agents/login", json=body) for _ in range(30)])
    assert _outcomes(answers) == {(200, None): 1, (401, "login.failed"): 29}


async def test_thirty_registrations_of_one_agent_and_one_client_at_once_register_each_once(
    api: httpx.AsyncClient, identity: ServiceRuntime, clock: Clock
) -> None:
    login = await api.post("/v1/agents/login", json=await _cae_agent_login(identity, clock))
    admin = {"Authorization": f"Bearer {login.json()['access_token']}"}
    agent = {"agent_id": "esch-1", "kind": "commune", "commune": "esch", "password": PASSWORD}
    client = {"provider_id": "prov-1", "client_id": "prov-1-app"}
    answers = await _together(
        [api.post("/v1/admin/agents", json=agent, headers=admin) for _ in range(30)]
        + [api.post("/v1/admin/provider-clients", json=client, headers=admin) for _ in range(30)]
    )
    assert _outcomes(answers) == {(201, None): 2, (409, None): 58}


async def test_thirty_confirmations_of_one_registration_at_once_create_one_account(
    api: httpx.AsyncClient, identity: ServiceRuntime
) -> None:
    started = await api.post("/v1/registrations", json=await _registration(api, identity))
    body = {"flow_id": started.json()["flow_id"], "code": await last_sms_code(api)}
    answers = await _together([api.post("/v1/registrations/confirm", json=body) for _ in range(30)])
    assert _outcomes(answers) == {(201, None): 1, (422, "otp.expired"): 29}
    assert (await _count(identity, accounts), await _count(identity, account_children)) == (1, 1)


async def test_thirty_attachments_of_one_child_by_two_parents_at_once_attach_it_once(
    api: httpx.AsyncClient, identity: ServiceRuntime
) -> None:
    parents = await _two_parents(api, identity)
    iam_code, linking = await card_for(api, identity, "child-3")
    body = {"iam_code": iam_code, "linking_code": linking}
    answers = await _together(
        [api.post("/v1/me/children", json=body, headers=parents[i % 2]) for i in range(30)]
    )
    assert _outcomes(answers) == {(201, None): 1, (422, "linking_code.rejected"): 29}
    child = account_children.c.child_id == "child-3"
    assert await _count(identity, account_children, child) == 1


async def test_one_certificate_registered_by_two_parents_at_once_belongs_to_one(
    api: httpx.AsyncClient, identity: ServiceRuntime, clock: Clock
) -> None:
    parents = await _two_parents(api, identity)
    body = {"pem": certificate_pem("Anne Muster", clock.now)}
    answers = await _together(
        [api.post("/v1/me/certificates", json=body, headers=parents[i % 2]) for i in range(30)]
    )
    # the owner's further requests find it registered (201, unchanged), the other's are refused
    assert _outcomes(answers) == {(201, None): 15, (409, None): 15}


async def _activation_code(api: httpx.AsyncClient, iam_code: str, child_id: str) -> str:
    await api.post("/v1/activation-codes", json={"iam_code": iam_code})
    posted = (await api.get("/v1/dev/letters")).json()
    letter = next(x for x in posted if x["kind"] == "activation" and x["child_id"] == child_id)
    found = re.search(r"[2-9A-Z]{4}(?:-[2-9A-Z]{4}){3}", letter["body"])
    assert found
    return found.group(0)


async def test_two_parents_moving_to_each_others_number_at_once_never_fail(
    api: httpx.AsyncClient, identity: ServiceRuntime
) -> None:
    """Each activation checks the SMS limits of the old and of the new number: locking both
    at once (in order) keeps two parents swapping numbers from waiting for each other."""
    numbers = ["+352621555001", "+352621555002"]
    bodies = []
    for child_id, old, new in [("child-1", *numbers), ("child-2", *reversed(numbers))]:
        iam_code, _ = await register(api, identity, child_id, mobile=old)
        code = await _activation_code(api, iam_code, child_id)
        bodies.append(
            {"iam_code": iam_code, "activation_code": code, "new_password": PASSWORD, "mobile": new}
        )
    answers = await _together(
        [api.post("/v1/activation-codes/use", json=bodies[i % 2]) for i in range(30)]
    )
    assert set(_outcomes(answers)) <= {(202, None), (429, "sms.rate_limited")}
    for number in numbers:
        assert await _count(identity, sms_messages, sms_messages.c.phone == number) <= 3


async def test_the_sms_limit_rows_of_a_parent_go_with_the_erasure_of_its_child(
    api: httpx.AsyncClient, identity: ServiceRuntime, clock: Clock
) -> None:
    """They name the number and the IAM code (made of the child's name)."""
    iam_code, _ = await register(api, identity, mobile=MOBILE)
    await api.post("/v1/login", json={"iam_code": iam_code, "password": PASSWORD})
    assert await _count(identity, sms_limit_keys) == 3  # IAM code, number, account
    erased = new_event(
        "lu.csa.membership.child.erased.v1",
        source="/csa/membership",
        subject="child-1",
        data={"child_id": "child-1", "household_id": "hh-1", "erased_at": clock.now.isoformat()},
    )
    await deliver(identity, erased.to_json(), offset=1)
    assert await _count(identity, sms_limit_keys) == 0
