"""The notices' pure rules: which expiry notice is due, the texts in each language, and the
back-off of a mail the server did not take."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from csa_identity.domain.messages import LANGUAGES
from csa_identity.domain.notices import (
    due_expiry_notice,
    expiry_mail,
    invoice_mail,
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
