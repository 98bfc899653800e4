"""The events a period close publishes (no personal names, no national ids)."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from typing import Any

from csa_billing.invoicing.finalize import invoice_number
from csa_shared.events import Envelope, InvalidEvent, new_event, topic_of
from csa_shared.events.schemas import validate_event
from csa_shared.ids import uuid4_strings

SOURCE = "/csa/billing"
PERIOD_CLOSED = "lu.csa.billing.period.closed.v1"
INVOICE_ISSUED = "lu.csa.billing.invoice.issued.v1"
STATEMENT_ISSUED = "lu.csa.billing.statement.issued.v1"


def _money(value: Decimal) -> str:
    return f"{Decimal(value):.2f}"


def invoice_issued(row: Any, providers: list[str] | None = None) -> Envelope:
    """``providers``: those billed on the invoice (default: read from its lines)."""
    if providers is None:
        providers = sorted({str(line["provider"]) for line in json.loads(row.lines)})
    return new_event(
        INVOICE_ISSUED,
        source=SOURCE,
        subject=row.child_id,
        data={
            "invoice_id": row.id,
            "number": invoice_number(row.series, row.seq),
            "month": row.month,
            "corrects_month": row.corrects_month,
            "child_id": row.child_id,
            "household_id": row.household_id,
            "kind": "invoice" if row.corrects_month == row.month else "adjustment",
            "original_invoice_id": row.original_invoice_id,
            "parent_total": _money(row.parent_total),
            "state_total": _money(row.state_total),
            "providers": providers,
        },
    )


# ``Envelope.to_json``'s encoding (same separators and fallback), one reusable encoder
_ENCODE = json.JSONEncoder(separators=(",", ":"), default=str).encode

OutboxRecord = tuple[str, str, str, str, datetime]
"""An outbox row to COPY: (event_id, topic, message_key, payload, created_at)."""


def invoice_outbox_records(batch: list[tuple[Any, ...]], created: datetime) -> list[OutboxRecord]:
    """The outbox rows of ``invoice.issued`` for each invoice of ``batch`` (tuples as
    ``finalize.issued_records`` reads them): the documents ``invoice_issued`` builds and
    ``add_to_outbox`` stages (same data, key order and encoding), at one time for the batch
    (``created``), each checked against its schema before it is staged; without an
    ``Envelope`` per event. Run in the close's worker (thread or process)."""
    topic = topic_of(INVOICE_ISSUED)
    when = created.isoformat()
    records: list[OutboxRecord] = []
    for row, event_id in zip(batch, uuid4_strings(len(batch)), strict=True):
        invoice_id, series, seq, month, corrects, child, household, original = row[:8]
        document = {
            "specversion": "1.0",
            "id": event_id,
            "source": SOURCE,
            "type": INVOICE_ISSUED,
            "subject": child,
            "time": when,
            "datacontenttype": "application/json",
            "data": {
                "invoice_id": invoice_id,
                "number": invoice_number(series, seq),
                "month": month,
                "corrects_month": corrects,
                "child_id": child,
                "household_id": household,
                "kind": "invoice" if corrects == month else "adjustment",
                "original_invoice_id": original,
                "parent_total": _money(row[8]),
                "state_total": _money(row[9]),
                "providers": list(row[10]),
            },
        }
        problems = validate_event(document)
        if problems:
            raise InvalidEvent("; ".join(problems))
        records.append((event_id, topic, child, _ENCODE(document), created))
    return records


def statement_issued(row: dict[str, Any]) -> Envelope:
    return new_event(
        STATEMENT_ISSUED,
        source=SOURCE,
        subject=row["provider_id"],
        data={
            "statement_id": row["id"],
            "number": row["number"],
            "month": row["month"],
            "provider_id": row["provider_id"],
            "commune": row["commune"],
            "children": row["children"],
            "state_total": _money(row["state_total"]),
        },
    )


def period_closed(period: Any, invoices: int, children: int) -> Envelope:
    return new_event(
        PERIOD_CLOSED,
        source=SOURCE,
        subject=period.month,
        data={
            "month": period.month,
            "start": period.start.isoformat(),
            "end": period.end.isoformat(),
            "invoices": invoices,
            "children": children,
            "parent_total": _money(period.parent_total),
            "state_total": _money(period.state_total),
            "closed_at": period.closed_at.isoformat(),
        },
    )
