"""Reading the bank's payment status report (ISO 20022 pain.002, any version): the
transfers' end-to-end ids with their transaction status and reason."""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from csa_shared.errors import ApplicationError

PAIN_002_PREFIX = "urn:iso:std:iso:20022:tech:xsd:pain.002."
# No DTD, no entity expansion, no network: an uploaded file cannot reach files or hosts,
# nor blow up in memory
_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_comments=True
)


class MalformedReport(ApplicationError):
    status, code, title = 400, "malformed-status-report", "Malformed status report"


@dataclass(frozen=True, slots=True)
class TransactionStatus:
    end_to_end_id: str
    code: str  # TxSts: ACCP, ACSC, RJCT, or an interim code
    reason: str | None  # StsRsnInf/Rsn/Cd (e.g. AC04 closed account)


def _text(node: etree._Element, path: str) -> str | None:
    found = node.find(path)
    text = found.text if found is not None else None
    return text.strip() if text and text.strip() else None


def parse_status_report(content: bytes) -> list[TransactionStatus]:
    """Every TxInfAndSts of the report, in file order; raises ``MalformedReport`` when the
    content is not well-formed XML or not a pain.002 customer payment status report, or a
    transaction lacks its end-to-end id or status."""
    try:
        root = etree.fromstring(content, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise MalformedReport(f"not well-formed XML: {exc}") from exc
    namespace = etree.QName(root).namespace or ""
    report = root.find("{*}CstmrPmtStsRpt")
    if etree.QName(root).localname != "Document" or not namespace.startswith(PAIN_002_PREFIX):
        raise MalformedReport(f"not a pain.002 status report (namespace {namespace!r})")
    if report is None:
        raise MalformedReport("a pain.002 document holds a CstmrPmtStsRpt")
    found = []
    for number, tx in enumerate(report.iter("{*}TxInfAndSts"), start=1):
        end_to_end_id = _text(tx, "{*}OrgnlEndToEndId")
        code = _text(tx, "{*}TxSts")
        if end_to_end_id is None or code is None:
            raise MalformedReport(f"transaction {number}: OrgnlEndToEndId and TxSts are required")
        found.append(TransactionStatus(end_to_end_id, code, _text(tx, "{*}StsRsnInf/{*}Rsn/{*}Cd")))
    return found
