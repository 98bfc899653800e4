"""The events a period close publishes (no personal names, no national ids)."""

from __future__ import annotations

import json
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from csa_billing.invoicing.finalize import invoice_number
from csa_shared.events import Envelope, new_event

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


def invoice_events(batch: list[tuple[dict[str, Any], list[str]]]) -> list[Envelope]:
    """``invoice.issued`` of each (invoice row as a dict, providers): the close builds them in
    its worker processes when it has some (each event is still checked against its schema)."""
    return [invoice_issued(SimpleNamespace(**row), providers) for row, providers in batch]


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
