"""Provider registry with dated terms (csa-rules.md §10; seed 004 §4).

Three kinds (`ProviderType`): an SEA conventionné charges at most the SEA state cap per hour;
an SEA commercial sets a free price; an assistant parental (AP) sets one free hourly price
for day, night, weekend and public holidays alike, takes no part in the plurilingual
programme (seed 004 §5), and its records are managed by the Dageselteren agency
(`agency_id`, the agency principal allowed to submit on its behalf).

Terms are versioned: a change is a new `ProviderTerms` effective from a date, later than
the latest version; `Provider.terms_on(day)` answers "the terms as of a date".
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import TypeVar

from csa_attendance.domain import checks
from csa_attendance.domain.closing import closed_period_on_or_after
from csa_attendance.domain.errors import AttendanceDomainError, Code, Violation
from csa_attendance.domain.events import ProviderChanged, ProviderRegistered
from csa_shared.rules.bank_accounts import bic_problem, iban_problem
from csa_shared.rules.parameters import ProviderType


@dataclass(frozen=True, slots=True)
class Address:
    street: str
    postcode: str
    locality: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ProviderTerms:
    """One dated version of a provider's registry entry."""

    effective_from: date
    name: str
    address: Address
    commune: str
    hourly_price: Decimal
    meal_price: Decimal
    plurilingual: bool
    agency_id: str | None = None
    # where the state pays the provider (billing's SEPA transfers); a BIC only with an IBAN
    iban: str | None = None
    bic: str | None = None


@dataclass(frozen=True, slots=True)
class Provider:
    """A provider and its terms, oldest version first."""

    provider_id: str
    provider_type: ProviderType
    versions: tuple[ProviderTerms, ...]

    @property
    def version(self) -> int:
        return len(self.versions)

    @property
    def current(self) -> ProviderTerms:
        return self.versions[-1]

    def terms_on(self, day: date) -> ProviderTerms | None:
        """The terms in force on `day`, or None before the provider was registered."""
        in_force = [t for t in self.versions if t.effective_from <= day]
        return in_force[-1] if in_force else None


def validate_terms(
    provider_type: ProviderType, terms: ProviderTerms, *, sea_cap: Decimal
) -> list[Violation]:
    """Check one version of terms; `sea_cap` is the SEA state cap per hour in force (§1)."""
    found = [
        *checks.text(terms.name, "name"),
        *checks.text(terms.commune, "commune"),
        *checks.text(terms.address.street, "address.street"),
        *checks.text(terms.address.postcode, "address.postcode"),
        *checks.text(terms.address.locality, "address.locality"),
        *checks.money(terms.hourly_price, "hourly_price", positive=True),
        *checks.money(terms.meal_price, "meal_price"),
    ]
    found += bank_details(terms)
    if (
        provider_type is ProviderType.SEA_CONVENTIONNE
        and not checks.money(terms.hourly_price, "hourly_price")
        and terms.hourly_price > sea_cap
    ):
        found.append(
            Violation(
                Code.PRICE_ABOVE_CAP,
                "hourly_price",
                f"an SEA conventionné charges at most {sea_cap} per hour, got {terms.hourly_price}",
            )
        )
    if provider_type is ProviderType.ASSISTANT_PARENTAL:
        if terms.plurilingual:
            found.append(
                Violation(
                    Code.INVALID_VALUE,
                    "plurilingual",
                    "a parental assistant takes no part in the plurilingual programme",
                )
            )
        if not terms.agency_id:
            found.append(
                Violation(
                    Code.INVALID_VALUE,
                    "agency_id",
                    "a parental assistant's records are managed by the agency: agency_id required",
                )
            )
    elif terms.agency_id is not None:
        found.append(
            Violation(Code.INVALID_VALUE, "agency_id", "only a parental assistant has an agency")
        )
    return found


def bank_details(terms: ProviderTerms) -> list[Violation]:
    """The optional IBAN (mod-97) and BIC, in electronic form; a BIC needs an IBAN."""
    found = []
    if terms.iban is not None and (problem := iban_problem(terms.iban)):
        found.append(Violation(Code.INVALID_VALUE, "iban", problem))
    if terms.bic is not None:
        if problem := bic_problem(terms.bic):
            found.append(Violation(Code.INVALID_VALUE, "bic", problem))
        elif terms.iban is None:
            found.append(Violation(Code.INVALID_VALUE, "bic", "a BIC is given with an IBAN"))
    return found


_E = TypeVar("_E", ProviderRegistered, ProviderChanged)


def _event(kind: type[_E], provider: Provider, closed_months: Collection[str]) -> _E:
    t = provider.current
    return kind(
        record_id=provider.provider_id,
        provider_id=provider.provider_id,
        version=provider.version,
        affects_closed_period=closed_period_on_or_after(t.effective_from, closed_months),
        provider_type=provider.provider_type,
        effective_from=t.effective_from,
        name=t.name,
        commune=t.commune,
        hourly_price=t.hourly_price,
        meal_price=t.meal_price,
        plurilingual=t.plurilingual,
        agency_id=t.agency_id,
        iban=t.iban,
        bic=t.bic,
        address={
            "street": t.address.street,
            "postcode": t.address.postcode,
            "locality": t.address.locality,
        },
    )


def register_provider(
    *,
    provider_id: str,
    provider_type: ProviderType,
    terms: ProviderTerms,
    sea_cap: Decimal,
    closed_months: Collection[str] = (),
) -> tuple[Provider, ProviderRegistered]:
    """Register a provider with its first terms (§10); raises on invalid terms."""
    found = checks.text(provider_id, "provider_id") + validate_terms(
        provider_type, terms, sea_cap=sea_cap
    )
    if found:
        raise AttendanceDomainError(found)
    provider = Provider(provider_id, provider_type, (terms,))
    return provider, _event(ProviderRegistered, provider, closed_months)


def change_provider(
    provider: Provider,
    *,
    terms: ProviderTerms,
    sea_cap: Decimal,
    closed_months: Collection[str] = (),
) -> tuple[Provider, ProviderChanged]:
    """Add a dated version of the terms, effective after the latest one; raises if invalid."""
    found = validate_terms(provider.provider_type, terms, sea_cap=sea_cap)
    if terms.effective_from <= provider.current.effective_from:
        found.append(
            Violation(
                Code.INVALID_VALUE,
                "effective_from",
                f"a change takes effect after the latest version "
                f"({provider.current.effective_from}), got {terms.effective_from}",
            )
        )
    if found:
        raise AttendanceDomainError(found)
    changed = replace(provider, versions=(*provider.versions, terms))
    return changed, _event(ProviderChanged, changed, closed_months)
