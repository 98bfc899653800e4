"""myCard: IAM code, linking code and validity of a child's card (csa-rules.md §9, seed 000).

IAM code format (fixed here, the seed only shows ``MusMa123``): the first three letters of the
surname, capitalised, the first two letters of the first name, capitalised, then digits drawn
from a random source. Names are folded to ASCII first ("Müller", "Maëlle" → ``MulMa``);
letters missing in a short name are filled with ``x`` ("Li" → ``Lix``). Three digits are tried
first; when a prefix is crowded the code widens to four, then five digits.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime

from csa_identity.domain.codes import CodeHasher, RandomBelow, generate_code
from csa_identity.domain.errors import (
    CardExpired,
    IamCodeSpaceExhausted,
    LinkingCodeRejected,
)
from csa_identity.domain.instants import require_aware
from csa_shared.clock import as_luxembourg

_FOLDS = {"ß": "ss", "æ": "ae", "Æ": "Ae", "ø": "o", "Ø": "O", "œ": "oe", "Œ": "Oe", "ł": "l"}
_IAM_CODE = re.compile(r"^([A-Za-z]{3})([A-Za-z]{2})(\d{3,5})$")
DIGIT_WIDTHS = (3, 4, 5)


def ascii_letters(name: str) -> str:
    """The name's letters folded to ASCII: accents dropped, ß → ss, spaces and dashes gone."""
    folded = "".join(_FOLDS.get(ch, ch) for ch in name)
    decomposed = unicodedata.normalize("NFKD", folded)
    return "".join(ch for ch in decomposed if ch.isascii() and ch.isalpha())


def _part(name: str, size: int) -> str:
    letters = (ascii_letters(name)[:size]).ljust(size, "x").lower()
    return letters[0].upper() + letters[1:]


def iam_code_prefix(surname: str, first_name: str) -> str:
    """``Müller``/``Maëlle`` → ``MulMa``: three surname letters + two first-name letters."""
    return _part(surname, 3) + _part(first_name, 2)


def canonical_iam_code(raw: str) -> str | None:
    """The stored spelling of a typed IAM code (``musma123`` → ``MusMa123``), or None."""
    match = _IAM_CODE.match(raw.strip())
    if match is None:
        return None
    surname, first, digits = match.groups()
    return surname.capitalize() + first.capitalize() + digits


def new_iam_code(
    surname: str,
    first_name: str,
    *,
    is_taken: Callable[[str], bool],
    randbelow: RandomBelow = secrets.randbelow,
    tries_per_width: int = 20,
) -> str:
    """A free IAM code for a child being registered for CSA.

    ``is_taken(code)`` is the caller's uniqueness check (a repository lookup); the code is
    still protected by a unique index, so a lost race is retried by calling this again.
    """
    prefix = iam_code_prefix(surname, first_name)
    for width in DIGIT_WIDTHS:
        for _ in range(tries_per_width):
            candidate = f"{prefix}{randbelow(10**width):0{width}d}"
            if not is_taken(candidate):
                return candidate
    raise IamCodeSpaceExhausted(f"no free IAM code for prefix {prefix}")


def card_valid_until(birth_date: date, *, extra_school_years: int = 0) -> date:
    """Last day of validity of a myCard: "valid until the end of primary school" (seed 000).

    Rule fixed here: fundamental education (cycles 1-4) normally ends with the school year
    before the one the child starts at age 12 on 1 September. Let Y be the first year whose
    1 September falls on or after the child's 12th birthday; fundamental school ends in
    summer Y and the card stays valid until **15 September of Y**, so it covers the summer
    holiday care. ``extra_school_years`` pushes the end for a prolonged cycle (allongement).
    """
    twelfth = _anniversary(birth_date, 12)
    year = twelfth.year if twelfth <= date(twelfth.year, 9, 1) else twelfth.year + 1
    return date(year + extra_school_years, 9, 15)


def _anniversary(born: date, years: int) -> date:
    try:
        return born.replace(year=born.year + years)
    except ValueError:  # born on 29 February
        return date(born.year + years, 3, 1)


@dataclass(frozen=True, slots=True)
class MyCard:
    child_id: str
    iam_code: str
    linking_code_hash: str
    linking_code_issued_at: datetime
    valid_until: date
    linking_code_spent_at: datetime | None = None
    duplicate_number: int = 0

    def is_valid_on(self, day: date) -> bool:
        return day <= self.valid_until


@dataclass(frozen=True, slots=True)
class IssuedCard:
    """A card to store plus the clear linking code, which only goes on the letter."""

    card: MyCard
    linking_code: str


def issue_card(
    *,
    child_id: str,
    iam_code: str,
    birth_date: date,
    now: datetime,
    hasher: CodeHasher,
    randbelow: RandomBelow = secrets.randbelow,
    extra_school_years: int = 0,
) -> IssuedCard:
    """The first myCard of a child registered for CSA."""
    code = generate_code(randbelow=randbelow)
    card = MyCard(
        child_id=child_id,
        iam_code=iam_code,
        linking_code_hash=hasher.hash(code),
        linking_code_issued_at=require_aware(now),
        valid_until=card_valid_until(birth_date, extra_school_years=extra_school_years),
    )
    return IssuedCard(card=card, linking_code=code)


def issue_duplicate(
    card: MyCard, *, now: datetime, hasher: CodeHasher, randbelow: RandomBelow = secrets.randbelow
) -> IssuedCard:
    """A lost card's duplicate: same IAM code, new linking code; the old code stops working."""
    code = generate_code(randbelow=randbelow)
    duplicate = replace(
        card,
        linking_code_hash=hasher.hash(code),
        linking_code_issued_at=require_aware(now),
        linking_code_spent_at=None,
        duplicate_number=card.duplicate_number + 1,
    )
    return IssuedCard(card=duplicate, linking_code=code)


def check_linking_code(
    card: MyCard | None, linking_code: str, *, now: datetime, hasher: CodeHasher
) -> MyCard:
    """The card if ``linking_code`` may attach its child now; else ``LinkingCodeRejected``
    (unknown card, wrong or spent code: one error) or ``CardExpired``."""
    if card is None or card.linking_code_spent_at is not None:
        raise LinkingCodeRejected("linking code not valid")
    if not hasher.verify(linking_code, card.linking_code_hash):
        raise LinkingCodeRejected("linking code not valid")
    if not card.is_valid_on(as_luxembourg(require_aware(now)).date()):
        raise CardExpired("myCard expired")
    return card


def spend_linking_code(card: MyCard, *, now: datetime) -> MyCard:
    """Single use: the linking code expires as soon as the child is attached (seed 000)."""
    if card.linking_code_spent_at is not None:
        raise LinkingCodeRejected("linking code already used")
    return replace(card, linking_code_spent_at=require_aware(now))
