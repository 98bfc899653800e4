"""A provider's statement as an archival PDF: its own, or any for a CAE agent (who pays it)."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from csa_billing.domain.numbering import invoice_number
from csa_billing.invoices import reads
from csa_billing.invoices.parties import address_lines, provider_terms_of
from csa_billing.invoices.statement_pdf import StatementDocument, StatementLine, render_statement
from csa_shared.auth import Principal, PrincipalKind, Role, require_kind, require_role
from csa_shared.errors import NotFound


async def _visible_statement(unit: AsyncSession, statement_id: str, principal: Principal) -> Any:
    require_kind(principal, PrincipalKind.PROVIDER, PrincipalKind.AGENT)
    if principal.kind is PrincipalKind.AGENT:
        require_role(principal, Role.CAE_AGENT)
    row = await reads.statement_by_id(unit, statement_id)
    if row is None or (
        principal.kind is PrincipalKind.PROVIDER and row.provider_id != principal.provider_id
    ):
        raise NotFound(f"no statement {statement_id}")
    return row


async def statement_document(unit: AsyncSession, row: Any) -> StatementDocument:
    """The statement ``row`` with its lines, the children's names and the provider's terms."""
    month, provider_id = row.month, row.provider_id
    found = await reads.statement_lines(unit, month, provider_id)
    ids = {x.child_id for x in found}
    names = await reads.display_names(unit, ids)
    terms = await provider_terms_of(unit, provider_id)
    address = json.loads(terms.address) if terms is not None and terms.address else None
    return StatementDocument(
        number=row.number,
        month=month,
        issued_at=row.issued_at,
        state_total=Decimal(row.state_total),
        provider_name=terms.name if terms is not None else provider_id,
        provider_address=address_lines(address),
        iban=terms.iban if terms is not None else None,
        bic=terms.bic if terms is not None else None,
        lines=[
            StatementLine(
                child=names.get(x.child_id, x.child_id),
                corrects_month=x.corrects_month,
                invoice_number=invoice_number(x.series, x.seq) if x.seq is not None else "",
                parent_amount=x.parent_amount,
                state_amount=x.state_amount,
            )
            for x in found
        ],
    )


async def statement_pdf(
    unit: AsyncSession, principal: Principal, statement_id: str, language: str
) -> bytes:
    """The statement's PDF in ``language``, for whoever may read it (else 404/403)."""
    row = await _visible_statement(unit, statement_id, principal)
    return render_statement(await statement_document(unit, row), language)
