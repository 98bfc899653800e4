"""Content of the contract document, localised (csa-rules.md §3, §8).

The document states the child's tariffs (tranche hours and parent rates for its category and
rank), the meal rate, start and expiry dates, and an annex of age-specific advantages, in the
contract's language. Pure: the PDF adapter only lays these blocks out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from csa_membership.domain.application import Address, ContractData, Language
from csa_membership.domain.child import Schooling
from csa_membership.domain.contract import Contract
from csa_membership.domain.document_texts import LOCALES, TEXTS
from csa_membership.domain.errors import InvalidDate
from csa_membership.domain.nin import parse_nin
from csa_shared.documents import typography
from csa_shared.documents.category_names import category_name
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


def money(amount: Decimal, language: Language) -> str:
    """An amount in euros in the language's notation ("3,50 €", "€3.50")."""
    return typography.money(amount, language.value)


def one_line(address: Address) -> str:
    return ", ".join([address.line, f"{address.postcode} {address.locality}", address.country])


def question_office(data: ContractData, words: dict[str, str]) -> str:
    """Where to ask: the commune's office for a resident, else the CAE (csa-rules.md §8)."""
    commune = data.child_address.commune if data.resident else None
    return words["office_commune"].format(commune=commune) if commune else words["office_cae"]


def _parties(
    data: ContractData, words: dict[str, str], day: Callable[[date], str]
) -> tuple[str, ...]:
    """Who the contract is for and where its letters go."""
    return (
        words["representative"].format(
            name=f"{data.representative.first_name} {data.representative.last_name}"
        ),
        words["billing"].format(address=one_line(data.billing_address)),
        words["child"].format(
            name=f"{data.child.first_name} {data.child.last_name}",
            birth=day(parse_nin(data.child.nin).birth_date),
        ),
        words["home"].format(address=one_line(data.child_address)),
    )


def _typeset(section: Section, language: Language) -> Section:
    """The language's punctuation (French spacing before colons) on every line."""
    return Section(
        typography.punctuate(section.heading, language.value),
        tuple(typography.punctuate(line, language.value) for line in section.lines),
    )


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
    words = TEXTS[language]
    data, assessment = version.data, version.assessment
    tariff = tariff_for(assessment.category, assessment.rank)
    params = parameters_in_force(on)

    def day(value: date) -> str:
        return typography.long_date(value, language.value)

    validity_line = words["validity"].format(
        start=day(validity.valid_from), end=day(validity.valid_until)
    )
    child = Section(words["title"], (*_parties(data, words, day), validity_line))
    rows = [
        words["tranche"].format(n=n, hours=hours, rate=money(rate, language))
        for n, (hours, rate) in enumerate(zip(tariff.tranche_hours, tariff.rates, strict=True), 1)
    ]
    school_age = data.schooling is Schooling.FUNDAMENTAL
    rows.append(words["meal"].format(rate=money(tariff.meal_rate(school_age=school_age), language)))
    if assessment.state_pays_all:
        rows.append(words["state_pays"])
    code = assessment.category.value
    rows.insert(
        0, words["category_name"].format(code=code, name=category_name(code, language.value))
    )
    tariffs = Section(
        words["tariffs"].format(category=code, rank=assessment.rank),
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
    questions = Section(
        words["questions_heading"],
        (words["questions"].format(office=question_office(data, words)),),
    )
    sections = tuple(_typeset(x, language) for x in (child, tariffs, annex, questions))
    return ContractDocument(language, LOCALES[language], sections[0].heading, sections)
