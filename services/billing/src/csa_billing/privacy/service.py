"""Export of what billing holds about a child, and the erasure on ``child.erased``.

The accounting records (invoices, their lines, numbers and totals, statement lines) are kept
unchanged for the legal retention period: they carry the pseudonymous child id, not the name.
The erasure scrubs the display name and billing addresses of the membership projections and
drops the child's cached invoice PDFs, which then re-render from the unchanged invoice.
"""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import Any

from fastapi.encoders import jsonable_encoder
from sqlalchemy.ext.asyncio import AsyncSession

from csa_billing.privacy import repository
from csa_billing.privacy.schemas import BillingExport
from csa_shared.auth import Principal
from csa_shared.auth.principal import require_data_subject_access
from csa_shared.errors import NotFound
from csa_shared.events import Envelope

log = logging.getLogger(__name__)

CHILD_ERASED = "lu.csa.membership.child.erased.v1"
ERASED = "erased"


def _plain(value: Any) -> Any:
    """Rows as JSON: dates ISO, money as decimal strings (never floats)."""
    return jsonable_encoder(value, custom_encoder={Decimal: str})


async def export(session: AsyncSession, principal: Principal, child_id: str) -> BillingExport:
    require_data_subject_access(principal, child_id)
    child = await repository.child_row(session, child_id)
    contracts = await repository.contract_rows(session, child_id)
    attendance = await repository.attendance_rows(session, child_id)
    invoices = await repository.invoice_rows(session, child_id)
    if child is None and not contracts and not invoices and not any(attendance.values()):
        raise NotFound(f"no personal data about child {child_id}")
    return BillingExport(
        child_id=child_id,
        child=_plain(child),
        contract_versions=_plain(contracts),
        attendance=_plain(attendance),
        invoices=_plain(invoices),
        statement_lines=_plain(await repository.statement_rows(session, child_id)),
    )


async def on_child_erased(session: AsyncSession, event: Envelope) -> None:
    """Idempotent: a second run scrubs what is already scrubbed and finds no cached PDF."""
    child_id = str(event.data["child_id"])
    await repository.scrub(session, child_id, erased=ERASED)
    dropped = await repository.forget_rendered_pdfs(session, child_id)
    log.info("child's personal data erased", extra={"child_id": child_id, "pdfs": dropped})


HANDLERS = {CHILD_ERASED: on_child_erased}
