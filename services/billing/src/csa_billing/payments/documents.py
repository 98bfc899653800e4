"""The batch's documents: the SEPA credit transfer file (ISO 20022 pain.001.001.09) for the
bank and the CSV for accounting. Both are written from the stored batch only, so a second
download gives the same bytes."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from lxml import etree

from csa_billing.domain.payments import PaymentStatus, remittance
from csa_shared.rules.money import format_money

PAIN_001 = "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"
NOT_PROVIDED = "NOTPROVIDED"  # EPC: the agent's identification when no BIC is given
CSV_COLUMNS = (
    "statement_number",
    "provider_id",
    "provider_name",
    "iban",
    "bic",
    "amount",
    "period",
    "end_to_end_id",
    "note",
)


def in_file(payments: Sequence[Any]) -> list[Any]:
    """The batch's transfers: every payment but those left out (whatever their status now)."""
    return [p for p in payments if p.status != PaymentStatus.NOT_PAYABLE.value]


def in_utc(instant: datetime) -> datetime:
    """A stored instant in UTC (SQLite hands it back naive, PostgreSQL in its own zone)."""
    return instant.replace(tzinfo=UTC) if instant.tzinfo is None else instant.astimezone(UTC)


def creation_time(instant: datetime) -> str:
    """CreDtTm: the export instant in UTC, to the second."""
    return in_utc(instant).strftime("%Y-%m-%dT%H:%M:%SZ")


class _Builder:
    def __init__(self) -> None:
        self.root = etree.Element(f"{{{PAIN_001}}}Document", nsmap={None: PAIN_001})

    @staticmethod
    def add(parent: Any, path: str, text: str | None = None, **attributes: str) -> Any:
        """Append ``A/B/C`` under ``parent`` (new elements each time); text on the last."""
        node = parent
        for name in path.split("/"):
            node = etree.SubElement(node, f"{{{PAIN_001}}}{name}")
        if text is not None:
            node.text = text
        for key, value in attributes.items():
            node.set(key, value)
        return node


def _agent(b: _Builder, parent: Any, name: str, bic: str | None) -> None:
    agent = b.add(parent, f"{name}/FinInstnId")
    if bic:
        b.add(agent, "BICFI", bic)
    else:
        b.add(agent, "Othr/Id", NOT_PROVIDED)


def pain_001(batch: Any, payments: Sequence[Any]) -> bytes:
    """The batch as one payment information block of SEPA credit transfers, one
    CdtTrfTxInf per paid statement, its number as unstructured remittance information."""
    transfers = in_file(payments)
    count = str(len(transfers))
    total = format_money(sum((Decimal(p.amount) for p in transfers), Decimal("0.00")))
    b = _Builder()
    initiation = b.add(b.root, "CstmrCdtTrfInitn")
    header = b.add(initiation, "GrpHdr")
    b.add(header, "MsgId", batch.message_id)
    b.add(header, "CreDtTm", creation_time(batch.created_at))
    b.add(header, "NbOfTxs", count)
    b.add(header, "CtrlSum", total)
    b.add(header, "InitgPty/Nm", batch.debtor_name)
    info = b.add(initiation, "PmtInf")
    b.add(info, "PmtInfId", batch.message_id)
    b.add(info, "PmtMtd", "TRF")
    b.add(info, "NbOfTxs", count)
    b.add(info, "CtrlSum", total)
    b.add(info, "PmtTpInf/SvcLvl/Cd", "SEPA")
    b.add(info, "ReqdExctnDt/Dt", batch.execution_date.isoformat())
    b.add(info, "Dbtr/Nm", batch.debtor_name)
    b.add(info, "DbtrAcct/Id/IBAN", batch.debtor_iban)
    _agent(b, info, "DbtrAgt", batch.debtor_bic)
    b.add(info, "ChrgBr", "SLEV")
    for p in transfers:
        tx = b.add(info, "CdtTrfTxInf")
        b.add(tx, "PmtId/EndToEndId", p.end_to_end_id)
        b.add(tx, "Amt/InstdAmt", format_money(Decimal(p.amount)), Ccy="EUR")
        if p.bic:
            _agent(b, tx, "CdtrAgt", p.bic)
        b.add(tx, "Cdtr/Nm", p.creditor_name)
        b.add(tx, "CdtrAcct/Id/IBAN", p.iban)
        b.add(tx, "RmtInf/Ustrd", remittance(p.statement_number))
    return bytes(etree.tostring(b.root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def _cell(text: str) -> str:
    """A text cell a spreadsheet will not run as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def accounting_csv(month: str, payments: Sequence[Any]) -> bytes:
    """One row per statement of the period, in statement-number order: the transfers, and
    the statements left out with the reason in ``note`` (so none is silently dropped)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for p in payments:
        left_out = p.status == PaymentStatus.NOT_PAYABLE.value
        writer.writerow(
            [
                _cell(p.statement_number),
                _cell(p.provider_id),
                _cell(p.creditor_name),
                p.iban or "",
                p.bic or "",
                format_money(Decimal(p.amount)),
                month,
                "" if left_out else p.end_to_end_id,
                p.reason if left_out else "",
            ]
        )
    return out.getvalue().encode("utf-8")
