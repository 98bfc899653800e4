"""Plurilingual education weeks (seed 000: children aged 1 to 4): the rules of an offer and
of a child's sign-up, without I/O.

A week is offered by a provider for an age band within 1 to 4 years (completed years on the
week's first day), in at least two languages, for at most 7 days, with a number of places.
A child signs up only when its age on the first day fits the band and it has a contract in
force; sign-up and cancellation close when the week starts. Whether a place is left is
decided by the database in one statement (``weeks.repository.claim_place``), not here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from csa_membership.domain.child import age_on
from csa_membership.domain.errors import InvalidWeek, WeekRefusal

YOUNGEST = 1
OLDEST = 4
LONGEST = timedelta(days=6)  # first and last day of one calendar week
MIN_LANGUAGES = 2


@dataclass(frozen=True)
class WeekOffer:
    """What a provider (or an agent for it) enters: one week on offer."""

    provider_id: str
    commune: str
    title: str
    languages: tuple[str, ...]
    starts_on: date
    ends_on: date
    min_age: int
    max_age: int
    capacity: int


def check_offer(offer: WeekOffer, *, today: date) -> WeekOffer:
    """The offer with its languages de-duplicated, or ``InvalidWeek`` naming the problem."""
    languages = tuple(dict.fromkeys(code.strip().lower() for code in offer.languages))
    if len(languages) < MIN_LANGUAGES:
        raise InvalidWeek("a plurilingual week is held in at least two languages")
    if offer.ends_on < offer.starts_on:
        raise InvalidWeek("the week ends before it starts", code="week_ends_before_start")
    if offer.ends_on - offer.starts_on > LONGEST:
        raise InvalidWeek("a week lasts at most 7 days", code="week_too_long")
    if offer.starts_on <= today:
        raise InvalidWeek("a week is offered before its first day", code="week_in_the_past")
    if not YOUNGEST <= offer.min_age <= offer.max_age <= OLDEST:
        raise InvalidWeek(
            f"the age band lies within {YOUNGEST} to {OLDEST} years, youngest first",
            code="invalid_age_band",
        )
    if offer.capacity < 1:
        raise InvalidWeek("a week has at least one place", code="invalid_capacity")
    return WeekOffer(
        provider_id=offer.provider_id,
        commune=offer.commune.strip(),
        title=offer.title.strip(),
        languages=languages,
        starts_on=offer.starts_on,
        ends_on=offer.ends_on,
        min_age=offer.min_age,
        max_age=offer.max_age,
        capacity=offer.capacity,
    )


def fits_age(offer: WeekOffer, birth_date: date) -> bool:
    """Is a child born on ``birth_date`` within the week's age band on its first day?"""
    if birth_date > offer.starts_on:
        return False
    return offer.min_age <= age_on(birth_date, offer.starts_on) <= offer.max_age


def check_sign_up(
    offer: WeekOffer, *, birth_date: date | None, contract_in_force: bool, today: date
) -> None:
    """Raise ``WeekRefusal`` (with its code) unless the child may sign up for the week."""
    check_still_open(offer, today=today)
    if birth_date is None or not contract_in_force:
        raise WeekRefusal("the child has no CSA contract in force", code="no_contract_in_force")
    if not fits_age(offer, birth_date):
        age = age_on(birth_date, offer.starts_on) if birth_date <= offer.starts_on else 0
        raise WeekRefusal(
            f"the week is for children aged {offer.min_age} to {offer.max_age} on its first "
            f"day; the child will be {age}",
            code="too_old" if age > offer.max_age else "too_young",
        )


def check_still_open(offer: WeekOffer, *, today: date) -> None:
    """Sign-ups and cancellations close when the week starts."""
    if offer.starts_on <= today:
        raise WeekRefusal("the week has already started", code="week_started")
