"""Authorization matrix: every route of the four services x every principal (issue 9).

The tables below are the access rules as designed (csa-rules.md §9, the services' access
modules): read them as "who may do this to family A's / provider X's data". A route a
service adds later is served but has no row, and fails the test until it gets one.
Column heads are explained in ``authz_matrix.HEADER``. The privacy officer (``po``) sees family
A's data only through the GDPR export; every other cell of its column is a refusal.
"""

from __future__ import annotations

import copy
import itertools
import uuid
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from authz_matrix import (
    COLUMNS,
    OTHER_COMMUNE,
    OWN_COMMUNE,
    Builder,
    Call,
    World,
    run_matrix,
)
from fastapi import FastAPI

from csa.services import definition
from csa_shared.runtime import ServiceRuntime
from csa_shared.settings import Settings
from csa_shared.testing.tokens import TestTokens

pytestmark = pytest.mark.postgres

PUBLIC = "X  X  X  X  X  X  X  X  X  X"
OPERATIONS = {
    "GET /healthz": PUBLIC,
    "GET /readyz": PUBLIC,
    "GET /metrics": PUBLIC,
    "GET /openapi.json": PUBLIC,
    "GET /docs": PUBLIC,
    "GET /docs/oauth2-redirect": PUBLIC,
    "GET /redoc": PUBLIC,
}


def operations() -> dict[str, Builder]:
    async def plain(path: str) -> Call:
        return Call(path)

    return {route: (lambda who, p=route.split()[1]: plain(p)) for route in OPERATIONS}


async def _app(name: str, settings: Settings, tokens: TestTokens) -> tuple[ServiceRuntime, FastAPI]:
    runtime = definition(name).build_runtime(settings)  # type: ignore[arg-type]
    await runtime.start(migrate=True, relay=False)
    runtime.token_verifier = tokens.verifier(name)  # type: ignore[arg-type]
    return runtime, definition(name).create_app(runtime, manage_lifecycle=False)  # type: ignore[arg-type]


def _client(app: FastAPI, name: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=f"http://{name}")


def _report(failures: list[str]) -> str:
    return "\n".join([f"{len(failures)} cell(s) differ from the matrix:", *failures])


def _serial() -> Callable[[], int]:
    counter = itertools.count(100)
    return lambda: next(counter)


# ---------------------------------------------------------------------------------- membership
# Family A's contract: a resident of Luxembourg, filed by the Luxembourg commune agent. A CAE
# agent handles non-residents (its office's contracts), so family A's contract is not its own.
# Rows run in order: the document exists once the contract is signed.
MEMBERSHIP = {
    #                                                    pA pB pX pY cO cX ca ag po an
    "POST /v1/contracts":                               "f  f  f  f  X  f  f  f  f  a",
    "GET /v1/contracts":                                "X  X  f  f  X  X  X  f  f  a",
    "GET /v1/contracts/{contract_id}":                  "X  f  f  f  X  f  f  f  f  a",
    "POST /v1/contracts/{contract_id}/signature":       "f  f  f  f  X  f  f  f  f  a",
    "GET /v1/contracts/{contract_id}/document":         "X  f  f  f  X  f  f  f  f  a",
    "POST /v1/contracts/{contract_id}/amendments":      "f  f  f  f  X  f  f  f  f  a",
    "POST /v1/contracts/{contract_id}/renewals":        "f  f  f  f  X  f  f  f  f  a",
    "POST /v1/contracts/{contract_id}/termination":     "f  f  f  f  X  f  f  f  f  a",
    "GET /v1/privacy/children/{child_id}/export":      "X  f  f  f  f  f  f  f  X  a",
    "POST /v1/privacy/erasures":                        "f  f  f  f  f  f  f  f  X  a",
    # plurilingual weeks: family A's second child (aged 3) and a week of provider X
    "POST /v1/weeks":                                   "f  f  X  f  X  f  X  f  f  a",
    "GET /v1/weeks":                                    "X  X  X  X  X  X  X  X  X  a",
    "GET /v1/weeks/{week_id}":                          "X  X  X  X  X  X  X  X  X  a",
    "POST /v1/weeks/{week_id}/sign-ups":                "X  f  f  f  f  f  f  f  f  a",
    "POST /v1/weeks/{week_id}/sign-ups/{child_id}/cancellation":
                                                        "X  f  f  f  f  f  f  f  f  a",
    "GET /v1/weeks/{week_id}/sign-ups":                 "f  f  X  f  X  f  X  f  f  a",
    "GET /v1/children/{child_id}/week-sign-ups":        "X  f  f  f  f  f  f  f  f  a",
    **OPERATIONS,
}  # fmt: skip

HOME_A = {
    "line": "1, rue de la Gare",
    "postcode": "L-1611",
    "locality": OWN_COMMUNE,
    "country": "LU",
    "commune": OWN_COMMUNE,
}
HOME_B = {**HOME_A, "postcode": "L-4001", "locality": OTHER_COMMUNE, "commune": OTHER_COMMUNE}


def application(serial: int, home: dict[str, str]) -> dict[str, Any]:
    from csa_membership.domain.nin import make_nin

    return {
        "child": {
            "first_name": "Mia",
            "last_name": "Muller",
            "nin": make_nin(date(2022, 5, 10), serial).value,
        },
        "child_address": copy.deepcopy(home),
        "representative": {
            "first_name": "Anna",
            "last_name": "Muller",
            "nin": make_nin(date(1988, 11, 3), serial).value,
        },
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
        "siblings": [{"birth_date": "2019-01-01"}],
        "proofs": [{"type": "tax_assessment", "dated": "2025-01-15"}],
    }


async def test_membership_routes_answer_each_principal_as_the_matrix_says(
    pg_database_url: Callable[[], str],
) -> None:
    tokens = TestTokens()
    runtime, app = await _app(
        "membership", Settings(MEMBERSHIP_DATABASE_URL=pg_database_url()), tokens
    )
    try:
        async with _client(app, "membership") as client:
            failures = await _membership(client, app, tokens)
    finally:
        await runtime.stop()
    assert not failures, _report(failures)


async def _membership(client: httpx.AsyncClient, app: FastAPI, tokens: TestTokens) -> list[str]:
    seeder = World(tokens, [], [])
    filed_a = await client.post(
        "/v1/contracts", json=application(1, HOME_A), headers=seeder.auth("commune_own")
    )
    filed_b = await client.post(
        "/v1/contracts", json=application(2, HOME_B), headers=seeder.auth("commune_other")
    )
    assert filed_a.status_code == filed_b.status_code == 201, filed_a.text + filed_b.text
    contract_b = filed_b.json()["contract_id"]
    weeks = await _weeks_world(client, seeder)
    signed_b = await client.post(
        f"/v1/contracts/{contract_b}/signature", json={}, headers=seeder.auth("commune_other")
    )
    assert signed_b.status_code == 200, signed_b.text
    a = filed_a.json()
    world = World(
        tokens,
        [a["child_id"], weeks["child_id"]],
        [filed_b.json()["child_id"]],
        secrets=(a["contract_id"], a["child_id"]),
        sees_secret=frozenset({"parent_a", "commune_own", "privacy"}),
    )
    serial = _serial()
    url = f"/v1/contracts/{a['contract_id']}"

    async def file(who: str) -> Call:
        return Call("/v1/contracts", json=application(serial(), HOME_A))

    async def termination(who: str) -> Call:
        current = (await client.get(url, headers=world.auth("commune_own"))).json()
        last_day = date.fromisoformat(current["valid_from"]) + timedelta(days=45)
        return Call(f"{url}/termination", json={"last_day": str(last_day), "reason": "moved"})

    async def fixed(path: str, body: Any = None) -> Call:
        return Call(path, json=body)

    builders: dict[str, Builder] = {
        "POST /v1/contracts": file,
        "GET /v1/contracts": lambda who: fixed("/v1/contracts"),
        "GET /v1/contracts/{contract_id}": lambda who: fixed(url),
        "GET /v1/contracts/{contract_id}/document": lambda who: fixed(f"{url}/document"),
        "POST /v1/contracts/{contract_id}/signature": lambda who: fixed(f"{url}/signature", {}),
        "POST /v1/contracts/{contract_id}/amendments": lambda who: fixed(
            f"{url}/amendments", {"changes": ["schooling"], "schooling": "fundamental"}
        ),
        "POST /v1/contracts/{contract_id}/renewals": lambda who: fixed(f"{url}/renewals", {}),
        "POST /v1/contracts/{contract_id}/termination": termination,
        "GET /v1/privacy/children/{child_id}/export": lambda who: fixed(
            f"/v1/privacy/children/{a['child_id']}/export"
        ),
        "POST /v1/privacy/erasures": lambda who: fixed(
            "/v1/privacy/erasures", {"child_id": a["child_id"], "reason": "parent request"}
        ),
        **_week_builders(weeks, fixed),
        **operations(),
    }
    return await run_matrix(client, app, world, MEMBERSHIP, builders)


def _week(**changes: Any) -> dict[str, Any]:
    from csa_shared.clock import luxembourg_today

    first = luxembourg_today() + timedelta(days=21)
    return {
        "provider_id": "prov-x",
        "commune": OWN_COMMUNE,
        "title": "Lidder a Geschichten",
        "languages": ["lb", "fr"],
        "starts_on": str(first),
        "ends_on": str(first + timedelta(days=4)),
        "min_age": 1,
        "max_age": 4,
        "capacity": 50,
    } | changes


async def _weeks_world(client: httpx.AsyncClient, seeder: World) -> dict[str, str]:
    """Family A's second child, aged 3 with a signed contract, and a week it may join."""
    from csa_membership.domain.nin import make_nin
    from csa_shared.clock import luxembourg_today

    body = application(90, HOME_A)
    body["child"]["nin"] = make_nin(luxembourg_today() - timedelta(days=3 * 365 + 60), 90).value
    agent = seeder.auth("commune_own")
    filed = await client.post("/v1/contracts", json=body, headers=agent)
    assert filed.status_code == 201, filed.text
    signed = await client.post(
        f"/v1/contracts/{filed.json()['contract_id']}/signature", json={}, headers=agent
    )
    assert signed.status_code == 200, signed.text
    week = await client.post("/v1/weeks", json=_week(), headers=agent)
    assert week.status_code == 201, week.text
    return {"child_id": filed.json()["child_id"], "week_id": week.json()["week_id"]}


def _week_builders(weeks: dict[str, str], fixed: Callable[..., Any]) -> dict[str, Builder]:
    url = f"/v1/weeks/{weeks['week_id']}"
    child = weeks["child_id"]
    return {
        "POST /v1/weeks": lambda who: fixed("/v1/weeks", _week()),
        "GET /v1/weeks": lambda who: fixed("/v1/weeks"),
        "GET /v1/weeks/{week_id}": lambda who: fixed(url),
        "POST /v1/weeks/{week_id}/sign-ups": lambda who: fixed(
            f"{url}/sign-ups", {"child_id": child}
        ),
        "POST /v1/weeks/{week_id}/sign-ups/{child_id}/cancellation": lambda who: fixed(
            f"{url}/sign-ups/{child}/cancellation"
        ),
        "GET /v1/weeks/{week_id}/sign-ups": lambda who: fixed(f"{url}/sign-ups"),
        "GET /v1/children/{child_id}/week-sign-ups": lambda who: fixed(
            f"/v1/children/{child}/week-sign-ups"
        ),
    }


# ---------------------------------------------------------------------------------- attendance
# Provider X holds family A's education contract (child-a); provider Y family B's (child-b);
# ap-z is a parental assistant of the Dageselteren agency; all three are in family A's commune.
# An agent acts on the providers of its scope only (issue 19 §3): a commune agent on those of
# its commune (the agent of another commune: 403, or 404 where the read hides the record), the
# agency on parental assistants (an SEA such as X: 403), a CAE agent everywhere. SEAs are
# managed by commune and CAE agents, parental assistants by the agency. Lists are scoped (see
# the checks). Agents read presences per provider; a provider only its own.
ATTENDANCE = {
    #                                                    pA pB pX pY cO cX ca ag po an
    "POST /v1/providers":                               "f  f  f  f  X  f  X  f  f  a",
    "GET /v1/providers":                                "f  f  f  f  X  X  X  X  f  a",
    "GET /v1/providers/{provider_id}":                  "f  f  X  f  X  f  X  f  f  a",
    "POST /v1/providers/{provider_id}/versions":        "f  f  f  f  X  f  X  f  f  a",
    "POST /v1/education-contracts":                     "f  f  X  f  X  f  X  f  f  a",
    "GET /v1/education-contracts":                      "f  f  X  X  X  X  X  X  f  a",
    "POST /v1/presences":                               "f  f  X  u  f  f  f  f  f  a",
    "POST /v1/meals":                                   "f  f  X  u  f  f  f  f  f  a",
    "POST /v1/declarations/batch":                      "f  f  X  X  f  f  f  f  f  a",
    "GET /v1/presences":                                "X  X  X  X  X  f  X  f  f  a",
    "GET /v1/meals":                                    "X  X  X  X  X  f  X  f  f  a",
    "GET /v1/reservations":                             "X  X  X  X  X  f  X  f  f  a",
    "GET /v1/presences/{presence_id}":                  "X  n  X  n  X  n  X  n  n  a",
    "POST /v1/presences/{presence_id}/amend":           "f  f  X  n  f  f  f  f  f  a",
    "POST /v1/presences/{presence_id}/void":            "f  f  X  n  f  f  f  f  f  a",
    "POST /v1/meals/{meal_id}/amend":                   "f  f  X  n  f  f  f  f  f  a",
    "POST /v1/meals/{meal_id}/void":                    "f  f  X  n  f  f  f  f  f  a",
    "POST /v1/education-contracts/{contract_id}/end":   "f  f  X  f  X  f  X  f  f  a",
    "POST /v1/service-sheets":                          "f  f  f  f  f  f  f  X  f  a",
    "GET /v1/service-sheets/{provider_id}/{child_id}/{month}":
                                                        "f  f  n  n  X  n  X  X  f  a",
    "POST /v1/other-charges":                           "f  f  X  u  f  f  f  f  f  a",
    "GET /v1/other-charges":                            "f  f  X  X  f  f  f  f  f  a",
    "GET /v1/privacy/children/{child_id}/export":      "X  f  f  f  f  f  f  f  X  a",
    **OPERATIONS,
}  # fmt: skip

ADDRESS = {"street": "1 rue de la Gare", "postcode": "L-1611", "locality": OWN_COMMUNE}


def provider_body(pid: str, ptype: str = "sea_commercial", **over: Any) -> dict[str, Any]:
    return {
        "provider_id": pid,
        "provider_type": ptype,
        "effective_from": "2025-01-06",
        "name": f"Crèche {pid}",
        "address": ADDRESS,
        "commune": OWN_COMMUNE,
        "hourly_price": "5.00",
        "meal_price": "4.50",
        "plurilingual": False,
        **over,
    }


def contract_body(cid: str, child: str, pid: str) -> dict[str, Any]:
    return {
        "contract_id": cid,
        "child_id": child,
        "provider_id": pid,
        "start": "2025-01-06",
        "hours_per_week": "40",
        "hourly_price": "5.00",
    }


def presence_item(child: str, day: date) -> dict[str, Any]:
    return {
        "kind": "presence",
        "record_id": uuid.uuid4().hex,
        "child_id": child,
        "start": f"{day}T08:00:00",
        "end": f"{day}T16:00:00",
    }


async def test_attendance_routes_answer_each_principal_as_the_matrix_says(
    pg_database_url: Callable[[], str],
) -> None:
    tokens = TestTokens()
    runtime, app = await _app(
        "attendance", Settings(ATTENDANCE_DATABASE_URL=pg_database_url()), tokens
    )
    try:
        async with _client(app, "attendance") as client:
            failures = await _attendance(client, app, tokens)
    finally:
        await runtime.stop()
    assert not failures, _report(failures)


async def _seed(client: httpx.AsyncClient, world: World, who: str, path: str, body: Any) -> Any:
    response = await client.post(path, json=body, headers=world.auth(who))
    assert response.status_code in (200, 201), f"seeding {path}: {response.text}"
    return response.json()


async def _attendance(client: httpx.AsyncClient, app: FastAPI, tokens: TestTokens) -> list[str]:
    world = World(tokens, ["child-a"], ["child-b"])
    for pid in ("prov-x", "prov-y"):
        await _seed(client, world, "cae", "/v1/providers", provider_body(pid))
    ap = provider_body("ap-z", "assistant_parental", agency_id="dageselteren")
    await _seed(client, world, "agency", "/v1/providers", ap)
    for cid, child, pid in (
        ("ec-a", "child-a", "prov-x"),
        ("ec-b", "child-b", "prov-y"),
        ("ec-az", "child-a", "ap-z"),
    ):
        await _seed(client, world, "cae", "/v1/education-contracts", contract_body(cid, child, pid))
    monday = date(2025, 3, 3)
    meal = {"kind": "meal", "record_id": "meal-a", "child_id": "child-a", "day": str(monday)}
    items = [presence_item("child-a", monday), {**meal, "count": 1}]
    items.append(presence_item("child-a", monday + timedelta(days=1)))
    batch = await _seed(client, world, "provider_x", "/v1/declarations/batch", {"items": items})
    presence_a, meal_a, presence_a2 = (r["id"] for r in batch["results"])
    other = {"items": [presence_item("child-b", monday)]}
    await _seed(client, world, "provider_y", "/v1/declarations/batch", other)
    sheet = {
        "provider_id": "ap-z",
        "child_id": "child-a",
        "month": "2025-03",
        "days": [{"day": "2025-03-05", "hours": "8", "lunches": 1}],
    }
    await _seed(client, world, "agency", "/v1/service-sheets", sheet)
    world.secrets = (presence_a, meal_a, presence_a2)
    world.sees_secret = frozenset({"parent_a", "provider_x", "commune_own", "cae", "privacy"})

    serial = _serial()
    days = (date(2025, 4, 1) + timedelta(days=n) for n in itertools.count())

    def fixed(path: str, body: Any = None, **params: Any) -> Builder:
        async def build(who: str) -> Call:
            return Call(path, json=body, params=params or None)

        return build

    async def new_provider(who: str) -> Call:
        return Call("/v1/providers", json=provider_body(f"prov-{who}-{serial()}"))

    async def new_terms(who: str) -> Call:
        body = provider_body("prov-x", effective_from=str(next(days)))
        del body["provider_id"], body["provider_type"]
        return Call("/v1/providers/prov-x/versions", json=body)

    async def new_contract(who: str) -> Call:
        n = serial()
        return Call("/v1/education-contracts", json=contract_body(f"ec-{n}", f"c-{n}", "prov-x"))

    async def new_presence(who: str) -> Call:
        body = presence_item("child-a", next(days))
        del body["kind"]
        return Call("/v1/presences", json=body)

    async def new_meal(who: str) -> Call:
        """A meal of child-a on a new day on which X recorded its presence (Y: no contract)."""
        day = next(days)
        presence = presence_item("child-a", day)
        await _seed(client, world, "provider_x", "/v1/declarations/batch", {"items": [presence]})
        body = {"record_id": uuid.uuid4().hex, "child_id": "child-a", "day": str(day), "count": 1}
        return Call("/v1/meals", json=body)

    def batch_of_child_a(response: httpx.Response) -> str | None:
        (result,) = response.json()["results"]
        return None if result["outcome"] == "accepted" else f"item {result}"

    def refused_item(response: httpx.Response) -> str | None:
        (result,) = response.json()["results"]
        return None if result["outcome"] == "rejected" else f"child-a accepted from Y: {result}"

    async def new_batch(who: str) -> Call:
        check = batch_of_child_a if who == "provider_x" else refused_item
        items = [presence_item("child-a", next(days))]
        return Call("/v1/declarations/batch", json={"items": items}, check=check)

    async def contract_end(who: str) -> Call:
        return Call(
            "/v1/education-contracts/ec-a/end", json={"end": str(date(2026, 6, serial() % 28 + 1))}
        )

    async def new_charge(who: str) -> Call:
        body = {
            "record_id": f"fee-{serial()}",
            "child_id": "child-a",
            "day": "2025-03-03",
            "kind": "registration_fee",
            "amount": "50.00",
            "description": "Registration",
        }
        return Call("/v1/other-charges", json=body)

    def listing(ids: str, expected: dict[str, set[str]]) -> Builder:
        """A list whose items' ``ids`` are the caller's scope: ``expected[who]``, or all."""

        async def build(who: str) -> Call:
            def check(response: httpx.Response) -> str | None:
                shown = {item[ids] for item in response.json()["items"]}
                wanted = expected.get(who)
                return None if wanted is None or shown == wanted else f"lists {sorted(shown)}"

            return Call(path, check=check)

        path = "/v1/providers" if ids == "provider_id" else "/v1/education-contracts"
        return build

    amend = {"start": f"{monday}T08:30:00", "end": f"{monday}T15:00:00", "reason": "left early"}
    builders: dict[str, Builder] = {
        "POST /v1/providers": new_provider,
        "GET /v1/providers": listing("provider_id", {"commune_other": set(), "agency": {"ap-z"}}),
        "GET /v1/providers/{provider_id}": fixed("/v1/providers/prov-x"),
        "POST /v1/providers/{provider_id}/versions": new_terms,
        "POST /v1/education-contracts": new_contract,
        "GET /v1/education-contracts": listing(
            "contract_id",
            {"commune_other": set(), "agency": {"ec-az"}, "provider_y": {"ec-b"}},
        ),
        "POST /v1/presences": new_presence,
        "POST /v1/meals": new_meal,
        "POST /v1/declarations/batch": new_batch,
        "GET /v1/presences": fixed("/v1/presences", provider_id="prov-x"),
        "GET /v1/meals": fixed("/v1/meals", provider_id="prov-x"),
        "GET /v1/reservations": fixed("/v1/reservations", provider_id="prov-x"),
        "GET /v1/presences/{presence_id}": fixed(f"/v1/presences/{presence_a}"),
        "POST /v1/presences/{presence_id}/amend": fixed(f"/v1/presences/{presence_a}/amend", amend),
        "POST /v1/presences/{presence_id}/void": fixed(
            f"/v1/presences/{presence_a2}/void", {"reason": "absent"}
        ),
        "POST /v1/meals/{meal_id}/amend": fixed(
            f"/v1/meals/{meal_a}/amend", {"day": str(monday), "count": 2, "reason": "dinner too"}
        ),
        "POST /v1/meals/{meal_id}/void": fixed(f"/v1/meals/{meal_a}/void", {"reason": "none"}),
        "POST /v1/education-contracts/{contract_id}/end": contract_end,
        "POST /v1/service-sheets": fixed("/v1/service-sheets", sheet),
        "GET /v1/service-sheets/{provider_id}/{child_id}/{month}": fixed(
            "/v1/service-sheets/ap-z/child-a/2025-03"
        ),
        "POST /v1/other-charges": new_charge,
        "GET /v1/other-charges": fixed("/v1/other-charges"),
        "GET /v1/privacy/children/{child_id}/export": fixed("/v1/privacy/children/child-a/export"),
        **operations(),
    }
    return await run_matrix(client, app, world, ATTENDANCE, builders)


# ------------------------------------------------------------------------------------- billing
# Invoices are a family's: its parents, and the CAE agents (who see every child); a commune
# agent is not given invoices (billing does not know the child's commune). Statements are a
# provider's own. Closing a period is a national act, of the CAE agents (and the scheduled job,
# which has no token); the scheme's agents read a period's totals, each those of its scope's
# providers (see the check). Simulations are public.
BILLING = {
    #                                                    pA pB pX pY cO cX ca ag po an
    "POST /v1/simulations":                             "X  X  X  X  X  X  X  X  X  X",
    "POST /v1/periods/{month}/close":                   "f  f  f  f  f  f  X  f  f  a",
    "GET /v1/periods/{month}":                          "f  f  f  f  X  X  X  X  f  a",
    "GET /v1/invoices":                                 "X  X  f  f  f  f  f  f  f  a",
    "GET /v1/invoices/{invoice_id}":                    "X  n  n  n  n  n  X  n  n  a",
    "GET /v1/invoices/{invoice_id}.pdf":                "X  n  n  n  n  n  X  n  n  a",
    "GET /v1/statements":                               "f  f  X  X  f  f  f  f  f  a",
    "GET /v1/statements/{statement_id}.pdf":            "f  f  X  n  f  f  X  f  f  a",
    "GET /v1/privacy/children/{child_id}/export":      "X  f  f  f  f  f  f  f  X  a",
    # this month so far: a family's, like its invoices (a parent's own children, CAE agents)
    "GET /v1/usage":                                    "X  n  n  n  n  n  X  n  n  a",
    # paying the providers is national: the CAE's agents only
    "POST /v1/periods/{month}/payments":                "f  f  f  f  f  f  X  f  f  a",
    "GET /v1/periods/{month}/payments":                 "f  f  f  f  f  f  X  f  f  a",
    "GET /v1/periods/{month}/payments/pain.001.xml":    "f  f  f  f  f  f  X  f  f  a",
    "GET /v1/periods/{month}/payments.csv":             "f  f  f  f  f  f  X  f  f  a",
    "POST /v1/payments/status-reports":                 "f  f  f  f  f  f  X  f  f  a",
    "POST /v1/statements/{statement_id}/payment-status": "f  f  f  f  f  f  X  f  f  a",
    **OPERATIONS,
}  # fmt: skip

BILLING_ADDRESS = {**HOME_A, "line": "1, rue de la Gare"}


def _billing_events() -> list[Any]:
    from csa_shared.events import new_event

    events = []
    for pid in ("prov-x", "prov-y"):
        events.append(
            new_event(
                "lu.csa.attendance.provider.registered.v1",
                source="/csa/attendance",
                subject=pid,
                data={
                    "record_id": pid,
                    "provider_id": pid,
                    "version": 1,
                    "affects_closed_period": False,
                    "provider_type": "sea_conventionne",
                    "effective_from": "2024-09-02",
                    "name": f"Provider {pid}",
                    "commune": OWN_COMMUNE,
                    "hourly_price": "6.00",
                    "meal_price": "4.50",
                    "plurilingual": False,
                    "agency_id": None,
                    "iban": "LU280019400644750000",
                },
            )
        )
    for child, pid in (("child-a", "prov-x"), ("child-b", "prov-y")):
        events.append(
            new_event(
                "lu.csa.membership.contract.signed.v1",
                source="/csa/membership",
                subject=child,
                data={
                    "contract_id": f"c-{child}",
                    "child_id": child,
                    "household_id": f"h-{child}",
                    "version": 1,
                    "category": "lt_3",
                    "rank": 1,
                    "state_pays_all": False,
                    "schooling": "none",
                    "birth_date": "2023-02-01",
                    "valid_from": "2025-03-03",
                    "valid_until": "2026-02-01",
                    "effective_from": "2025-03-03",
                    "language": "fr",
                    "billing_address": BILLING_ADDRESS,
                },
            )
        )
        events.append(
            new_event(
                "lu.csa.attendance.presence.recorded.v1",
                source="/csa/attendance",
                subject=child,
                data={
                    "presence_id": str(uuid.uuid4()),
                    "provider_record_id": uuid.uuid4().hex,
                    "record_id": uuid.uuid4().hex,
                    "provider_id": pid,
                    "version": 1,
                    "affects_closed_period": False,
                    "child_id": child,
                    "start": "2025-03-10T08:00",
                    "end": "2025-03-10T17:00",
                },
            )
        )
    return events


async def test_billing_routes_answer_each_principal_as_the_matrix_says(
    pg_database_url: Callable[[], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy import select

    from csa_billing.payments.service import export
    from csa_billing.payments.settings import PaymentSettings
    from csa_billing.periods.close import CloseOptions, close_period
    from csa_billing.tables import invoice
    from csa_shared.bus import Message
    from csa_shared.events import TOPICS

    tokens = TestTokens()
    runtime, app = await _app("billing", Settings(BILLING_DATABASE_URL=pg_database_url()), tokens)
    try:
        consumers = {c.name: c for c in runtime.consumers}
        for event in _billing_events():
            service = event.type.split(".")[2]
            await consumers[f"billing.{service}"](
                Message(TOPICS[service], event.key, event.to_json())
            )
        await close_period(runtime, "2025-03", CloseOptions(today=date(2025, 4, 12)))
        monkeypatch.setenv("BILLING_PAYMENT_DEBTOR_NAME", "Ministère de l'Éducation nationale")
        monkeypatch.setenv("BILLING_PAYMENT_DEBTOR_IBAN", "DE89370400440532013000")
        async with runtime.unit_of_work() as session:
            query = select(invoice.c.id).where(invoice.c.child_id == "child-a")
            invoice_a = (await session.execute(query)).scalar_one()
            batch = await export(session, "2025-03", PaymentSettings())
        statement_x = next(p.statement_id for p in batch.payments if p.provider_id == "prov-x")
        world = World(
            tokens,
            ["child-a"],
            ["child-b"],
            secrets=(invoice_a, "child-a"),
            sees_secret=frozenset({"parent_a", "provider_x", "cae", "privacy"}),
        )
        async with _client(app, "billing") as client:
            failures = await _billing(client, app, world, invoice_a, statement_x)
    finally:
        await runtime.stop()
    assert not failures, _report(failures)


async def _billing(
    client: httpx.AsyncClient, app: FastAPI, world: World, invoice_a: str, statement_x: str
) -> list[str]:
    async def fixed_call(path: str, body: Any = None) -> Call:
        return Call(path, json=body)

    def fixed(path: str, body: Any = None) -> Builder:
        return lambda who: fixed_call(path, body)

    async def period_totals(who: str) -> Call:
        """March's totals: providers X and Y are in family A's commune and are SEAs, so the
        agent of another commune and the agency see none of them."""
        expected = {"prov-x", "prov-y"} if who in ("commune_own", "cae") else set()

        def check(response: httpx.Response) -> str | None:
            shown = {p["provider_id"] for p in response.json()["providers"]}
            return None if shown == expected else f"shows the totals of {sorted(shown)}"

        return Call("/v1/periods/2025-03", check=check)

    simulation = app.openapi()["components"]["schemas"]["SimulationRequest"]["examples"][0]
    builders: dict[str, Builder] = {
        "POST /v1/simulations": fixed("/v1/simulations", simulation),
        # the seeded March is closed: a repeat answers its totals again
        "POST /v1/periods/{month}/close": fixed("/v1/periods/2025-03/close", {}),
        "GET /v1/periods/{month}": period_totals,
        "GET /v1/invoices": fixed("/v1/invoices"),
        "GET /v1/invoices/{invoice_id}": fixed(f"/v1/invoices/{invoice_a}"),
        "GET /v1/invoices/{invoice_id}.pdf": fixed(f"/v1/invoices/{invoice_a}.pdf"),
        "GET /v1/statements": fixed("/v1/statements"),
        "GET /v1/statements/{statement_id}.pdf": fixed(f"/v1/statements/{statement_x}.pdf"),
        "GET /v1/privacy/children/{child_id}/export": fixed("/v1/privacy/children/child-a/export"),
        "GET /v1/usage": fixed("/v1/usage?child_id=child-a"),
        # March's payments are exported: a repeat answers the same batch, a report or a
        # confirmation repeated changes nothing
        "POST /v1/periods/{month}/payments": fixed("/v1/periods/2025-03/payments"),
        "GET /v1/periods/{month}/payments": fixed("/v1/periods/2025-03/payments"),
        "GET /v1/periods/{month}/payments/pain.001.xml": fixed(
            "/v1/periods/2025-03/payments/pain.001.xml"
        ),
        "GET /v1/periods/{month}/payments.csv": fixed("/v1/periods/2025-03/payments.csv"),
        "POST /v1/payments/status-reports": lambda who: _status_report("S2025-03-prov-x"),
        "POST /v1/statements/{statement_id}/payment-status": fixed(
            f"/v1/statements/{statement_x}/payment-status", {"status": "confirmed"}
        ),
        **operations(),
    }
    return await run_matrix(client, app, world, BILLING, builders)


async def _status_report(end_to_end_id: str) -> Call:
    report = (
        '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.10"><CstmrPmtStsRpt>'
        f"<OrgnlPmtInfAndSts><TxInfAndSts><OrgnlEndToEndId>{end_to_end_id}</OrgnlEndToEndId>"
        "<TxSts>ACSC</TxSts></TxInfAndSts></OrgnlPmtInfAndSts></CstmrPmtStsRpt></Document>"
    )
    return Call(
        "/v1/payments/status-reports",
        content=report.encode(),
        headers={"Content-Type": "application/xml"},
    )


# ------------------------------------------------------------------------------------ identity
# The sign-in routes are public: what they need is in the body (codes, passwords), never a
# token, and every principal's request goes through with credentials of its own. /v1/me is
# the caller's own parent account; the administration is the CAE's. Built as in production
# (a broker configured), so the embedded-mode /v1/dev routes are not served.
IDENTITY = {
    #                                                    pA pB pX pY cO cX ca ag po an
    "GET /.well-known/jwks.json":                       PUBLIC,
    "GET /.well-known/oauth-authorization-server":      PUBLIC,
    "GET /.well-known/openid-configuration":            PUBLIC,
    "POST /v1/registrations":                           PUBLIC,
    "POST /v1/registrations/confirm":                   PUBLIC,
    "POST /v1/login":                                   PUBLIC,
    "POST /v1/login/complete":                          PUBLIC,
    "POST /v1/sessions/refresh":                        PUBLIC,
    "POST /v1/logout":                                  PUBLIC,
    "POST /v1/login/certificate":                       PUBLIC,
    "POST /v1/activation-codes":                        PUBLIC,
    "POST /v1/activation-codes/use":                    PUBLIC,
    "POST /v1/activation-codes/confirm":                PUBLIC,
    "POST /v1/oauth/token":                             PUBLIC,
    "POST /v1/agents/login":                            PUBLIC,
    "GET /v1/me":                                       "X  X  f  f  f  f  f  f  f  a",
    "PUT /v1/me/email":                                 "X  X  f  f  f  f  f  f  f  a",
    "POST /v1/me/password":                             "X  X  f  f  f  f  f  f  f  a",
    "POST /v1/me/changes/confirm":                      "X  X  f  f  f  f  f  f  f  a",
    "POST /v1/me/mobile":                               "X  X  f  f  f  f  f  f  f  a",
    "POST /v1/me/children":                             "X  X  f  f  f  f  f  f  f  a",
    "DELETE /v1/me/children/{child_id}":                "X  n  f  f  f  f  f  f  f  a",
    "GET /v1/me/certificates":                          "X  X  f  f  f  f  f  f  f  a",
    "POST /v1/me/certificates":                         "X  X  f  f  f  f  f  f  f  a",
    "DELETE /v1/me/certificates/{fingerprint}":         "X  n  f  f  f  f  f  f  f  a",
    "POST /v1/admin/provider-clients":                  "f  f  f  f  f  f  X  f  f  a",
    "POST /v1/admin/agents":                            "f  f  f  f  f  f  X  f  f  a",
    "POST /v1/admin/cards/{child_id}/duplicate":        "f  f  f  f  f  f  X  f  f  a",
    "GET /v1/privacy/children/{child_id}/export":      "X  f  f  f  f  f  f  f  X  a",
    # webhook subscriptions: provider X's client's own (Y's client sees none of them)
    "POST /v1/webhooks/subscriptions":                  "f  f  X  X  f  f  f  f  f  a",
    "GET /v1/webhooks/subscriptions":                   "f  f  X  X  f  f  f  f  f  a",
    "GET /v1/webhooks/subscriptions/{subscription_id}": "f  f  X  n  f  f  f  f  f  a",
    "GET /v1/webhooks/subscriptions/{subscription_id}/deliveries":
                                                        "f  f  X  n  f  f  f  f  f  a",
    "DELETE /v1/webhooks/subscriptions/{subscription_id}":
                                                        "f  f  X  n  f  f  f  f  f  a",
    **OPERATIONS,
}  # fmt: skip

PASSWORD = "lilac-harbour-tandem-42"
NEW_PASSWORD = "copper-willow-lantern-77"


def certificate_pem(name: str) -> str:
    from datetime import UTC, datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.now(UTC)
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=365))
        .sign(key, hashes.SHA256())
    )
    return certificate.public_bytes(serialization.Encoding.PEM).decode()


class IdentityWorld:
    """Cards, SMS codes and letters of identity, read where its adapters put them."""

    def __init__(self, runtime: ServiceRuntime, client: httpx.AsyncClient) -> None:
        self.runtime = runtime
        self.client = client
        self.mobiles = (f"+352 621 234 {n}" for n in itertools.count(500))

    async def card(self, child_id: str) -> tuple[str, str]:
        """Issue a myCard through identity's consumer; (IAM code, linking code) from the letter."""
        import re

        from csa_identity.adapters.letters import list_letters
        from csa_shared.bus import Message
        from csa_shared.events import new_event

        address = {**HOME_A, "line": "12, rue de la Gare"}
        event = new_event(
            "lu.csa.membership.child.registered.v1",
            source="/csa/membership",
            subject=child_id,
            data={
                "child_id": child_id,
                "surname": "Muster",
                "first_name": "Maëlle",
                "birth_date": "2019-05-04",
                "language": "lb",
                "home_address": address,
                "billing_address": address,
                "household_id": f"hh-{child_id}",
                "contract_id": f"ct-{child_id}",
            },
        )
        (consumer,) = [c for c in self.runtime.consumers if c.name == "identity.mycards"]
        await consumer(Message("csa.membership.events", child_id, event.to_json()))
        async with self.runtime.sessions() as session:
            letter = next(x for x in await list_letters(session) if x["child_id"] == child_id)
        iam = re.search(r"\b[A-Z][a-z]{2}[A-Z][a-z]\d{3,5}\b", letter["body"])
        linking = re.search(r"[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}", letter["body"])
        assert iam and linking, letter["body"]
        return iam.group(0), linking.group(0)

    async def activation_code(self, account_id: str) -> str:
        import re

        from csa_identity.adapters.letters import list_letters

        async with self.runtime.sessions() as session:
            found = [
                x
                for x in await list_letters(session)
                if x["kind"] == "activation" and x["account_id"] == account_id
            ]
        code = re.search(r"[2-9A-Z]{4}(?:-[2-9A-Z]{4}){3}", found[0]["body"])
        assert code, found[0]["body"]
        return code.group(0)

    async def sms_code(self, mobile: str) -> str:
        import re

        from csa_identity.accounts.repository import list_sms

        digits = mobile.replace(" ", "")[-6:]
        async with self.runtime.sessions() as session:
            latest = next(m for m in await list_sms(session) if m["phone"].endswith(digits))
        found = re.search(r"\b(\d{6})\b", latest["body"])
        assert found, latest["body"]
        return found.group(1)

    async def register(self, child_id: str) -> dict[str, Any]:
        """An active account with one child: iam_code, mobile, account_id."""
        import jwt

        iam, linking = await self.card(child_id)
        mobile = next(self.mobiles)
        body = {"iam_code": iam, "linking_code": linking, "password": PASSWORD, "mobile": mobile}
        started = await self.client.post("/v1/registrations", json=body)
        assert started.status_code == 202, started.text
        code = await self.sms_code(mobile)
        confirm = {"flow_id": started.json()["flow_id"], "code": code}
        done = await self.client.post("/v1/registrations/confirm", json=confirm)
        assert done.status_code == 201, done.text
        claims = jwt.decode(done.json()["access_token"], options={"verify_signature": False})
        return {"iam_code": iam, "mobile": mobile, "account_id": claims["sub"]}


async def test_identity_routes_answer_each_principal_as_the_matrix_says(
    pg_database_url: Callable[[], str], tmp_path: Path
) -> None:
    from csa_identity.context import identity_of
    from csa_identity.domain.passwords import CHEAP_ARGON2_FOR_TESTS, PasswordHasher
    from csa_shared.bus.memory import InProcessBus

    tokens = TestTokens()
    settings = Settings(
        IDENTITY_DATABASE_URL=pg_database_url(),
        CSA_VAR_DIR=str(tmp_path),
        KAFKA_BOOTSTRAP_SERVERS="127.0.0.1:9",  # production shape; the bus is in-process
    )
    runtime = definition("identity").build_runtime(settings, bus=InProcessBus())
    identity_of(runtime).password_hasher = PasswordHasher(CHEAP_ARGON2_FOR_TESTS)
    await runtime.start(migrate=True, relay=False)
    runtime.token_verifier = tokens.verifier("identity")
    app = definition("identity").create_app(runtime, manage_lifecycle=False)
    try:
        async with _client(app, "identity") as client:
            failures = await _identity(client, app, runtime, tokens)
    finally:
        await runtime.stop()
    assert not failures, _report(failures)


async def _identity(
    client: httpx.AsyncClient, app: FastAPI, runtime: ServiceRuntime, tokens: TestTokens
) -> list[str]:
    from urllib.parse import quote, urlencode

    import pyotp

    from csa_identity.domain.principals import AgentKind
    from csa_identity.office import certificates
    from csa_identity.principals import service as principals

    ids = IdentityWorld(runtime, client)
    family_a = await ids.register("ida-a")
    family_b = await ids.register("ida-b")
    world = World(
        tokens,
        ["ida-a"],
        ["ida-b"],
        account_a=family_a["account_id"],
        account_b=family_b["account_id"],
        secrets=(family_a["account_id"], family_a["iam_code"]),
        sees_secret=frozenset({"parent_a", "cae", "privacy"}),
    )
    family = {"parent_a": family_a, "parent_b": family_b}
    _, client_secret = await principals.create_client(
        runtime, provider_id="prov-x", client_id="prov-x-app"
    )
    totps = {}
    for who in COLUMNS:
        _, uri = await principals.create_agent(
            runtime, agent_id=f"agent-{who}", kind=AgentKind.CAE, password=PASSWORD, office="cae"
        )
        totps[who] = pyotp.parse_uri(uri)
    # each principal signs up with an account of its own for the public routes
    own: dict[str, dict[str, Any]] = {who: {} for who in COLUMNS}
    serial = _serial()

    def keep(who: str, **names: str) -> Callable[[httpx.Response], str | None]:
        def check(response: httpx.Response) -> str | None:
            own[who].update({key: response.json()[field] for key, field in names.items()})
            return None

        return check

    async def registration(who: str) -> Call:
        iam, linking = await ids.card(f"own-{who}")
        mobile = next(ids.mobiles)
        own[who].update(iam_code=iam, mobile=mobile, password=PASSWORD)
        body = {"iam_code": iam, "linking_code": linking, "password": PASSWORD, "mobile": mobile}
        return Call("/v1/registrations", json=body, check=keep(who, flow="flow_id"))

    async def login(who: str) -> Call:
        body = {"iam_code": own[who]["iam_code"], "password": own[who]["password"]}
        return Call("/v1/login", json=body, check=keep(who, flow="flow_id"))

    async def login_complete(who: str) -> Call:
        code = await ids.sms_code(own[who]["mobile"])
        body = {"flow_id": own[who]["flow"], "code": code}
        return Call("/v1/login/complete", json=body, check=keep(who, refresh="refresh_token"))

    async def refresh(who: str) -> Call:
        body = {"refresh_token": own[who]["refresh"]}
        return Call("/v1/sessions/refresh", json=body, check=keep(who, refresh="refresh_token"))

    async def logout(who: str) -> Call:
        return Call("/v1/logout", json={"refresh_token": own[who]["refresh"]})

    async def certificate_login(who: str) -> Call:
        import jwt

        account_id = jwt.decode(own[who]["access"], options={"verify_signature": False})["sub"]
        own[who]["account_id"] = account_id
        pem = certificate_pem(f"Owner {who}")
        await certificates.register(runtime, account_id, pem=pem)
        body = {"iam_code": own[who]["iam_code"], "password": own[who]["password"]}
        # as the ingress passes a verified client certificate (header names: settings)
        settings = runtime.settings
        headers = {
            settings.identity_client_cert_header: quote(pem),
            settings.identity_client_verify_header: "SUCCESS",
        }
        return Call("/v1/login/certificate", json=body, headers=headers)

    async def activation_request(who: str) -> Call:
        return Call("/v1/activation-codes", json={"iam_code": own[who]["iam_code"]})

    async def activation_use(who: str) -> Call:
        code = await ids.activation_code(own[who]["account_id"])
        own[who]["new_mobile"] = next(ids.mobiles)
        body = {
            "iam_code": own[who]["iam_code"],
            "activation_code": code,
            "new_password": NEW_PASSWORD,
            "mobile": own[who]["new_mobile"],
        }
        return Call("/v1/activation-codes/use", json=body, check=keep(who, flow="flow_id"))

    async def oauth(who: str) -> Call:
        form = {"grant_type": "client_credentials", "client_id": "prov-x-app"}
        content = urlencode({**form, "client_secret": client_secret}).encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        return Call("/v1/oauth/token", content=content, headers=headers)

    async def agent_login(who: str) -> Call:
        body = {"agent_id": f"agent-{who}", "password": PASSWORD, "totp": totps[who].now()}
        return Call("/v1/agents/login", json=body)

    def mine(who: str) -> dict[str, Any]:
        return family.get(who, family_a)

    async def password_change(who: str) -> Call:
        body = {"current_password": PASSWORD, "new_password": NEW_PASSWORD}
        return Call("/v1/me/password", json=body, check=keep(who, change="flow_id"))

    async def change_confirm(who: str) -> Call:
        code = await ids.sms_code(mine(who)["mobile"])
        body = {"flow_id": own[who].get("change", "none"), "code": code}
        return Call("/v1/me/changes/confirm", json=body)

    async def attach(who: str) -> Call:
        iam, linking = await ids.card(f"second-{who}-{serial()}")
        own[who]["second"] = f"second-{who}-{serial() - 1}"
        return Call("/v1/me/children", json={"iam_code": iam, "linking_code": linking})

    async def new_certificate(who: str) -> Call:
        pem = certificate_pem(f"Parent {who}")
        return Call(
            "/v1/me/certificates", json={"pem": pem}, check=keep(who, fp="sha256_fingerprint")
        )

    async def fixed_call(path: str, body: Any = None) -> Call:
        return Call(path, json=body)

    def fixed(path: str, body: Any = None) -> Builder:
        return lambda who: fixed_call(path, body)

    async def detach(who: str) -> Call:
        return Call(f"/v1/me/children/{own['parent_a'].get('second', 'none')}")

    async def drop_certificate(who: str) -> Call:
        return Call(f"/v1/me/certificates/{own['parent_a'].get('fp', '00')}")

    async def new_agent(who: str) -> Call:
        body = {
            "agent_id": f"new-agent-{serial()}",
            "kind": "commune",
            "password": PASSWORD,
            "commune": OWN_COMMUNE,
        }
        return Call("/v1/admin/agents", json=body)

    async def new_client(who: str) -> Call:
        return Call("/v1/admin/provider-clients", json={"provider_id": f"prov-{serial()}"})

    hook = {"url": "https://crechesoft.example.lu/hooks", "event_types": ["presence.recorded"]}
    subscription_x = await _webhook_subscription(client, world, hook)

    async def new_subscription(who: str) -> Call:
        return Call("/v1/webhooks/subscriptions", json=hook)

    async def dropped_subscription(who: str) -> Call:  # a fresh one of X's for each allowed cell
        found = await _webhook_subscription(client, world, hook)
        return Call(f"/v1/webhooks/subscriptions/{found}")

    async def registration_confirm(who: str) -> Call:
        code = await ids.sms_code(own[who]["mobile"])
        body = {"flow_id": own[who]["flow"], "code": code}
        return Call("/v1/registrations/confirm", json=body, check=keep(who, access="access_token"))

    async def activation_confirm(who: str) -> Call:
        code = await ids.sms_code(own[who]["new_mobile"])
        return Call(
            "/v1/activation-codes/confirm", json={"flow_id": own[who]["flow"], "code": code}
        )

    builders: dict[str, Builder] = {
        "GET /.well-known/jwks.json": fixed("/.well-known/jwks.json"),
        "GET /.well-known/oauth-authorization-server": fixed(
            "/.well-known/oauth-authorization-server"
        ),
        "GET /.well-known/openid-configuration": fixed("/.well-known/openid-configuration"),
        "POST /v1/registrations": registration,
        "POST /v1/registrations/confirm": registration_confirm,
        "POST /v1/login": login,
        "POST /v1/login/complete": login_complete,
        "POST /v1/sessions/refresh": refresh,
        "POST /v1/logout": logout,
        "POST /v1/login/certificate": certificate_login,
        "POST /v1/activation-codes": activation_request,
        "POST /v1/activation-codes/use": activation_use,
        "POST /v1/activation-codes/confirm": activation_confirm,
        "POST /v1/oauth/token": oauth,
        "POST /v1/agents/login": agent_login,
        "GET /v1/me": fixed("/v1/me"),
        "PUT /v1/me/email": fixed("/v1/me/email", {"email": "parent@example.lu"}),
        "POST /v1/me/password": password_change,
        "POST /v1/me/changes/confirm": change_confirm,
        "POST /v1/me/mobile": fixed("/v1/me/mobile", {"mobile": "+352 621 999 888"}),
        "POST /v1/me/children": attach,
        "DELETE /v1/me/children/{child_id}": detach,
        "GET /v1/me/certificates": fixed("/v1/me/certificates"),
        "POST /v1/me/certificates": new_certificate,
        "DELETE /v1/me/certificates/{fingerprint}": drop_certificate,
        "POST /v1/admin/provider-clients": new_client,
        "POST /v1/admin/agents": new_agent,
        "POST /v1/admin/cards/{child_id}/duplicate": fixed("/v1/admin/cards/ida-a/duplicate"),
        "GET /v1/privacy/children/{child_id}/export": fixed("/v1/privacy/children/ida-a/export"),
        "POST /v1/webhooks/subscriptions": new_subscription,
        "GET /v1/webhooks/subscriptions": fixed("/v1/webhooks/subscriptions"),
        "GET /v1/webhooks/subscriptions/{subscription_id}": fixed(
            f"/v1/webhooks/subscriptions/{subscription_x}"
        ),
        "GET /v1/webhooks/subscriptions/{subscription_id}/deliveries": fixed(
            f"/v1/webhooks/subscriptions/{subscription_x}/deliveries"
        ),
        "DELETE /v1/webhooks/subscriptions/{subscription_id}": dropped_subscription,
        **operations(),
    }
    return await run_matrix(client, app, world, IDENTITY, builders)


async def _webhook_subscription(
    client: httpx.AsyncClient, world: World, body: dict[str, Any]
) -> str:
    """A webhook subscription of provider X's client; its id."""
    path = "/v1/webhooks/subscriptions"
    created = await client.post(path, json=body, headers=world.auth("provider_x"))
    assert created.status_code == 201, created.text
    return str(created.json()["subscription_id"])
