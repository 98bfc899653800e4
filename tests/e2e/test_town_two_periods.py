"""A town's March and April 2025 through the public HTTP APIs (issue 18, "How to show it").

Membership, attendance and billing run as in the embedded platform: SQLite files, one
in-process bus, each service's own HTTP app; the outbox relays carry the events to billing's
consumers. A commune agent files and signs the membership contracts, a CAE agent registers
the crèches and the education contracts, the Dageselteren agency the parental assistants,
the providers post presences, meals and an AP service sheet, the CAE agent closes each
period after its grace days (time-machine moves the clock: a commune agent may not close,
nobody before the grace days) and each parent reads the invoices through billing's API.

Parameters: the set from 2025-01-06 (csa-rules.md §1: SEA cap 6.00, AP cap 5.40, AP night
supplement +0.50/h paid by the state, meal cap 4.50); SSM 2,570.93. Periods (§7): 2025-03 is
2025-03-03 to Sunday 2025-04-06, 2025-04 is 2025-04-07 to 2025-05-04. The shipped school
calendar 2024-2025 has the Easter holidays from Saturday 2025-04-05 to 2025-04-20, so the
week of 2025-03-31 is a school week and those of 2025-04-07 and 2025-04-14 are holiday
weeks (§5: the 100.00 weekly cap on the tranche lines of young children; never reached here).

Providers: sea-gare (SEA conventionné, 6.00/h, meal 4.50); sea-park (SEA commercial,
8.00/h, meal 5.00: 2.00/h above the cap); ap-lena (AP, 6.00/h: 0.60/h above the cap, meal
4.00); ap-mia (AP, 5.40/h, meal 4.00). None plurilingual.

* Léa: income 7,000.00 = 2.72 × SSM → ``lt_3``, rank 1, young: tranches 8/21/31 h at
  0.00/2.00/3.50, meal rate 2.00. March, week of 03-10: Monday 08:00-12:00 at sea-gare
  with a meal, Tuesday 08:00-13:00 at sea-park with a meal (two providers, two invoices).
  The hours in order: Monday 4 h tranche 1 (state 6.00/h); Tuesday 4 h tranche 1 and 1 h
  tranche 2 (state 6.00 − 2.00 = 4.00), priced at the cap 6.00, plus the supplement
  5 h × 2.00 = 10.00. Meals: rate 2.00, state 4.50 − 2.00 = 2.50; sea-park's 5.00 meal
  leaves 0.50 more to the parent.
  - March, sea-gare: parent 0.00 + 2.00 = **2.00**, state 24.00 + 2.50 = **26.50** (28.50).
  - March, sea-park: parent 2.00 + 10.00 + 2.50 = **14.50**, state 24.00 + 4.00 + 2.50 =
    **30.50** (45.00 = 5 h × 8.00 + 5.00).
  - April, sea-gare: Tuesday 2025-04-22 08:00-11:00 (a school week: Easter Monday is a
    public holiday), 3 h of tranche 1: parent **0.00**, state **18.00**.
* Tom: placed in an institution (§2): ``lt_4_5`` rank 1 (3/21/36 h at 4.00/4.00/6.00,
  meal rate 2.00), the state takes over the parent's share. March: Wednesday 2025-03-19
  08:00-18:00 at sea-gare with a meal: tranche 1 3 h (parent 12.00, state 6.00), tranche 2
  7 h (parent 28.00, state 14.00), meal (parent 2.00, state 2.50); the takeover line
  −42.00 / +42.00: parent **0.00**, state **64.50** (60.00 + 4.50). April: nothing billed,
  one 0.00 / 0.00 invoice without provider.
* Noah: income 12,000.00 = 4.67 × SSM → ``ge_4_5``, rank 1, young: 3/21/36 h at
  4.00/4.00/6.00, meal rate 2.00; at an AP the state pays 5.40 − 4.00 = 1.40/h.
  - ap-mia's service sheet for March: Wednesday 2025-03-12, 8 h in the day band (laid
    07:00-15:00), 2 h outside it (19:00-21:00), one lunch. Tranche 1 3 h (parent 12.00,
    state 4.20), tranche 2 7 h (parent 28.00, state 9.80), night supplement 2 × 0.50 = 1.00
    (state), lunch (parent 2.00, state 4.00 − 2.00 = 2.00): parent **42.00**, state
    **17.00** (59.00 = 10 × 5.40 + 4.00 + 1.00).
  - At ap-lena, Sunday 2025-04-06 20:00 to Monday 07:00 (the period boundary at midnight).
    March bills Sunday's 4 h in the week of 03-31: tranche 1 3 h (parent 12.00, state 4.20),
    tranche 2 1 h (parent 4.00, state 1.40), above the cap 4 × 0.60 = 2.40 (parent), the
    weekend/night supplement 4 × 0.50 = 2.00 (state): parent **18.40**, state **7.60**.
  - April bills Monday's 7 h (00:00-07:00) in the week of 04-07: tranche 1 3 h (12.00 /
    4.20), tranche 2 4 h (16.00 / 5.60), above the cap 7 × 0.60 = 4.20, night supplement
    7 × 0.50 = 3.50: parent **32.20**, state **13.30** (45.50 = 7 × 6.00 + 3.50).

Periods: 2025-03 parent 2.00 + 14.50 + 0.00 + 18.40 + 42.00 = 76.90, state 26.50 + 30.50 +
64.50 + 7.60 + 17.00 = 146.10; 2025-04 parent 0.00 + 32.20 = 32.20, state 18.00 + 13.30 =
31.30. Each provider's statement shows the same split per child (charged = parent + state).
Closing each period again answers 200 with the same period and the same invoices.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable
from contextlib import AsyncExitStack
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
import time_machine

from csa.services import definition
from csa_billing.consumers import ATTENDANCE_GROUP, MEMBERSHIP_GROUP
from csa_membership.domain.nin import make_nin
from csa_shared.bus.memory import InProcessBus
from csa_shared.clock import LUXEMBOURG as LUXEMBOURG_TIME
from csa_shared.events import TOPICS
from csa_shared.runtime import ServiceRuntime
from csa_shared.settings import Settings
from csa_shared.testing.polling import eventually
from csa_shared.testing.tokens import TestTokens

D = Decimal
LUXEMBOURG = "Luxembourg"
HOME = {
    "line": "1, rue de la Gare",
    "postcode": "L-1611",
    "locality": LUXEMBOURG,
    "country": "LU",
    "commune": LUXEMBOURG,
}
PROVIDER_ADDRESS = {"street": "1 rue de la Gare", "postcode": "L-1611", "locality": LUXEMBOURG}
# (provider, type, hourly price, meal price)
PROVIDERS = [
    ("sea-gare", "sea_conventionne", "6.00", "4.50"),
    ("sea-park", "sea_commercial", "8.00", "5.00"),
    ("ap-lena", "assistant_parental", "6.00", "4.00"),
    ("ap-mia", "assistant_parental", "5.40", "4.00"),
]
# per child: (first name, birth date, NIN serial, household, attended providers)
CHILDREN = {
    "lea": ("Léa", "2022-05-10", 11, "7000.00", ["sea-gare", "sea-park"]),
    "tom": ("Tom", "2021-09-15", 12, None, ["sea-gare"]),
    "noah": ("Noah", "2023-02-01", 13, "12000.00", ["ap-lena", "ap-mia"]),
}
# the hand-worked invoices: (child, month, provider) -> (parent, state)
EXPECTED = {
    ("lea", "2025-03", "sea-gare"): (D("2.00"), D("26.50")),
    ("lea", "2025-03", "sea-park"): (D("14.50"), D("30.50")),
    ("tom", "2025-03", "sea-gare"): (D("0.00"), D("64.50")),
    ("noah", "2025-03", "ap-lena"): (D("18.40"), D("7.60")),
    ("noah", "2025-03", "ap-mia"): (D("42.00"), D("17.00")),
    ("lea", "2025-04", "sea-gare"): (D("0.00"), D("18.00")),
    ("tom", "2025-04", None): (D("0.00"), D("0.00")),
    ("noah", "2025-04", "ap-lena"): (D("32.20"), D("13.30")),
}


def _at(text: str) -> datetime:
    """A Luxembourg wall-clock time (CET/CEST), for time-machine."""
    return datetime.fromisoformat(text).replace(tzinfo=LUXEMBOURG_TIME)


class Town:
    """The three services on one in-process bus, each behind its own HTTP app."""

    def __init__(
        self,
        runtimes: dict[str, ServiceRuntime],
        clients: dict[str, httpx.AsyncClient],
        bus: InProcessBus,
        tokens: TestTokens,
    ) -> None:
        self.runtimes, self.clients, self.bus, self.tokens = runtimes, clients, bus, tokens

    def header(self, token: str) -> dict[str, str]:
        return self.tokens.header(token)

    async def settled(self) -> bool:
        """Every event of membership and attendance published and consumed by billing."""
        for name in ("membership", "attendance"):
            if await self.runtimes[name].relay.pending():
                return False
        for group, service in ((ATTENDANCE_GROUP, "attendance"), (MEMBERSHIP_GROUP, "membership")):
            topic = TOPICS[service]
            if self.bus.committed(group, topic) < len(self.bus.messages(topic)):
                return False
        return True


@pytest.fixture
async def town(tmp_path: Path) -> AsyncIterator[Town]:
    settings = Settings(
        CSA_VAR_DIR=str(tmp_path),
        KAFKA_BOOTSTRAP_SERVERS="",
        MEMBERSHIP_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'membership.db'}",
        ATTENDANCE_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'attendance.db'}",
        BILLING_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'billing.db'}",
        CSA_OUTBOX_POLL_SECONDS=0.05,
    )
    bus, tokens = InProcessBus(), TestTokens()
    runtimes, clients = {}, {}
    async with AsyncExitStack() as stack:
        for name in ("membership", "attendance", "billing"):
            runtime = definition(name).build_runtime(settings, bus=bus)
            runtime.token_verifier = tokens.verifier(name)
            await runtime.migrate()
            runtimes[name] = runtime
        await bus.start()
        stack.push_async_callback(bus.stop)  # after the services stopped
        for name, runtime in runtimes.items():
            await runtime.start()
            stack.push_async_callback(runtime.stop)
            app = definition(name).create_app(runtime, manage_lifecycle=False)
            clients[name] = await stack.enter_async_context(
                httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=f"http://{name}")
            )
        yield Town(runtimes, clients, bus, tokens)


def _application(child: str) -> dict[str, Any]:
    first, born, serial, income, _ = CHILDREN[child]
    year, month, day = map(int, born.split("-"))
    if income is None:
        household: dict[str, Any] = {"situation": "institution", "members": []}
    else:
        household = {
            "situation": "living_together",
            "members": [
                {
                    "role": "representative",
                    "name": f"Parent of {first}",
                    "incomes": [{"kind": "taxable", "monthly_amount": income}],
                }
            ],
        }
    return {
        "child": {
            "first_name": first,
            "last_name": "Schmit",
            "nin": make_nin(date(year, month, day), serial).value,
        },
        "child_address": HOME,
        "representative": {
            "first_name": "Anne",
            "last_name": "Schmit",
            "nin": make_nin(date(1985, 1, serial), serial).value,
        },
        "language": "fr",
        "schooling": "none",
        "resident": True,
        "household": household,
        "siblings": [],
        "proofs": [{"type": "tax_assessment", "dated": "2025-01-15"}],
    }


async def _check(response: Awaitable[httpx.Response], *expected: int) -> Any:
    answer = await response
    assert answer.status_code in expected, answer.text
    return answer.json()


async def _file_contracts(town: Town) -> dict[str, str]:
    """The commune agent files and signs each child's contract on 2025-03-03: child ids."""
    membership = town.clients["membership"]
    agent = town.header(town.tokens.commune_agent("agent-lux-1", LUXEMBOURG))
    ids = {}
    for child in CHILDREN:
        filed = await _check(
            membership.post("/v1/contracts", json=_application(child), headers=agent), 201
        )
        path = f"/v1/contracts/{filed['contract_id']}/signature"
        signed = await _check(membership.post(path, headers=agent), 200)
        ids[child] = signed["child_id"]
    return ids


async def _register_providers(town: Town, ids: dict[str, str]) -> None:
    attendance = town.clients["attendance"]
    cae = town.header(town.tokens.cae_agent("cae-1"))
    agency = town.header(town.tokens.agency_agent("dageselteren-1"))
    for pid, ptype, price, meal in PROVIDERS:
        body = {
            "provider_id": pid,
            "provider_type": ptype,
            "effective_from": "2025-01-06",
            "name": f"Provider {pid}",
            "address": PROVIDER_ADDRESS,
            "commune": LUXEMBOURG,
            "hourly_price": price,
            "meal_price": meal,
            "plurilingual": False,
        }
        if ptype == "assistant_parental":
            body["agency_id"] = "dageselteren"
        headers = agency if ptype == "assistant_parental" else cae
        await _check(attendance.post("/v1/providers", json=body, headers=headers), 201)
    prices = {pid: price for pid, _, price, _ in PROVIDERS}
    for child, (*_, providers) in CHILDREN.items():
        for pid in providers:
            body = {
                "contract_id": f"ec-{child}-{pid}",
                "child_id": ids[child],
                "provider_id": pid,
                "start": "2025-03-03",
                "hours_per_week": "20",
                "hourly_price": prices[pid],
            }
            await _check(attendance.post("/v1/education-contracts", json=body, headers=cae), 201)


async def _presence(town: Town, pid: str, child: str, start: str, end: str) -> None:
    body = {"record_id": f"{pid}-{child}-{start}", "child_id": child, "start": start, "end": end}
    headers = town.header(town.tokens.provider(pid))
    await _check(town.clients["attendance"].post("/v1/presences", json=body, headers=headers), 201)


async def _meal(town: Town, pid: str, child: str, day: str) -> None:
    meal = {"kind": "meal", "record_id": f"{pid}-{child}-{day}", "child_id": child, "day": day}
    batch = {"items": [{**meal, "count": 1}]}
    headers = town.header(town.tokens.provider(pid))
    path = "/v1/declarations/batch"
    answer = await _check(town.clients["attendance"].post(path, json=batch, headers=headers), 200)
    assert answer["accepted"] == 1, answer


async def _post_march(town: Town, ids: dict[str, str]) -> None:
    lea, tom, noah = ids["lea"], ids["tom"], ids["noah"]
    await _presence(town, "sea-gare", lea, "2025-03-10T08:00", "2025-03-10T12:00")
    await _meal(town, "sea-gare", lea, "2025-03-10")
    await _presence(town, "sea-park", lea, "2025-03-11T08:00", "2025-03-11T13:00")
    await _meal(town, "sea-park", lea, "2025-03-11")
    await _presence(town, "sea-gare", tom, "2025-03-19T08:00", "2025-03-19T18:00")
    await _meal(town, "sea-gare", tom, "2025-03-19")
    sheet = {
        "provider_id": "ap-mia",
        "child_id": noah,
        "month": "2025-03",
        "days": [{"day": "2025-03-12", "hours": "8", "out_of_band_hours": "2", "lunches": 1}],
    }
    agency = town.header(town.tokens.agency_agent("dageselteren-1"))
    await _check(
        town.clients["attendance"].post("/v1/service-sheets", json=sheet, headers=agency), 201
    )
    # the night over the period's end: Sunday 20:00 to Monday 07:00
    await _presence(town, "ap-lena", noah, "2025-04-06T20:00", "2025-04-07T07:00")


async def _close(town: Town, month: str) -> dict[str, Any]:
    """The CAE agent closes the month and polls it until it is closed."""
    billing = town.clients["billing"]
    cae = town.header(town.tokens.cae_agent("cae-1"))
    await eventually(town.settled)
    await _check(billing.post(f"/v1/periods/{month}/close", json={}, headers=cae), 200, 202)

    async def closed() -> dict[str, Any] | None:
        period = await _check(billing.get(f"/v1/periods/{month}", headers=cae), 200)
        return period if period["status"] == "closed" else None

    return await eventually(closed)


async def _invoices(town: Town, ids: dict[str, str]) -> dict[tuple[str, str, str | None], dict]:
    """Each parent's invoices through billing's API, by (child, month, provider)."""
    found = {}
    for child, child_id in ids.items():
        parent = town.header(town.tokens.parent(f"parent-{child}", [child_id]))
        invoices = await _check(town.clients["billing"].get("/v1/invoices", headers=parent), 200)
        for item in invoices["items"]:
            key = (child, item["month"], item["provider_id"])
            assert key not in found, key
            found[key] = await _check(
                town.clients["billing"].get(f"/v1/invoices/{item['id']}", headers=parent), 200
            )
    return found


async def _statements(town: Town, ids: dict[str, str]) -> dict[tuple[str, str, str], tuple]:
    """Each provider's statements through billing's API: (child, month, provider) ->
    (charged, parent, state) of its line for the child."""
    children = {child_id: child for child, child_id in ids.items()}
    found = {}
    for pid, *_ in PROVIDERS:
        headers = town.header(town.tokens.provider(pid))
        page = await _check(town.clients["billing"].get("/v1/statements", headers=headers), 200)
        for statement in page["items"]:
            lines = statement["lines"]
            assert D(statement["state_total"]) == sum(D(line["state_amount"]) for line in lines)
            for line in lines:
                key = (children[line["child_id"]], statement["month"], pid)
                found[key] = tuple(
                    D(line[f"{part}_amount"]) for part in ("charged", "parent", "state")
                )
    return found


def _line(invoices: dict, key: tuple[str, str, str | None], rule: str) -> tuple[str, str]:
    """(quantity, state amount) of the invoice's one line of ``rule``."""
    (line,) = [line for line in invoices[key]["lines"] if line["rule"] == rule]
    return line["quantity"], line["state_amount"]


async def test_march_and_april_through_the_apis_bill_the_hand_worked_invoices(town: Town) -> None:
    billing = town.clients["billing"]

    def cae() -> dict[str, str]:  # tokens are minted at the moment of the request
        return town.header(town.tokens.cae_agent("cae-1"))

    with time_machine.travel(_at("2025-03-03T09:00"), tick=True) as clock:
        ids = await _file_contracts(town)
        await _register_providers(town, ids)
        clock.move_to(_at("2025-04-07T08:00"))
        await _post_march(town, ids)
        await eventually(town.settled)
        # not before the grace days (2025-04-06 + 5)
        early = await billing.post("/v1/periods/2025-03/close", json={}, headers=cae())
        assert early.status_code == 409, early.text
        clock.move_to(_at("2025-04-14T09:00"))
        # only the CAE closes: never a commune, nor the agency
        commune = town.header(town.tokens.commune_agent("agent-lux-1", LUXEMBOURG))
        agency = town.header(town.tokens.agency_agent("dageselteren-1"))
        for other in (commune, agency):
            refused = await billing.post("/v1/periods/2025-03/close", json={}, headers=other)
            assert refused.status_code == 403, refused.text
        march = await _close(town, "2025-03")
        clock.move_to(_at("2025-05-12T09:00"))
        await _presence(town, "sea-gare", ids["lea"], "2025-04-22T08:00", "2025-04-22T11:00")
        april = await _close(town, "2025-04")
        assert (D(march["parent_total"]), D(march["state_total"])) == (D("76.90"), D("146.10"))
        assert (D(april["parent_total"]), D(april["state_total"])) == (D("32.20"), D("31.30"))
        invoices = await _invoices(town, ids)
        totals = {
            key: (D(found["parent_total"]), D(found["state_total"]))
            for key, found in invoices.items()
        }
        assert totals == EXPECTED
        # each provider's statement: per child charged = the family's share + the state's
        assert await _statements(town, ids) == {
            key: (parent + state, parent, state)
            for key, (parent, state) in EXPECTED.items()
            if key[2] is not None
        }
        assert _line(invoices, ("noah", "2025-03", "ap-mia"), "ap_off_hours") == ("2.00", "1.00")
        assert _line(invoices, ("noah", "2025-03", "ap-lena"), "ap_off_hours") == ("4.00", "2.00")
        assert _line(invoices, ("noah", "2025-04", "ap-lena"), "ap_off_hours") == ("7.00", "3.50")
        placed = [
            (line["parent_amount"], line["state_amount"])
            for line in invoices[("tom", "2025-03", "sea-gare")]["lines"]
            if line["rule"] == "institution_placement"
        ]
        assert placed == [("-42.00", "42.00")]
        # closing again answers 200 with the period unchanged and the same documents
        for month in ("2025-03", "2025-04"):
            before = await _check(billing.get(f"/v1/periods/{month}", headers=cae()), 200)
            again = await _check(
                billing.post(f"/v1/periods/{month}/close", json={}, headers=cae()), 200
            )
            assert again == before
        assert await _invoices(town, ids) == invoices
