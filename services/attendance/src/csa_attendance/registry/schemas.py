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
    street: SafeText = Field(max_length=200)
    postcode: SafeText = Field(max_length=16)
    locality: SafeText = Field(max_length=100)


class AddressOut(BaseModel):
    street: str
    postcode: str
    locality: str


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

    effective_from: SaneDate
    name: SafeText = Field(max_length=200)
    address: AddressIn
    commune: SafeText = Field(max_length=100)
    hourly_price: Money = Field(description='Euros per hour, e.g. "6.00"')
    meal_price: Money = Field(description="Euros per main meal")
    plurilingual: bool = False
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

    provider_id: SafeText = Field(min_length=1, max_length=64)
    provider_type: ProviderType
    effective_from: SaneDate
    name: SafeText = Field(max_length=200)
    address: AddressIn
    commune: SafeText = Field(max_length=100)
    hourly_price: Money
    meal_price: Money
    plurilingual: bool = False
    agency_id: SafeText | None = Field(default=None, max_length=64)


class TermsOut(BaseModel):
    """Terms as stored: not bounded like an input, so older records stay readable."""

    effective_from: date
    name: str
    address: AddressOut
    commune: str
    hourly_price: Decimal
    meal_price: Decimal
    plurilingual: bool = False
    agency_id: str | None = None
    iban: str | None = Field(default=None, description="IBAN in electronic form (no spaces)")
    bic: str | None = None
    version: int


class ProviderOut(BaseModel):
    provider_id: str
    provider_type: ProviderType
    version: int
    current: TermsOut
    versions: list[TermsOut]


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

    contract_id: SafeText = Field(min_length=1, max_length=64)
    child_id: SafeText = Field(min_length=1, max_length=64)
    provider_id: SafeText = Field(min_length=1, max_length=64)
    start: SaneDate
    end: SaneDate | None = None
    hours_per_week: Decimal = Field(ge=0, le=168, decimal_places=2)
    hourly_price: Money
    billing_mode: BillingMode = BillingMode.PRESENCE


class ContractEndIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"end": "2025-06-30"}]}
    )

    end: SaneDate


class ContractOut(BaseModel):
    contract_id: str
    child_id: str
    provider_id: str
    start: date
    end: date | None
    hours_per_week: Decimal
    hourly_price: Decimal
    billing_mode: BillingMode
    version: int


class Page(BaseModel):
    total: int
    limit: int
    offset: int


class ProviderPage(Page):
    items: list[ProviderOut]


class ContractPage(Page):
    items: list[ContractOut]
