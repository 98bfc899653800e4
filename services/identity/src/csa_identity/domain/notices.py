"""E-mail notices to parents: which expiry notice is due on a day, the texts of each notice
in the family's language, and the back-off of a mail the server did not take."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from csa_identity.domain.messages import message

# days before the contract's last day: the 30-day notice, then the 7-day one
EXPIRY_NOTICE_DAYS = (30, 7)
FIRST_RETRY = timedelta(seconds=30)
LONGEST_RETRY = timedelta(hours=1)


@dataclass(frozen=True)
class Mail:
    subject: str
    body: str


def expiry_kind(days: int) -> str:
    return f"expiry_{days}"


def due_expiry_notice(valid_until: date, today: date) -> int | None:
    """The notice (30 or 7 days) due ``today`` for a contract valid until ``valid_until``:
    the closest threshold already reached, none once the contract has ended. A check that
    missed a day still sends it late rather than never."""
    left = (valid_until - today).days
    if left < 0:
        return None
    reached = [days for days in EXPIRY_NOTICE_DAYS if left <= days]
    return min(reached) if reached else None


def invoice_mail(*, kind: str, number: str, month: str, amount: str, language: str) -> Mail:
    """``kind``: invoice or adjustment (``lu.csa.billing.invoice.issued.v1``)."""
    params = {"number": number, "month": month, "amount": amount}
    return Mail(
        subject=message(f"mail.{kind}.subject", language, **params),
        body=message(f"mail.{kind}.body", language, **params),
    )


def expiry_mail(*, days: int, valid_until: date, language: str) -> Mail:
    return Mail(
        subject=message("mail.expiry.subject", language, days=days),
        body=message("mail.expiry.body", language, valid_until=valid_until.isoformat()),
    )


def retry_delay(attempts: int) -> timedelta:
    """Wait after the ``attempts``-th failed try: 30 s doubling, at most one hour."""
    return min(FIRST_RETRY * (1 << min(max(0, attempts - 1), 16)), LONGEST_RETRY)
