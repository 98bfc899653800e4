"""Close demo towns' periods and print one digest of every document the closes produce.

    .venv/bin/python scripts/compare_close_documents.py [--towns 12] [--pg-towns 3]
        [--bench-children 1500] [--show]

Run it on two commits (e.g. ``main`` and a branch that re-shapes billing): the same digest
means every closed period's documents are byte for byte the same. The towns are

* random towns of the close's property test (``services/billing/tests/integration/
  random_town.py``: presences, reservations, meals, AP service sheets and contracts over
  2025-03..05, some corrected after a close, so that later closes write adjustments), drawn
  derandomized, each with one other charge, closed on SQLite (``--towns``) and on
  PostgreSQL (``--pg-towns``: the COPY paths);
* the benchmark's town (``bench/bench_close.py``: ``--bench-children`` children, 2025-03)
  on PostgreSQL.

The documents: every invoice and adjustment (its row, its JSON as ``GET /v1/invoices``
and ``GET /v1/invoices/{id}`` give it, its PDF), every statement (row and ``GET
/v1/statements``), statement lines, periods (row and ``GET /v1/periods/{month}``), the
ledger and every event of the outbox. Randomness is seeded (``os.urandom``: ids and event
ids) and the clock's values (``created_at``, ``issued_at``, ``closed_at``, an event's
``time``, a PDF's creation date and file id) are left out: nothing else may differ.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import importlib
import json
import os
import random
import re
import sys
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "services/billing/tests"), str(ROOT / "bench")]

_rng = random.Random(20)
os.urandom = _rng.randbytes  # ids, event ids and the towns' record ids: the same each run

import httpx  # noqa: E402
from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402
from integration.random_town import MONTHS, TOWNS, Town, events_by_phase  # noqa: E402
from integration.town import deliver  # noqa: E402
from sqlalchemy import select  # noqa: E402

from csa.services import definition  # noqa: E402
from csa_shared.events import new_event  # noqa: E402
from csa_shared.runtime import ServiceRuntime  # noqa: E402
from csa_shared.settings import Settings  # noqa: E402
from csa_shared.testing.postgres import PostgresDatabases  # noqa: E402
from csa_shared.testing.tokens import TestTokens  # noqa: E402

CLOSABLE = (date(2025, 4, 30), date(2025, 5, 30), date(2025, 6, 30))
CLOCK = {"created_at", "issued_at", "closed_at", "started_at", "rendered_at", "time"}
# the render's own clock: the info dates, the file id and the XMP dates of archival PDFs
_PDF_CLOCK = re.compile(
    rb"/(?:CreationDate|ModDate) \([^)]*\)|/ID \[<[0-9a-fA-F]*><[0-9a-fA-F]*>\]"
    rb"|<xmp:\w+Date>[^<]*</xmp:\w+Date>|xmp:\w+Date=\"[^\"]*\""
)


def _close_api() -> tuple[Any, Any]:
    """``CloseOptions`` and ``close_period`` wherever this commit keeps them."""
    # the module of a commit before billing's re-shape too (invoicing/), to compare across it
    for name in ("csa_billing.periods.close", "csa_billing.invoicing.service"):
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError:
            continue
        return module.CloseOptions, module.close_period
    raise SystemExit("no close_period found")


def towns(count: int) -> list[Town]:
    found: list[Town] = []

    @settings(
        derandomize=True,
        max_examples=count,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(town=TOWNS)
    def collect(town: Town) -> None:
        found.append(town)

    collect()
    return found[:count]


def _charge(child: str, day: str) -> Any:
    return new_event(
        "lu.csa.attendance.othercharge.recorded.v1",
        source="/csa/attendance",
        subject=child,
        data={
            "charge_id": f"charge-{child}-{day}",
            "provider_record_id": f"pr-{child}-{day}",
            "record_id": f"r-{child}-{day}",
            "state_supported": False,
            "affects_closed_period": False,
            "provider_id": "sea-1",
            "child_id": child,
            "day": day,
            "kind": "excursion",
            "amount": "12.50",
            "description": "Zoo",
            "version": 1,
        },
    )


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in sorted(value.items()) if k not in CLOCK}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value if isinstance(value, str | int | float | bool | type(None)) else str(value)


def _items(body: Any) -> list[Any]:
    return body["items"] if isinstance(body, dict) and "items" in body else body


async def _all(api: httpx.AsyncClient, path: str, headers: dict[str, str]) -> list[Any]:
    """Every item of a list endpoint (following ``next_cursor`` when it pages)."""
    items: list[Any] = []
    params: dict[str, str] = {}
    while True:
        response = await api.get(path, headers=headers, params=params)
        assert response.status_code == 200, response.text
        body = response.json()
        items += _items(body)
        cursor = body.get("next_cursor") if isinstance(body, dict) else None
        if not cursor:
            return items
        params = {"cursor": cursor}


async def documents(runtime: ServiceRuntime) -> dict[str, Any]:
    """Every table row and API answer a close produces (clock values left out)."""
    from csa_billing import tables as t

    out: dict[str, Any] = {}
    async with runtime.sessions() as session:
        for name, table, order in (
            ("billing_period", t.billing_period, [t.billing_period.c.month]),
            ("invoice", t.invoice, [t.invoice.c.month, t.invoice.c.seq]),
            ("statement", t.statement, [t.statement.c.month, t.statement.c.provider_id]),
            ("statement_line", t.statement_line, list(t.statement_line.c)),
            ("child_period", t.child_period, [t.child_period.c.month, t.child_period.c.child_id]),
            ("plurilingual_week", t.plurilingual_week, list(t.plurilingual_week.c)),
        ):
            rows = (await session.execute(select(table).order_by(*order))).mappings().all()
            out[name] = [_plain(dict(r)) for r in rows]
        outbox = runtime.outbox
        rows = (await session.execute(select(outbox).order_by(outbox.c.id))).mappings().all()
        events = []
        for row in rows:
            for document in str(row["payload"]).splitlines():
                events.append([row["topic"], _plain(json.loads(document))])
        out["events"] = events
    tokens = TestTokens()
    runtime.token_verifier = tokens.verifier("billing")
    app = definition("billing").create_app(runtime, manage_lifecycle=False)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://billing") as api:
        children = sorted({r["child_id"] for r in out["invoice"]})
        providers = sorted({r["provider_id"] for r in out["statement"]})
        agent = tokens.header(tokens.cae_agent("cae-1"))
        out["api_periods"] = [
            (await api.get(f"/v1/periods/{r['month']}", headers=agent)).json()
            for r in out["billing_period"]
        ]
        api_invoices, pdfs = [], []
        for child in children:
            parent = tokens.header(tokens.parent(f"parent-{child}", [child]))
            listed = await _all(api, "/v1/invoices", parent)
            api_invoices.append(listed)
            for inv in listed:
                one = await api.get(f"/v1/invoices/{inv['id']}", headers=parent)
                api_invoices.append(one.json())
                for path in (f"/v1/invoices/{inv['id']}.pdf", f"/v1/invoices/{inv['id']}"):
                    pdf = await api.get(
                        path, headers=parent, params={"format": "pdf"} if "." not in path else {}
                    )
                    assert pdf.status_code == 200, pdf.text
                    pdfs.append(hashlib.sha256(_PDF_CLOCK.sub(b"", pdf.content)).hexdigest())
        out["api_invoices"] = _plain(api_invoices)
        out["pdfs"] = pdfs
        out["api_statements"] = [
            _plain(await _all(api, "/v1/statements", tokens.header(tokens.provider(p))))
            for p in providers
        ]
    return out


async def close_town(url: str, town: Town, chunk: int) -> dict[str, Any]:
    options_of, close_period = _close_api()
    runtime = definition("billing").build_runtime(Settings(BILLING_DATABASE_URL=url))
    await runtime.migrate()
    try:
        phases = events_by_phase(town)
        phases[0].append(_charge(town.children[0].child_id, "2025-03-12"))
        phases[1].append(_charge(town.children[-1].child_id, "2025-04-15"))
        for month, events in enumerate(phases):
            await deliver(runtime, events)
            options = options_of(today=CLOSABLE[month], chunk_size=chunk, workers=0)
            await close_period(runtime, MONTHS[month], options)
        return await documents(runtime)
    finally:
        await runtime.engine.dispose()


async def close_bench(url: str, children: int) -> dict[str, Any]:
    import bench_close

    options_of, close_period = _close_api()
    runtime = definition("billing").build_runtime(
        Settings(BILLING_DATABASE_URL=url), subscribe=False
    )
    await runtime.migrate()
    try:
        await bench_close.load(url.replace("postgresql+asyncpg://", "postgresql://"), children)
        options = options_of(today=date(2025, 4, 30), chunk_size=400, workers=0)
        await close_period(runtime, bench_close.PERIOD.month, options)
        return await documents(runtime)
    finally:
        await runtime.engine.dispose()


def _digest(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


async def main(args: argparse.Namespace) -> None:
    drawn = towns(max(args.towns, args.pg_towns))
    parts: dict[str, str] = {}
    with tempfile.TemporaryDirectory() as directory:
        for k, town in enumerate(drawn[: args.towns]):
            url = f"sqlite+aiosqlite:///{Path(directory)}/town{k}.db"
            parts[f"sqlite town {k}"] = _digest(await close_town(url, town, chunk=2))
    with PostgresDatabases() as databases:
        for k, town in enumerate(drawn[: args.pg_towns]):
            database = databases.create()
            parts[f"postgresql town {k}"] = _digest(await close_town(database.url, town, chunk=1))
            databases.drop(database)
        if args.bench_children:
            database = databases.create()
            found = await close_bench(database.url, args.bench_children)
            parts[f"bench town {args.bench_children} children"] = _digest(found)
            databases.drop(database)
    for name, digest in parts.items():
        if args.show:
            print(f"{digest}  {name}")
    print(f"{_digest(parts)}  all closed documents")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--towns", type=int, default=12)
    parser.add_argument("--pg-towns", type=int, default=3)
    parser.add_argument("--bench-children", type=int, default=1500)
    parser.add_argument("--show", action="store_true", help="a digest per town too")
    asyncio.run(main(parser.parse_args()))
