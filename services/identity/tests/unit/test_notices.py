"""The notices' pure rules: which expiry notice is due, the texts in each language, and the
back-off of a mail the server did not take."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from csa_identity.domain.messages import LANGUAGES
from csa_identity.domain.notices import (
    amount_text,
    day_text,
    due_expiry_notice,
    expiry_mail,
    invoice_mail,
    month_text,
    retry_delay,
)

END = date(2026, 12, 31)


@pytest.mark.parametrize(
    ("today", "due"),
    [
        (END - timedelta(days=31), None),
        (END - timedelta(days=30), 30),
        (END - timedelta(days=8), 30),
        (END - timedelta(days=7), 7),
        (END, 7),
        (END + timedelta(days=1), None),
    ],
)
def test_the_notice_due_is_the_closest_threshold_reached(today: date, due: int | None) -> None:
    assert due_expiry_notice(END, today) == due


@given(st.integers(min_value=1, max_value=10_000))
def test_the_back_off_grows_and_stays_within_an_hour(attempts: int) -> None:
    assert timedelta(seconds=30) <= retry_delay(attempts) <= timedelta(hours=1)
    assert retry_delay(attempts) <= retry_delay(attempts + 1)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_notice_has_its_own_text_in_each_language(language: str) -> None:
    texts = [
        invoice_mail(kind=kind, number="N-1", month="2026-09", amount="1.00", language=language)
        for kind in ("invoice", "adjustment")
    ] + [expiry_mail(days=7, valid_until=END, language=language)]
    for mail in texts:
        assert "{" not in mail.subject + mail.body
    assert len({mail.subject for mail in texts}) == 3
    if language != "fr":
        assert (
            texts[0].body
            != invoice_mail(
                kind="invoice", number="N-1", month="2026-09", amount="1.00", language="fr"
            ).body
        )


@pytest.mark.parametrize(
    ("language", "amount", "month", "first_of_february"),
    [
        ("lb", "1.234,50\u00a0€", "September 2026", "1. Februar 2027"),
        ("de", "1.234,50\u00a0€", "September 2026", "1. Februar 2027"),
        ("fr", "1.234,50\u00a0€", "septembre 2026", "1er février 2027"),
        ("en", "€1,234.50", "September 2026", "1 February 2027"),
        ("pt", "1\u00a0234,50\u00a0€", "setembro de 2026", "1 de fevereiro de 2027"),
    ],
)
def test_amounts_months_and_days_are_written_as_each_language_does(
    language: str, amount: str, month: str, first_of_february: str
) -> None:
    assert amount_text("1234.50", language) == amount
    assert month_text("2026-09", language) == month
    assert day_text(date(2027, 2, 1), language) == first_of_february


def test_french_puts_a_no_break_space_before_the_colon_and_writes_only_the_first_as_1er() -> None:
    mail = invoice_mail(kind="invoice", number="N-1", month="2026-09", amount="-12", language="fr")
    assert mail.subject == "CSA\u00a0: nouvelle facture N-1"
    assert "Montant à payer\u00a0: -12,00\u00a0€." in mail.body and " :" not in mail.body
    assert day_text(date(2027, 2, 2), "fr") == "2 février 2027"
    assert day_text(date(2027, 2, 1), "xx") == "1er février 2027"  # unknown: French
