"""The events a period close publishes (no personal names, no national ids)."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from typing import Any

from csa_billing.domain.numbering import invoice_number
from csa_billing.periods.repository.closing import ISSUED_FIELDS
from csa_shared.events import (
    Envelope,
    InvalidEvent,
    cloudevent,
    encode_document,
    new_event,
    topic_of,
)
from csa_shared.events.schemas import validate_event
from csa_shared.ids import uuid4_strings
from csa_shared.rules.money import format_money

SOURCE = "/csa/billing"
PERIOD_CLOSED = "lu.csa.billing.period.closed.v1"
INVOICE_ISSUED = "lu.csa.billing.invoice.issued.v1"
STATEMENT_ISSUED = "lu.csa.billing.statement.issued.v1"


def _money(value: Decimal) -> str:
    return format_money(Decimal(value))


def invoice_issued(row: Any, providers: list[str] | None = None) -> Envelope:
    """``providers``: those billed on the invoice (default: read from its lines)."""
    if providers is None:
        providers = sorted({str(line["provider"]) for line in json.loads(row.lines)})
    return new_event(
        INVOICE_ISSUED,
        source=SOURCE,
        subject=row.child_id,
        data=_issued_data(*(getattr(row, name) for name in ISSUED_FIELDS), providers),
    )


def _issued_data(
    invoice_id: str,
    series: str,
    seq: int,
    month: str,
    corrects_month: str,
    child_id: str,
    household_id: str | None,
    original_invoice_id: str | None,
    parent_total: Decimal,
    state_total: Decimal,
    provider_id: str | None,
    providers: list[str],
) -> dict[str, Any]:
    """The data of ``invoice.issued``: ``provider_id`` is the provider the invoice bills
    (one invoice per child and provider), None for a 0.00 invoice billing no provider."""
    return {
        "invoice_id": invoice_id,
        "number": invoice_number(series, seq),
        "month": month,
        "corrects_month": corrects_month,
        "child_id": child_id,
        "household_id": household_id,
        "kind": "invoice" if corrects_month == month else "adjustment",
        "original_invoice_id": original_invoice_id,
        "parent_total": _money(parent_total),
        "state_total": _money(state_total),
        "providers": providers,
        "provider_id": provider_id,
    }


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
        *fields, providers = row[:12]
        child_id = fields[5]
        data = _issued_data(*fields, list(providers))
        document = cloudevent(event_id, INVOICE_ISSUED, SOURCE, child_id, when, data)
        problems = validate_event(document)
        if problems:
            raise InvalidEvent("; ".join(problems))
        records.append((event_id, topic, child_id, encode_document(document), created))
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
