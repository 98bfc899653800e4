"""HTTP routes of the payments: export a closed period's transfers, download the pain.001
file and the accounting CSV, record the bank's answers (pain.002 upload or one by one)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from sqlalchemy.ext.asyncio import AsyncSession

from csa_billing.domain.payments import PaymentStatus
from csa_billing.payments import service
from csa_billing.payments.documents import in_utc
from csa_billing.payments.schemas import (
    BatchOut,
    PaymentOut,
    PaymentStatusIn,
    PaymentStatusOut,
    ReportedStatus,
)
from csa_billing.payments.settings import PaymentSettings
from csa_billing.payments.status_reports import parse_status_report
from csa_shared.auth import Principal, PrincipalKind, Role, require_kind, require_role
from csa_shared.errors import PayloadTooLarge
from csa_shared.http.auth import authenticated
from csa_shared.http.problems import PROBLEM_BASE, PROBLEM_JSON, problem_responses
from csa_shared.http.unit_of_work import UNIT

router = APIRouter(tags=["payments"])
MAX_REPORT_BYTES = 20 * 1024 * 1024
PAIN_002_EXAMPLE = """<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.10">
  <CstmrPmtStsRpt>
    <GrpHdr><MsgId>BANK-0001</MsgId><CreDtTm>2025-04-08T09:00:00Z</CreDtTm></GrpHdr>
    <OrgnlGrpInfAndSts><OrgnlMsgId>CSA-PAY-2025-03</OrgnlMsgId>
      <OrgnlMsgNmId>pain.001.001.09</OrgnlMsgNmId></OrgnlGrpInfAndSts>
    <OrgnlPmtInfAndSts><OrgnlPmtInfId>CSA-PAY-2025-03</OrgnlPmtInfId>
      <TxInfAndSts><OrgnlEndToEndId>S2025-03-sea-001</OrgnlEndToEndId><TxSts>ACSC</TxSts>
      </TxInfAndSts>
    </OrgnlPmtInfAndSts>
  </CstmrPmtStsRpt>
</Document>
"""


def _problem_doc(status: int, title: str, slug: str, detail: str) -> dict[int | str, Any]:
    example = {"type": PROBLEM_BASE + slug, "title": title, "status": status, "detail": detail}
    schema = {"$ref": "#/components/schemas/Problem"}
    return {
        status: {
            "description": title,
            "content": {PROBLEM_JSON: {"schema": schema, "example": example}},
        }
    }


REPORT_PROBLEMS = {
    **_problem_doc(
        400,
        "Malformed status report",
        "malformed-status-report",
        "not well-formed XML: Premature end of data in tag Document line 2, line 3, column 1",
    ),
    **_problem_doc(
        413, "Payload too large", "payload-too-large", "a status report is at most 20971520 bytes"
    ),
    **problem_responses(422),
}


def require_payment_officer(principal: Principal) -> None:
    """Paying the providers is a national act: the CAE's agents (national, as for the
    administration of identity) or an internal service; a commune agent sees only its
    commune and the Dageselteren agency only its assistants. When billing gets its national
    close role, this check follows it."""
    require_kind(principal, PrincipalKind.AGENT, PrincipalKind.SERVICE)
    if principal.kind is PrincipalKind.AGENT:
        require_role(principal, Role.CAE_AGENT)


def _payment_out(row: Any) -> dict[str, Any]:
    out = {k: getattr(row, k) for k in PaymentOut.model_fields if k != "end_to_end_id"}
    left_out = row.status == PaymentStatus.NOT_PAYABLE.value
    at = row.status_at and in_utc(row.status_at)
    return {**out, "end_to_end_id": None if left_out else row.end_to_end_id, "status_at": at}


def _batch_out(batch: service.Batch) -> BatchOut:
    row = batch.row
    return BatchOut(
        month=row.month,
        message_id=row.message_id,
        created_at=in_utc(row.created_at),
        execution_date=row.execution_date,
        transactions=row.transactions,
        total=row.total,
        payments=[PaymentOut(**_payment_out(p)) for p in batch.payments],
    )


@router.post(
    "/periods/{month}/payments",
    response_model=BatchOut,
    status_code=201,
    responses={
        200: {"model": BatchOut, "description": "Exported before: the same batch (idempotent)"},
        **problem_responses(409, 422),
    },
    summary="Export a closed period's payments to the providers (once; CAE agents)",
)
async def export_payments(
    month: str,
    response: Response,
    unit: AsyncSession = UNIT,
    principal: Principal = Depends(authenticated),
) -> BatchOut:
    require_payment_officer(principal)
    batch = await service.export(unit, month, PaymentSettings())
    if not batch.created:
        response.status_code = 200
    return _batch_out(batch)


@router.get(
    "/periods/{month}/payments",
    response_model=BatchOut,
    responses=problem_responses(404, 422),
    summary="A period's exported payments and the status of each (CAE agents)",
)
async def show_payments(
    month: str, unit: AsyncSession = UNIT, principal: Principal = Depends(authenticated)
) -> BatchOut:
    require_payment_officer(principal)
    return _batch_out(await service.exported(unit, month))


def _attachment(content: bytes, media_type: str, filename: str) -> Response:
    disposition = f'attachment; filename="{filename}"'
    return Response(content, media_type=media_type, headers={"Content-Disposition": disposition})


@router.get(
    "/periods/{month}/payments/pain.001.xml",
    responses={
        200: {"content": {"application/xml": {}}, "description": "ISO 20022 pain.001.001.09"},
        **problem_responses(404, 422),
    },
    summary="The period's SEPA credit transfer file (same bytes on every download)",
)
async def credit_transfer_file(
    month: str, unit: AsyncSession = UNIT, principal: Principal = Depends(authenticated)
) -> Response:
    require_payment_officer(principal)
    content = await service.credit_transfer_file(unit, month)
    return _attachment(content, "application/xml", f"csa-payments-{month}.pain.001.xml")


@router.get(
    "/periods/{month}/payments.csv",
    responses={
        200: {"content": {"text/csv": {}}, "description": "One row per statement"},
        **problem_responses(404, 422),
    },
    summary="The period's payments for accounting, as CSV",
)
async def accounting_file(
    month: str, unit: AsyncSession = UNIT, principal: Principal = Depends(authenticated)
) -> Response:
    require_payment_officer(principal)
    content = await service.accounting_file(unit, month)
    return _attachment(content, "text/csv; charset=utf-8", f"csa-payments-{month}.csv")


@router.post(
    "/payments/status-reports",
    response_model=list[ReportedStatus],
    responses=REPORT_PROBLEMS,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/xml": {"schema": {"type": "string"}, "example": PAIN_002_EXAMPLE}
            },
        }
    },
    summary="Record the bank's payment status report (pain.002): ACCP/ACSC confirm, RJCT rejects",
)
async def upload_status_report(
    request: Request,
    unit: AsyncSession = UNIT,
    principal: Principal = Depends(authenticated),
) -> list[ReportedStatus]:
    require_payment_officer(principal)
    content = await request.body()
    if len(content) > MAX_REPORT_BYTES:
        raise PayloadTooLarge(f"a status report is at most {MAX_REPORT_BYTES} bytes")
    outcomes = await service.apply_status_report(unit, parse_status_report(content))
    return [
        ReportedStatus(**_payment_out(o.payment), transition=o.transition.value, code=o.code or "")
        for o in outcomes
    ]


@router.post(
    "/statements/{statement_id}/payment-status",
    response_model=PaymentStatusOut,
    responses=problem_responses(404, 409, 422),
    summary="Record one transfer's outcome: confirmed or rejected, once",
)
async def set_payment_status(
    statement_id: str,
    body: PaymentStatusIn,
    unit: AsyncSession = UNIT,
    principal: Principal = Depends(authenticated),
) -> PaymentStatusOut:
    require_payment_officer(principal)
    outcome = await service.set_status(unit, statement_id, PaymentStatus(body.status), body.reason)
    return PaymentStatusOut(**_payment_out(outcome.payment), transition=outcome.transition.value)
