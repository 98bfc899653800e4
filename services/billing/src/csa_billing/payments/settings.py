"""Settings of the payments: the paying state agency's account (the transfers' debtor)."""

from __future__ import annotations

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from csa_shared.rules.bank_accounts import bic_problem, electronic_form, iban_problem
from csa_shared.settings import env_variable


class PaymentSettings(BaseSettings):
    """``BILLING_PAYMENT_DEBTOR_NAME``, ``_IBAN`` and ``_BIC``: no default, so a file is never
    written for an account nobody configured; read at each export (the batch keeps them)."""

    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    debtor_name: str | None = Field(
        default=None, max_length=70, validation_alias=env_variable("BILLING_PAYMENT_DEBTOR_NAME")
    )
    debtor_iban: str | None = Field(
        default=None, validation_alias=env_variable("BILLING_PAYMENT_DEBTOR_IBAN")
    )
    debtor_bic: str | None = Field(
        default=None, validation_alias=env_variable("BILLING_PAYMENT_DEBTOR_BIC")
    )

    @field_validator("debtor_iban")
    @classmethod
    def _iban(cls, value: str | None) -> str | None:
        if value is None:
            return None
        iban = electronic_form(value)
        if problem := iban_problem(iban):
            raise ValueError(problem)
        return iban

    @field_validator("debtor_bic")
    @classmethod
    def _bic(cls, value: str | None) -> str | None:
        if not value:
            return None
        bic = electronic_form(value)
        if problem := bic_problem(bic):
            raise ValueError(problem)
        return bic

    @property
    def configured(self) -> bool:
        return bool(self.debtor_name and self.debtor_iban)
