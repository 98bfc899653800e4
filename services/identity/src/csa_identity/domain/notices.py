"""E-mail notices to parents: which expiry notice is due on a day, the texts of each notice
in the family's language (dates, months and amounts in its conventions: CLDR via Babel), and
the back-off of a mail the server did not take."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from babel.dates import format_date, format_skeleton
from babel.numbers import format_currency

from csa_identity.domain.messages import FALLBACK_LANGUAGE, message
from csa_shared.rules.locales import BABEL_LOCALES

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


def _known(language: str) -> str:
    """The language itself, French for one without texts (as ``messages.message``)."""
    return language if language in BABEL_LOCALES else FALLBACK_LANGUAGE


def _locale(language: str) -> str:
    return str(BABEL_LOCALES[_known(language)])


def amount_text(amount: str, language: str) -> str:
    """``"1234.50"`` → "1.234,50 €" (fr, de, lb of Luxembourg), "€1,234.50" (en)."""
    return str(format_currency(Decimal(amount), "EUR", locale=_locale(language)))


def month_text(month: str, language: str) -> str:
    """``"2026-09"`` → "septembre 2026", "September 2026", "setembro de 2026"."""
    first = date.fromisoformat(f"{month}-01")
    return str(format_skeleton("yMMMM", first, locale=_locale(language)))


def day_text(day: date, language: str) -> str:
    """The long date: "31 décembre 2026", "31. Dezember 2026"; French writes the first of
    a month as an ordinal ("1er février 2026")."""
    text = str(format_date(day, "long", locale=_locale(language)))
    if _known(language) == "fr" and day.day == 1 and text.startswith("1 "):
        text = "1er " + text[2:]
    return text


def typeset(text: str, language: str) -> str:
    """French typography: a no-break space before the high punctuation (``:``, ``;``,
    ``!``, ``?``), so that it never starts a line."""
    if _known(language) != "fr":
        return text
    for mark in ":;!?":
        text = text.replace(f" {mark}", f"\u00a0{mark}")
    return text


def _mail(key: str, language: str, **params: object) -> Mail:
    return Mail(
        subject=typeset(message(f"{key}.subject", language, **params), language),
        body=typeset(message(f"{key}.body", language, **params), language),
    )


def invoice_mail(*, kind: str, number: str, month: str, amount: str, language: str) -> Mail:
    """``kind``: invoice or adjustment (``lu.csa.billing.invoice.issued.v1``); ``month`` as
    ``YYYY-MM`` and ``amount`` a decimal in euros, both written in ``language``."""
    params = {
        "number": number,
        "month": month_text(month, language),
        "amount": amount_text(amount, language),
    }
    return _mail(f"mail.{kind}", language, **params)


def expiry_mail(*, days: int, valid_until: date, language: str) -> Mail:
    return _mail("mail.expiry", language, days=days, valid_until=day_text(valid_until, language))


def retry_delay(attempts: int) -> timedelta:
    """Wait after the ``attempts``-th failed try: 30 s doubling, at most one hour."""
    return min(FIRST_RETRY * (1 << min(max(0, attempts - 1), 16)), LONGEST_RETRY)
