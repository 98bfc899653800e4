from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, timedelta

import pytest

from csa_identity.domain.codes import (
    UNAMBIGUOUS_ALPHABET,
    CodeHasher,
    Pepper,
    code_entropy_bits,
    generate_code,
)
from csa_identity.domain.errors import CardExpired, IamCodeSpaceExhausted, LinkingCodeRejected
from csa_identity.domain.mycard import (
    IssuedCard,
    canonical_iam_code,
    card_valid_until,
    check_linking_code,
    iam_code_prefix,
    issue_duplicate,
    new_iam_code,
    spend_linking_code,
)

from .conftest import NOW


def test_prefix_of_mueller_maelle_is_mulma() -> None:
    assert iam_code_prefix("Müller", "Maëlle") == "MulMa"


def test_prefix_folds_eszett_and_pads_short_names() -> None:
    assert iam_code_prefix("Strauß", "Jo") == "StrJo"
    assert iam_code_prefix("Li", "Ö") == "LixOx"
    assert iam_code_prefix("de la Fontaine", "Zoë-Anne") == "DelZo"


def test_new_iam_code_skips_taken_codes() -> None:
    taken = {"MusMa000", "MusMa001"}
    digits = iter([0, 1, 123])
    code = new_iam_code(
        "Muster", "Marie", is_taken=taken.__contains__, randbelow=lambda n: next(digits)
    )
    assert code == "MusMa123"


def test_new_iam_code_widens_to_four_digits_when_three_are_crowded() -> None:
    code = new_iam_code(
        "Muster", "Marie", is_taken=lambda c: len(c) == 8, randbelow=random.Random(3).randrange
    )
    assert code.startswith("MusMa") and len(code) == 9


def test_new_iam_code_raises_when_every_width_is_taken() -> None:
    with pytest.raises(IamCodeSpaceExhausted):
        new_iam_code("Muster", "Marie", is_taken=lambda c: True, randbelow=lambda n: 0)


def test_typed_iam_code_is_canonicalised_and_garbage_refused() -> None:
    assert canonical_iam_code(" musma123 ") == "MusMa123"
    assert canonical_iam_code("MusMa12") is None
    assert canonical_iam_code("Mus Ma123") is None


@pytest.mark.parametrize(
    ("birth", "expiry"),
    [
        (date(2013, 9, 1), date(2025, 9, 15)),  # 12 on 1 Sept 2025: leaves primary summer 2025
        (date(2013, 9, 2), date(2026, 9, 15)),  # 12 the day after: one more school year
        (date(2019, 5, 4), date(2031, 9, 15)),
        (date(2012, 2, 29), date(2024, 9, 15)),
    ],
)
def test_card_valid_until_15_september_after_primary_school(birth: date, expiry: date) -> None:
    assert card_valid_until(birth) == expiry


def test_card_valid_one_year_longer_for_prolonged_cycle() -> None:
    assert card_valid_until(date(2013, 9, 1), extra_school_years=1) == date(2026, 9, 15)


def test_linking_code_has_at_least_60_bits_and_no_ambiguous_symbols() -> None:
    code = generate_code(randbelow=random.Random(5).randrange)
    symbols = code.replace("-", "")
    assert code_entropy_bits(len(symbols)) >= 60
    assert not set(symbols) & set("0O1IL")
    assert set(symbols) <= set(UNAMBIGUOUS_ALPHABET)
    assert [len(group) for group in code.split("-")] == [4, 4, 4, 4]


def test_linking_code_verifies_when_typed_lowercase_without_dashes(
    issued: IssuedCard, code_hasher: CodeHasher
) -> None:
    typed = issued.linking_code.replace("-", " ").lower()
    assert check_linking_code(issued.card, typed, now=NOW, hasher=code_hasher) == issued.card
    assert issued.linking_code not in issued.card.linking_code_hash


def test_wrong_linking_code_is_rejected(issued: IssuedCard, code_hasher: CodeHasher) -> None:
    with pytest.raises(LinkingCodeRejected):
        check_linking_code(issued.card, "AAAA-BBBB-CCCC-DDDD", now=NOW, hasher=code_hasher)


def test_unknown_card_and_wrong_code_give_the_same_error(code_hasher: CodeHasher) -> None:
    with pytest.raises(LinkingCodeRejected):
        check_linking_code(None, "AAAA-BBBB-CCCC-DDDD", now=NOW, hasher=code_hasher)


def test_spent_linking_code_is_rejected_on_reuse(
    issued: IssuedCard, code_hasher: CodeHasher
) -> None:
    spent = spend_linking_code(issued.card, now=NOW)
    with pytest.raises(LinkingCodeRejected):
        check_linking_code(spent, issued.linking_code, now=NOW, hasher=code_hasher)
    with pytest.raises(LinkingCodeRejected):
        spend_linking_code(spent, now=NOW)


def test_linking_code_of_expired_card_is_rejected(
    issued: IssuedCard, code_hasher: CodeHasher
) -> None:
    expired = replace(issued.card, valid_until=NOW.date() - timedelta(days=1))
    with pytest.raises(CardExpired):
        check_linking_code(expired, issued.linking_code, now=NOW, hasher=code_hasher)


def test_duplicate_keeps_iam_code_and_invalidates_old_linking_code(
    issued: IssuedCard, code_hasher: CodeHasher
) -> None:
    spent = spend_linking_code(issued.card, now=NOW)
    duplicate = issue_duplicate(
        spent, now=NOW, hasher=code_hasher, randbelow=random.Random(9).randrange
    )
    assert duplicate.card.iam_code == "MusMa123"
    assert duplicate.card.duplicate_number == 1
    assert duplicate.linking_code != issued.linking_code
    with pytest.raises(LinkingCodeRejected):
        check_linking_code(duplicate.card, issued.linking_code, now=NOW, hasher=code_hasher)
    check_linking_code(duplicate.card, duplicate.linking_code, now=NOW, hasher=code_hasher)


def test_code_hashed_with_previous_pepper_still_verifies_after_pepper_rotation() -> None:
    old = CodeHasher(Pepper("p1", b"a" * 32))
    rotated = CodeHasher(Pepper("p2", b"b" * 32), previous=(Pepper("p1", b"a" * 32),))
    stored = old.hash("K7QX-M2RT-9WHB-CZ4N")
    assert rotated.verify("K7QX-M2RT-9WHB-CZ4N", stored)
    assert not rotated.verify("K7QX-M2RT-9WHB-CZ4P", stored)
    assert not CodeHasher(Pepper("p1", b"c" * 32)).verify("K7QX-M2RT-9WHB-CZ4N", stored)


def test_short_pepper_is_refused() -> None:
    with pytest.raises(ValueError):
        Pepper("p1", b"short")
