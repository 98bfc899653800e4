"""Content of the contract document, localised (csa-rules.md §3, §8).

The document states the child's tariffs (tranche hours and parent rates for its category and
rank), the meal rate, start and expiry dates, and an annex of age-specific advantages, in the
contract's language. Pure: the PDF adapter only lays these blocks out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from babel.dates import format_date
from babel.numbers import format_currency

from csa_membership.domain.application import Language
from csa_membership.domain.child import Schooling
from csa_membership.domain.contract import Contract
from csa_membership.domain.document_texts import LOCALES, TEXTS
from csa_membership.domain.errors import InvalidDate
from csa_membership.domain.nin import parse_nin
from csa_shared.rules.parameters import parameters_in_force
from csa_shared.rules.tariffs import tariff_for


@dataclass(frozen=True)
class Section:
    """A heading and its lines."""

    heading: str
    lines: tuple[str, ...]


@dataclass(frozen=True)
class ContractDocument:
    """The localised text blocks of one contract document."""

    language: Language
    locale: str
    title: str
    sections: tuple[Section, ...]

    def text(self) -> str:
        """All blocks as plain text, one per line (the first heading is the title)."""
        parts: list[str] = []
        for section in self.sections:
            parts.append(section.heading)
            parts.extend(section.lines)
        return "\n".join(parts)


def money(amount: Decimal, locale: str) -> str:
    """An amount in euros in the locale's notation ("3,50 €", "€3.50")."""
    return format_currency(amount, "EUR", locale=locale)


def contract_document(contract: Contract, *, on: date) -> ContractDocument:
    """Build the document of ``contract`` for the version applying on ``on`` (§8)."""
    validity = contract.validity
    version = contract.version_on(on)
    if validity is None or version is None:
        raise InvalidDate(
            f"contract {contract.contract_id} has no signed version on {on.isoformat()}",
            code="no_version_on_date",
        )
    language = version.data.language
    locale = LOCALES[language]
    words = TEXTS[language]
    data, assessment = version.data, version.assessment
    tariff = tariff_for(assessment.category, assessment.rank)
    params = parameters_in_force(on)

    def day(value: date) -> str:
        return format_date(value, "long", locale=locale)

    child = Section(
        words["title"],
        (
            words["child"].format(
                name=f"{data.child.first_name} {data.child.last_name}",
                birth=day(parse_nin(data.child.nin).birth_date),
            ),
            words["validity"].format(start=day(validity.valid_from), end=day(validity.valid_until)),
        ),
    )
    rows = [
        words["tranche"].format(n=n, hours=hours, rate=money(rate, locale))
        for n, (hours, rate) in enumerate(zip(tariff.tranche_hours, tariff.rates, strict=True), 1)
    ]
    school_age = data.schooling is Schooling.FUNDAMENTAL
    rows.append(words["meal"].format(rate=money(tariff.meal_rate(school_age=school_age), locale)))
    if assessment.state_pays_all:
        rows.append(words["state_pays"])
    tariffs = Section(
        words["tariffs"].format(category=assessment.category.value, rank=assessment.rank),
        tuple(rows),
    )
    annex = Section(
        words["annex"],
        (
            words["plurilingual"].format(
                hours=params.plurilingual_hours_full, weeks=params.plurilingual_weeks_per_year
            ),
            words["school"],
            words["meals"],
        ),
    )
    return ContractDocument(language, locale, words["title"], (child, tariffs, annex))
