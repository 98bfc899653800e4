"""The close's fast paths write exactly what the plain code builds.

* ``bill_chunk`` writes each invoice's lines as JSON directly (no line dicts): the text is
  ``json.dumps`` of ``bill_period``'s lines, byte for byte, and the provider totals are the
  same; over contracts, no contract, plurilingual providers, school holidays, meals, other
  charges and record ids that need escaping.
* ``invoice_outbox_records`` stages the ``invoice.issued`` documents that ``invoice_issued``
  builds (same data, same encoding), each checked against its schema.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest

from csa_billing import events
from csa_billing.periods.assemble import bill_period
from csa_billing.periods.bills import provider_totals
from csa_billing.periods.compute import bill_chunk
from csa_billing.periods.inputs import (
    Charge,
    ChildData,
    ChunkRows,
    ContractTerms,
    Interval,
    Meal,
    ProviderBook,
    ProviderTerms,
)
from csa_billing.periods.repository.closing import ISSUED_FIELDS
from csa_shared.events import InvalidEvent, topic_of
from csa_shared.rules.calendars import configured_calendar
from csa_shared.rules.periods import billing_period, weeks_of

PERIOD = billing_period(2025, 4)  # with the Easter school holidays and Easter Monday
CATEGORIES = ["rmg", "lt_1_5", "lt_2", "lt_2_5", "lt_3", "lt_3_5", "lt_4", "lt_4_5", "ge_4_5"]
SCHOOLING = ["none", "precoce_part_time", "fundamental"]
PROVIDERS = [
    ProviderTerms(
        f"p{i}",
        date(2024, 9, 2),
        ["sea_conventionne", "sea_commercial", "assistant_parental"][i % 3],
        "Luxembourg",
        Decimal("6.00") + i,
        Decimal("4.50"),
        i % 2 == 0,
    )
    for i in range(4)
]


def _child(n: int) -> ChildData:
    data = ChildData(f"k{n:03d}")
    if n % 5:  # every fifth child has no contract: full price to the parent
        data.contracts.append(
            ContractTerms(
                f"c{n}",
                1,
                f"h{n}",
                CATEGORIES[n % 9],
                1 + n % 3,
                SCHOOLING[n % 3],
                date(2021, 1, 1) + timedelta(days=40 * n),
                date(2025, 3, 3),
                date(2025, 4, 20) if n % 7 == 0 else date(2026, 2, 1),  # some end mid-period
                date(2025, 3, 3),
                "fr",
            )
        )
    for w, monday in enumerate(weeks_of(PERIOD)):
        for d in range(n % 3, 5):
            start = datetime.combine(monday + timedelta(days=d), datetime.min.time())
            start += timedelta(hours=6 + (n + d) % 5)
            provider = f"p{(n + w + d // 3) % 4}"
            record = f'r"{n}\\-{w}-{d}-é'  # escaped in JSON: quote, backslash, non-ASCII
            data.presences.append(
                Interval(record, provider, start, start + timedelta(hours=3 + (n + w) % 9))
            )
            if (n + d) % 2:
                data.meals.append(Meal(f"m{n}-{w}-{d}", provider, start.date(), 1 + n % 2))
    if n % 4 == 0:
        data.charges.append(
            Charge(f"x{n}", "p1", date(2025, 4, 9), "excursion", Decimal("12.50"), "zoo")
        )
    return data


def _rows(children: list[ChildData]) -> ChunkRows:
    contracts = [
        (c.child_id, *(getattr(t, f) for f in t.__slots__)) for c in children for t in c.contracts
    ]
    presences = []
    for c in children:
        ordered = sorted(c.presences, key=lambda p: (p.start, p.record_id))
        if ordered:
            presences.append((c.child_id, *map(list, zip(*ordered, strict=True))))
    meals = [
        (c.child_id, m.record_id, m.provider_id, m.day, m.count) for c in children for m in c.meals
    ]
    charges = [
        (c.child_id, x.record_id, x.provider_id, x.day, x.kind, x.amount, x.description)
        for c in children
        for x in c.charges
    ]
    return ChunkRows(contracts, [], presences, [], meals, [], charges, [])


def test_lines_written_directly_are_json_dumps_of_the_line_dicts() -> None:
    book = ProviderBook(PROVIDERS)
    calendar = configured_calendar()
    children = [_child(n) for n in range(40)]
    ids = [c.child_id for c in children]
    bills = bill_chunk(_rows(children), ids, PERIOD, book, calendar)
    kinds = set()
    for child, fast in zip(children, bills, strict=True):
        plain = bill_period(child, PERIOD, ProviderBook(PROVIDERS), calendar)
        assert fast.child_id == plain.child_id
        # one JSON array of lines per provider (one invoice each), in the engine's order
        assert fast.provider_lines() == {
            provider: json.dumps([x for x in plain.lines if x["provider"] == provider])
            for provider in sorted({str(x["provider"]) for x in plain.lines})
        }
        assert fast.lines_json() == plain.lines_json()
        assert sorted(json.loads(fast.lines_json()), key=json.dumps) == sorted(
            plain.lines, key=json.dumps
        )
        assert fast.by_provider() == provider_totals(plain.lines)
        assert fast.contract == plain.contract
        assert fast.plurilingual_weeks == plain.plurilingual_weeks
        kinds |= {(line["kind"], line["rule"]) for line in plain.lines}
    # the data went through the engine's main paths and the close's own lines
    assert {
        ("care", "no_contract"),
        ("meal", "no_contract"),
        ("other_charge", "other_charge"),
    } <= kinds
    assert {k for k, _ in kinds} >= {"care", "meal", "supplement"}
    assert len(kinds) >= 8


def _invoice(n: int) -> tuple[object, ...]:
    return (
        f"i{n}",
        "2025",
        n + 1,
        "2025-04",
        "2025-04" if n % 3 else "2025-03",
        f"k{n}",
        None if n % 4 == 0 else f"h{n}",
        None if n % 3 else f"i-old{n}",
        Decimal("12.30") * n,
        Decimal("-1.05") if n == 2 else Decimal("100.00"),
        f"p{n % 3}" if n % 3 else None,
        [f"p{k}" for k in range(n % 3)],
    )


def test_outbox_records_are_the_invoice_issued_documents() -> None:
    created = datetime(2025, 5, 6, 7, 8, 9, tzinfo=UTC)
    batch = [_invoice(n) for n in range(6)]
    records = events.invoice_outbox_records(batch, created)
    assert len({r[0] for r in records}) == len(batch)
    for row, (event_id, topic, key, payload, at) in zip(batch, records, strict=True):
        plain = events.invoice_issued(
            SimpleNamespace(**dict(zip(ISSUED_FIELDS, row, strict=False))), row[11]
        )
        document = json.loads(payload)
        assert (topic, key, at) == (topic_of(events.INVOICE_ISSUED), plain.key, created)
        assert document["id"] == event_id and document["time"] == created.isoformat()
        expected = {**plain.to_dict(), "id": event_id, "time": created.isoformat()}
        assert payload == json.dumps(expected, separators=(",", ":"), default=str)
    with pytest.raises(InvalidEvent):  # a document breaking its schema is never staged
        events.invoice_outbox_records([("", *batch[1][1:])], created)
