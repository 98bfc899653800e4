"""SMTP settings of identity's e-mail notices; without ``SMTP_HOST`` the mails stay queued."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from csa_shared.settings import SecretFileSettings, env_variable


class MailSettings(SecretFileSettings):
    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    host: str | None = Field(default=None, validation_alias=env_variable("SMTP_HOST"))
    port: int = Field(default=25, ge=1, le=65535, validation_alias=env_variable("SMTP_PORT"))
    username: str | None = Field(default=None, validation_alias=env_variable("SMTP_USERNAME"))
    password: SecretStr | None = Field(default=None, validation_alias=env_variable("SMTP_PASSWORD"))
    sender: str = Field(default="no-reply@csa.lu", validation_alias=env_variable("SMTP_FROM"))
    # none: plain (the development mail catcher), starttls: upgrade on 587, tls: implicit on 465
    tls: Literal["none", "starttls", "tls"] = Field(
        default="none", validation_alias=env_variable("SMTP_TLS")
    )
    poll_seconds: float = Field(
        default=5.0, gt=0, validation_alias=env_variable("MAIL_POLL_SECONDS")
    )
    expiry_check_seconds: float = Field(
        default=6 * 3600.0, gt=0, validation_alias=env_variable("MAIL_EXPIRY_CHECK_SECONDS")
    )
