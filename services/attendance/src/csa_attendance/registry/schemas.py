"""API models of the registry: providers with dated terms, education contracts."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from csa_attendance.domain.contracts import BillingMode
from csa_shared.http.bounds import Money, SafeText, SaneDate
from csa_shared.rules.bank_accounts import electronic_form
from csa_shared.rules.parameters import ProviderType

ADDRESS = {"street": "1 rue de la Gare", "postcode": "L-1234", "locality": "Luxembourg"}
TERMS_EXAMPLE = {
    "effective_from": "2025-01-06",
    "name": "Crèche Schmetterling",
    "address": ADDRESS,
    "commune": "Luxembourg",
    "hourly_price": "6.00",
    "meal_price": "4.50",
    "plurilingual": True,
    "agency_id": None,
    "iban": "LU28 0019 4006 4475 0000",
    "bic": "BCEELULL",
}


class AddressIn(BaseModel):
    street: SafeText = Field(max_length=200, description="Street and house number")
    postcode: SafeText = Field(max_length=16, description='Postcode, e.g. "L-1234"')
    locality: SafeText = Field(max_length=100, description="Town or village")


class AddressOut(BaseModel):
    street: str = Field(description="Street and house number")
    postcode: str = Field(description='Postcode, e.g. "L-1234"')
    locality: str = Field(description="Town or village")


class BankDetailsIn(BaseModel):
    """Where the state pays the provider (optional; billing's SEPA credit transfers)."""

    iban: str | None = Field(
        default=None,
        max_length=42,
        description='IBAN, spaces allowed ("LU28 0019 4006 4475 0000"); kept without spaces',
    )
    bic: str | None = Field(default=None, max_length=11, description="BIC (8 or 11 characters)")

    @field_validator("iban", "bic")
    @classmethod
    def _electronic_form(cls, value: str | None) -> str | None:
        return None if value is None else electronic_form(value)


class TermsIn(BankDetailsIn):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [TERMS_EXAMPLE]})

    effective_from: SaneDate = Field(
        description="First day these terms apply (older terms apply before it)"
    )
    name: SafeText = Field(max_length=200, description="The provider's name as parents know it")
    address: AddressIn = Field(description="Where the care takes place")
    commune: SafeText = Field(
        max_length=100,
        description="The commune the provider is located in: its agents supervise it",
    )
    hourly_price: Money = Field(description='Euros per hour, e.g. "6.00"')
    meal_price: Money = Field(description="Euros per main meal")
    plurilingual: bool = Field(
        default=False,
        description="Takes part in the plurilingual education programme (free hours, csa-rules.md)",
    )
    agency_id: SafeText | None = Field(
        default=None, max_length=64, description="Parental assistants: the managing agency"
    )


class ProviderIn(BankDetailsIn):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"provider_id": "sea-001", "provider_type": "sea_conventionne", **TERMS_EXAMPLE}
            ]
        },
    )

    provider_id: SafeText = Field(
        min_length=1,
        max_length=64,
        description="The provider's id, chosen at registration (its systems' tokens carry it)",
    )
    provider_type: ProviderType = Field(
        description="Kind of provider: conventioned or commercial SEA, parental assistant"
    )
    effective_from: SaneDate = Field(
        description="First day these terms apply (older terms apply before it)"
    )
    name: SafeText = Field(max_length=200, description="The provider's name as parents know it")
    address: AddressIn = Field(description="Where the care takes place")
    commune: SafeText = Field(
        max_length=100,
        description="The commune the provider is located in: its agents supervise it",
    )
    hourly_price: Money = Field(description='Euros per hour, e.g. "6.00"')
    meal_price: Money = Field(description="Euros per main meal")
    plurilingual: bool = Field(
        default=False,
        description="Takes part in the plurilingual education programme (free hours, csa-rules.md)",
    )
    agency_id: SafeText | None = Field(
        default=None, max_length=64, description="Parental assistants: the managing agency"
    )


class TermsOut(BaseModel):
    """Terms as stored: not bounded like an input, so older records stay readable."""

    effective_from: date = Field(
        description="First day these terms apply (older terms apply before it)"
    )
    name: str = Field(description="The provider's name as parents know it")
    address: AddressOut = Field(description="Where the care takes place")
    commune: str = Field(
        description="The commune the provider is located in: its agents supervise it"
    )
    hourly_price: Decimal = Field(description="Euros per hour")
    meal_price: Decimal = Field(description="Euros per main meal")
    plurilingual: bool = Field(
        default=False,
        description="Takes part in the plurilingual education programme (free hours, csa-rules.md)",
    )
    agency_id: str | None = Field(
        default=None, description="Parental assistants: the managing agency; null otherwise"
    )
    iban: str | None = Field(default=None, description="IBAN in electronic form (no spaces)")
    bic: str | None = Field(
        default=None, description="BIC of the account the state pays to; null when not given"
    )
    version: int = Field(
        description="Number of these terms: 1 at registration, one more per change"
    )


class ProviderOut(BaseModel):
    provider_id: str = Field(description="The provider's id")
    provider_type: ProviderType = Field(
        description="Kind of provider: conventioned or commercial SEA, parental assistant"
    )
    version: int = Field(description="Number of the current terms")
    current: TermsOut = Field(description="The terms in force today")
    versions: list[TermsOut] = Field(description="Every version of the terms, oldest first")


class ContractIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "contract_id": "ec-2025-0001",
                    "child_id": "child-42",
                    "provider_id": "sea-001",
                    "start": "2025-01-06",
                    "end": None,
                    "hours_per_week": "40",
                    "hourly_price": "6.00",
                    "billing_mode": "presence",
                }
            ]
        },
    )

    contract_id: SafeText = Field(
        min_length=1,
        max_length=64,
        description="The education contract's id, chosen by the caller (idempotency key)",
    )
    child_id: SafeText = Field(
        min_length=1, max_length=64, description="The child's pseudonymous id"
    )
    provider_id: SafeText = Field(
        min_length=1, max_length=64, description="The provider caring for the child"
    )
    start: SaneDate = Field(description="First day of care under the contract")
    end: SaneDate | None = Field(
        default=None, description="Last day of care; null while open-ended"
    )
    hours_per_week: Decimal = Field(
        ge=0, le=168, decimal_places=2, description="Hours of care agreed per week, 0 to 168"
    )
    hourly_price: Money = Field(description="Euros per hour agreed with the parents")
    billing_mode: BillingMode = Field(
        default=BillingMode.PRESENCE,
        description="What is billed per day: presences, reservations or the greater of both",
    )


class ContractEndIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"end": "2025-06-30"}]}
    )

    end: SaneDate = Field(description="The contract's new last day")


class ContractOut(BaseModel):
    contract_id: str = Field(description="The education contract's id")
    child_id: str = Field(description="The child's pseudonymous id")
    provider_id: str = Field(description="The provider caring for the child")
    start: date = Field(description="First day of care under the contract")
    end: date | None = Field(description="Last day of care; null while open-ended")
    hours_per_week: Decimal = Field(description="Hours of care agreed per week")
    hourly_price: Decimal = Field(description="Euros per hour agreed with the parents")
    billing_mode: BillingMode = Field(
        description="What is billed per day: presences, reservations or the greater of both"
    )
    version: int = Field(description="1 when started, one more per change (such as its end)")


class Page(BaseModel):
    total: int = Field(description="How many items match the filters, over every page")
    limit: int = Field(description="The page size asked for")
    offset: int = Field(description="How many matching items precede this page")


class ProviderPage(Page):
    items: list[ProviderOut] = Field(description="This page's providers")


class ContractPage(Page):
    items: list[ContractOut] = Field(description="This page's education contracts")
